"""Complaints and suggestions (SP4N-LAPOR) at the hub: deciding, numbering, reading.

The truth is the event log: ``complaint.recorded`` when a kiosk or the console
records one, ``complaint.status_changed`` when upstream reports progress. Both
are written with the command's stored reply in one transaction by
:class:`hub.service.QueueService`. Unlike the queue, complaints outlive the
service day (an agency answers within days), so :class:`ComplaintBook` keeps
their projection over every day in memory, loaded at start from the complaint
events alone (a partial index keeps that read short on a years-old store), and
updated only after a commit. Only their ids and statuses are held in memory;
the texts are read from the store when the console asks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(slots=True)
class _Entry:
    """What the book keeps of one complaint in memory: where its text is, its status."""

    seq: int  # of its complaint.recorded event
    status: ComplaintStatus = ComplaintStatus.RECORDED
    reference: str | None = None


class ComplaintBook:
    """Every complaint recorded, oldest first: its status in memory, its text on disk.

    A hub keeps years of complaints; holding each text in memory would grow a
    Pi's footprint with them, so only the id, the event's sequence number and
    the latest status are kept (about 150 bytes each), and ``show``/``list``
    read the texts from the store through the partial index.
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._entries: dict[str, _Entry] = {}
        self._per_day: dict[str, int] = {}

    @classmethod
    def load(cls, store: EventStore) -> ComplaintBook:
        book = cls(store)
        book.apply(store.complaint_events())
        if book._entries:
            log.info("%d complaint(s) on record", len(book._entries))
        return book

    def apply(self, events: Iterable[tuple[int, Event]]) -> None:
        """Note committed events (with their sequence numbers)."""
        for seq, event in events:
            if isinstance(event, ComplaintRecorded):
                self._entries[event.complaint_id] = _Entry(seq)
                day = event.complaint_id.split("-")[1]
                self._per_day[day] = self._per_day.get(day, 0) + 1
            elif isinstance(event, ComplaintStatusChanged):
                known = self._entries.get(event.complaint_id)
                if known is not None:
                    known.status = event.status
                    known.reference = event.reference or known.reference

    def next_id(self, day: date) -> str:
        stamp = f"{day:%Y%m%d}"
        return f"PGD-{stamp}-{self._per_day.get(stamp, 0) + 1:03d}"

    def status(self, complaint_id: str) -> ComplaintStatus:
        return self._entry(complaint_id).status

    def get(self, complaint_id: str) -> ComplaintView:
        """One complaint in full, with its status history (read from the store)."""
        entry = self._entry(complaint_id)
        history = [
            ComplaintStatusEntry(
                status=event.status, at=event.at, note=event.note, reference=event.reference
            )
            for _seq, event in self.store.complaint_events(about=complaint_id)
            if isinstance(event, ComplaintStatusChanged)
        ]
        recorded = self.store.events_at([entry.seq])[entry.seq]
        assert isinstance(recorded, ComplaintRecorded)
        return self._view(recorded, entry).model_copy(update={"history": history[-100:]})

    def listed(self, status: ComplaintStatus | None, limit: int) -> list[ComplaintView]:
        """Newest first, texts shortened to :data:`LIST_TEXT` and without history."""
        chosen = [
            (complaint_id, entry)
            for complaint_id, entry in reversed(self._entries.items())
            if status in (None, entry.status)
        ][:limit]
        events = self.store.events_at([entry.seq for _, entry in chosen])
        views = []
        for _complaint_id, entry in chosen:
            recorded = events[entry.seq]
            assert isinstance(recorded, ComplaintRecorded)
            views.append(_short(self._view(recorded, entry)))
        return views

    def _entry(self, complaint_id: str) -> _Entry:
        found = self._entries.get(complaint_id)
        if found is None:
            raise Refusal(ErrorCode.UNKNOWN_COMPLAINT, f"no complaint {complaint_id} on record")
        return found

    @staticmethod
    def _view(recorded: ComplaintRecorded, entry: _Entry) -> ComplaintView:
        return view_of(recorded).model_copy(
            update={"status": entry.status, "reference": entry.reference}
        )

    def __len__(self) -> int:
        return len(self._entries)


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
    book.status(update.complaint_id)  # a Refusal for an id the hub never gave
    return ComplaintStatusChanged(
        at=now,
        complaint_id=update.complaint_id,
        status=update.status,
        note=update.note,
        reference=update.reference,
    )
