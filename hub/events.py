"""The hub's event log: every state change is one of these, appended to SQLite.

State is rebuilt by applying events in order (:mod:`hub.state`), so an event
records decisions (which ticket was called, which number was given), never
anything that would have to be decided again on replay.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from hub.site.schema import CategoryCode
from protocol.models import (
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    CounterState,
    SatisfactionRating,
    WaiveReason,
)


class EventModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    at: AwareDatetime


class CancelReason(StrEnum):
    PRINT_FAILED = "print_failed"
    RESERVATION_EXPIRED = "reservation_expired"
    DAY_CLOSED = "day_closed"
    ADMIN = "admin"  # cancelled from the admin console (``account`` says who)
    NOT_SERVED = "not_served"  # still waiting when the overtime allowed by the site ended
    RETURN_TICKET = "return_ticket"  # still waiting after the grace: priority return next morning


class DayOpened(EventModel):
    kind: Literal["day.opened"] = "day.opened"
    day: date


class TicketReserved(EventModel):
    kind: Literal["ticket.reserved"] = "ticket.reserved"
    ticket_id: str
    number: str
    service: str
    category: CategoryCode
    device_id: str
    people_ahead: int
    estimated_wait_min: int
    booking_code: str | None = None
    appointment_at: datetime | None = None


class TicketIssued(EventModel):
    """The print was confirmed: the ticket is live in the queue."""

    kind: Literal["ticket.issued"] = "ticket.issued"
    ticket_id: str


class TicketCancelled(EventModel):
    kind: Literal["ticket.cancelled"] = "ticket.cancelled"
    ticket_id: str
    reason: CancelReason
    detail: str = ""
    account: str | None = None
    return_on: date | None = None  # a return ticket: the service day it is honoured (once)


class TicketCalled(EventModel):
    kind: Literal["ticket.called"] = "ticket.called"
    ticket_id: str
    counter: int
    event_id: UUID
    recall: int = Field(default=0, ge=0)
    officer: str | None = None  # the NIP of the officer on duty at the counter


class TicketServing(EventModel):
    kind: Literal["ticket.serving"] = "ticket.serving"
    ticket_id: str
    counter: int
    officer: str | None = None  # the NIP of the officer on duty at the counter


class TicketDone(EventModel):
    kind: Literal["ticket.done"] = "ticket.done"
    ticket_id: str
    counter: int
    officer: str | None = None  # the NIP of the officer on duty at the counter


class TicketNoShow(EventModel):
    kind: Literal["ticket.no_show"] = "ticket.no_show"
    ticket_id: str
    counter: int
    officer: str | None = None  # the NIP of the officer on duty at the counter


class TicketRequeued(EventModel):
    kind: Literal["ticket.requeued"] = "ticket.requeued"
    ticket_id: str
    counter: int | None = None  # None: re-queued from the admin console
    keeps_place: bool
    account: str | None = None


class TicketTransferred(EventModel):
    """Done at the counter's service, waiting at ``to_service``."""

    kind: Literal["ticket.transferred"] = "ticket.transferred"
    ticket_id: str
    counter: int
    to_service: str
    keeps_place: bool
    officer: str | None = None  # the NIP of the officer on duty at the counter


class CounterChanged(EventModel):
    kind: Literal["counter.changed"] = "counter.changed"
    counter: int
    state: CounterState
    reason: str | None = None
    account: str | None = None  # set when the admin console did it


class OfficerSignedIn(EventModel):
    """An officer of the site's list is on duty at a counter from now on.

    From the counter unit (``device_id``) or the admin console (``account``);
    ticket events at the counter carry the officer until the sign-out.
    """

    kind: Literal["officer.signed_in"] = "officer.signed_in"
    counter: int
    officer: str
    name: str
    device_id: str | None = None
    account: str | None = None


class SignOutReason(StrEnum):
    CLOSED = "closed"  # the counter closed (unit, console or day close)
    REPLACED = "replaced"  # another officer signed in at the counter
    ADMIN = "admin"  # the admin signed the officer out
    MOVED = "moved"  # the officer signed in at another counter
    DAY_END = "day_end"  # still signed in when the next service day opened


class OfficerSignedOut(EventModel):
    kind: Literal["officer.signed_out"] = "officer.signed_out"
    counter: int
    officer: str
    reason: SignOutReason
    account: str | None = None


class CounterServicesSet(EventModel):
    """The admin changed a counter's services for the rest of the day."""

    kind: Literal["counter.services_set"] = "counter.services_set"
    counter: int
    primary: list[str]
    secondary: list[str]
    account: str


class TicketMoved(EventModel):
    """The admin moved a ticket that was not being served to another service's queue."""

    kind: Literal["ticket.moved"] = "ticket.moved"
    ticket_id: str
    from_service: str
    to_service: str
    account: str


class TicketReprinted(EventModel):
    """The admin had a kiosk print a ticket again; the queue is unchanged."""

    kind: Literal["ticket.reprinted"] = "ticket.reprinted"
    ticket_id: str
    kiosk: str
    account: str


class ServiceQuotaSet(EventModel):
    """Today's quota of a service (None: lifted), overriding the site file for the day."""

    kind: Literal["service.quota_set"] = "service.quota_set"
    service: str
    quota: int | None
    account: str


class ServiceClosed(EventModel):
    """No more tickets today for a service; kiosks show ``reason``."""

    kind: Literal["service.closed"] = "service.closed"
    service: str
    reason: str
    account: str


