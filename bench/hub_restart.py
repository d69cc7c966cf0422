"""Restart time of the hub with one year of history in its store.

Builds a store holding ~400,000 tickets over 245 service days (the archived
days written in bulk, in the same row format the hub writes), then runs the
real queue service through a busy morning of today (with its snapshots), and
measures:

* rebuild: opening the store and rebuilding today's state, in-process;
* start-to-ready: ``mpp hub run`` as a new process (imports, site and
  inventory loading, rebuild, broker connect, first state publication) until
  it logs "hub ready".  Goal: < 2 s.

    .venv/bin/python bench/hub_restart.py [--tickets 400000] [--today 600]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from firmware_config.inventory import load_inventory  # noqa: E402
from hub.clock import ManualClock  # noqa: E402
from hub.service import QueueService  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from hub.state import QueueState  # noqa: E402
from hub.store import EventStore  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import start_local_broker  # noqa: E402
from protocol.models import CounterFinish, CounterNext  # noqa: E402
from tests.hub_harness import Harness  # noqa: E402

TODAY = date(2026, 11, 23)
DAYS = 245
WIB = timedelta(hours=7)


def _service_days() -> list[date]:
    days: list[date] = []
    day = TODAY - timedelta(days=1)
    while len(days) < DAYS:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def write_history(db: Path, tickets: int) -> int:
    """Archived days, written in bulk in the hub's row format; returns events written."""
    site = load_site()
    services = [s for s in site.services if s.daily_quota is None or s.daily_quota > 50]
    per_day = tickets // DAYS
    store = EventStore(db)
    connection = store.connection
    rows = 0
    connection.execute("BEGIN")
    for day in _service_days():
        opened = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=0, minutes=30)
        events = [
            (
                day.isoformat(),
                opened.isoformat(),
                "day.opened",
                json.dumps(
                    {"at": opened.isoformat(), "kind": "day.opened", "day": day.isoformat()}
                ),
            )
        ]
        numbers = []
        per_prefix: dict[str, int] = {}
        for index in range(per_day):
            service = services[index % len(services)]
            per_prefix[service.prefix] = per_prefix.get(service.prefix, 0) + 1
            number = f"{service.prefix}-{per_prefix[service.prefix]:03d}"
            ticket_id = f"{day:%Y%m%d}-{number}"
            at = opened + timedelta(seconds=30 + index * 15)
            common = {"ticket_id": ticket_id}
            for offset, kind, extra in (
                (
                    0,
                    "ticket.reserved",
                    {
                        "number": number,
                        "service": service.code,
                        "category": "reguler",
                        "device_id": "kiosk-01",
                        "people_ahead": 3,
                        "estimated_wait_min": 12,
                    },
                ),
                (2, "ticket.issued", {}),
                (600, "ticket.called", {"counter": 1, "event_id": str(uuid.uuid4())}),
                (1000, "ticket.done", {"counter": 1}),
            ):
                moment = (at + timedelta(seconds=offset)).isoformat()
                body = {"at": moment, "kind": kind, **common, **extra}
                events.append((day.isoformat(), moment, kind, json.dumps(body)))
            numbers.append((day.isoformat(), number, ticket_id))
        connection.executemany(
            "INSERT INTO events (day, at, kind, body) VALUES (?, ?, ?, ?)", events
        )
        connection.executemany("INSERT INTO numbers VALUES (?, ?, ?)", numbers)
        connection.execute(
            "INSERT INTO day_archive VALUES (?, ?)",
            (day.isoformat(), json.dumps({"tickets": per_day})),
        )
        rows += len(events)
    last = store.last_seq()
    state = QueueState(day=_service_days()[-1], applied=last)
    connection.execute(
        "INSERT INTO snapshots VALUES (?, ?, ?)",
        (last, state.day.isoformat() if state.day else None, state.model_dump_json()),
    )
    connection.execute("COMMIT")
    store.close()
    return rows


def run_today(directory: Path, tickets: int) -> int:
    """A real morning through the queue service: its events, snapshots and replies."""
    harness = Harness(
        directory, start=datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=1)
    )
    counters = (1, 3, 4, 5, 6, 7, 8, 10)
    for number in counters:
        harness.open_counter(number)
    services = [
        "DUK-KTP",
        "DUK-KK",
        "DUK-AKTA",
        "POL-SIM",
        "POL-SKCK",
        "BL-BAYAR",
        "BPJSKES-DAFTAR",
        "PTSP-NIB",
    ]
    for index in range(tickets):
        harness.issue(
            services[index % len(services)],
            "prioritas" if index % 10 == 0 else "reguler",
            kiosk="kiosk-01" if index % 2 else "kiosk-02",
        )
        harness.clock.advance(seconds=20)
        if index % 2:
            counter = f"counter-{counters[(index // 2) % len(counters)]:02d}"
            harness.cmd(CounterNext, counter)
            harness.cmd(CounterFinish, counter)
        harness.service.tick()
    harness.service.store.close()
    return tickets


def measure_rebuild(db: Path) -> tuple[float, int]:
    started = time.perf_counter()
    service = QueueService(
        load_site(),
        EventStore(db),
        {},
        ManualClock(datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=5)),
    )
    service.state = service._rebuild()
    elapsed = time.perf_counter() - started
    tickets = len(service.state.tickets)
    service.store.close()
    return elapsed, tickets


def measure_start_to_ready(directory: Path, db: Path) -> float:
    broker = start_local_broker(directory / "broker-run", load_inventory())
    hub = HubProcess.on(
        broker,
        db,
        clock_start=f"{TODAY.isoformat()}T12:00+07:00",
    )
    try:
        return hub.start()
    finally:
        hub.stop()
        broker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=400_000)
    parser.add_argument("--today", type=int, default=600, help="tickets issued today so far")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpp-restart-") as name:
        directory = Path(name)
        db = directory / "hub.db"
        started = time.perf_counter()
        events = write_history(db, args.tickets)
        run_today(directory, args.today)
        built = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in directory.glob("hub.db*")) / 1e6
        print(
            f"store: {events:,} archived events ({args.tickets:,} tickets over {DAYS} days) "
            f"+ {args.today} tickets today; {size_mb:.0f} MB; built in {built:.0f} s"
        )
        rebuilds = [measure_rebuild(db) for _ in range(args.runs)]
        readies = [measure_start_to_ready(directory, db) for _ in range(args.runs)]
    rebuild = statistics.median(r[0] for r in rebuilds)
    ready = statistics.median(readies)
    print(
        f"rebuild today's state in-process: {rebuild * 1000:.0f} ms "
        f"({rebuilds[0][1]} tickets in state; median of {args.runs})"
    )
    print(
        f"process start -> hub ready: {ready * 1000:.0f} ms (median of {args.runs}; "
        f"min {min(readies) * 1000:.0f} ms) — goal < 2000 ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
