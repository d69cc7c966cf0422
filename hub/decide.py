"""Deciding what a command does: events to append, or a refusal with a reason.

Nothing here writes or publishes; :mod:`hub.service` persists the events and
only then applies them. Each handler checks the state first and refuses with
a specific :class:`~protocol.errors.ErrorCode`, so "nothing else changes" on
an error is structural: a refusal produces no events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from uuid import uuid4

from hub import officers
from hub.bookings import (
    Booking,
    BookingSource,
    CancelledBookingError,
    ForgedBookingError,
)
from hub.day_end import DayEnd
from hub.day_plan import admission, counter_services, daily_quota
from hub.dispatch.estimate import estimated_wait_minutes, people_ahead
from hub.dispatch.policy import Candidate, CounterHistory, DispatchPolicy
from hub.events import (
    CancelReason,
    CounterChanged,
    Event,
    SatisfactionRated,
    SignOutReason,
    SurveyAnswered,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketIssued,
    TicketNoShow,
    TicketRequeued,
    TicketReserved,
    TicketServing,
    TicketTransferred,
)
from hub.site.calendar import SiteCalendar
from hub.site.schema import CategoryCode, LateCheckIn, Site
from hub.state import QueueState, TicketRecord, rating_key
from protocol.errors import ErrorCode
from protocol.models import (
    Admission,
    BookingCheckIn,
    Command,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterPause,
    CounterRecall,
    CounterRequeue,
    CounterResume,
    CounterStartService,
    CounterState,
    CounterSync,
    CounterTransfer,
    SatisfactionRate,
    SignatureWaive,
    SurveySubmit,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketState,
)
from protocol.models.fields import is_ticket_id

MAX_NUMBER = 9999


class Refusal(Exception):  # noqa: N818 - an outcome of deciding, not a fault
    """The command cannot be applied; no event is produced."""

    def __init__(self, code: ErrorCode, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # extra ReplyError fields (agency_name, next_open_at, …); one not known is left out
        self.details = {name: value for name, value in details.items() if value is not None}


@dataclass
class Decision:
    """Events to append, and what the reply should show once they are applied."""

    events: list[Event] = field(default_factory=list)
    ticket_id: str | None = None
    counter: int | None = None


def _on_duty(state: QueueState, counter: int) -> str | None:
    """The NIP of the officer signed in at ``counter``: ticket events there carry it."""
    return state.counter(counter).officer


def _about(ticket: TicketRecord, counter: int, event: Event) -> Decision:
    """One event about a ticket at a counter; the reply shows both."""
    return Decision([event], ticket_id=ticket.ticket_id, counter=counter)


@dataclass(frozen=True)
class Sender:
    """Who sent a command: a device, and the counter it operates if any."""

    device_id: str
    counter: int | None = None


class Decider:
    def __init__(
        self,
        site: Site,
        policy: DispatchPolicy,
        bookings: BookingSource,
        pads: Mapping[int, str] | None = None,
    ) -> None:
        self.site = site
        self.pads = pads if pads is not None else {}  # counter → its signature pad
        self.calendar = SiteCalendar(site)
        self.policy = policy
        self.bookings = bookings
        self.day_end = DayEnd(site)
        self._handlers: dict[
            type[Command], Callable[[QueueState, Command, Sender, datetime], Decision]
        ] = {
            CounterNext: self._next,
            CounterRecall: self._recall,
            CounterStartService: self._start,
            CounterNoShow: self._no_show,
            CounterRequeue: self._requeue,
            CounterFinish: self._finish,
            CounterTransfer: self._transfer,
            CounterPause: self._pause,
            CounterResume: self._resume,
            CounterOpen: self._open,
            CounterClose: self._close,
            CounterSync: self._sync,
            SatisfactionRate: self._rate,
            SurveySubmit: self._survey,
            TicketReserve: self._reserve,
            BookingCheckIn: self._check_in,
            TicketPrinted: self._printed,
            TicketPrintFailed: self._print_failed,
            SignatureWaive: self._waive_signature,
        }

    def decide(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise Refusal(ErrorCode.UNKNOWN_TYPE, f"{command.type} is not handled by the hub")
        return handler(state, command, sender, now)

    # -- counter commands -----------------------------------------------------

    def _waive_signature(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        """Lewati at the counter unit: hub/signatures.py."""
        from hub.signatures import waive

        assert isinstance(command, SignatureWaive)
        number = self._counter(state, sender)
        return waive(
            state,
            command.ticket_id,
            command.reason,
            command.detail,
            now,
            counter=number,
            device_id=sender.device_id,
        )

    def _counter(self, state: QueueState, sender: Sender) -> int:
        if sender.counter is None:
            raise Refusal(
                ErrorCode.UNKNOWN_COUNTER, f"device {sender.device_id} is not assigned to a counter"
            )
        return sender.counter

    def _current(self, state: QueueState, number: int) -> TicketRecord:
        current = state.counter(number).current
        if current is None:
            raise Refusal(ErrorCode.INVALID_STATE, f"counter {number} has no current ticket")
        return state.tickets[current]

    def _next(self, state: QueueState, command: Command, sender: Sender, now: datetime) -> Decision:
        number = self._counter(state, sender)
        record = state.counter(number)
        if record.state is not CounterState.OPEN:
            code = (
                ErrorCode.CLOSED
                if record.state is CounterState.CLOSED
                else (ErrorCode.INVALID_STATE)
            )
            raise Refusal(code, f"counter {number} is {record.state.value}; open or resume it")
        events: list[Event] = []
        if record.current is not None:
            events.append(
                TicketDone(at=now, ticket_id=record.current, counter=number, officer=record.officer)
            )
            if self._signs_for(state, record.current, number):
                # A document is handed over: the citizen signs at the pad before the next
                # one is called, so the unit's screen and the counter stay theirs (the next
                # BERIKUT calls, once the signature is stored or waived).
                return Decision(events, counter=number)
        chosen = self.choose(state, number, now)
        if chosen is None:
            if not events:
                counter = self.site.counter(number)
                if any(state.waiting(set(counter.primary + counter.secondary))):
                    raise Refusal(ErrorCode.CLOSED, f"counter {number}: the day's calls have ended")
                raise Refusal(ErrorCode.NOTHING_WAITING, f"no ticket waiting for counter {number}")
            return Decision(events, counter=number)
        events.append(
            TicketCalled(
                at=now, ticket_id=chosen, counter=number, event_id=uuid4(), officer=record.officer
            )
        )
        return Decision(events, ticket_id=chosen, counter=number)

    def _signs_for(self, state: QueueState, ticket_id: str, number: int) -> bool:
        """Whether finishing ``ticket_id`` at counter ``number`` asks its pad for a signature."""
        ticket = state.tickets.get(ticket_id)
        return (
            ticket is not None
            and number in self.pads
            and self.site.service(ticket.service).needs_signature
        )

    def choose(self, state: QueueState, number: int, now: datetime) -> str | None:
        """The ticket the policy picks for counter ``number`` now."""
        primary_list, secondary_list = counter_services(self.site, state, number)
        primary, secondary = set(primary_list), set(secondary_list)
        candidates = [
            Candidate(
                ticket_id=t.ticket_id,
                service=t.service,
                category=t.category,
                order=t.order,
                queued_at=t.queued_at or t.reserved_at,
                target_minutes=self.site.service(t.service).target_minutes,
                primary=t.service in primary,
                appointment_at=t.appointment_at,
                checked_in_at=t.reserved_at if t.appointment_at else None,
                joined_at=t.joined_at,
            )
            for t in state.waiting(primary | secondary)
            if self._may_call(t.service, now)
        ]
        record = state.counter(number)
        history = CounterHistory(record.regular_since_priority, record.priority_in_row)
        chosen = self.policy.choose(candidates, history, now)
        return chosen.ticket_id if chosen else None

    def _may_call(self, service: str, now: datetime) -> bool:
        """Whether the counters' day for ``service`` is still on (closing + grace [+ overtime])."""
        end = self.calendar.calls_end(self.site.service(service), self.calendar.service_day(now))
        return end is None or now < end

    def _recall(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        number = self._counter(state, sender)
        ticket = self._current(state, number)
        if ticket.state is not TicketState.CALLED:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is already being served")
        if ticket.recalls >= self.site.tickets.max_recalls:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"{ticket.number} was recalled {ticket.recalls} times; mark no-show",
            )
        event = TicketCalled(
            at=now,
            ticket_id=ticket.ticket_id,
            counter=number,
            event_id=uuid4(),
            recall=ticket.recalls + 1,
            officer=_on_duty(state, number),
        )
        return _about(ticket, number, event)

    def _start(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        number = self._counter(state, sender)
        ticket = self._current(state, number)
        if ticket.state is not TicketState.CALLED:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is already being served")
        return _about(
            ticket,
            number,
            TicketServing(
                at=now,
                ticket_id=ticket.ticket_id,
                counter=number,
                officer=_on_duty(state, number),
            ),
        )

    def _no_show(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        number = self._counter(state, sender)
        ticket = self._current(state, number)
        if ticket.state is not TicketState.CALLED:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is being served")
        needed = self.site.tickets.recalls_before_no_show
        if ticket.recalls < needed:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"recall {ticket.number} {needed - ticket.recalls} more time(s) first",
            )
        return _about(
            ticket,
            number,
            TicketNoShow(
                at=now,
                ticket_id=ticket.ticket_id,
                counter=number,
                officer=_on_duty(state, number),
            ),
        )

    def _requeue(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, CounterRequeue)
        number = self._counter(state, sender)
        ticket = self._ticket(state, command.ticket_id)
        if ticket.state is not TicketState.NO_SHOW or ticket.no_show_at is None:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is not a no-show")
        grace = timedelta(minutes=self.site.tickets.no_show_grace_minutes)
        if now - ticket.no_show_at > grace:
            raise Refusal(
                ErrorCode.EXPIRED,
                f"{ticket.number} missed the "
                f"{self.site.tickets.no_show_grace_minutes}-minute grace period",
            )
        keeps = self.site.tickets.requeue_keeps_place
        return _about(
            ticket,
            number,
            TicketRequeued(at=now, ticket_id=ticket.ticket_id, counter=number, keeps_place=keeps),
        )

    def _finish(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        number = self._counter(state, sender)
        ticket = self._current(state, number)
        return _about(
            ticket,
            number,
            TicketDone(
                at=now,
                ticket_id=ticket.ticket_id,
                counter=number,
                officer=_on_duty(state, number),
            ),
        )

    def _transfer(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, CounterTransfer)
        number = self._counter(state, sender)
        ticket = self._current(state, number)
        if not self.site.has_service(command.target_service):
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"unknown service {command.target_service!r}")
        if command.target_service == ticket.service:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} is already at that service")
        event = TicketTransferred(
            at=now,
            ticket_id=ticket.ticket_id,
            counter=number,
            to_service=command.target_service,
            keeps_place=self.site.dispatch.transfer_keeps_place,
            officer=_on_duty(state, number),
        )
        return _about(ticket, number, event)

    def _change(
        self,
        state: QueueState,
        sender: Sender,
        allowed_from: set[CounterState],
        to: CounterState,
        now: datetime,
        reason: str | None = None,
    ) -> Decision:
        number = self._counter(state, sender)
        record = state.counter(number)
        if to is CounterState.OPEN and state.day_closed:
            raise Refusal(ErrorCode.CLOSED, f"the day {state.day} was closed by the admin")
        if record.state not in allowed_from:
            raise Refusal(
                ErrorCode.INVALID_STATE,
                f"counter {number} is {record.state.value}, cannot become {to.value}",
            )
        if to is not CounterState.OPEN and record.current is not None:
            current = state.tickets[record.current].number
            raise Refusal(ErrorCode.INVALID_STATE, f"finish or transfer {current} first")
        return Decision(
            [CounterChanged(at=now, counter=number, state=to, reason=reason)], counter=number
        )

    def _pause(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, CounterPause)
        return self._change(
            state, sender, {CounterState.OPEN}, CounterState.PAUSED, now, command.reason
        )

    def _resume(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        return self._change(state, sender, {CounterState.PAUSED}, CounterState.OPEN, now)

    def _open(self, state: QueueState, command: Command, sender: Sender, now: datetime) -> Decision:
        """Open; with ``officer``, the officer picked on the unit signs in (checked first)."""
        assert isinstance(command, CounterOpen)
        number = self._counter(state, sender)
        signing_in = (
            officers.sign_in(
                self.site, state, number, command.officer, now, device_id=sender.device_id
            )
            if command.officer is not None
            else []
        )
        decision = self._change(state, sender, {CounterState.CLOSED}, CounterState.OPEN, now)
        decision.events.extend(signing_in)
        return decision

    def _close(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        decision = self._change(
            state, sender, {CounterState.OPEN, CounterState.PAUSED}, CounterState.CLOSED, now
        )
        decision.events.extend(
            officers.sign_out(state, decision.counter or 0, SignOutReason.CLOSED, now)
        )
        return decision

    def _sync(self, state: QueueState, command: Command, sender: Sender, now: datetime) -> Decision:
        number = self._counter(state, sender)
        return Decision(counter=number, ticket_id=state.counter(number).current)

    def _rate(self, state: QueueState, command: Command, sender: Sender, now: datetime) -> Decision:
        assert isinstance(command, SatisfactionRate)
        number = self._counter(state, sender)
        ticket = self._ticket(state, command.ticket_id)
        visit = next((v for v in reversed(ticket.visits) if v.counter == number), None)
        if visit is None:
            raise Refusal(
                ErrorCode.INVALID_STATE, f"{ticket.number} was not served at counter {number}"
            )
        if rating_key(ticket.ticket_id, number) in state.rated:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} was already rated here")
        if now - visit.finished_at > timedelta(seconds=self.site.tickets.skm_window_s):
            raise Refusal(ErrorCode.EXPIRED, "the rating window has closed")
        service = self.site.service(visit.service)
        event = SatisfactionRated(
            at=now,
            ticket_id=ticket.ticket_id,
            counter=number,
            service=service.code,
            agency=service.agency,
            rating=command.rating,
        )
        return _about(ticket, number, event)

    def _survey(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        """A nine-element survey about the ticket's last finished service (PermenPANRB 14/2017).

        Once per ticket, after it was served, on its own day; the event names
        the service, agency and counter of that last visit, so the IKM can be
        reported per agency.
        """
        assert isinstance(command, SurveySubmit)
        ticket = self._ticket(state, command.ticket_id)
        if not ticket.visits:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} has not been served yet")
        if ticket.ticket_id in state.surveyed:
            raise Refusal(ErrorCode.INVALID_STATE, f"{ticket.number} was already surveyed")
        visit = ticket.visits[-1]
        service = self.site.service(visit.service)
        event = SurveyAnswered(
            at=now,
            ticket_id=ticket.ticket_id,
            counter=visit.counter,
            service=service.code,
            agency=service.agency,
            answers=list(command.answers),
        )
        return Decision([event], ticket_id=ticket.ticket_id)

    # -- kiosk commands -------------------------------------------------------

    def _reserve(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, TicketReserve)
        category = CategoryCode(command.category.value)
        return self._reserve_ticket(state, sender, now, command.service, category, admit_now=True)

    def _check_in(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, BookingCheckIn)
        code = command.booking_code
        if is_ticket_id(code):
            return self._return_check_in(state, sender, now, code.upper())
        try:
            booking = self.bookings.lookup(code)
        except ForgedBookingError:
            raise Refusal(
                ErrorCode.FORGED_BOOKING, f"booking code {code} does not verify"
            ) from None
        except CancelledBookingError:
            raise Refusal(ErrorCode.CANCELLED_BOOKING, f"booking {code} was cancelled") from None
        if booking is None:
            raise Refusal(ErrorCode.UNKNOWN_BOOKING, f"booking {code} not found")
        if booking.code in state.bookings_used:
            raise Refusal(
                ErrorCode.INVALID_STATE, f"booking {booking.code} has already been checked in"
            )
        if self.calendar.service_day(booking.appointment_at) != self.calendar.service_day(now):
            raise Refusal(
                ErrorCode.EXPIRED,
                f"booking {booking.code} is for another day",
                booking_slot_at=booking.appointment_at,
            )
        late = timedelta(minutes=self.site.dispatch.appointment_late_minutes)
        # The dispatch policy's own boundary: past it the slot is lost (hub/dispatch/policy.py).
        refuse_late = self.site.dispatch.appointment_late_check_in is LateCheckIn.REFUSE
        if refuse_late and now > booking.appointment_at + late:
            raise Refusal(
                ErrorCode.BOOKING_SLOT_PASSED,
                f"booking {booking.code}: its slot at {booking.appointment_at.isoformat()} "
                f"is more than {late} past",
                booking_slot_at=booking.appointment_at,
            )
        return self._reserve_ticket(
            state,
            sender,
            now,
            booking.service,
            booking.category,
            booking.code,
            booking.appointment_at,
        )

    def _return_check_in(
        self, state: QueueState, sender: Sender, now: datetime, ticket_id: str
    ) -> Decision:
        """A return ticket scanned like a booking: honoured once, on its day only, as a
        priority ticket for the same service — a promise made at closing, so neither
        the quota nor the capacity rule refuses it (the hours do)."""
        today = self.calendar.service_day(now)
        returned = state.returns.get(ticket_id)
        if returned is None or returned.valid_on < today:
            raise Refusal(ErrorCode.EXPIRED, f"{ticket_id} is not a return ticket valid on {today}")
        if returned.valid_on > today:
            hours = self.calendar.hours(None, returned.valid_on)
            opens = datetime.combine(
                returned.valid_on, hours.open if hours else time(8), self.calendar.zone
            )
            raise Refusal(
                ErrorCode.EXPIRED,
                f"return ticket {ticket_id} is valid on {returned.valid_on}, not today",
                next_open_at=opens,
            )
        if ticket_id in state.bookings_used:
            raise Refusal(
                ErrorCode.INVALID_STATE, f"return ticket {ticket_id} has already been used"
            )
        return self._reserve_ticket(
            state, sender, now, returned.service, CategoryCode.PRIORITY, ticket_id
        )

    def _reserve_ticket(
        self,
        state: QueueState,
        sender: Sender,
        now: datetime,
        service_code: str,
        category: CategoryCode,
        booking_code: str | None = None,
        appointment_at: datetime | None = None,
        admit_now: bool = False,
    ) -> Decision:
        """A reservation; ``admit_now`` applies quota and capacity (walk-ins, not bookings)."""
        if not self.site.has_service(service_code):
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"unknown service {service_code!r}")
        service = self.site.service(service_code)
        upcoming = self._bookings_today(now)
        availability = admission(
            self.site, state, service.code, now, walk_in=admit_now, bookings=upcoming
        )
        # A refusal says when tickets can be taken again, as the service's greyed row does
        # ("Buka besok pukul 07.30"): the citizen refused should not have to ask.
        if availability.state is Admission.QUOTA_FULL:
            raise Refusal(
                ErrorCode.QUOTA_FULL,
                f"daily quota of {daily_quota(self.site, state, service.code)} reached "
                f"for {service.code}",
                next_open_at=availability.reopens_at,
            )
        if availability.state is Admission.CAPACITY:
            agency = self.site.agency(service.agency)
            raise Refusal(
                ErrorCode.AGENCY_FULL,
                f"{agency.short_name} is full for today: its counters cannot serve one more "
                "citizen before closing",
                agency_name=agency.short_name,
                next_open_at=availability.reopens_at,
            )
        if not availability.accepting:
            raise Refusal(
                ErrorCode.CLOSED,
                availability.reason or "closed",
                next_open_at=availability.reopens_at,
            )
        sequence = state.last_number.get(service.prefix, 0) + 1
        if sequence > MAX_NUMBER:
            raise Refusal(ErrorCode.QUOTA_FULL, f"prefix {service.prefix} ran out of numbers")
        number = f"{service.prefix}-{sequence:03d}"
        day = self.calendar.service_day(now)
        ahead = people_ahead(state, service.code, category)
        wait = estimated_wait_minutes(
            self.site,
            state,
            service.code,
            now,
            category=category,
            bookings=[b for b in upcoming if b.code != booking_code],
            appointment_at=appointment_at,
        )
        ticket_id = f"{day:%Y%m%d}-{number}"
        event = TicketReserved(
            at=now,
            ticket_id=ticket_id,
            number=number,
            service=service.code,
            category=category,
            device_id=sender.device_id,
            people_ahead=ahead,
            estimated_wait_min=wait,
            booking_code=booking_code,
            appointment_at=appointment_at,
        )
        return Decision([event], ticket_id=ticket_id)

    def _bookings_today(self, now: datetime) -> list[Booking]:
        return self.bookings_ahead(now, 1)

    def bookings_today(self, now: datetime) -> list[Booking]:
        """The live bookings of today's service day (admission and the published state)."""
        return self.bookings_ahead(now, 1)

    def bookings_ahead(self, now: datetime, days: int) -> list[Booking]:
        """The live bookings of today's service day and the ``days - 1`` after it."""
        day = self.calendar.service_day(now)
        start = datetime.combine(day, time(0), self.calendar.zone)
        return self.bookings.between(start, start + timedelta(days=days))

    def _printed(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        """The kiosk printed it: the ticket goes live.

        A confirmation that arrives after the reservation expired (the hub was
        unreachable for a while) still counts: the citizen is holding the
        ticket, and its number was never given to anyone else.
        """
        assert isinstance(command, TicketPrinted)
        ticket = self._own_reservation(state, command.ticket_id, sender)
        if ticket.state not in (TicketState.RESERVED, TicketState.EXPIRED):
            raise Refusal(
                ErrorCode.INVALID_STATE, f"{ticket.number} is {ticket.state.value}, not reserved"
            )
        return Decision(
            [TicketIssued(at=now, ticket_id=ticket.ticket_id)], ticket_id=ticket.ticket_id
        )

    def _print_failed(
        self, state: QueueState, command: Command, sender: Sender, now: datetime
    ) -> Decision:
        assert isinstance(command, TicketPrintFailed)
        ticket = self._own_reservation(state, command.ticket_id, sender)
        if ticket.state is not TicketState.RESERVED:
            raise Refusal(
                ErrorCode.INVALID_STATE, f"{ticket.number} is {ticket.state.value}, not reserved"
            )
        event = TicketCancelled(
            at=now,
            ticket_id=ticket.ticket_id,
            reason=CancelReason.PRINT_FAILED,
            detail=command.reason,
        )
        return Decision([event], ticket_id=ticket.ticket_id)

    def _own_reservation(self, state: QueueState, ticket_id: str, sender: Sender) -> TicketRecord:
        ticket = self._ticket(state, ticket_id)
        if ticket.device_id != sender.device_id:
            raise Refusal(
                ErrorCode.NOT_AUTHORISED, f"{ticket.number} was reserved by another kiosk"
            )
        return ticket

    @staticmethod
    def _ticket(state: QueueState, ticket_id: str) -> TicketRecord:
        ticket = state.tickets.get(ticket_id)
        if ticket is None:
            raise Refusal(ErrorCode.UNKNOWN_TICKET, f"unknown ticket {ticket_id}")
        return ticket

    # -- housekeeping -----------------------------------------------------------

    def end_of_day(self, state: QueueState, now: datetime) -> list[Event]:
        """Tickets still waiting when their service's calls have ended, as the site
        configures (:mod:`hub.day_end`)."""
        return self.day_end.due(state, now)

    def expired_reservations(self, state: QueueState, now: datetime) -> list[Event]:
        timeout = timedelta(seconds=self.site.tickets.reservation_timeout_s)
        return [
            TicketCancelled(
                at=now,
                ticket_id=t.ticket_id,
                reason=CancelReason.RESERVATION_EXPIRED,
                detail=f"print not confirmed within {timeout.seconds} s",
            )
            for t in state.tickets.values()
            if t.state is TicketState.RESERVED and now - t.reserved_at >= timeout
        ]
