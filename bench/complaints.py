"""Complaints at the hub: what recording one costs, and reading them all back at start-up.

The hub keeps every complaint of every day in memory, read at start from the
complaint events of its store (hub/complaints.py). The read uses a partial
index holding only those rows, so a store grown over years of queue events
does not slow the start. Prints:

* ``complaint.submit`` at the hub's service (durable: SQLite synchronous=FULL),
  median and p99;
* the start-up read of ``--complaints`` complaints among ``--filler`` other
  events, with the partial index and without it (a full scan), median of 5;
* what the book holds in memory per complaint;
* ``admin.complaint.list`` (50 newest; their texts read from the store).

    .venv/bin/python bench/complaints.py [--complaints 2000] [--filler 500000]
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.complaints import ComplaintBook  # noqa: E402
from hub.events import TicketIssued, event_to_json  # noqa: E402
from protocol.models import ComplaintCategory, ComplaintSubmit  # noqa: E402
from tests.hub_harness import MONDAY_0800, Harness  # noqa: E402


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=2000)
    parser.add_argument("--filler", type=int, default=500_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        harness = Harness(Path(scratch))
        times = []
        for index in range(args.complaints):
            start = time.perf_counter()
            harness.ok(
                ComplaintSubmit,
                "kiosk-01",
                category=ComplaintCategory.SARAN,
                text=f"Saran nomor {index}: mohon tambah kursi di ruang tunggu lantai 1.",
            )
            times.append(time.perf_counter() - start)
        p50, p99 = _ms(times)
        print(f"complaint.submit at the service: p50 {p50:.2f} ms, p99 {p99:.2f} ms")

        store = harness.service.store
        body = event_to_json(TicketIssued(at=MONDAY_0800, ticket_id="20261123-A-001"))
        db = store.connection
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO events (day, at, kind, body) VALUES (?, ?, 'ticket.issued', ?)",
            (("2026-11-23", MONDAY_0800.isoformat(), body) for _ in range(args.filler)),
        )
        db.execute("COMMIT")
        loads, indexed, scanned = [], [], []
        query = "SELECT seq, kind, body FROM events {} WHERE kind GLOB 'complaint.*' ORDER BY seq"
        for _ in range(5):
            start = time.perf_counter()
            book = ComplaintBook.load(store)
            loads.append(time.perf_counter() - start)
            for rows, hint in ((indexed, ""), (scanned, "NOT INDEXED")):
                start = time.perf_counter()
                db.execute(query.format(hint)).fetchall()
                rows.append(time.perf_counter() - start)
        assert len(book) == args.complaints

        def median(samples: list[float]) -> str:
            return f"{statistics.median(samples) * 1000:.1f} ms"

        print(
            f"start-up read of {args.complaints} complaints among {args.filler} other events: "
            f"{median(loads)} in all; the rows {median(indexed)} with the partial index, "
            f"{median(scanned)} by a full scan"
        )
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        kept = ComplaintBook.load(store)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        print(
            f"the book in memory: {held / 1024:.0f} KiB for {len(kept)} complaints "
            f"({held / len(kept):.0f} bytes each; the texts stay on disk)"
        )
        listing = []
        for _ in range(200):
            start = time.perf_counter()
            book.listed(None, 50)
            listing.append(time.perf_counter() - start)
        print(f"admin.complaint.list (50 newest, texts from disk): p50 {_ms(listing)[0]:.2f} ms")


if __name__ == "__main__":
    main()
