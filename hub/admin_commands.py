"""Deciding what an admin command does: events naming the account, or a refusal.

Like :mod:`hub.decide` for devices: nothing here writes or publishes; a
refusal produces no event, so a rejected command changes nothing. Every event
an admin command produces carries ``account``, so the hub's log says who did
what. The rules for counters and tickets are the counter unit's own: the
console cannot close a counter with a citizen at it, nor re-queue a no-show
after its grace period.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

from hub import officers
from hub.day_end import DayEnd
from hub.decide import Decision, Refusal
from hub.events import (
    AnnouncementsSet,
    CancelReason,
    CounterChanged,
    CounterServicesSet,
    DayClosed,
    DeviceControlSent,
    Event,
    ServiceClosed,
    ServiceQuotaSet,
    ServiceReopened,
    SignOutReason,
    TicketCancelled,
    TicketMoved,
    TicketReprinted,
    TicketRequeued,
)
from hub.site.schema import Site
from hub.state import OPEN_STATES, QueueState, TicketRecord
from protocol.errors import ErrorCode
from protocol.models import (
    AdminAnnounce,
    AdminCommand,
    AdminCounterOfficer,
    AdminCounterServices,
    AdminCounterState,
    AdminDayClose,
    AdminDevice,
    AdminPing,
    AdminServiceClose,
    AdminServiceQuota,
    AdminServiceReopen,
    AdminSignatureWaive,
    AdminTicketCancel,
    AdminTicketReprint,
    AdminTicketRequeue,
    AdminTicketTransfer,
    CounterAction,
    CounterState,
    TicketState,
)
from protocol.roles import Role

_NUMBER = re.compile(r"^[A-Z0-9]{1,3}-[0-9]{3,4}$")

Handler = Callable[[QueueState, AdminCommand, datetime], Decision]


def find_ticket(state: QueueState, reference: str) -> TicketRecord:
    """A ticket of today by id (``20261123-A-012``) or by its number (``A-012``)."""
    if _NUMBER.match(reference):
        ticket = next((t for t in state.tickets.values() if t.number == reference), None)
    else:
        ticket = state.tickets.get(reference)
    if ticket is None:
        raise Refusal(
            ErrorCode.UNKNOWN_TICKET,
            f"unknown ticket {reference}: the hub holds only the tickets of {state.day}",
        )
    return ticket


class AdminDecider:
    """One handler per admin command that changes something."""

    def __init__(self, site: Site, roles: dict[str, Role], online: Callable[[str], bool]) -> None:
        self.site = site
        self.roles = roles
        self.online = online  # whether a device's latest birth says online
        self._handlers: dict[type[AdminCommand], Handler] = {
            AdminPing: lambda _s, _c, _n: Decision(),
            AdminAnnounce: self._announce,
            AdminCounterState: self._counter_state,
            AdminCounterServices: self._counter_services,
            AdminCounterOfficer: self._counter_officer,
            AdminTicketCancel: self._cancel,
            AdminTicketRequeue: self._requeue,
            AdminTicketReprint: self._reprint,
            AdminTicketTransfer: self._transfer,
            AdminServiceQuota: self._quota,
            AdminServiceClose: self._service_close,
            AdminServiceReopen: self._service_reopen,
            AdminDevice: self._device,
            AdminDayClose: self._day_close,
            AdminSignatureWaive: self._waive_signature,
        }

    def decide(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise Refusal(ErrorCode.UNKNOWN_TYPE, f"{command.type} is not handled by the hub")
        return handler(state, command, now)

    # -- checks ----------------------------------------------------------------------

    def _counter(self, number: int) -> int:
        if number not in self.site.counters_by_number:
            known = ", ".join(str(c.number) for c in self.site.counters)
            raise Refusal(ErrorCode.UNKNOWN_COUNTER, f"no counter {number} (counters: {known})")
        return number

    def _service(self, code: str) -> str:
        if not self.site.has_service(code):
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"unknown service {code!r}")
        return code

    # -- handlers --------------------------------------------------------------------

    def _announce(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminAnnounce)
        if command.expires_at is not None and command.expires_at <= now:
            raise Refusal(ErrorCode.EXPIRED, "expires_at is already past; nothing to show")
        event = AnnouncementsSet(
            at=now,
            texts=list(command.texts),
            expires_at=command.expires_at,
            account=command.account,
        )
        return Decision([event])

    def _counter_state(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminCounterState)
        number = self._counter(command.counter)
        record = state.counter(number)
        allowed = {
            CounterAction.OPEN: {CounterState.CLOSED},
            CounterAction.RESUME: {CounterState.PAUSED},
            CounterAction.PAUSE: {CounterState.OPEN},
            CounterAction.CLOSE: {CounterState.OPEN, CounterState.PAUSED},
        }[command.action]
        target = command.target
        if record.state not in allowed:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"counter {number} is {record.state.value}, cannot {command.action.value}",
            )
        if state.day_closed and target is CounterState.OPEN:
            raise Refusal(ErrorCode.CLOSED, f"the day {state.day} is closed")
        if target is not CounterState.OPEN and record.current is not None:
            current = state.tickets[record.current].number
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"counter {number} has {current} at it; finish or transfer it first",
            )
        events: list[Event] = [
            CounterChanged(
                at=now,
                counter=number,
                state=target,
                reason=command.reason,
                account=command.account,
            )
        ]
        if target is CounterState.CLOSED:
            events += officers.sign_out(
                state, number, SignOutReason.CLOSED, now, account=command.account
            )
        return Decision(events, counter=number)

    def _counter_officer(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        """Sign in (or out, ``officer`` null) whoever the admin names, in any counter state:
        the admin may put the morning's officers on duty before the counters open."""
        assert isinstance(command, AdminCounterOfficer)
        number = self._counter(command.counter)
        if command.officer is None:
            events = officers.sign_out(
                state, number, SignOutReason.ADMIN, now, account=command.account
            )
            if not events:
                raise Refusal(ErrorCode.INVALID_STATE, f"nobody is signed in at counter {number}")
            return Decision(events, counter=number)
        events = officers.sign_in(
            self.site, state, number, command.officer, now, account=command.account
        )
        if not events:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{command.officer} is already signed in at counter {number}",
            )
        return Decision(events, counter=number)

    def _counter_services(
        self, state: QueueState, command: AdminCommand, now: datetime
    ) -> Decision:
        assert isinstance(command, AdminCounterServices)
        number = self._counter(command.counter)
        for code in [*command.primary, *command.secondary]:
            self._service(code)
        overlap = set(command.primary) & set(command.secondary)
        if overlap:
            raise Refusal(
                ErrorCode.INVALID, f"{', '.join(sorted(overlap))} cannot be primary and secondary"
            )
        event = CounterServicesSet(
            at=now,
            counter=number,
            primary=list(dict.fromkeys(command.primary)),
            secondary=list(dict.fromkeys(command.secondary)),
            account=command.account,
        )
        return Decision([event], counter=number)

    def _waive_signature(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        """The hand-over without a signature, decided at the admin console (hub/signatures.py)."""
        from hub.signatures import waive

        assert isinstance(command, AdminSignatureWaive)
        ticket = find_ticket(state, command.ticket)
        return waive(
            state, ticket.ticket_id, command.reason, command.detail, now, account=command.account
        )

    def _cancel(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminTicketCancel)
        ticket = find_ticket(state, command.ticket)
        if ticket.state not in OPEN_STATES:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{ticket.number} is {ticket.state.value}; only an open ticket can be cancelled",
            )
        event = TicketCancelled(
            at=now,
            ticket_id=ticket.ticket_id,
            reason=CancelReason.ADMIN,
            detail=command.reason,
            account=command.account,
        )
        return Decision([event], ticket_id=ticket.ticket_id)

    def _requeue(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminTicketRequeue)
        ticket = find_ticket(state, command.ticket)
        if ticket.state is not TicketState.NO_SHOW or ticket.no_show_at is None:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{ticket.number} is {ticket.state.value}; only a no-show can be re-queued",
            )
        grace = self.site.tickets.no_show_grace_minutes
        if now - ticket.no_show_at > timedelta(minutes=grace):
            raise Refusal(
                ErrorCode.EXPIRED, f"{ticket.number} missed the {grace}-minute grace period"
            )
        event = TicketRequeued(
            at=now,
            ticket_id=ticket.ticket_id,
            keeps_place=self.site.tickets.requeue_keeps_place,
            account=command.account,
        )
        return Decision([event], ticket_id=ticket.ticket_id)

    def _reprint(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminTicketReprint)
        ticket = find_ticket(state, command.ticket)
        if self.roles.get(command.kiosk) is not Role.KIOSK:
            raise Refusal(ErrorCode.UNKNOWN_DEVICE, f"{command.kiosk} is not a kiosk")
        if not self.online(command.kiosk):
            raise Refusal(
                ErrorCode.INVALID_STATE, f"{command.kiosk} is offline; nothing would print"
            )
        if ticket.state is not TicketState.WAITING:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{ticket.number} is {ticket.state.value}; only a waiting ticket is reprinted",
            )
        return Decision(
            [
                TicketReprinted(
                    at=now, ticket_id=ticket.ticket_id, kiosk=command.kiosk, account=command.account
                ),
                DeviceControlSent(
                    at=now,
                    device=command.kiosk,
                    action="reprint",
                    control_id=str(uuid4()),
                    account=command.account,
                    ticket_id=ticket.ticket_id,
                ),
            ],
            ticket_id=ticket.ticket_id,
        )

    def _transfer(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminTicketTransfer)
        ticket = find_ticket(state, command.ticket)
        target = self._service(command.target_service)
        if ticket.state not in (TicketState.WAITING, TicketState.CALLED):
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{ticket.number} is {ticket.state.value}; only a waiting or called ticket "
                "moves (one being served is transferred at its counter)",
            )
        if target == ticket.service:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is already at {target}")
        event = TicketMoved(
            at=now,
            ticket_id=ticket.ticket_id,
            from_service=ticket.service,
            to_service=target,
            account=command.account,
        )
        return Decision([event], ticket_id=ticket.ticket_id)

    def _quota(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminServiceQuota)
        code = self._service(command.service)
        event = ServiceQuotaSet(at=now, service=code, quota=command.quota, account=command.account)
        return Decision([event])

    def _service_close(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminServiceClose)
        code = self._service(command.service)
        return Decision(
            [ServiceClosed(at=now, service=code, reason=command.reason, account=command.account)]
        )

    def _service_reopen(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminServiceReopen)
        code = self._service(command.service)
        if code not in state.closed_services:
            raise Refusal(ErrorCode.INVALID_STATE, f"{code} was not closed early")
        return Decision([ServiceReopened(at=now, service=code, account=command.account)])

    def _device(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminDevice)
        role = self.roles.get(command.device)
        if role is None or not role.is_device:
            raise Refusal(ErrorCode.UNKNOWN_DEVICE, f"unknown device {command.device}")
        if not self.online(command.device):
            raise Refusal(
                ErrorCode.INVALID_STATE, f"{command.device} is offline; nothing would obey"
            )
        event = DeviceControlSent(
            at=now,
            device=command.device,
            action=command.action.value,
            control_id=str(uuid4()),
            account=command.account,
        )
        return Decision([event])

    def _day_close(self, state: QueueState, command: AdminCommand, now: datetime) -> Decision:
        assert isinstance(command, AdminDayClose)
        if state.day is None or command.confirm_day != state.day.isoformat():
            raise Refusal(
                ErrorCode.INVALID,
                f"confirm with the service day {state.day}, not {command.confirm_day}",
            )
        if state.day_closed:
            raise Refusal(ErrorCode.INVALID_STATE, f"the day {state.day} is already closed")
        # Who waits gets the site's end of day; a reservation never printed or a citizen
        # already at a counter is closed with the day.
        events: list[Event] = DayEnd(self.site).closed_early(state, now, command.account)
        events += [
            TicketCancelled(
                at=now,
                ticket_id=t.ticket_id,
                reason=CancelReason.DAY_CLOSED,
                detail=f"day closed by {command.account} while {t.state.value}",
                account=command.account,
            )
            for t in state.tickets.values()
            if t.state in OPEN_STATES and t.state is not TicketState.WAITING
        ]
        for c in self.site.counters:
            if state.counter(c.number).state is not CounterState.CLOSED:
                events.append(
                    CounterChanged(
                        at=now,
                        counter=c.number,
                        state=CounterState.CLOSED,
                        account=command.account,
                    )
                )
            events += officers.sign_out(
                state, c.number, SignOutReason.CLOSED, now, account=command.account
            )
        events.append(DayClosed(at=now, account=command.account))
        return Decision(events)
