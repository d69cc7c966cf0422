"""The hub against a failing store: a COMMIT that fails, unreadable snapshots and
events, and a full disk — on real SQLite files, a real broker and, where it is
about the process, a real ``mpp hub run``.

Faults are made the way they happen: SQLite itself fails the COMMIT (a deferred
foreign key a trigger breaks), rows are overwritten on disk, and the disk fills
up through ``PRAGMA max_page_count`` (SQLite reports it exactly as ENOSPC:
SQLITE_FULL).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.app import HubApp
from hub.clock import ManualClock
from hub.service import QueueService
from hub.site.loader import load_site
from hub.storage_watch import StorageWatch
from hub.store import EventStore
from mpp.process import HubProcess
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.models import Reply, TicketReserve
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.hub_harness import MONDAY_0800, Harness, default_roles
from tests.mqtt_client import RecordingClient

# -- a failing COMMIT ---------------------------------------------------------------


def _fail_every_commit(db: sqlite3.Connection) -> None:
    """Make SQLite refuse the COMMIT of any transaction that appends an event."""
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("CREATE TABLE IF NOT EXISTS fault_parent (id INTEGER PRIMARY KEY)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS fault_child (parent INTEGER "
        "REFERENCES fault_parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS fault AFTER INSERT ON events "
        "BEGIN INSERT INTO fault_child VALUES (-1); END"
    )


def test_a_failed_commit_is_rolled_back_and_nothing_advances(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    hub.issue("DUK-KTP")
    store = hub.service.store
    before = hub.service.state.model_dump()
    events_before = store.count_events()
    _fail_every_commit(store.connection)

    command = TicketReserve(
        command_id="5c0ffee0-0000-4000-8000-000000000001",
        device_id="kiosk-01",
        seq=99,
        issued_at=hub.clock.now(),
        service="DUK-KTP",
    )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        hub.service.handle(command)

    assert not store.connection.in_transaction, "left inside the failed transaction"
    assert hub.service.state.model_dump() == before
    assert store.count_events() == events_before
    assert store.stored_reply(str(command.command_id), command.device_id) is None

    store.connection.execute("DROP TRIGGER fault")
    reply = hub.service.handle(command).reply  # the device's retry, same id
    assert reply.ok and reply.ticket is not None
    assert reply.ticket.number == "A-002"  # no number was used up by the failure


# -- unreadable snapshots and events ------------------------------------------------


def _day_with_snapshots(tmp_path: Path) -> Harness:
    """Tickets with two snapshots in between and events after the last one."""
    hub = Harness(tmp_path)
    for round_ in range(3):
        for _ in range(3):
            hub.issue("DUK-KTP")
        hub.open_counter(round_ + 1)
        hub.next(round_ + 1)
        if round_ < 2:
            hub.service.snapshot()
    return hub


def _corrupt_snapshots(db: Path, how_many: int) -> list[int]:
    with sqlite3.connect(db) as connection:
        seqs = [
            row[0]
            for row in connection.execute(
                "SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?", (how_many,)
            )
        ]
        connection.executemany(
            "UPDATE snapshots SET state = ? WHERE seq = ?",
            [('{"day": "2026-11-23", "tickets": {"x": 1', seq) for seq in seqs],
        )
    return seqs


@pytest.mark.parametrize("corrupt", [1, 3], ids=["latest", "all"])
def test_an_unreadable_snapshot_is_skipped_for_an_older_one_or_a_full_replay(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, corrupt: int
) -> None:
    hub = _day_with_snapshots(tmp_path)
    expected = hub.service.state.model_dump()
    hub.service.store.close()
    seqs = _corrupt_snapshots(tmp_path / "hub.db", corrupt)

    with caplog.at_level(logging.WARNING, logger="hub.service"):
        service = hub.restart()

    assert service.state.model_dump() == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for seq in seqs:
        assert any(f"snapshot at event {seq} is unreadable" in w for w in warnings), warnings
    if corrupt == 3:
        assert "no readable snapshot: replaying every event" in warnings
    # A readable snapshot of the rebuilt state replaces them at once.
    latest = service.store.latest_snapshot()
    assert latest is not None and latest[0] == expected["applied"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hub.service"):
        assert hub.restart().state.model_dump() == expected
    assert not caplog.records


def test_the_hub_process_starts_from_an_older_snapshot(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    hub = _day_with_snapshots(tmp_path)
    tickets = len(hub.service.state.tickets)
    hub.service.store.close()
    [seq] = _corrupt_snapshots(tmp_path / "hub.db", 1)

    process = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    process.start()
    try:
        process.wait_for("hub ready in")
    finally:
        assert process.stop() == 0
    output = "".join(process.lines)
    assert f"snapshot at event {seq} is unreadable" in output
    assert f"{tickets} tickets today" in output
    assert "Traceback" not in output


BAD_ROWS = {  # the row's body, and what the error line says about it
    "garbled": (
        '{"kind": "ticket.issued", "at": "2026-11-23T08:00:00+07:00", "ticket_id": ',
        "Invalid JSON",
    ),
    "unknown kind": (
        '{"kind": "ticket.teleported", "at": "2026-11-23T08:00:00+07:00"}',
        "unknown event kind 'ticket.teleported'",
    ),
    "missing field": (
        '{"kind": "ticket.issued", "at": "2026-11-23T08:00:00+07:00"}',
        "ticket_id: Field required",
    ),
    "does not apply": (
        '{"kind": "ticket.issued", "at": "2026-11-23T08:00:00+07:00", '
        '"ticket_id": "20261123-Z-999"}',
        "KeyError: '20261123-Z-999'",
    ),
}


@pytest.mark.parametrize(("body", "why"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_an_unreadable_event_stops_the_hub_with_one_line_naming_it(
    broker: LocalBroker, tmp_path: Path, body: str, why: str
) -> None:
    hub = Harness(tmp_path)
    hub.issue("DUK-KTP")
    hub.issue("DUK-KTP")
    last = hub.service.store.last_seq()
    hub.service.store.close()
    with sqlite3.connect(tmp_path / "hub.db") as connection:
        connection.execute("UPDATE events SET body = ? WHERE seq = ?", (body, last))

    process = HubProcess.on(broker, tmp_path / "hub.db")
    process.spawn()
    code = process.wait(timeout=30)

    output = "".join(process.lines)
    errors = [line for line in process.lines if line.startswith("mpp: error:")]
    assert code == 7, output
    assert len(errors) == 1, output
    assert f"event {last} (" in errors[0]
    assert why in errors[0]
    assert "restore the store from a backup" in errors[0]
    assert "Traceback" not in output
    assert "hub ready" not in output


# -- a full disk ------------------------------------------------------------------------


def _on_worker(app: HubApp, job: Callable[[], Any]) -> Any:
    """Run ``job`` on the hub's worker thread (between commands) and return its result."""
    done = threading.Event()
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(job())
        except Exception as error:
            result.append(error)
            raise
        finally:
            done.set()

    app.link.call_soon(run)
    assert done.wait(10), "the worker did not run the job"
    if isinstance(result[0], Exception):
        raise AssertionError(f"on the worker: {result[0]!r}")
    return result[0]


