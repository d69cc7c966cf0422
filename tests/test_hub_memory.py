"""The hub's memory stays flat through the afternoon (bench/soak.py has the figures).

What grew with every ticket of a busy day: a ticket kept as a pydantic model
(~2.4 kB, its instance dict and fields-set), and SQLite's page cache filling to
its 2 MB default as the day's events were written. These fail when either comes
back; they do not weigh memory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hub.site.schema import CategoryCode
from hub.state import QueueState, TicketRecord, Visit
from hub.store import CACHE_KIB, EventStore
from protocol.models import TicketState

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _ticket(n: int) -> TicketRecord:
    return TicketRecord(
        ticket_id=f"t-{n}",
        number=f"A-{n:03d}",
        service="DUK-KK",
        origin_service="DUK-KK",
        category=CategoryCode.REGULAR,
        state=TicketState.DONE,
        device_id="kiosk-01",
        reserved_at=AT,
        people_ahead=2,
        estimated_wait_min=10,
        issued_at=AT,
        order=n,
        visits=[Visit(service="DUK-KK", counter=3, finished_at=AT)],
    )


def test_a_ticket_of_the_day_has_no_instance_dict() -> None:
    ticket = _ticket(1)
    assert not hasattr(ticket, "__dict__"), "a ticket per instance dict: ~1.8 kB more each"
    assert not hasattr(ticket.visits[0], "__dict__")


def test_the_day_still_snapshots_and_restores_its_tickets() -> None:
    state = QueueState(day=AT.date(), tickets={t.ticket_id: t for t in map(_ticket, range(3))})
    restored = QueueState.model_validate_json(state.model_dump_json())
    assert restored.tickets == state.tickets
    assert isinstance(restored.tickets["t-1"], TicketRecord)
    assert restored.tickets["t-1"].visits[0].counter == 3
    copy = state.model_copy(deep=True)
    copy.tickets["t-1"].state = TicketState.WAITING
    assert state.tickets["t-1"].state is TicketState.DONE, "a projected state is a copy"


def test_sqlite_keeps_a_fixed_small_page_cache(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db")
    try:
        (size,) = store._db.execute("PRAGMA cache_size").fetchone()
    finally:
        store.close()
    assert size == -CACHE_KIB, "SQLite's default (2,000 KiB) fills all day long"
    assert 0 < CACHE_KIB <= 1024, "a budget full within the first hour of a busy day"
