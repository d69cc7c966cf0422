"""``mpp report …``: reports straight from the hub's store, on the hub (no broker needed).

``mpp report --from 2026-07-01 --to 2026-09-30 [--agency DUKCAPIL] --out
laporan.html`` (``.csv``, ``.pdf``; or ``--format``) and ``mpp report --year
2026 --quarter 3 --out monev-2026-q3.pdf`` (the quarterly M&E report). The
same options as ``mpp admin report``, which asks the hub over MQTT instead.
The store is read on a read-only connection: safe while ``mpp hub run`` serves.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from admin.reports.output import add_arguments

    report = subparsers.add_parser(
        "report",
        help="reports from the hub's store: a period, or the quarterly M&E report (on the hub)",
    )
    add_arguments(report)
    report.add_argument("--db", type=Path, help="hub store (default: $XDG_STATE_HOME/mpp/hub.db)")
    report.add_argument("--site", type=Path, help="site file (default: bundled Lampung Timur)")
    report.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from admin.reports.output import ReportOptionsError, plan, write
    from hub.cli import default_db_path
    from hub.reports.handler import ReportRequestError, build_report
    from hub.site.loader import DEFAULT_SITE, load_site
    from protocol.models.reports import Report

    site = load_site(args.site or DEFAULT_SITE)
    db = args.db or default_db_path()

    def fetch(first: date, last: date, agency: str | None) -> Report:
        return build_report(db, site, first, last, agency)

    try:
        written = write(plan(args), fetch)
    except (ReportOptionsError, ReportRequestError) as error:
        raise SystemExit(f"mpp: error: {error}") from None
    print(written)  # the command's result, for the person who ran it: not a log record
    return 0
