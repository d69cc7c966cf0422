"""Commands a device sends to the hub, and the rules that make them safe.

Every command carries a client-made ``command_id``: the hub applies a command
once per (sender, command id) and answers a repeat (a retry after a
reconnect) with the stored reply. ``seq`` grows per device so the hub can log
gaps and reordering. A command that calls a citizen carries ``expires_at``;
the hub answers ``expired`` to a command that arrives after it rather than
calling a ticket for a press made minutes ago. Commands are sent with MQTT 5
request/response; the hub answers on the sender's own reply topic.
``calls_citizen`` marks those commands, and the contract requires the field
on them. docs/contract.md states these rules in full; docs/hub.md (Expiry)
says how the hub judges a press's age without trusting the device's clock.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from protocol.models.base import Envelope
from protocol.models.fields import (
    DeviceId,
    OfficerId,
    ServiceCode,
    ShortText,
    TicketId,
    Timestamp,
)
from protocol.roles import Role


class PriorityCategory(StrEnum):
    """Ticket category chosen at the kiosk; which citizens qualify is site policy."""

    REGULAR = "reguler"
    PRIORITY = "prioritas"


class SatisfactionRating(IntEnum):
    """The four SKM buttons, worst to best (Permenpan RB 14/2017 scale)."""

    TIDAK_PUAS = 1
    KURANG_PUAS = 2
    PUAS = 3
    SANGAT_PUAS = 4


class Command(Envelope):
    """Fields shared by every device command."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset()
    calls_citizen: ClassVar[bool] = False  # then expires_at is required

    command_id: UUID = Field(
        description=(
            "Made by the sender, new for each command and kept for its retries. The hub "
            "applies a command once per (sender, command_id) and answers a repeat with "
            "the stored reply."
        )
    )
    device_id: DeviceId
    seq: int = Field(ge=0, description="Per-device sequence number, grows by one per command.")
    issued_at: Timestamp = Field(
        description=(
            "When the press was made, by the device's clock. The hub learns each device's "
            "clock offset and judges `expires_at` through it."
        )
    )
    expires_at: Timestamp | None = Field(
        default=None,
        description=(
            "Carried by every command that calls a citizen. The hub refuses the command "
            "`expired` once this instant (by the device's clock, read through its learned "
            "offset) has passed; the device stops retrying at it."
        ),
    )

    @model_validator(mode="after")
    def _expiry_after_issue(self) -> Self:
        if self.expires_at is not None and self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be later than issued_at")
        return self


MAX_CALL_VALIDITY_S = 60  # the hub never calls on a press older than this, whatever it says
_CALL_EXPIRY_DESCRIPTION = (
    "Required: this command calls a citizen (`expiry_required` without it). The hub refuses "
    "it `expired` once more than `expires_at - issued_at` (at most "
    f"{MAX_CALL_VALIDITY_S} s) has gone by since the press, judged through the device's "
    "learned clock offset; the device stops retrying at it."
)

_COUNTER = frozenset({Role.COUNTER})
_KIOSK = frozenset({Role.KIOSK})


class CounterNext(Command):
    """Panggil berikutnya: finish this counter's current ticket, then call the next one.

    The current ticket, if any, becomes `done` whether it was being served or
    only called: a called citizen who never came is finished as served, with
    a visit and a service time counted from the call, so mark such a ticket
    `counter.no_show` before pressing next. Then the dispatch policy picks
    the next waiting ticket for this counter and calls it (`called`,
    announced on `event.call`); the reply carries it and the counter. With
    nobody waiting the current ticket is still finished and the reply carries
    the counter without a ticket; with neither a current ticket nor anyone
    waiting the reply is `nothing_waiting`. A closed counter is refused
    `closed`, a paused one `invalid_state`. Calls a citizen, so it carries
    `expires_at`.
    """

    summary = "Call the next ticket"
    allowed_roles = _COUNTER
    calls_citizen = True
    type: Literal["counter.next"] = "counter.next"
    expires_at: Timestamp = Field(description=_CALL_EXPIRY_DESCRIPTION)


class CounterRecall(Command):
    """Panggil ulang: announce the current ticket again (calls a citizen: carries `expires_at`)."""

    summary = "Recall the current ticket"
    allowed_roles = _COUNTER
    calls_citizen = True
    type: Literal["counter.recall"] = "counter.recall"
    expires_at: Timestamp = Field(description=_CALL_EXPIRY_DESCRIPTION)


class CounterStartService(Command):
    """The called citizen arrived at the counter; service starts."""

    summary = "Citizen arrived, start serving"
    allowed_roles = _COUNTER
    type: Literal["counter.start"] = "counter.start"


class CounterNoShow(Command):
    """Tidak hadir: the called citizen did not come."""

    summary = "Mark the current ticket as no-show"
    allowed_roles = _COUNTER
    type: Literal["counter.no_show"] = "counter.no_show"


class CounterRequeue(Command):
    """Put a no-show ticket back in the queue within the site's grace period."""

    summary = "Re-queue a no-show ticket"
    allowed_roles = _COUNTER
    type: Literal["counter.requeue"] = "counter.requeue"
    ticket_id: TicketId


class CounterFinish(Command):
    """Selesai: the current ticket is done."""

    summary = "Finish the current ticket"
    allowed_roles = _COUNTER
    type: Literal["counter.finish"] = "counter.finish"


