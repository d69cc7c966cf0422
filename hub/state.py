"""The queue state of the day, rebuilt by applying events in order.

:func:`QueueState.apply` is the only code that changes state. It is pure
bookkeeping: every decision (which ticket, which number) is in the event.
The whole state is a pydantic model, so a snapshot is its JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field, PrivateAttr

from hub.events import (
    AnnouncementsSet,
    BookingsUnclaimed,
    CancelReason,
    CommandRejected,
    ComplaintRecorded,
    ComplaintStatusChanged,
    CounterChanged,
    CounterServicesSet,
    DayClosed,
    DayOpened,
    DeviceControlSent,
    Event,
    OfficerSignedIn,
    OfficerSignedOut,
    SatisfactionRated,
    ServiceClosed,
    ServiceQuotaSet,
    ServiceReopened,
    SignatureExpired,
    SignatureRequested,
    SignaturesPurged,
    SignatureStored,
    SignatureWaived,
    SurveyAnswered,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketIssued,
    TicketMoved,
    TicketNoShow,
    TicketReprinted,
    TicketRequeued,
    TicketReserved,
    TicketServing,
    TicketTransferred,
)
from hub.site.schema import CategoryCode
from protocol.models import CounterState, TicketState

# A reservation that never reached the citizen's hand: a return ticket stays unused.
NOT_HANDED_OUT = frozenset({CancelReason.RESERVATION_EXPIRED, CancelReason.PRINT_FAILED})

EMA_WEIGHT = 0.2  # share of a new service-time sample in the running estimate
RECENT_CALLS = 20
RUNNING_SAMPLES = 50  # the running mean service time forgets older samples beyond this
FINAL_STATES = frozenset(
    {TicketState.DONE, TicketState.CANCELLED, TicketState.EXPIRED, TicketState.NO_SHOW}
)
OPEN_STATES = frozenset(
    {TicketState.RESERVED, TicketState.WAITING, TicketState.CALLED, TicketState.SERVING}
)


@dataclass(slots=True)
class Visit:
    """One finished service of a ticket (a transferred ticket has several)."""

    service: str
    counter: int
    finished_at: datetime


@dataclass(slots=True, kw_only=True)
class TicketRecord:
    """One ticket of the day, as the hub keeps it in memory.

    A slotted dataclass, not a model: the day keeps every ticket (800 on a busy
    day), and a pydantic model's instance dict and fields-set cost ~2.4 kB a
    ticket against ~0.6 kB here — the hub grew ~1 MB over the afternoon for
    it. :class:`QueueState` still validates and serialises it (snapshots).
    """

    ticket_id: str
    number: str
    service: str
    origin_service: str
    category: CategoryCode
    state: TicketState
    device_id: str
    reserved_at: datetime
    people_ahead: int
    estimated_wait_min: int
    issued_at: datetime | None = None
    order: int = 0
    queued_at: datetime | None = None
    joined_at: datetime | None = None  # when it joined its current service (transfers: later)
    counter: int | None = None
    called_at: datetime | None = None
    serving_at: datetime | None = None
    no_show_at: datetime | None = None
    cancel_reason: str | None = None
    recalls: int = 0
    booking_code: str | None = None
    appointment_at: datetime | None = None
    visits: list[Visit] = field(default_factory=list)


class ReturnTicket(BaseModel):
    """A ticket sent home at closing (``end_of_day = "return_ticket"``): scanned at a
    kiosk on ``valid_on`` — and only then, once — it becomes a priority ticket for
    the same service (hub.decide, the check-in path)."""

    service: str
    number: str
    valid_on: date


class CounterRecord(BaseModel):
    number: int
    state: CounterState = CounterState.CLOSED
    current: str | None = None
    reason: str | None = None  # why paused, when given
    officer: str | None = None  # NIP of the officer signed in, if any
    officer_name: str | None = None
    regular_since_priority: int = 0
    priority_in_row: int = 0


class OpenSignature(BaseModel):
    """A signature the hub is asking for (hub/signature_requests.py)."""

    ticket_id: str
    counter: int
    pad: str
    request_id: str
    expires_at: datetime


class CallRecord(BaseModel):
    event_id: str
    seq: int
    ticket_id: str
    number: str
    counter: int
    service: str
    recall: int
    at: datetime


class QueueState(BaseModel):
    """Everything the hub knows about the current service day."""

    day: date | None = None
    tickets: dict[str, TicketRecord] = Field(default_factory=dict)
    last_number: dict[str, int] = Field(default_factory=dict)
    order_seq: int = 0
    call_seq: int = 0
    counters: dict[int, CounterRecord] = Field(default_factory=dict)
    service_minutes: dict[str, dict[int, float]] = Field(default_factory=dict)
    service_mean: dict[str, float] = Field(
        default_factory=dict, description="Running mean time at the counter per service."
    )
    service_samples: dict[str, int] = Field(default_factory=dict)
    service_square: dict[str, float] = Field(
        default_factory=dict,
        description="Running mean of the squared time at the counter per service (its spread).",
    )
    rated: set[str] = Field(default_factory=set)
    surveyed: set[str] = Field(default_factory=set)
    bookings_used: set[str] = Field(default_factory=set)
    announcements: list[str] = Field(default_factory=list)
    announcements_until: datetime | None = None
    # The admin's changes for the day (hub/day_plan.py reads them with the site file).
    counter_services: dict[int, tuple[list[str], list[str]]] = Field(default_factory=dict)
    quotas: dict[str, int | None] = Field(default_factory=dict)
    closed_services: dict[str, str] = Field(default_factory=dict)
    # Return tickets of the last day, kept across the day's roll-over (ticket id → where).
    returns: dict[str, ReturnTicket] = Field(default_factory=dict)
    day_closed: bool = False
    recent_calls: list[CallRecord] = Field(default_factory=list)
    signature_asks: dict[str, OpenSignature] = Field(
        default_factory=dict, description="Open signature requests by ticket id."
    )
    rejected: int = 0
    applied: int = Field(default=0, description="Sequence number of the last applied event.")
    _waiting_index: dict[str, list[TicketRecord]] | None = PrivateAttr(default=None)
    _memo: dict[str, object] | None = PrivateAttr(default=None)

    # -- queries -----------------------------------------------------------------

    def counter(self, number: int) -> CounterRecord:
        if number not in self.counters:
            self.counters[number] = CounterRecord(number=number)
        return self.counters[number]

    def waiting(self, services: set[str] | None = None) -> Iterator[TicketRecord]:
        """Waiting tickets (of ``services``), in queue order."""
        index = self._waiting_index
        if index is None:  # built once per applied event: dispatch, the estimate and
            # admission all ask for it on every command
            index = {}
            for ticket in sorted(
                (t for t in self.tickets.values() if t.state is TicketState.WAITING),
                key=lambda t: t.order,
            ):
                index.setdefault(ticket.service, []).append(ticket)
            self._waiting_index = index
        if services is None:
            merged = [t for queue in index.values() for t in queue]
            return iter(sorted(merged, key=lambda t: t.order))
        lists = [index[s] for s in services if s in index]
        if len(lists) == 1:
            return iter(list(lists[0]))
        return iter(sorted((t for queue in lists for t in queue), key=lambda t: t.order))

    def memo(self) -> dict[str, object]:
        """A scratch dict that lives until the next applied event (derived figures)."""
        if self._memo is None:
            self._memo = {}
        return self._memo

    def issued_count(self, service: str) -> int:
        """Tickets given out today for ``service`` that count against its quota.

        Transfers in do not count: the citizen took their ticket elsewhere.
        """
        return sum(
            1
            for t in self.tickets.values()
            if t.origin_service == service
            and t.state not in (TicketState.CANCELLED, TicketState.EXPIRED)
        )

    def service_minutes_at(self, service: str, hour: int) -> float | None:
        return self.service_minutes.get(service, {}).get(hour)

    def recent_service_spread(self, service: str) -> float | None:
        """Variance of the time at the counter over the same samples as
        :meth:`recent_service_minutes` (``None`` before the second)."""
        count = self.service_samples.get(service, 0)
        if count < 2 or service not in self.service_square:
            return None
        mean = self.service_mean[service]
        return max(0.0, self.service_square[service] - mean * mean) * count / (count - 1)

    def recent_service_minutes(self, service: str) -> tuple[float, int] | None:
        """Mean time at the counter over the last ~:data:`RUNNING_SAMPLES` services, and
        how many samples it rests on (``None`` before the first)."""
        if service not in self.service_mean:
            return None
        return self.service_mean[service], self.service_samples.get(service, 0)

    # -- the one way state changes ---------------------------------------------

    def apply(self, event: Event, seq: int | None = None) -> None:
        handler = _HANDLERS[type(event)]
        self._waiting_index = None
        self._memo = None
        handler(self, event)
        if seq is not None:
            self.applied = seq

    def _day_opened(self, event: DayOpened) -> None:
        self.day = event.day
        self.tickets = {}
        self.last_number = {}
        self.rated = set()
        self.surveyed = set()
        self.bookings_used = set()
        self.recent_calls = []
        self.counter_services = {}
        self.quotas = {}
        self.closed_services = {}
        self.day_closed = False
        self.returns = {k: r for k, r in self.returns.items() if r.valid_on >= event.day}
        self.signature_asks = {}
        for counter in self.counters.values():
            counter.state = CounterState.CLOSED
            counter.current = None
            counter.reason = None
            counter.officer = counter.officer_name = None  # a shift never spans two days
            counter.regular_since_priority = 0
            counter.priority_in_row = 0

    def _reserved(self, event: TicketReserved) -> None:
        prefix, digits = event.number.rsplit("-", 1)
        self.last_number[prefix] = max(self.last_number.get(prefix, 0), int(digits))
        self.tickets[event.ticket_id] = TicketRecord(
            ticket_id=event.ticket_id,
            number=event.number,
            service=event.service,
            origin_service=event.service,
            category=event.category,
            state=TicketState.RESERVED,
            device_id=event.device_id,
            reserved_at=event.at,
            people_ahead=event.people_ahead,
            estimated_wait_min=event.estimated_wait_min,
            booking_code=event.booking_code,
            appointment_at=event.appointment_at,
        )
        if event.booking_code:
            self.bookings_used.add(event.booking_code)

    def _issued(self, event: TicketIssued) -> None:
        ticket = self.tickets[event.ticket_id]
        ticket.state = TicketState.WAITING
        ticket.issued_at = ticket.queued_at = ticket.joined_at = event.at
        self.order_seq += 1
        ticket.order = self.order_seq

    def _cancelled(self, event: TicketCancelled) -> None:
        ticket = self.tickets[event.ticket_id]
        expired = event.reason is CancelReason.RESERVATION_EXPIRED
        ticket.state = TicketState.EXPIRED if expired else TicketState.CANCELLED
        ticket.cancel_reason = event.reason.value
        if event.reason is CancelReason.RETURN_TICKET and event.return_on is not None:
            self.returns[ticket.ticket_id] = ReturnTicket(
                service=ticket.service, number=ticket.number, valid_on=event.return_on
            )
        if ticket.booking_code in self.returns and event.reason in NOT_HANDED_OUT:
            self.bookings_used.discard(ticket.booking_code)  # not printed: scan it again
        if ticket.counter is not None:
            counter = self.counter(ticket.counter)
            if counter.current == ticket.ticket_id:
                counter.current = None

    def _called(self, event: TicketCalled) -> None:
        ticket = self.tickets[event.ticket_id]
        counter = self.counter(event.counter)
        self.call_seq += 1
        if event.recall == 0:
            ticket.state = TicketState.CALLED
            ticket.counter = event.counter
            ticket.called_at = event.at
            ticket.recalls = 0
            counter.current = ticket.ticket_id
            if ticket.category is CategoryCode.PRIORITY:
                counter.priority_in_row += 1
                counter.regular_since_priority = 0
            else:
                counter.regular_since_priority += 1
                counter.priority_in_row = 0
        else:
            ticket.recalls = event.recall
        self.recent_calls.insert(
            0,
            CallRecord(
                event_id=str(event.event_id),
                seq=self.call_seq,
                ticket_id=ticket.ticket_id,
                number=ticket.number,
                counter=event.counter,
                service=ticket.service,
                recall=event.recall,
                at=event.at,
            ),
        )
        del self.recent_calls[RECENT_CALLS:]

    def _serving(self, event: TicketServing) -> None:
        ticket = self.tickets[event.ticket_id]
        ticket.state = TicketState.SERVING
        ticket.serving_at = event.at

    def _finish_visit(self, ticket: TicketRecord, counter: int, at: datetime) -> None:
        ticket.visits.append(Visit(service=ticket.service, counter=counter, finished_at=at))
        started = ticket.serving_at or ticket.called_at
        if started is not None:
            minutes = max(0.0, (at - started).total_seconds() / 60)
            by_hour = self.service_minutes.setdefault(ticket.service, {})
            hour = started.astimezone(UTC).hour  # one key per hour, whatever zone the event carried
            previous = by_hour.get(hour)
            by_hour[hour] = (
                minutes
                if previous is None
                else ((1 - EMA_WEIGHT) * previous + EMA_WEIGHT * minutes)
            )
            count = min(self.service_samples.get(ticket.service, 0) + 1, RUNNING_SAMPLES)
            mean = self.service_mean.get(ticket.service, minutes)
            # a store from before the spread was kept starts it at no spread
            square = self.service_square.get(ticket.service, mean * mean)
            self.service_mean[ticket.service] = mean + (minutes - mean) / count
            self.service_square[ticket.service] = square + (minutes * minutes - square) / count
            self.service_samples[ticket.service] = count
        record = self.counter(counter)
        if record.current == ticket.ticket_id:
            record.current = None

    def _done(self, event: TicketDone) -> None:
        ticket = self.tickets[event.ticket_id]
        self._finish_visit(ticket, event.counter, event.at)
        ticket.state = TicketState.DONE

    def _no_show(self, event: TicketNoShow) -> None:
        ticket = self.tickets[event.ticket_id]
        ticket.state = TicketState.NO_SHOW
        ticket.no_show_at = event.at
        counter = self.counter(event.counter)
        if counter.current == ticket.ticket_id:
            counter.current = None

    def _requeue(self, ticket: TicketRecord, keeps_place: bool, at: datetime) -> None:
        ticket.state = TicketState.WAITING
        ticket.counter = None
        ticket.called_at = ticket.serving_at = None
        ticket.recalls = 0
        if not keeps_place:
            self.order_seq += 1
            ticket.order = self.order_seq
            ticket.queued_at = at
            ticket.joined_at = at

    def _requeued(self, event: TicketRequeued) -> None:
        ticket = self.tickets[event.ticket_id]
        ticket.no_show_at = None
        self._requeue(ticket, event.keeps_place, event.at)

    def _transferred(self, event: TicketTransferred) -> None:
        ticket = self.tickets[event.ticket_id]
        self._finish_visit(ticket, event.counter, event.at)
        ticket.service = event.to_service
        ticket.joined_at = event.at
        self._requeue(ticket, event.keeps_place, event.at)

    def _counter_changed(self, event: CounterChanged) -> None:
        counter = self.counter(event.counter)
        counter.state = event.state
        counter.reason = event.reason if event.state is CounterState.PAUSED else None

    def _signed_in(self, event: OfficerSignedIn) -> None:
        counter = self.counter(event.counter)
        counter.officer, counter.officer_name = event.officer, event.name

    def _signed_out(self, event: OfficerSignedOut) -> None:
        counter = self.counter(event.counter)
        if counter.officer == event.officer:
            counter.officer = counter.officer_name = None

    def officer_counter(self, nip: str) -> int | None:
        """The counter where ``nip`` is signed in now."""
        return next((c.number for c in self.counters.values() if c.officer == nip), None)

    def _counter_services(self, event: CounterServicesSet) -> None:
        self.counter_services[event.counter] = (list(event.primary), list(event.secondary))

    def _moved(self, event: TicketMoved) -> None:
        ticket = self.tickets[event.ticket_id]
        if ticket.counter is not None:
            counter = self.counter(ticket.counter)
            if counter.current == ticket.ticket_id:
                counter.current = None
        ticket.service = event.to_service
        self._requeue(ticket, True, event.at)

    def _quota(self, event: ServiceQuotaSet) -> None:
        self.quotas[event.service] = event.quota

    def _service_closed(self, event: ServiceClosed) -> None:
        self.closed_services[event.service] = event.reason

    def _service_reopened(self, event: ServiceReopened) -> None:
        self.closed_services.pop(event.service, None)

    def _day_closed(self, _event: DayClosed) -> None:
        self.day_closed = True

    def _nothing(self, _event: Event) -> None:
        """An event for the log only (a reprint, a device control)."""

    def _rated(self, event: SatisfactionRated) -> None:
        self.rated.add(rating_key(event.ticket_id, event.counter))

    def _surveyed(self, event: SurveyAnswered) -> None:
        self.surveyed.add(event.ticket_id)

    def _announcements(self, event: AnnouncementsSet) -> None:
        self.announcements = list(event.texts)
        self.announcements_until = event.expires_at if event.texts else None

    def _signature_requested(self, event: SignatureRequested) -> None:
        self.signature_asks[event.ticket_id] = OpenSignature(
            ticket_id=event.ticket_id,
            counter=event.counter,
            pad=event.pad,
            request_id=str(event.request_id),
            expires_at=event.expires_at,
        )

    def _signature_closed(
        self, event: SignatureStored | SignatureWaived | SignatureExpired
    ) -> None:
        self.signature_asks.pop(event.ticket_id, None)

    def signature_ask_at(self, counter: int) -> OpenSignature | None:
        """The newest open request of a counter's hand-over (one at a time in practice)."""
        asks = [a for a in self.signature_asks.values() if a.counter == counter]
        return max(asks, key=lambda a: a.expires_at) if asks else None

    def _rejected(self, _event: CommandRejected) -> None:
        self.rejected += 1


