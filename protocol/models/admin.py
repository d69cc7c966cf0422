"""Admin console commands (``mpp admin``), and the views the hub answers them with.

Admin commands share the command envelope of devices but travel on the admin
topics, so only accounts with the ``admin`` role can send them. A command that
changes something is applied once per (account, command id), like a device's,
and becomes an event in the hub's log naming the account; a read (``admin.status``,
``admin.advise``, ``ticket.status``, ``admin.ticket.find``) writes nothing and is
answered afresh on a repeat.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from protocol.models.base import Envelope
from protocol.models.fields import (
    AccountName,
    CounterNumber,
    DeviceId,
    OfficerId,
    ServiceCode,
    ShortText,
    TicketId,
    TicketRef,
    Timestamp,
)
from protocol.models.replies import CounterState
from protocol.models.signature import WaiveReason


class AdminCommand(Envelope):
    """Fields shared by every admin command."""

    reads_only: ClassVar[bool] = False  # a read: no event, no stored reply

    command_id: UUID
    account: AccountName
    issued_at: Timestamp


class AdminAnnounce(AdminCommand):
    """Set the running-text announcements shown on LED panels and the display footer.

    An empty list clears them. With ``expires_at`` the hub clears them itself at
    that instant (an event like any other), so a notice about a closed service
    never outlives the day it was meant for.
    """

    summary = "Set announcements"
    type: Literal["admin.announce"] = "admin.announce"
    texts: list[ShortText] = Field(max_length=20)
    expires_at: Timestamp | None = Field(
        default=None, description="When the hub clears these texts. Since 1.2."
    )


class AdminPing(AdminCommand):
    """Check that the hub answers; replies ok with no data."""

    summary = "Ping the hub"
    type: Literal["admin.ping"] = "admin.ping"
    reads_only = True


class AdminTicketStatus(AdminCommand):
    """Ask where a ticket stands now, as ``ticket.status`` of a device does.

    A read: no event, reply not stored, a repeat answered afresh. A ticket id
    the hub does not hold today is refused `unknown_ticket`.
    """

    summary = "Ask a ticket's state, people ahead and estimated wait"
    type: Literal["ticket.status"] = "ticket.status"
    reads_only = True
    ticket_id: TicketId


class AdminStatus(AdminCommand):
    """Everything ``mpp admin status`` shows: counters, queues, devices (a read)."""

    summary = "Counters, queues and devices now"
    type: Literal["admin.status"] = "admin.status"
    reads_only = True


class AdminAdvise(AdminCommand):
    """How many counters each agency needs for the next ``hours`` (a read)."""

    summary = "Counters needed per agency for the next hours"
    type: Literal["admin.advise"] = "admin.advise"
    reads_only = True
    hours: int = Field(default=3, ge=1, le=12)


class CounterAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    PAUSE = "pause"
    RESUME = "resume"


class AdminCounterState(AdminCommand):
    """Open, close, pause or resume a counter from the console.

    The same rules as the counter unit's own buttons: a counter with a
    ticket at it is not closed or paused (`invalid_state`); an unknown
    number is `unknown_counter`.
    """

    summary = "Open, close, pause or resume a counter"
    type: Literal["admin.counter.state"] = "admin.counter.state"
    counter: CounterNumber
    action: CounterAction
    reason: ShortText | None = None

    @property
    def target(self) -> CounterState:
        return {
            CounterAction.OPEN: CounterState.OPEN,
            CounterAction.RESUME: CounterState.OPEN,
            CounterAction.PAUSE: CounterState.PAUSED,
            CounterAction.CLOSE: CounterState.CLOSED,
        }[self.action]


class AdminCounterServices(AdminCommand):
    """Change which services a counter calls first (primary) and helps with, for the day.

    The site file keeps the standing assignment; the change ends with the day.
    """

    summary = "Set a counter's primary and secondary services for the day"
    type: Literal["admin.counter.services"] = "admin.counter.services"
    counter: CounterNumber
    primary: list[ServiceCode] = Field(min_length=1, max_length=20)
    secondary: list[ServiceCode] = Field(default_factory=list, max_length=20)


class AdminCounterOfficer(AdminCommand):
    """Sign an officer in at a counter (``officer``: a NIP of the site's list), or out (null).

    The officer must be of the counter's agency (`not_authorised`); an
    unknown NIP is `unknown_officer`. Whoever was on duty there is signed
    out, and the officer is signed out of any other counter. Since 1.3.
    """

    summary = "Sign an officer in or out at a counter"
    type: Literal["admin.counter.officer"] = "admin.counter.officer"
    counter: CounterNumber
    officer: OfficerId | None


class AdminTicketFind(AdminCommand):
    """Where a ticket of today stands, by id or by its printed number (a read)."""

    summary = "Find a ticket by id or number"
    type: Literal["admin.ticket.find"] = "admin.ticket.find"
    reads_only = True
    ticket: TicketRef


class AdminTicketCancel(AdminCommand):
    """Cancel a ticket that is reserved, waiting, called or being served."""

    summary = "Cancel a ticket"
    type: Literal["admin.ticket.cancel"] = "admin.ticket.cancel"
    ticket: TicketRef
    reason: ShortText


class AdminTicketRequeue(AdminCommand):
    """Put a no-show back in its queue (within the site's grace period, like a counter)."""

    summary = "Re-queue a no-show ticket"
    type: Literal["admin.ticket.requeue"] = "admin.ticket.requeue"
    ticket: TicketRef


class AdminTicketReprint(AdminCommand):
    """Print a ticket again at a kiosk (the citizen lost it); the queue is unchanged."""

    summary = "Reprint a ticket at a kiosk"
    type: Literal["admin.ticket.reprint"] = "admin.ticket.reprint"
    ticket: TicketRef
    kiosk: DeviceId


class AdminTicketTransfer(AdminCommand):
    """Move a waiting (or called) ticket to another service's queue."""

    summary = "Transfer a ticket to another service"
    type: Literal["admin.ticket.transfer"] = "admin.ticket.transfer"
    ticket: TicketRef
    target_service: ServiceCode


class AdminServiceQuota(AdminCommand):
    """Set a service's quota for the day, or lift it (``quota`` null)."""

    summary = "Set or lift a service's daily quota"
    type: Literal["admin.service.quota"] = "admin.service.quota"
    service: ServiceCode
    quota: int | None = Field(ge=0, le=9999)


class AdminServiceClose(AdminCommand):
    """Stop issuing tickets for a service for the rest of the day; kiosks show ``reason``.

    Tickets already issued stay in the queue and are served.
    """

    summary = "Close a service early with a reason"
    type: Literal["admin.service.close"] = "admin.service.close"
    service: ServiceCode
    reason: ShortText


class AdminServiceReopen(AdminCommand):
    summary = "Reopen a service closed early"
    type: Literal["admin.service.reopen"] = "admin.service.reopen"
    service: ServiceCode


class DeviceAction(StrEnum):
    IDENTIFY = "identify"  # blink and beep, or flash the screen
    RESTART = "restart"  # the agent exits; its service manager starts it again
    REPORT = "report"  # republish the birth with the current hardware state


class AdminDevice(AdminCommand):
    """Ask a device to identify itself, restart its agent or report its hardware.

    The hub forwards it on the device's control topic; the reply says it was
    sent, the device's birth says the rest (it is online again, its hardware).
    A device that is offline is refused `invalid_state`: nothing would obey.
    """

    summary = "Identify, restart or query a device"
    type: Literal["admin.device"] = "admin.device"
    device: DeviceId
    action: DeviceAction


class AdminDayClose(AdminCommand):
    """Close the service day: open tickets cancelled, counters closed, kiosks stop issuing.

    ``confirm_day`` must name the hub's current service day (``YYYY-MM-DD``):
    the console asks the admin to type it, so the day is never closed by a
    slip. The next service day opens by itself.
    """

    summary = "Close the service day"
    type: Literal["admin.day.close"] = "admin.day.close"
    confirm_day: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


MAX_REPORT_DAYS = 400  # a year and a bit: enough for a year-on-year look, bounded payload


class AdminReportGet(AdminCommand):
    """Ask the figures of a period (a read: no event, reply not stored).

    The hub computes them from its event store, past (archived) days
    included, on a connection of its own (docs/reports.md), and answers with
    `report`: the figures, never the events. An unknown agency or a period
    the wrong way round is refused `invalid`.
    """

    summary = "Report figures of a period"
    type: Literal["report.get"] = "report.get"
    reads_only = True
    first_day: date
    last_day: date
    agency: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        if (self.last_day - self.first_day).days >= MAX_REPORT_DAYS:
            raise ValueError(f"a report covers at most {MAX_REPORT_DAYS} days")
        return self


class AdminTicketReceipt(AdminCommand):
    """The hand-over receipt of a signed ticket: its details and the stored strokes (a read).

    Refused `unknown_ticket` when no signature is stored for the ticket.
    """

    summary = "The hand-over receipt of a signed ticket"
    type: Literal["ticket.receipt"] = "ticket.receipt"
    reads_only = True
    ticket_id: TicketId


class AdminSignatureWaive(AdminCommand):
    """Finish a hand-over without the citizen's signature (the pad failed, the citizen
    cannot sign…): the open request is closed and the reason recorded as an event.

    Refused `invalid_state` when no signature is being asked for the ticket.
    """

    summary = "Hand a document over without a signature"
    type: Literal["admin.signature.waive"] = "admin.signature.waive"
    ticket: TicketRef
    reason: WaiveReason
    detail: str = Field(default="", max_length=200)


class AdminSignaturePurge(AdminCommand):
    """Delete the strokes of signatures older than the site's retention now (the hub
    also does it daily); the hash stays for checking a printed receipt."""

    summary = "Purge signature strokes past their retention"
    type: Literal["admin.signature.purge"] = "admin.signature.purge"


ADMIN_COMMANDS: tuple[type[AdminCommand], ...] = (
    AdminAnnounce,
    AdminPing,
    AdminTicketStatus,
    AdminStatus,
    AdminAdvise,
    AdminCounterState,
    AdminCounterServices,
    AdminCounterOfficer,
    AdminTicketFind,
    AdminTicketCancel,
    AdminTicketRequeue,
    AdminTicketReprint,
    AdminTicketTransfer,
    AdminServiceQuota,
    AdminServiceClose,
    AdminServiceReopen,
    AdminDevice,
    AdminDayClose,
    AdminReportGet,
    AdminTicketReceipt,
    AdminSignatureWaive,
    AdminSignaturePurge,
)
