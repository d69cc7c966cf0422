"""Reports over a busy quarter: how long the hub takes, how big the answer is.

A quarter (Triwulan III 2026, 66 working days) is written into a real hub
store by the real queue service (tests/quarter_sim.py), then:

* the hub's side: reading the quarter's events on a read-only connection
  and computing the figures (what ``report.get`` and ``mpp report`` do);
* the reply's size as JSON (the figures travel over MQTT, never the events;
  the broker's packet limit is 256 KiB);
* the console's side: rendering HTML (inline SVG charts), CSV and PDF.

    .venv/bin/python bench/report_quarter.py [--tickets 250] [--seed 13]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from admin.reports import csv_out, html, pdf  # noqa: E402
from hub.reports.compute import compute_report  # noqa: E402
from hub.reports.handler import answer  # noqa: E402
from hub.reports.source import read_events  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from protocol.clock import wall_now  # noqa: E402
from protocol.models import AdminReportGet  # noqa: E402
from tests.quarter_sim import QuarterSimulation, QuarterSpec  # noqa: E402

FIRST, LAST = date(2026, 7, 1), date(2026, 9, 30)
ROUNDS = 3
T = TypeVar("T")


def best(action: Callable[[], T]) -> tuple[float, T]:
    """The fastest of a few runs (seconds) and the result."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=250, help="tickets per working day")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    site = load_site()
    shm = Path("/dev/shm")  # noqa: S108 - a private TemporaryDirectory inside it
    with tempfile.TemporaryDirectory(prefix="mpp-bench-", dir=shm if shm.is_dir() else None) as d:
        start = time.perf_counter()
        spec = QuarterSpec(
            FIRST,
            LAST,
            tickets_per_day=args.tickets,
            seed=args.seed,
            counters=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 21, 22),
        )
        db = QuarterSimulation(Path(d), spec).run().db
        simulated = time.perf_counter() - start
        size_mb = db.stat().st_size / 1e6
        read_s, events = best(lambda: read_events(db, FIRST, LAST))
        compute_s, report = best(lambda: compute_report(site, events, FIRST, LAST))
        request = AdminReportGet(
            command_id=uuid4(),
            account="admin",
            issued_at=wall_now(),
            first_day=FIRST,
            last_day=LAST,
        )
        reply_s, reply = best(lambda: answer(request, db, site))
        payload = len(reply.model_dump_json().encode())
        html_s, page = best(lambda: html.render(report))
        csv_s, table = best(lambda: csv_out.render(report))
        out = Path(d) / "report.pdf"
        pdf_s, _ = best(lambda: pdf.write(report, out))
        total = report.total
        print(
            f"quarter {FIRST} – {LAST}: {report.service_days} service days, "
            f"{total.issued:,} tickets issued, {total.served:,} served, "
            f"{len(events):,} events read ({size_mb:.1f} MB store; simulated in {simulated:.0f} s)"
        )
        print(f"  hub: read events         {read_s * 1000:7.0f} ms (read-only connection)")
        print(f"  hub: compute figures     {compute_s * 1000:7.0f} ms")
        print(f"  hub: report.get answer   {reply_s * 1000:7.0f} ms end to end")
        print(f"  reply payload            {payload / 1024:7.1f} KiB JSON (broker limit 256 KiB)")
        print(f"  console: HTML            {html_s * 1000:7.0f} ms, {len(page) / 1024:.0f} KiB")
        print(f"  console: CSV             {csv_s * 1000:7.0f} ms, {len(table) / 1024:.0f} KiB")
        kib = out.stat().st_size / 1024
        print(f"  console: PDF             {pdf_s * 1000:7.0f} ms, {kib:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