def rating_key(ticket_id: str, counter: int) -> str:
    return f"{ticket_id}#{counter}"


_HANDLERS = {
    DayOpened: QueueState._day_opened,
    TicketReserved: QueueState._reserved,
    TicketIssued: QueueState._issued,
    TicketCancelled: QueueState._cancelled,
    TicketCalled: QueueState._called,
    TicketServing: QueueState._serving,
    TicketDone: QueueState._done,
    TicketNoShow: QueueState._no_show,
    TicketRequeued: QueueState._requeued,
    TicketTransferred: QueueState._transferred,
    CounterChanged: QueueState._counter_changed,
    SatisfactionRated: QueueState._rated,
    SurveyAnswered: QueueState._surveyed,
    AnnouncementsSet: QueueState._announcements,
    CommandRejected: QueueState._rejected,
    CounterServicesSet: QueueState._counter_services,
    TicketMoved: QueueState._moved,
    TicketReprinted: QueueState._nothing,
    ServiceQuotaSet: QueueState._quota,
    ServiceClosed: QueueState._service_closed,
    ServiceReopened: QueueState._service_reopened,
    DeviceControlSent: QueueState._nothing,
    DayClosed: QueueState._day_closed,
    OfficerSignedIn: QueueState._signed_in,
    OfficerSignedOut: QueueState._signed_out,
    ComplaintRecorded: QueueState._nothing,  # kept by hub/complaints.py, across days
    ComplaintStatusChanged: QueueState._nothing,
    BookingsUnclaimed: QueueState._nothing,  # counted by the reports only
    SignatureRequested: QueueState._signature_requested,
    SignatureStored: QueueState._signature_closed,
    SignatureWaived: QueueState._signature_closed,
    SignatureExpired: QueueState._signature_closed,
    SignaturesPurged: QueueState._nothing,
}