class ServiceReopened(EventModel):
    kind: Literal["service.reopened"] = "service.reopened"
    service: str
    account: str


class DeviceControlSent(EventModel):
    """The admin asked a device to identify, restart or report (the hub forwarded it)."""

    kind: Literal["device.control_sent"] = "device.control_sent"
    device: str
    action: str
    control_id: str
    account: str
    ticket_id: str | None = None  # a reprint


class DayClosed(EventModel):
    """The admin closed the service day: no more tickets until the next one opens."""

    kind: Literal["day.closed"] = "day.closed"
    account: str


class SatisfactionRated(EventModel):
    kind: Literal["skm.rated"] = "skm.rated"
    ticket_id: str
    counter: int
    service: str
    agency: str
    rating: SatisfactionRating


class SurveyAnswered(EventModel):
    """A nine-element satisfaction survey (PermenPANRB 14/2017) about a finished visit."""

    kind: Literal["survey.answered"] = "survey.answered"
    ticket_id: str
    counter: int
    service: str
    agency: str
    answers: list[int | None]


class BookingsUnclaimed(EventModel):
    """A service day's online bookings nobody checked in, written when the next day opens.

    The booking store forgets old bookings (:meth:`hub.booking_store.SqliteBookings.forget_before`),
    so the reports' "booked, did not come" must be decided while the day's bookings are
    still known, and kept in the log like every other fact the reports count.
    """

    kind: Literal["bookings.unclaimed"] = "bookings.unclaimed"
    day: date
    service: str
    codes: list[str]


class ComplaintRecorded(EventModel):
    """A complaint or suggestion recorded at the kiosk or the console (hub/complaints.py).

    The uplink forwards this event upstream as it is: its name and fields are the
    contract with the national channel's side (SP4N-LAPOR), so keep them.
    """

    kind: Literal["complaint.recorded"] = "complaint.recorded"
    complaint_id: str
    category: ComplaintCategory
    text: str
    contact: str | None = None
    ticket_id: str | None = None
    service: str | None = None
    agency: str | None = None
    source: ComplaintSource
    recorded_at: AwareDatetime


class ComplaintStatusChanged(EventModel):
    """Upstream reported a complaint's new status (or a console account set it)."""

    kind: Literal["complaint.status_changed"] = "complaint.status_changed"
    complaint_id: str
    status: ComplaintStatus
    note: str = ""
    reference: str | None = None
    source: str = "upstream"
class SignatureRequested(EventModel):
    """The hub asks ``pad`` for the signature for a finished ticket (hub/signature_requests.py).

    Open until stored, waived or expired; re-sent when the pad comes back online.
    """

    kind: Literal["signature.requested"] = "signature.requested"
    ticket_id: str
    counter: int
    pad: str
    request_id: UUID
    expires_at: datetime


class SignatureStored(EventModel):
    """A signature was stored (strokes in table ``signatures``). The uplink forwards
    this event's hash upstream: keep its name and fields."""

    kind: Literal["signature.stored"] = "signature.stored"
    ticket_id: str
    sha256: str
    counter: int
    service: str
    agency: str
    device_id: str
    signed_at: datetime


class SignatureWaived(EventModel):
    """The officer (``device_id``) or an admin (``account``) handed over without a signature."""

    kind: Literal["signature.waived"] = "signature.waived"
    ticket_id: str
    counter: int
    reason: WaiveReason
    detail: str = ""
    device_id: str | None = None
    account: str | None = None


class SignatureExpired(EventModel):
    """Nobody signed or waived within the site's ``signatures.request_timeout_s``."""

    kind: Literal["signature.expired"] = "signature.expired"
    ticket_id: str
    counter: int


class SignaturesPurged(EventModel):
    """Strokes signed before ``before`` were deleted (retention); their hashes stay."""

    kind: Literal["signature.purged"] = "signature.purged"
    before: datetime
    count: int
    account: str | None = None  # None: the hub's daily purge


class AnnouncementsSet(EventModel):
    kind: Literal["announcements.set"] = "announcements.set"
    texts: list[str]
    expires_at: datetime | None = None
    account: str | None = None  # None: cleared by the hub when they expired


class CommandRejected(EventModel):
    """Logged for audit; changes no state."""

    kind: Literal["command.rejected"] = "command.rejected"
    sender: str
    command_type: str
    code: str
    message: str
    service: str | None = None  # the service a refused ticket.reserve asked for (turned away)


Event = Annotated[
    DayOpened
    | TicketReserved
    | TicketIssued
    | TicketCancelled
    | TicketCalled
    | TicketServing
    | TicketDone
    | TicketNoShow
    | TicketRequeued
    | TicketTransferred
    | CounterChanged
    | SatisfactionRated
    | SurveyAnswered
    | AnnouncementsSet
    | CommandRejected
    | CounterServicesSet
    | TicketMoved
    | TicketReprinted
    | ServiceQuotaSet
    | ServiceClosed
    | ServiceReopened
    | DeviceControlSent
    | DayClosed
    | OfficerSignedIn
    | OfficerSignedOut
    | ComplaintRecorded
    | ComplaintStatusChanged
    | BookingsUnclaimed
    | SignatureRequested
    | SignatureStored
    | SignatureWaived
    | SignatureExpired
    | SignaturesPurged,
    Field(discriminator="kind"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_from_json(data: str | bytes) -> Event:
    return EVENT_ADAPTER.validate_json(data)


def event_to_json(event: Event) -> str:
    return event.model_dump_json()