def _status_reader(broker: LocalBroker) -> RecordingClient:
    reader = RecordingClient(
        broker.host,
        broker.port,
        "display-01",
        broker.password("display-01"),
        "status-reader",
        tls=broker.tls("display-01"),
    )
    reader.connect()
    reader.subscribe("mpp/hub/status")
    return reader


def _code(reply: Reply) -> ErrorCode | None:
    return reply.error.code if reply.error is not None else None


def _fill_up(db: sqlite3.Connection) -> None:
    """No page left to grow into: the store's size is its limit and its free pages are used."""
    db.execute("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for _ in range(10_000):
            db.execute("INSERT INTO filler VALUES (zeroblob(3000))")


def _seed_day(directory: Path, tickets: int = 40) -> None:
    """A day of waiting tickets: closing it takes more room than a page has left."""
    seeded = Harness(directory)
    for _ in range(tickets):
        seeded.issue("DUK-KTP")
    seeded.service.store.close()


def test_a_full_disk_degrades_the_hub_and_it_recovers_by_itself(
    hub_app: Callable[..., HubApp],
    fresh_broker: LocalBroker,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    _seed_day(tmp_path)
    clock = ManualClock(MONDAY_0800)
    app = hub_app(clock)
    db = app.service.store.connection
    kiosk = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    reader = _status_reader(fresh_broker)
    try:
        reader.wait_until("mpp/hub/status", lambda s: s["state"] == "online")
        _on_worker(app, lambda: _fill_up(db))

        # Midnight on a full disk: the ticker cannot close the day. No traceback.
        clock.advance(days=1)
        _on_worker(app, app._tick)
        status = reader.wait_until("mpp/hub/status", lambda s: s["degraded"] == ["storage_full"])
        assert status["state"] == "online"

        # Every command that changes state is answered storage_full; retries too.
        refused = kiosk.command(TicketReserve, service="DUK-KTP")
        assert _code(kiosk.request(refused)) is ErrorCode.STORAGE_FULL
        for _ in range(3):
            assert _code(kiosk.request(refused)) is ErrorCode.STORAGE_FULL
            assert _code(kiosk.send(TicketReserve, service="DUK-KK")) is ErrorCode.STORAGE_FULL
            _on_worker(app, app._tick)
        assert len(app.service.state.tickets) == 40  # the old day, untouched
        assert not db.in_transaction

        _on_worker(app, lambda: db.execute("PRAGMA max_page_count = 1000000"))  # space is back
        _on_worker(app, app._tick)
        reader.wait_until("mpp/hub/status", lambda s: s["degraded"] == [])
        again = kiosk.request(refused)  # the device's retry of the refused command
        assert again.ok and again.ticket is not None, again.error
        assert again.ticket.ticket_id == "20261124-A-001"  # the day was closed first
    finally:
        kiosk.stop()
        reader.stop()

    lines = [r.getMessage() for r in caplog.records]
    assert sum("hub store is full" in line or "still full" in line for line in lines) == 1, lines
    assert sum("hub store writable again" in line for line in lines) == 1, lines
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


class _FakeStore:
    """Just what StorageWatch reads of a store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.full = False
        self.refused_writes = 0

    def refuse(self) -> None:
        self.full = True
        self.refused_writes += 1


def test_a_full_store_is_said_once_a_minute_while_it_lasts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    changes: list[bool] = []
    store = _FakeStore(tmp_path / "hub.db")
    watch = StorageWatch(
        store,  # type: ignore[arg-type]
        lambda: changes.append(watch.full),
        log_every_s=60,
        monotonic=lambda: now[0],
    )
    caplog.set_level(logging.INFO, logger="hub.storage_watch")

    def said() -> list[str]:
        return [r.getMessage() for r in caplog.records]

    watch.update()
    assert said() == [] and changes == []
    for at in (1000.0, 1001.0, 1030.0, 1059.9):  # a command refused now and then, and ticks
        now[0] = at
        store.refuse()
        watch.update()
    assert changes == [True]
    assert len(said()) == 1 and "hub store is full" in said()[0]

    now[0] = 1060.0
    watch.update()
    assert len(said()) == 2
    assert said()[1].startswith("hub store still full after 60 s: 3 writes refused")

    now[0] = 1070.0
    store.full = False
    watch.update()
    assert changes == [True, False]
    assert said()[2] == "hub store writable again after 70 s; 4 writes were refused meanwhile"

    now[0] = 1080.0  # full again within the minute: the status says so, the log does not
    store.refuse()
    watch.update()
    assert changes == [True, False, True]
    assert len(said()) == 3


def test_a_store_opened_on_a_full_disk_still_starts(tmp_path: Path) -> None:
    """A restart on a full disk: the state is read; the day roll-over waits for room."""
    _seed_day(tmp_path)
    store = EventStore(tmp_path / "hub.db")
    _fill_up(store.connection)
    service = QueueService(
        load_site(), store, default_roles(), ManualClock(MONDAY_0800 + timedelta(days=1))
    )

    assert service.open() == []
    assert store.full
    assert len(service.state.tickets) == 40  # yesterday's, until the day can roll over
    assert service.tick() == []  # the probe finds no room

    store.connection.execute("PRAGMA max_page_count = 1000000")  # space comes back
    events = service.tick()
    assert [e.kind for e in events[-2:]] == ["ticket.cancelled", "day.opened"]
    assert not store.full
    assert service.state.tickets == {}
