"""One simulated service day, driving the real queue service with an injected clock.

Citizens come to the kiosk (walk-ins reserve and print; bookings check in
through the real ``booking.check_in`` path); the hub admits or refuses them
(cut-off, quota, capacity); counters open at 08.00, take their breaks from
the site file, press *next* whenever idle, recall and mark absent citizens
(those not there, and those who walked out after waiting too long), finish or
transfer to payment. The hub alone decides who is called and until when
(closing + grace [+ overtime]); at the end its housekeeping handles whoever
is still waiting, as the site configures.
"""

from __future__ import annotations

import heapq
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.simday.profile import Citizen, Profile
from hub.bookings import Booking, StaticBookings
from hub.dispatch.policy import DispatchPolicy
from hub.site.calendar import SiteCalendar
from hub.site.schema import CategoryCode, Site
from protocol.errors import ErrorCode
from protocol.models import (
    BookingCheckIn,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterPause,
    CounterRecall,
    CounterResume,
    CounterTransfer,
    PriorityCategory,
    TicketPrinted,
    TicketReserve,
    TicketState,
)
from tests.hub_harness import Harness

KIOSK = "kiosk-01"
RECALL_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Visit:
    """A citizen called at a counter for one service (a transfer makes a second visit)."""

    agency: str
    service: str
    category: str  # "regular" / "priority"
    wait: float
    within_target: bool
    first: bool


@dataclass
class DayResult:
    visits: list[Visit] = field(default_factory=list)
    estimates: list[tuple[int, float]] = field(default_factory=list)  # (printed, actual)
    estimate_detail: list[tuple[str, str, int, float, datetime, str]] = field(default_factory=list)
    turned_away: Tally[str] = field(default_factory=Tally)  # by agency
    refusals: Tally[str] = field(default_factory=Tally)  # by error code
    walked_out: int = 0
    absent: int = 0
    waiting_at_closing: int = 0  # still waiting when calls ended (closing + grace)
    left_at_closing: list[tuple[str, str, bool, str]] = field(default_factory=list)
    not_served: int = 0  # still waiting after the overtime, or sent home with a return ticket
    overtime_min: float = 0.0  # counter-minutes worked after closing
    issued: int = 0
    bookings_checked_in: int = 0
    last_call: datetime | None = None


def simulate_day(
    site: Site,
    profile: Profile,
    people: list[Citizen],
    directory: Path,
    day_start: datetime,
    policy: DispatchPolicy | None = None,
) -> DayResult:
    """Run one day of ``people`` through the hub at ``site``; returns what citizens lived."""
    return _Day(site, profile, people, directory, day_start, policy).run()


