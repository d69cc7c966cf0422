"""The hub's answer to a command, sent to the command's MQTT 5 Response Topic."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from protocol.errors import ErrorCode
from protocol.models.base import Envelope, WireModel
from protocol.models.commands import PriorityCategory
from protocol.models.fields import (
    CounterNumber,
    DeviceId,
    OfficerId,
    ServiceCode,
    ShortText,
    TicketId,
    TicketNumber,
    Timestamp,
)


class TicketState(StrEnum):
    RESERVED = "reserved"
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class TicketView(WireModel):
    """What a device needs to know about one ticket."""

    ticket_id: TicketId
    number: TicketNumber
    service: ServiceCode
    service_name: ShortText
    agency_name: ShortText
    category: PriorityCategory
    state: TicketState
    issued_at: Timestamp
    people_ahead: int = Field(
        ge=0,
        description=(
            "Waiting tickets of its service queued before it (for prioritas: the priority "
            "ones). In a `ticket.status` reply: now, and 0 unless `waiting`; elsewhere: as "
            "at reservation, the figure printed on the ticket."
        ),
    )
    estimated_wait_min: int = Field(
        ge=0,
        description=(
            "Rough minutes until called, from `people_ahead`, recent service times and the "
            "counters serving it. Now in a `ticket.status` reply; elsewhere as at reservation."
        ),
    )
    counter: CounterNumber | None = None
    recalls: int = Field(default=0, ge=0)


class SignatureAsk(WireModel):
    """An open request for a citizen's signature at a counter (the hand-over waits on it).

    The counter unit shows it ("Tanda tangan: A-012 …") and its buttons do OK,
    Ulangi and Lewati until the pad's signature is stored, the officer finishes
    without it, or it expires.
    """

    request_id: UUID
    ticket_id: TicketId
    number: TicketNumber
    service: ServiceCode
    service_name: ShortText
    pad: DeviceId = Field(description="The pad asked.")
    expires_at: Timestamp


class CounterView(WireModel):
    """A counter's state as its unit shows it."""

    counter: CounterNumber
    state: CounterState
    current: TicketView | None = None
    waiting: int = Field(ge=0, description="Tickets waiting for this counter's services.")
    agency: ShortText | None = Field(
        default=None, description="The counter's agency: whose officers may sign in. Since 1.3."
    )
    officer_id: OfficerId | None = Field(
        default=None, description="The NIP of the officer signed in at it. Since 1.3."
    )
    signature: SignatureAsk | None = Field(
        default=None, description="The signature this counter's hand-over waits for."
    )


class ReplyError(WireModel):
    code: ErrorCode
    message: str = Field(min_length=1, max_length=500)
    agency_name: ShortText | None = Field(
        default=None,
        description=(
            "With `agency_full` (since 1.2): the agency's short name, for the kiosk to "
            "say which agency is full today."
        ),
    )
    next_open_at: Timestamp | None = Field(
        default=None,
        description=(
            "With `agency_full` (since 1.2): when the agency next calls tickets (its "
            "next service day's opening time), for 'come back tomorrow at 08.00'. "
            "With `quota_full` and `closed`, when known: when the service takes tickets "
            "again, as the service state's `reopens_at` (an older hub sends it with "
            "`agency_full` only)."
        ),
    )
    booking_slot_at: Timestamp | None = Field(
        default=None,
        description=(
            "With `expired` or `booking_slot_passed` for a booking (since 1.5): the "
            "booking's slot, for the kiosk to name the day or the time it was for."
        ),
    )


class Reply(Envelope):
    """Outcome of one command. ``ok`` and ``error`` always agree.

    Sent only on the sender's own reply topic (`mpp/device/{device_id}/reply`,
    `mpp/admin/{account}/reply`), whatever Response Topic the request set, with
    its Correlation Data echoed. ``command_id`` is the command's; for a payload
    that failed validation it is the payload's `command_id` when that can be
    read as a UUID, else the Correlation Data's, else the nil UUID.
    """

    summary = "Reply to a command"
    type: Literal["reply"] = "reply"
    command_id: UUID
    ok: bool
    error: ReplyError | None = None
    ticket: TicketView | None = None
    counter: CounterView | None = None
    overview: HubOverview | None = Field(
        default=None, description="The answer to `admin.status`. Since 1.2."
    )
    purged: int | None = Field(
        default=None, ge=0, description="The answer to `admin.signature.purge`: rows purged."
    )
    advice: list[AgencyAdvice] | None = Field(
        default=None, max_length=60, description="The answer to `admin.advise`. Since 1.2."
    )
    report: Report | None = Field(
        default=None, description="The answer to `report.get`: the figures. Since 1.2."
    )
    receipt: Receipt | None = Field(
        default=None, description="The answer to `ticket.receipt`: the signed hand-over."
    )
    complaint: ComplaintView | None = Field(
        default=None,
        description="The complaint recorded (`complaint.submit`, `admin.complaint.add`) or shown.",
    )
    complaints: list[ComplaintView] | None = Field(
        default=None, max_length=200, description="The answer to `admin.complaint.list`."
    )

    @model_validator(mode="after")
    def _ok_xor_error(self) -> Self:
        if self.ok == (self.error is not None):
            raise ValueError("a reply is either ok or carries an error, not both or neither")
        return self


from protocol.models.complaints import ComplaintView  # noqa: E402
from protocol.models.overview import AgencyAdvice, HubOverview  # noqa: E402  (cycle: overview uses the enums above)
from protocol.models.reports import Report  # noqa: E402
from protocol.models.signature import Receipt  # noqa: E402


class DeviceReply(Reply):
    """A reply as a device reads it on its own reply topic: the same JSON, the same checks.

    The hub answers a device's commands with ``error``, ``ticket``, ``counter`` or
    ``complaint``; the admin's answers (``overview``, ``purged``, ``advice``,
    ``report``, ``receipt``, ``complaints``) are always null on
    ``mpp/device/{device_id}/reply`` and are validated as null here. So a device
    never builds the validators of the hub overview, the report and the receipt
    (~0.5 MB of a counter unit's 45 MB). Not a second contract: the topic carries
    :class:`Reply` (AsyncAPI, the hub); :meth:`MqttLink.expect_replies` reads it
    as this on a device.
    """

    overview: None = None
    purged: None = None
    advice: None = None
    report: None = None
    receipt: None = None
    complaints: None = None


# No ``Reply.model_rebuild()`` here: pydantic resolves the names imported above
# when a Reply is first made or read. Building it at import cost every process
# 2.2 MB (the admin's overview, report and receipt inside), also the display and
# the running text, which never read a reply.