class CounterTransfer(Command):
    """Finish here and queue the ticket at another service (e.g. a payment counter)."""

    summary = "Transfer the current ticket to another service"
    allowed_roles = _COUNTER
    type: Literal["counter.transfer"] = "counter.transfer"
    target_service: ServiceCode


class CounterPause(Command):
    """Istirahat: stop receiving calls for a while."""

    summary = "Pause the counter"
    allowed_roles = _COUNTER
    type: Literal["counter.pause"] = "counter.pause"
    reason: ShortText | None = None


class CounterResume(Command):
    summary = "Resume a paused counter"
    allowed_roles = _COUNTER
    type: Literal["counter.resume"] = "counter.resume"


class CounterOpen(Command):
    """Open the counter, with the officer who signs in at it (picked on the unit's display).

    ``officer`` (since 1.3) must be of the counter's agency in the site's
    officer list; without it the counter opens with whoever was signed in.
    """

    summary = "Open the counter"
    allowed_roles = _COUNTER
    type: Literal["counter.open"] = "counter.open"
    officer: OfficerId | None = Field(default=None, description="Who signs in. Since 1.3.")


class CounterClose(Command):
    summary = "Close the counter"
    allowed_roles = _COUNTER
    type: Literal["counter.close"] = "counter.close"


class CounterSync(Command):
    """Ask for the counter's current state after a (re)connect instead of assuming."""

    summary = "Fetch the counter state"
    allowed_roles = _COUNTER
    type: Literal["counter.sync"] = "counter.sync"


class SatisfactionRate(Command):
    """One SKM rating for a ticket finished at this counter."""

    summary = "Rate a finished service (SKM)"
    allowed_roles = _COUNTER
    type: Literal["skm.rate"] = "skm.rate"
    ticket_id: TicketId
    rating: SatisfactionRating


SurveyAnswer = (
    Annotated[int, Field(ge=1, le=4)] | None
)  # 1 tidak baik … 4 sangat baik; None: left out


class SurveySubmit(Command):
    """A citizen's nine-element satisfaction survey (optional kiosk screen after service).

    ``answers`` holds U1…U9 in order (see ``protocol.models.reports.IKM_ELEMENTS``), each 1 (tidak
    baik) to 4 (sangat baik), or null for a question left out. The hub files
    it under the service and agency of the ticket's last finished visit.
    """

    summary = "Submit a nine-element satisfaction survey"
    allowed_roles = _KIOSK
    type: Literal["survey.submit"] = "survey.submit"
    ticket_id: TicketId
    answers: list[SurveyAnswer] = Field(min_length=9, max_length=9)

    @model_validator(mode="after")
    def _answers(self) -> SurveySubmit:
        if all(a is None for a in self.answers):
            raise ValueError("a survey answers at least one question")
        return self


class TicketReserve(Command):
    """Phase one of printing: the hub reserves a number; it is not queued yet."""

    summary = "Reserve a ticket number"
    allowed_roles = _KIOSK
    type: Literal["ticket.reserve"] = "ticket.reserve"
    service: ServiceCode
    category: PriorityCategory = PriorityCategory.REGULAR


class BookingCheckIn(Command):
    """Check in an online booking by its code; reserves a ticket like ``ticket.reserve``."""

    summary = "Check in an online booking"
    allowed_roles = _KIOSK
    type: Literal["booking.check_in"] = "booking.check_in"
    booking_code: str = Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class TicketPrinted(Command):
    """Phase two: the kiosk printed the ticket, so it goes live in the queue."""

    summary = "Confirm a reserved ticket was printed"
    allowed_roles = _KIOSK
    type: Literal["ticket.printed"] = "ticket.printed"
    ticket_id: TicketId


class TicketPrintFailed(Command):
    """The print failed: the reservation is cancelled, no citizen holds the number."""

    summary = "Report a failed print"
    allowed_roles = _KIOSK
    type: Literal["ticket.print_failed"] = "ticket.print_failed"
    ticket_id: TicketId
    reason: ShortText


class TicketStatusQuery(Command):
    """Ask where a ticket stands now: its state, the people ahead of it and the estimated wait.

    A read, answered from the hub's current state: it writes no event and its
    reply is not stored, so a repeat with the same `command_id` is answered
    afresh (what a retry wants). It calls nobody and needs no `expires_at`.
    People ahead and the estimate are computed when asked for a `waiting`
    ticket and are 0 in any other state. A ticket id the hub does not hold
    today is refused `unknown_ticket`.
    """

    summary = "Ask a ticket's state, people ahead and estimated wait"
    allowed_roles = frozenset({Role.KIOSK, Role.COUNTER})
    type: Literal["ticket.status"] = "ticket.status"
    ticket_id: TicketId


DEVICE_COMMANDS: tuple[type[Command], ...] = (
    CounterNext,
    CounterRecall,
    CounterStartService,
    CounterNoShow,
    CounterRequeue,
    CounterFinish,
    CounterTransfer,
    CounterPause,
    CounterResume,
    CounterOpen,
    CounterClose,
    CounterSync,
    SatisfactionRate,
    SurveySubmit,
    TicketReserve,
    BookingCheckIn,
    TicketPrinted,
    TicketPrintFailed,
    TicketStatusQuery,
)