class _Day:
    def __init__(
        self,
        site: Site,
        profile: Profile,
        people: list[Citizen],
        directory: Path,
        day_start: datetime,
        policy: DispatchPolicy | None,
    ) -> None:
        self.site = site
        self.profile = profile
        self.people = people
        self.calendar = SiteCalendar(site)
        bookings = StaticBookings(
            Booking(code=c.booking, service=c.service, appointment_at=c.slot, category=_cat(c))
            for c in people
            if c.booking and c.slot
        )
        self.hub = Harness(directory, site=site, start=day_start, bookings=bookings)
        if policy is not None:
            self.hub.service.decider.policy = policy
        self.result = DayResult()
        self.queue: list[tuple[datetime, int, str, tuple[Any, ...]]] = []
        self.order = 0
        self.who: dict[str, Citizen] = {}
        self.entered: dict[str, datetime] = {}
        self.estimate: dict[str, int] = {}
        self.busy: dict[int, bool] = {}  # counter → has a citizen
        self.away: dict[int, str | None] = {}  # counter → why it stops after this citizen
        self.open: set[int] = set()
        self.finished_after_close: dict[int, datetime] = {}
        day = self.calendar.service_day(day_start)
        self.day = day
        hours = self.calendar.hours(None, day)
        assert hours is not None, f"{day} is not a service day at {site.id}"
        zone = self.calendar.zone
        self.opening = datetime.combine(day, hours.open, zone)
        self.closing = datetime.combine(day, hours.close, zone)
        self.grace_end = self.closing + timedelta(minutes=site.closing.grace_minutes)
        self.calls_end = self.closing + timedelta(minutes=site.closing.calls_end_minutes)
        self.site_breaks = [
            (datetime.combine(day, b.start, zone), datetime.combine(day, b.end, zone))
            for b in hours.breaks
        ]

    # -- scheduling -----------------------------------------------------------

    def at(self, moment: datetime, action: str, *args: object) -> None:
        self.order += 1
        heapq.heappush(self.queue, (moment, self.order, action, args))

    def device(self, number: int) -> str:
        return self.site.counter(number).device_id or f"counter-{number:02d}"

    def run(self) -> DayResult:
        for citizen in self.people:
            if not citizen.stays_away:
                self.at(citizen.at, "arrive", citizen)
        self._plan_counters()
        self.at(self.grace_end, "grace_end")
        self.at(self.calls_end + timedelta(minutes=1), "end")
        handlers = {
            "arrive": self._arrive,
            "open": self._open,
            "leave": self._leave,
            "pause": self._pause,
            "resume": self._resume,
            "recall": self._recall,
            "no_show": self._no_show,
            "finish": self._finish,
            "grace_end": self._grace_end,
            "end": self._end,
        }
        while self.queue:
            now, _, action, args = heapq.heappop(self.queue)
            self.hub.clock.set(now.astimezone(UTC))  # as the hub's system clock gives it
            handlers[action](now, *args)
        self.hub.service.store.close()
        return self.result

    def _plan_counters(self) -> None:
        """Opening, breaks (the site's and each counter's) and the profile's presence."""
        zone = self.calendar.zone
        by_agency: dict[str, list[int]] = {}
        for counter in self.site.counters:
            by_agency.setdefault(counter.agency, []).append(counter.number)
        for agency, numbers in by_agency.items():
            present = self.profile.counters_present.get(agency)
            for position, number in enumerate(sorted(numbers)):
                hours = (
                    [position < n for n in present] if present else [True] * 8
                )  # from 08.00, hour by hour
                here = False
                for hour, wanted in enumerate(hours):
                    moment = self.opening + timedelta(hours=hour)
                    if wanted and not here:
                        self.at(moment, "open", number)
                    elif here and not wanted:
                        self.at(moment, "leave", number, "close")
                    here = wanted
        for number in [c.number for c in self.site.counters]:
            counter = self.site.counter(number)
            pauses = list(self.site_breaks) + [
                (
                    datetime.combine(self.day, b.start, zone),
                    datetime.combine(self.day, b.end, zone),
                )
                for b in counter.breaks
            ]
            for start, end in pauses:
                self.at(start, "pause", number)
                self.at(end, "resume", number)

    # -- citizens ---------------------------------------------------------------

    def _arrive(self, now: datetime, citizen: Citizen) -> None:
        if citizen.booking:
            reply = self.hub.cmd(BookingCheckIn, KIOSK, booking_code=citizen.booking)
        else:
            category = PriorityCategory("prioritas" if citizen.priority else "reguler")
            reply = self.hub.cmd(TicketReserve, KIOSK, service=citizen.service, category=category)
        if not reply.ok or reply.ticket is None:
            code = reply.error.code if reply.error else ErrorCode.INTERNAL
            self.result.refusals[code.value] += 1
            self.result.turned_away[self.site.service(citizen.service).agency] += 1
            return
        ticket = reply.ticket
        self.hub.ok(TicketPrinted, KIOSK, ticket_id=ticket.ticket_id)
        self.result.issued += 1
        self.result.bookings_checked_in += citizen.booking is not None
        self.who[ticket.ticket_id] = citizen
        self.entered[ticket.ticket_id] = now
        self.estimate[ticket.ticket_id] = ticket.estimated_wait_min
        self._wake(ticket.service, now)

    def _wake(self, service: str, now: datetime) -> None:
        for counter in self.site.counters:
            if service in counter.primary or service in counter.secondary:
                self._try_call(counter.number, now)

    # -- counters ---------------------------------------------------------------

    def _try_call(self, number: int, now: datetime) -> None:
        if number not in self.open or self.busy.get(number) or self.away.get(number):
            return
        reply = self.hub.cmd(CounterNext, self.device(number))
        if not reply.ok or reply.counter is None or reply.counter.current is None:
            return
        ticket = reply.counter.current
        self.busy[number] = True
        citizen = self.who[ticket.ticket_id]
        first = ticket.service == citizen.service
        entered = self.entered[ticket.ticket_id]
        since_entry = (now - entered).total_seconds() / 60
        # Waits count from the first call of the day: time before opening is the
        # citizen's choice of arrival, not the dispatch's doing (estimates include it).
        wait = (now - max(entered, self.opening)).total_seconds() / 60
        self.result.last_call = now
        if first and ticket.ticket_id in self.estimate:
            printed = self.estimate.pop(ticket.ticket_id)
            self.result.estimates.append((printed, since_entry))
            self.result.estimate_detail.append(
                (
                    self.site.service(ticket.service).agency,
                    ticket.category.value,
                    printed,
                    since_entry,
                    entered,
                    ticket.service,
                )
            )
        walked = citizen.patience is not None and since_entry >= citizen.patience and first
        if walked:
            self.result.walked_out += 1
            self.at(now + RECALL_AFTER, "recall", number)
            return
        service = self.site.service(ticket.service)
        self.result.visits.append(
            Visit(
                agency=service.agency,
                service=service.code,
                category="priority" if ticket.category.value == "prioritas" else "regular",
                wait=wait,
                within_target=wait <= service.target_minutes,
                first=first,
            )
        )
        if citizen.absent and first:
            self.result.absent += 1
            self.at(now + RECALL_AFTER, "recall", number)
            return
        minutes = citizen.minutes if first else citizen.payment_minutes
        self.at(now + timedelta(minutes=minutes), "finish", number, ticket.ticket_id)

    def _open(self, now: datetime, number: int) -> None:
        if number in self.open:
            return
        self.hub.ok(CounterOpen, self.device(number))
        self.open.add(number)
        self.busy[number] = False
        self.away[number] = None
        self._try_call(number, now)

    def _leave(self, now: datetime, number: int, why: str) -> None:
        if number not in self.open:
            return
        self.away[number] = why
        if not self.busy.get(number):
            self._step_away(number)

    def _step_away(self, number: int) -> None:
        why = self.away.get(number)
        if why == "close":
            self.hub.ok(CounterClose, self.device(number))
            self.open.discard(number)
        elif why == "pause":
            self.hub.ok(CounterPause, self.device(number), reason="Istirahat")

    def _pause(self, now: datetime, number: int) -> None:
        if number in self.open and self.away.get(number) is None:
            self._leave(now, number, "pause")

    def _resume(self, now: datetime, number: int) -> None:
        if number not in self.open or self.away.get(number) != "pause":
            return
        state = self.hub.service.state.counter(number).state.value
        if state == "paused":
            self.hub.ok(CounterResume, self.device(number))
        self.away[number] = None
        self._try_call(number, now)

    def _recall(self, now: datetime, number: int) -> None:
        self.hub.ok(CounterRecall, self.device(number))
        self.at(now + RECALL_AFTER, "no_show", number)

    def _no_show(self, now: datetime, number: int) -> None:
        self.hub.ok(CounterNoShow, self.device(number))
        self._freed(number, now)

    def _finish(self, now: datetime, number: int, ticket_id: str) -> None:
        citizen = self.who[ticket_id]
        record = self.hub.service.state.tickets[ticket_id]
        target = self.site.service(citizen.service).continues_to
        if citizen.transfers and not record.visits and target:
            self.hub.ok(CounterTransfer, self.device(number), target_service=target)
            self.entered[ticket_id] = now
            self._freed(number, now)
            self._wake(target, now)
            return
        self.hub.ok(CounterFinish, self.device(number))
        self._freed(number, now)

    def _freed(self, number: int, now: datetime) -> None:
        self.busy[number] = False
        if now > self.closing:
            self.finished_after_close[number] = now
        if self.away.get(number):
            self._step_away(number)
            return
        self._try_call(number, now)

    # -- the end of the day -------------------------------------------------------

    def _grace_end(self, now: datetime) -> None:
        left = [
            t for t in self.hub.service.state.tickets.values() if t.state is TicketState.WAITING
        ]
        self.result.waiting_at_closing = len(left)
        self.result.left_at_closing = [
            (t.service, t.origin_service, t.booking_code is not None, t.category.value)
            for t in left
        ]

    def _end(self, now: datetime) -> None:
        self.hub.service.tick()
        state = self.hub.service.state
        self.result.not_served = sum(
            1 for t in state.tickets.values() if t.cancel_reason in ("not_served", "return_ticket")
        )
        self.result.overtime_min = sum(
            (moment - self.closing).total_seconds() / 60
            for moment in self.finished_after_close.values()
        )


def _cat(citizen: Citizen) -> CategoryCode:
    return CategoryCode.PRIORITY if citizen.priority else CategoryCode.REGULAR
