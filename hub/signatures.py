"""Accept a citizen's signature for a ticket and keep it with what it vouches for.

The contract (protocol/models/signature.py) already refused empty, trivial,
oversized and tampered stroke data; here the hub checks the signature belongs
to a ticket it holds, served at the pad's counter, and stores the strokes with
ticket, counter, service and agency in the same transaction as the command's
reply, so an ``ok`` is never sent for a signature that is not on disk. The
strokes are the evidence (the receipt's image is drawn from them); they live in
their own table, not the event log, so replaying the day never carries them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.decide import Decision, Refusal
from hub.events import SignatureStored, SignatureWaived
from hub.site.schema import Site
from hub.state import QueueState
from hub.store import EventStore
from protocol.errors import ErrorCode
from protocol.models import (
    Receipt,
    SignatureSubmit,
    Stroke,
    StrokePoint,
    TicketState,
    WaiveReason,
)
from protocol.models.signature import canonical_strokes
from protocol.roles import Role

# A signature is given while the citizen is at the counter or just after the
# ticket was finished there (the hand-over).
SIGNABLE = frozenset({TicketState.CALLED, TicketState.SERVING, TicketState.DONE})


@dataclass(frozen=True)
class Accepted:
    """What was stored, or found stored already (the same strokes sent again)."""

    ticket_id: str
    sha256: str
    again: bool
    event: SignatureStored | None = None  # None when found stored already


def check_and_store(
    site: Site,
    state: QueueState,
    store: EventStore,
    submission: SignatureSubmit,
    sender_role: Role,
    now: datetime,
) -> Accepted:
    """Refuse a signature that does not belong here; else store it (inside a transaction)."""
    if sender_role is Role.COUNTER:
        own = site.counter_of_device(submission.device_id)
        if own is None or own.number != submission.counter:
            raise Refusal(
                ErrorCode.NOT_AUTHORISED,
                f"{submission.device_id} is not the unit of counter {submission.counter}",
            )
    ticket = state.tickets.get(submission.ticket_id)
    if ticket is None:
        raise Refusal(
            ErrorCode.UNKNOWN_TICKET,
            f"ticket {submission.ticket_id} is not one of today's ({state.day})",
        )
    if ticket.counter != submission.counter or ticket.state not in SIGNABLE:
        where = f"counter {ticket.counter}" if ticket.counter else "no counter"
        raise Refusal(
            ErrorCode.INVALID_STATE,
            f"{ticket.number} is {ticket.state.value} at {where}, not served at counter "
            f"{submission.counter}: nothing to sign for",
        )
    stored = store.signature(submission.ticket_id)
    if stored is not None:
        if stored["sha256"] == submission.sha256:
            return Accepted(submission.ticket_id, submission.sha256, again=True)
        raise Refusal(
            ErrorCode.INVALID_STATE,
            f"{ticket.number} is signed already (sha256 {str(stored['sha256'])[:12]}…)",
        )
    service = site.service(ticket.service)
    event = SignatureStored(
        at=now,
        ticket_id=submission.ticket_id,
        sha256=submission.sha256,
        counter=submission.counter,
        service=service.code,
        agency=service.agency,
        device_id=submission.device_id,
        signed_at=now,
    )
    store.save_signature(
        {
            "ticket_id": submission.ticket_id,
            "signed_at": now.isoformat(),
            "device_id": submission.device_id,
            "counter": submission.counter,
            "service": service.code,
            "agency": service.agency,
            "officer": _on_duty(state, submission.counter),
            "request_id": str(submission.request_id) if submission.request_id else None,
            "sha256": submission.sha256,
            "points": sum(len(s.points) for s in submission.strokes),
            "width_mm": submission.width_mm,
            "height_mm": submission.height_mm,
            "strokes": canonical_strokes(submission.strokes).decode("ascii"),
        }
    )
    return Accepted(submission.ticket_id, submission.sha256, again=False, event=event)


def waive(
    state: QueueState,
    ticket_id: str,
    reason: WaiveReason,
    detail: str,
    now: datetime,
    counter: int | None = None,
    device_id: str | None = None,
    account: str | None = None,
) -> Decision:
    """Hand over without a signature: close the open request, keeping why.

    ``counter`` (a counter unit's waive) must be the counter the request is at.
    """
    ask = state.signature_asks.get(ticket_id)
    ticket = state.tickets.get(ticket_id)
    number = ticket.number if ticket else ticket_id
    if ask is None or (counter is not None and ask.counter != counter):
        where = f" at counter {counter}" if counter is not None else ""
        raise Refusal(
            ErrorCode.INVALID_STATE,
            f"no signature is being asked for {number}{where} (signed, expired or waived)",
        )
    event = SignatureWaived(
        at=now,
        ticket_id=ticket_id,
        counter=ask.counter,
        reason=reason,
        detail=detail,
        device_id=device_id,
        account=account,
    )
    return Decision([event], ticket_id=ticket_id, counter=ask.counter)


def _on_duty(state: QueueState, counter: int) -> str | None:
    """Who handed over: the officer signed in at the counter, as the receipt names them."""
    record = state.counter(counter)
    if record.officer is None:
        return None
    return f"{record.officer_name} (NIP {record.officer})"


def receipt(site: Site, store: EventStore, ticket_id: str) -> Receipt:
    """The hand-over receipt of a ticket from its stored signature (any day it was kept)."""
    row = store.signature(ticket_id)
    if row is None:
        raise Refusal(ErrorCode.UNKNOWN_TICKET, f"no signature is stored for {ticket_id}")
    code = str(row["service"])
    service = site.services_by_code.get(code)
    agency = site.agencies_by_code.get(str(row["agency"]))
    purged = not row["strokes"]  # emptied by the retention purge: the hash stays
    strokes = [
        Stroke(points=[StrokePoint(x=x, y=y, pressure=p, t=int(t)) for x, y, p, t in points])
        for points in ([] if purged else stored_strokes(row))
    ]
    return Receipt(
        ticket_id=ticket_id,
        number=ticket_id.split("-", 1)[1],
        site_name=site.name,
        agency_name=agency.name if agency else str(row["agency"]),
        service_name=service.name if service else code,
        document=service.short_name if service else None,
        counter=int(str(row["counter"])),
        device_id=str(row["device_id"]),
        officer=str(row["officer"]) if row["officer"] else None,
        signed_at=datetime.fromisoformat(str(row["signed_at"])),
        time_zone=site.timezone,
        sha256=str(row["sha256"]),
        strokes=strokes,
        strokes_purged=purged,
    )


def retention_cutoff(site: Site, now: datetime) -> datetime:
    """Signatures signed before this instant are past the site's retention."""
    return now - timedelta(days=site.signatures.retention_days)


def stored_strokes(row: dict[str, object]) -> list[list[list[float]]]:
    """The strokes of a stored signature as ``[[[x, y, pressure, t], …], …]``."""
    return json.loads(str(row["strokes"]))
