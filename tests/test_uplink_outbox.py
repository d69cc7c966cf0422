"""The outbox: filled in the events' own transaction, in order per stream, bounded
with declared drops, forgotten only when upstream acknowledges."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import BaseModel

from hub.events import ComplaintRecorded, SatisfactionRated
from hub.store import EventStore
from hub.uplink.outbox import OutboxLimits
from hub.uplink.streams import EVENT_STREAMS, device_health_entry, entry_of
from protocol.models import AdminDayClose, CounterFinish, SatisfactionRate, SatisfactionRating
from tests.hub_harness import MONDAY_0800, Harness


def _complaint(number: int) -> ComplaintRecorded:
    return ComplaintRecorded(
        at=MONDAY_0800,
        complaint_id=f"C-{number:04d}",
        category="pengaduan",
        text="Antrean terlalu lama di loket 3",
        contact="081234567890",
        ticket_id="20261123-A-001",
        service="DUK-KTP",
        agency="dukcapil",
        source="kiosk",
        recorded_at=MONDAY_0800,
    )


def _append(store: EventStore, *events: BaseModel) -> None:
    with store.transaction():
        store.append(list(events), MONDAY_0800.date())  # type: ignore[arg-type]


def test_a_complaint_is_queued_with_every_field_the_uplink_carries(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db")
    _append(store, _complaint(1))
    (item,) = store.outbox.pending("complaints", 0, 10)
    assert (item.seq, item.follows, item.kind) == (1, 0, "complaint.recorded")
    assert item.payload == {
        "complaint_id": "C-0001",
        "category": "pengaduan",
        "text": "Antrean terlalu lama di loket 3",
        "contact": "081234567890",
        "ticket_id": "20261123-A-001",
        "service": "DUK-KTP",
        "agency": "dukcapil",
        "source": "kiosk",
        "recorded_at": "2026-11-23T01:00:00Z",
    }


def test_a_signature_receipt_goes_upstream_as_its_hash_only(tmp_path: Path) -> None:
    class SignatureStored(BaseModel):  # the issue 15 event, as it is agreed
        kind: str = "signature.stored"
        at: object
        ticket_id: str
        sha256: str
        counter: int
        service: str
        agency: str
        device_id: str
        signed_at: str
        strokes: list[int]

    event = SignatureStored(
        at=MONDAY_0800,
        ticket_id="20261123-A-001",
        sha256="ab" * 32,
        counter=3,
        service="DUK-KTP",
        agency="dukcapil",
        device_id="sigpad-03",
        signed_at="2026-11-23T01:05:00Z",
        strokes=[1, 2, 3],
    )
    entry = entry_of(event)
    assert entry is not None and entry.stream == "signatures"
    assert "strokes" not in entry.payload and entry.payload["sha256"] == "ab" * 32
    assert set(EVENT_STREAMS) >= {"complaint.recorded", "skm.rated", "survey.answered"}


def test_a_rating_is_in_the_outbox_exactly_when_its_event_is_committed(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    hub.open_counter(1)
    ticket = hub.issue("DUK-KTP")
    hub.next(1)
    hub.ok(CounterFinish, "counter-01")
    hub.ok(SatisfactionRate, "counter-01", ticket_id=ticket, rating=SatisfactionRating.PUAS)
    (item,) = hub.service.store.outbox.pending("ratings", 0, 10)
    assert item.payload == {
        "ticket_id": ticket,
        "counter": 1,
        "service": "DUK-KTP",
        "agency": hub.site.service("DUK-KTP").agency,
        "rating": 3,
    }
    # A rating refused (twice) adds nothing; a failed transaction adds nothing.
    hub.cmd(SatisfactionRate, "counter-01", ticket_id=ticket, rating=SatisfactionRating.PUAS)
    store = hub.service.store
    with pytest.raises(RuntimeError), store.transaction():
        store.append([_complaint(9)], MONDAY_0800.date())
        raise RuntimeError("the command failed after the append")
    assert store.outbox.pending("complaints", 0, 10) == []
    assert store.outbox.waiting() == 1
    # It survives a restart (it is in the store's file).
    hub.restart()
    assert [i.seq for i in hub.service.store.outbox.pending("ratings", 0, 10)] == [1]


def test_the_day_s_figures_are_queued_when_the_day_rolls_over(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    hub.issue("DUK-KTP")
    hub.clock.advance(days=1)
    hub.service.tick()
    (item,) = hub.service.store.outbox.pending("daily_stats", 0, 10)
    assert item.payload["day"] == "2026-11-23" and item.payload["tickets"] == 1


def test_the_admin_s_day_close_sends_the_day_s_figures_once(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    hub.issue("DUK-KTP")
    close = AdminDayClose(
        command_id=uuid4(), account="admin", issued_at=hub.clock.now(), confirm_day="2026-11-23"
    )
    assert hub.service.handle_admin(close).reply.ok
    (item,) = hub.service.store.outbox.pending("daily_stats", 0, 10)
    assert item.payload["day"] == "2026-11-23"
    hub.clock.advance(days=1)
    hub.service.tick()  # the roll-over: the closed day is not sent again
    assert len(hub.service.store.outbox.pending("daily_stats", 0, 10)) == 1


def test_acknowledged_items_are_forgotten_and_the_rest_kept_in_order(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db")
    for number in range(1, 6):
        _append(store, _complaint(number))
    with store.transaction():
        assert store.outbox.acknowledged("complaints", 3) == 3
    with store.transaction():
        assert store.outbox.acknowledged("complaints", 2) == 0  # a late, older ack
    assert [i.seq for i in store.outbox.pending("complaints", 0, 10)] == [4, 5]
    assert store.outbox.streams() == {"complaints": 3}
    with pytest.raises(ValueError, match="numbered only 5"), store.transaction():
        store.outbox.acknowledged("complaints", 9)


def test_at_the_bound_the_most_expendable_oldest_item_goes_and_the_gap_is_declared(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = EventStore(
        tmp_path / "hub.db", OutboxLimits(max_items=4, alert_items=100, upstream=True)
    )
    for number in range(1, 4):
        _append(store, _complaint(number))
    store.enqueue(device_health_entry([{"device_id": "kiosk-01", "online": True}], MONDAY_0800))
    _append(store, _complaint(4))  # over the bound: device health goes first
    assert store.outbox.pending("device_health", 0, 10) == []
    _append(store, _complaint(5))  # only complaints left: the oldest goes
    _append(store, _complaint(6))
    items = store.outbox.pending("complaints", 0, 10)
    assert [(i.seq, i.follows) for i in items] == [(3, 0), (4, 3), (5, 4), (6, 5)]
    assert "device_health item 1 dropped unsent (1 since start)" in caplog.text
    backlog = {s.stream: s for s in store.outbox.backlog()}
    assert backlog["complaints"].dropped == 2 and backlog["device_health"].dropped == 1
    alert = store.outbox.alert(MONDAY_0800)
    assert alert is not None and "3 item(s) dropped at the bound of 4" in alert
    with store.transaction():
        store.outbox.acknowledged("complaints", 3)
    assert [(i.seq, i.follows) for i in store.outbox.pending("complaints", 0, 10)] == [
        (4, 3),
        (5, 4),
        (6, 5),
    ]
    # The event log still holds every complaint.
    kinds = store.connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert kinds == 6


def test_the_backlog_alert_says_how_many_wait_and_how_old_the_oldest_is(tmp_path: Path) -> None:
    store = EventStore(
        tmp_path / "hub.db", OutboxLimits(alert_items=3, alert_age_min=60, upstream=True)
    )
    _append(store, _complaint(1))
    assert store.outbox.alert(MONDAY_0800) is None
    assert store.outbox.alert(MONDAY_0800 + timedelta(minutes=90)) == (
        "oldest unsent item is 1.5 h old"
    )
    _append(store, _complaint(2), _complaint(3))
    assert store.outbox.alert(MONDAY_0800) == "3 items waiting to go upstream"


def test_a_site_without_an_upstream_keeps_its_items_without_an_alert(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db", OutboxLimits(alert_items=1))
    _append(store, _complaint(1), _complaint(2))
    assert store.outbox.waiting() == 2
    assert store.outbox.alert(MONDAY_0800 + timedelta(days=3)) is None


def test_the_outbox_tables_are_in_the_event_store_file(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db")
    _append(store, _complaint(1))
    store.close()
    with sqlite3.connect(tmp_path / "hub.db") as db:
        assert db.execute("SELECT stream, seq FROM outbox").fetchall() == [("complaints", 1)]


def test_rated_event_maps_to_ratings() -> None:
    event = SatisfactionRated(
        at=MONDAY_0800,
        ticket_id="20261123-A-001",
        counter=1,
        service="DUK-KTP",
        agency="dukcapil",
        rating=SatisfactionRating.SANGAT_PUAS,
    )
    entry = entry_of(event)
    assert entry is not None and entry.stream == "ratings"
