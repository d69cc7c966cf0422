"""Publishing what changed: retained counter and service state, calls, announcements.

Called only after the events are committed, so nothing is shown that the
store does not hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from hub.bookings import Booking
from hub.day_plan import all_services
from hub.events import (
    AnnouncementsSet,
    CounterChanged,
    CounterServicesSet,
    DayClosed,
    DayOpened,
    DeviceControlSent,
    Event,
    ServiceClosed,
    ServiceQuotaSet,
    ServiceReopened,
    TicketCalled,
    TicketMoved,
    TicketTransferred,
)
from hub.log_lines import log_entry
from hub.site.schema import Site
from hub.state import QueueState
from hub.views import (
    call_event,
    catalogue,
    counter_status,
    recent_calls,
    service_status,
    ticket_view,
)
from protocol.link import MqttLink
from protocol.models import Announcements, DeviceControl
from protocol.topics import spec

log = logging.getLogger(__name__)


class StatePublisher:
    def __init__(self, site: Site, link: MqttLink, devices: frozenset[str] = frozenset()) -> None:
        self.site = site
        self.link = link
        self.devices = devices  # device accounts, to tell them from admins in the log
        # today's online bookings (admission keeps room for them); set by the app
        self.bookings_today: Callable[[datetime], Sequence[Booking]] = lambda _now: ()

    def publish_log(self, state: QueueState, events: list[Event]) -> None:
        """Each committed event as a line on ``mpp/event/log`` (``mpp admin tail``).

        The events of one commit are the last ones applied, numbered in order.
        """
        first = state.applied - len(events) + 1
        for offset, event in enumerate(events):
            try:
                entry = log_entry(self.site, state, event, first + offset, self.devices)
            except ValueError as error:  # e.g. a refused sender that is no account name
                log.debug("no log line for %s: %s", event.kind, error)
                continue
            self.link.publish(spec("event.log"), entry)

    def publish_controls(self, state: QueueState, events: list[Event]) -> None:
        """Forward the admin's device requests, once committed, on each device's control topic."""
        for event in events:
            if not isinstance(event, DeviceControlSent):
                continue
            ticket = state.tickets.get(event.ticket_id) if event.ticket_id else None
            control = DeviceControl(
                command_id=event.control_id,
                action=event.action,  # type: ignore[arg-type]
                account=event.account,
                ticket=ticket_view(self.site, ticket) if ticket is not None else None,
            )
            self.link.publish(spec("device.control"), control, device_id=event.device)

    def publish_all(self, state: QueueState, now: datetime) -> None:
        self.link.publish(spec("state.catalogue"), catalogue(self.site))
        for counter in self.site.counters:
            self._counter(state, counter.number)
        self.publish_services(state, now, [s.code for s in self.site.services])
        self.link.publish(spec("state.calls"), recent_calls(self.site, state))
        self.link.publish(spec("state.announcements"), Announcements(texts=state.announcements))

    def publish_services(self, state: QueueState, now: datetime, codes: Iterable[str]) -> None:
        bookings = self.bookings_today(now)
        for code in codes:
            self.link.publish(
                spec("state.service"),
                service_status(self.site, state, code, now, bookings),
                service=code,
            )

    def publish_calls(self, state: QueueState, events: list[Event]) -> None:
        """The call events alone, as early as possible after the commit."""
        for event in events:
            if isinstance(event, TicketCalled):
                self._call(state, str(event.event_id))

    def publish_changes(
        self, state: QueueState, events: list[Event], now: datetime, calls_published: bool = False
    ) -> None:
        if any(isinstance(event, DayOpened) for event in events):
            self.publish_all(state, now)
            return
        counters: set[int] = set()
        services: set[str] = set()
        calls = False
        for event in events:
            number = getattr(event, "counter", None)
            if number is not None:
                counters.add(number)
            ticket_id = getattr(event, "ticket_id", None)
            ticket = state.tickets.get(ticket_id) if ticket_id else None
            if ticket is not None:
                services.add(ticket.service)
            if isinstance(event, TicketTransferred) and ticket is not None and ticket.visits:
                services.add(ticket.visits[-1].service)
            if isinstance(event, CounterChanged | CounterServicesSet):
                services.update(all_services(self.site, state, event.counter))
            if isinstance(event, CounterServicesSet | DayClosed):
                services.update(s.code for s in self.site.services)  # rare: all of them
            if isinstance(event, ServiceQuotaSet | ServiceClosed | ServiceReopened):
                services.add(event.service)
            if isinstance(event, TicketMoved):
                services.add(event.from_service)
            if isinstance(event, TicketCalled):
                calls = True
                if not calls_published:
                    self._call(state, str(event.event_id))
            if isinstance(event, AnnouncementsSet):
                self.link.publish(
                    spec("state.announcements"), Announcements(texts=state.announcements)
                )
        # A counter's waiting count depends on every service it serves.
        for counter in self.site.counters:
            if services & all_services(self.site, state, counter.number):
                counters.add(counter.number)
        for number in sorted(counters):
            self._counter(state, number)
        self.publish_services(state, now, sorted(services))
        if calls:
            self.link.publish(spec("state.calls"), recent_calls(self.site, state))

    def _counter(self, state: QueueState, number: int) -> None:
        self.link.publish(
            spec("state.counter"), counter_status(self.site, state, number), counter=number
        )

    def _call(self, state: QueueState, event_id: str) -> None:
        for call in state.recent_calls:
            if call.event_id == event_id:
                self.link.publish(spec("event.call"), call_event(self.site, call))
                return
