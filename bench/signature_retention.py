"""Signatures at the hub: what a year of them weighs and what the daily purge costs.

A flagged hand-over (KTP-el, KK, akta) stores its strokes (canonical JSON,
typically 300–800 points) in the hub's SQLite store. The retention purge
(hub/service.py ``purge_signatures``) empties the strokes past
``signatures.retention_days`` in write transactions of ``PURGE_BATCH`` on the
hub's only worker: while one runs no command is answered (a counter's press is
valid 5 s), so a batch's time matters. Prints,
for ``--signatures`` stored signatures of ``--points`` points each:

* bytes per stored signature and the store's size;
* the purge of the older half: total and per-batch times, and the store's size
  after it (SQLite reuses the freed pages; the file shrinks only with VACUUM).

    .venv/bin/python bench/signature_retention.py [--signatures 20000] [--points 600]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.service import PURGE_BATCH  # noqa: E402
from hub.store import EventStore  # noqa: E402
from protocol.models import Stroke, StrokePoint  # noqa: E402
from protocol.models.signature import canonical_strokes, strokes_sha256  # noqa: E402


def _strokes(points: int, seed: int) -> list[Stroke]:
    per = max(10, points // 3)
    return [
        Stroke(
            points=[
                StrokePoint(
                    x=round(0.1 + 0.25 * s + 0.2 * i / per, 4),
                    y=round(0.5 + 0.2 * math.sin((i + seed) / 5), 4),
                    pressure=round(0.3 + 0.5 * abs(math.sin(i / 7)), 4),
                    t=s * 900 + i * 5,
                )
                for i in range(per)
            ]
        )
        for s in range(3)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=20000)
    parser.add_argument("--points", type=int, default=600)
    args = parser.parse_args()
    start = datetime(2025, 11, 24, 1, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "hub.db"
        store = EventStore(path)
        stroke_bytes = 0
        for batch in range(0, args.signatures, 500):
            with store.transaction():
                for index in range(batch, min(batch + 500, args.signatures)):
                    strokes = _strokes(args.points, index)
                    text = canonical_strokes(strokes).decode("ascii")
                    stroke_bytes += len(text)
                    at = start + timedelta(minutes=26 * index)  # ~55 a day over a year
                    store.save_signature(
                        {
                            "ticket_id": f"{at:%Y%m%d}-A-{index % 1000:03d}x{index}",
                            "signed_at": at.isoformat(),
                            "device_id": "sigpad-01",
                            "counter": 1,
                            "service": "DUK-KTP",
                            "agency": "DUKCAPIL",
                            "officer": None,
                            "request_id": None,
                            "sha256": strokes_sha256(strokes),
                            "points": sum(len(s.points) for s in strokes),
                            "width_mm": None,
                            "height_mm": None,
                            "strokes": text,
                        }
                    )
        before = path.stat().st_size
        middle = start + timedelta(minutes=26 * args.signatures // 2)
        batches: list[float] = []
        purged, count = 0, PURGE_BATCH
        while count == PURGE_BATCH:
            began = time.perf_counter()
            with store.transaction():
                count = store.purge_signatures(middle.isoformat(), PURGE_BATCH)
            batches.append(time.perf_counter() - began)
            purged += count
        took = sum(batches)
        after = path.stat().st_size
        store.close()
    print(f"signatures stored: {args.signatures} of ~{args.points} points")
    print(f"strokes per signature: {stroke_bytes / args.signatures / 1024:.1f} KiB")
    print(f"store size: {before / 2**20:.1f} MiB")
    print(
        f"purge of {purged} (the older half): {took * 1000:.0f} ms in {len(batches)} "
        f"transactions of {PURGE_BATCH}; the longest {max(batches) * 1000:.0f} ms, "
        f"median {statistics.median(batches) * 1000:.0f} ms (the hub answers between them)"
    )
    print(f"store size after the purge: {after / 2**20:.1f} MiB (freed pages reused)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
