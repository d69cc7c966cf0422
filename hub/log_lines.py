"""One readable line per event of the hub's log, for ``mpp admin tail`` and ``top``.

English (it is an operator's log, like the hub's own), with the ticket numbers,
counters, services and accounts a reader looks for, plus the fields the
console filters on. Nothing here decides anything.
"""

from __future__ import annotations

import re

from hub.events import (
    AnnouncementsSet,
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
from hub.site.schema import Site
from hub.state import QueueState
from protocol.models import LogEntry
from protocol.models.fields import DEVICE_ID_PATTERN

_MAX_TEXT = 500
_ACCOUNT = re.compile(DEVICE_ID_PATTERN)


def _by(account: str | None) -> str:
    return f" (by {account})" if account else ""


def log_entry(
    site: Site, state: QueueState, event: Event, seq: int, devices: frozenset[str]
) -> LogEntry:
    """The log line of ``event`` (already applied to ``state``); ``devices`` are the
    device accounts (a refused command's sender is a device or an admin)."""
    fields: dict[str, object] = {"account": getattr(event, "account", None)}
    ticket_id = getattr(event, "ticket_id", None)
    ticket = state.tickets.get(ticket_id) if ticket_id else None
    if ticket is not None:
        fields["ticket"] = ticket.number
        fields["service"] = ticket.service
    counter = getattr(event, "counter", None)
    if isinstance(counter, int):
        fields["counter"] = counter
        device = site.counter(counter).device_id if counter in site.counters_by_number else None
        fields["device"] = device
    service_code = getattr(event, "service", None)
    if isinstance(service_code, str) and site.has_service(service_code):
        fields["service"] = service_code
    code = fields.get("service")
    if isinstance(code, str) and site.has_service(code):
        fields["agency"] = site.service(code).agency
    number = ticket.number if ticket is not None else "?"
    text = _text(event, number, state)
    if isinstance(event, TicketReserved):
        fields["device"] = event.device_id
    if isinstance(event, OfficerSignedIn | OfficerSignedOut) and counter in site.counters_by_number:
        fields["agency"] = site.counter(event.counter).agency  # tail --agency finds them
    if isinstance(event, SignatureStored | SignatureWaived) and event.device_id:
        fields["device"] = event.device_id
    if isinstance(event, SignatureRequested):
        fields["device"] = event.pad
    if isinstance(event, DeviceControlSent | TicketReprinted):
        fields["device"] = event.device if isinstance(event, DeviceControlSent) else event.kiosk
    if isinstance(event, CommandRejected) and _ACCOUNT.match(event.sender):
        fields["device" if event.sender in devices else "account"] = event.sender
    return LogEntry(
        seq=max(0, seq),
        at=event.at,
        kind=event.kind,
        text=text[:_MAX_TEXT],
        **{k: v for k, v in fields.items() if v is not None},  # type: ignore[arg-type]
    )


def _text(event: Event, number: str, state: QueueState) -> str:
    if isinstance(event, DayOpened):
        return f"service day {event.day} opened"
    if isinstance(event, TicketReserved):
        return f"{event.number} reserved at {event.device_id} for {event.service}"
    if isinstance(event, TicketIssued):
        return f"{number} printed, waiting"
    if isinstance(event, TicketCancelled):
        detail = f": {event.detail}" if event.detail else ""
        return f"{number} cancelled ({event.reason.value}{detail}){_by(event.account)}"
    if isinstance(event, TicketCalled):
        again = f" (recall {event.recall})" if event.recall else ""
        return f"{number} called to counter {event.counter}{again}"
    if isinstance(event, TicketServing):
        return f"{number} being served at counter {event.counter}"
    if isinstance(event, TicketDone):
        return f"{number} done at counter {event.counter}"
    if isinstance(event, TicketNoShow):
        return f"{number} no-show at counter {event.counter}"
    if isinstance(event, TicketRequeued):
        where = f" by counter {event.counter}" if event.counter is not None else ""
        return f"{number} re-queued{where}{_by(event.account)}"
    if isinstance(event, TicketTransferred):
        return f"{number} transferred from counter {event.counter} to {event.to_service}"
    if isinstance(event, TicketMoved):
        return f"{number} moved from {event.from_service} to {event.to_service}{_by(event.account)}"
    if isinstance(event, TicketReprinted):
        return f"{number} reprinted at {event.kiosk}{_by(event.account)}"
    if isinstance(event, CounterChanged):
        reason = f": {event.reason}" if event.reason else ""
        return f"counter {event.counter} {event.state.value}{reason}{_by(event.account)}"
    if isinstance(event, OfficerSignedIn):
        where = f"counter {event.counter}"
        return f"{event.name} ({event.officer}) on duty at {where}{_by(event.account)}"
    if isinstance(event, OfficerSignedOut):
        return (
            f"{event.officer} off duty at counter {event.counter} ({event.reason.value})"
            f"{_by(event.account)}"
        )
    if isinstance(event, CounterServicesSet):
        secondary = f", secondary {' '.join(event.secondary)}" if event.secondary else ""
        return (
            f"counter {event.counter} serves {' '.join(event.primary)}{secondary} today"
            f"{_by(event.account)}"
        )
    if isinstance(event, SatisfactionRated):
        return f"{number} rated {int(event.rating)} of 4 at counter {event.counter}"
    if isinstance(event, AnnouncementsSet):
        if not event.texts:
            return "announcements cleared" + (_by(event.account) or " (expired)")
        until = f" until {event.expires_at:%Y-%m-%d %H:%M}" if event.expires_at else ""
        return (
            f"announcements set ({len(event.texts)}){until}: {event.texts[0]}{_by(event.account)}"
        )
    if isinstance(event, ServiceQuotaSet):
        quota = "lifted" if event.quota is None else f"set to {event.quota}"
        return f"quota of {event.service} {quota} for today{_by(event.account)}"
    if isinstance(event, ServiceClosed):
        return f"{event.service} closed for today: {event.reason}{_by(event.account)}"
    if isinstance(event, ServiceReopened):
        return f"{event.service} reopened{_by(event.account)}"
    if isinstance(event, DeviceControlSent):
        return f"{event.device}: {event.action} requested{_by(event.account)}"
    if isinstance(event, DayClosed):
        return f"service day {state.day} closed{_by(event.account)}"
    if isinstance(event, ComplaintRecorded):
        about = f" about {event.ticket_id}" if event.ticket_id else ""
        return f"{event.category.value} {event.complaint_id} recorded ({event.source.value}){about}"
    if isinstance(event, ComplaintStatusChanged):
        note = f": {event.note}" if event.note else ""
        return f"complaint {event.complaint_id} {event.status.value} ({event.source}){note}"
    if isinstance(event, SignatureRequested):
        return f"{number}: signature asked of {event.pad} at counter {event.counter}"
    if isinstance(event, SignatureStored):
        return (
            f"{number}: signature stored from {event.device_id} at counter {event.counter} "
            f"(sha256 {event.sha256[:16]}…)"
        )
    if isinstance(event, SignatureWaived):
        detail = f": {event.detail}" if event.detail else ""
        who = _by(event.account) or (f" (by {event.device_id})" if event.device_id else "")
        return (
            f"{number}: handed over without a signature at counter {event.counter} "
            f"({event.reason.value}{detail}){who}"
        )
    if isinstance(event, SignatureExpired):
        return f"{number}: signature not given in time at counter {event.counter} (expired)"
    if isinstance(event, SignaturesPurged):
        return (
            f"{event.count} signatures' strokes signed before {event.before:%Y-%m-%d} purged "
            f"(retention; hashes kept){_by(event.account)}"
        )
    if isinstance(event, CommandRejected):
        return f"{event.command_type} from {event.sender} refused ({event.code}): {event.message}"
    return event.kind
