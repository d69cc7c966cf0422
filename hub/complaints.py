"""Complaints and suggestions (SP4N-LAPOR) at the hub: deciding, numbering, reading.

The truth is the event log: ``complaint.recorded`` when a kiosk or the console
records one, ``complaint.status_changed`` when upstream reports progress. Both
are written with the command's stored reply in one transaction by
:class:`hub.service.QueueService`. Unlike the queue, complaints outlive the
service day (an agency answers within days), so :class:`ComplaintBook` keeps
their projection over every day in memory, loaded at start from the complaint
events alone (a partial index keeps that read short on a years-old store), and
updated only after a commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub.admin_commands import find_ticket
from hub.decide import Refusal
from hub.events import ComplaintRecorded, ComplaintStatusChanged, Event, TicketReserved
from hub.site.schema import Site
from hub.state import QueueState
from hub.store import EventStore
from protocol.errors import ErrorCode
from protocol.models import (
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    ComplaintStatusUpdate,
    ComplaintView,
)
from protocol.models.complaints import ComplaintStatusEntry

log = logging.getLogger(__name__)
LIST_TEXT = 160  # characters of the text in a list; `show` has it all
_TICKET_ID = re.compile(r"^([0-9]{8})-")


class ComplaintBook:
    """Every complaint recorded, newest last, with its latest status."""

    def __init__(self) -> None:
        self._items: dict[str, ComplaintView] = {}
        self._per_day: dict[str, int] = {}

    @classmethod
    def load(cls, store: EventStore) -> ComplaintBook:
        book = cls()
        book.apply(store.complaint_events())
        if book._items:
            log.info("%d complaint(s) on record", len(book._items))
        return book

    def apply(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, ComplaintRecorded):
                self._items[event.complaint_id] = view_of(event)
                day = event.complaint_id.split("-")[1]
                self._per_day[day] = self._per_day.get(day, 0) + 1
            elif isinstance(event, ComplaintStatusChanged):
                known = self._items.get(event.complaint_id)
                if known is None:
                    continue
                entry = ComplaintStatusEntry(
                    status=event.status, at=event.at, note=event.note, reference=event.reference
                )
                self._items[event.complaint_id] = known.model_copy(
                    update={
                        "status": event.status,
                        "reference": event.reference or known.reference,
                        "history": [*known.history, entry][-100:],
                    }
                )

    def next_id(self, day: date) -> str:
        stamp = f"{day:%Y%m%d}"
        return f"PGD-{stamp}-{self._per_day.get(stamp, 0) + 1:03d}"

    def get(self, complaint_id: str) -> ComplaintView:
        found = self._items.get(complaint_id)
        if found is None:
            raise Refusal(ErrorCode.UNKNOWN_COMPLAINT, f"no complaint {complaint_id} on record")
        return found

    def listed(self, status: ComplaintStatus | None, limit: int) -> list[ComplaintView]:
        """Newest first, texts shortened to :data:`LIST_TEXT` and without history."""
        chosen = [c for c in reversed(self._items.values()) if status in (None, c.status)]
        return [_short(c) for c in chosen[:limit]]

    def __len__(self) -> int:
        return len(self._items)


def view_of(event: ComplaintRecorded) -> ComplaintView:
    return ComplaintView(
        complaint_id=event.complaint_id,
        category=event.category,
        text=event.text,
        contact=event.contact,
        ticket_id=event.ticket_id,
        service=event.service,
        agency=event.agency,
        source=event.source,
        recorded_at=event.recorded_at,
    )


def _short(view: ComplaintView) -> ComplaintView:
    text = view.text if len(view.text) <= LIST_TEXT else view.text[: LIST_TEXT - 1] + "…"
    return view.model_copy(update={"text": text, "history": []})


def record(
    site: Site,
    state: QueueState,
    store: EventStore,
    book: ComplaintBook,
    *,
    category: ComplaintCategory,
    text: str,
    contact: str | None,
    ticket: str | None,
    service: str | None,
    source: ComplaintSource,
    now: datetime,
) -> ComplaintRecorded:
    """The event recording one complaint; a Refusal for a ticket or service the hub
    does not know (the citizen corrects or clears it rather than file it nowhere)."""
    ticket_id = None
    if ticket is not None:
        ticket_id, service = _ticket_service(state, store, ticket)
    agency = None
    if service is not None:
        if not site.has_service(service):
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"unknown service {service}")
        agency = site.service(service).agency
    local_day = now.astimezone(ZoneInfo(site.timezone)).date()
    return ComplaintRecorded(
        at=now,
        complaint_id=book.next_id(local_day),
        category=category,
        text=text,
        contact=contact,
        ticket_id=ticket_id,
        service=service,
        agency=agency,
        source=source,
        recorded_at=now,
    )


def _ticket_service(state: QueueState, store: EventStore, reference: str) -> tuple[str, str]:
    """The ticket id and the service of its last visit (or the one it was taken for):
    today's from the state, an earlier day's from its ``ticket.reserved`` event."""
    match = _TICKET_ID.match(reference)
    if match is None or reference in state.tickets:
        found = find_ticket(state, reference)
        service = found.visits[-1].service if found.visits else found.service
        return found.ticket_id, service
    reserved = store.reserved_event(reference)
    if not isinstance(reserved, TicketReserved):
        raise Refusal(ErrorCode.UNKNOWN_TICKET, f"unknown ticket {reference}")
    return reserved.ticket_id, reserved.service


def status_change(
    book: ComplaintBook, update: ComplaintStatusUpdate, now: datetime
) -> ComplaintStatusChanged:
    book.get(update.complaint_id)  # a Refusal for an id the hub never gave
    return ComplaintStatusChanged(
        at=now,
        complaint_id=update.complaint_id,
        status=update.status,
        note=update.note,
        reference=update.reference,
    )
