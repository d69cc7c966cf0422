"""``mpp report …``: reports straight from the hub's store, on the hub (no broker needed).

``mpp report period --from 2026-07-01 --to 2026-09-30 [--agency DUKCAPIL]
--out laporan.html`` (``.csv``, ``.pdf``; or ``--format``) and ``mpp report
quarterly --year 2026 --quarter 3 --out monev-2026-q3.pdf``. The store is
read on a read-only connection: it is safe while ``mpp hub run`` serves.
"""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.site.schema import Site
    from protocol.models.reports import Report

log = logging.getLogger("mpp.report")
FORMATS = ("html", "csv", "pdf")


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report", help="reports from the hub's store: a period, or the quarterly M&E report"
    )
    commands = report.add_subparsers(title="report commands", metavar="COMMAND", required=True)
    period = commands.add_parser("period", help="figures of a period as HTML, CSV or PDF")
    period.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    period.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    period.add_argument("--agency", help="only this agency (its code, e.g. DUKCAPIL)")
    _common(period, FORMATS)
    period.set_defaults(func=_period)

    quarterly = commands.add_parser(
        "quarterly", help="the quarterly M&E report for the Bupati (Perbup 23/2025 Pasal 15)"
    )
    quarterly.add_argument("--year", type=int, required=True)
    quarterly.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True)
    _common(quarterly, ("html", "pdf"))
    quarterly.set_defaults(func=_quarterly)


def _common(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--format", choices=formats, help="default: from the --out suffix")
    parser.add_argument("--db", type=Path, help="hub store (default: $XDG_STATE_HOME/mpp/hub.db)")
    parser.add_argument("--site", type=Path, help="site file (default: bundled Lampung Timur)")


def _format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    chosen = args.format or args.out.suffix.lstrip(".").lower()
    if chosen not in formats:
        raise SystemExit(
            f"mpp: error: {args.out}: give --format {'|'.join(formats)} or a file ending in one"
        )
    return str(chosen)


def _inputs(args: argparse.Namespace) -> tuple[Site, Path]:
    from hub.cli import default_db_path
    from hub.site.loader import DEFAULT_SITE, load_site

    return load_site(args.site or DEFAULT_SITE), args.db or default_db_path()


def _build(args: argparse.Namespace, first: date, last: date, agency: str | None) -> Report:
    from hub.reports.handler import ReportRequestError, build_report

    site, db = _inputs(args)
    try:
        return build_report(db, site, first, last, agency)
    except ReportRequestError as error:
        raise SystemExit(f"mpp: error: {error}") from None


def _period(args: argparse.Namespace) -> int:
    fmt = _format(args, FORMATS)
    report = _build(args, args.first, args.last, args.agency)
    if fmt == "html":
        from admin.reports import html

        args.out.write_text(html.render(report), encoding="utf-8")
    elif fmt == "csv":
        from admin.reports import csv_out

        args.out.write_text(csv_out.render(report), encoding="utf-8")
    else:
        from admin.reports import pdf

        pdf.write(report, args.out)
    log.info(
        "%s: %s report, %s–%s, %d tickets issued, %d served",
        args.out,
        fmt,
        args.first,
        args.last,
        report.total.issued,
        report.total.served,
    )
    return 0


def _quarterly(args: argparse.Namespace) -> int:
    from admin.reports import quarterly

    fmt = _format(args, ("html", "pdf"))
    quarter = quarterly.Quarter(args.year, args.quarter)
    current = _build(args, quarter.first_day, quarter.last_day, None)
    previous = _build(args, quarter.previous.first_day, quarter.previous.last_day, None)
    if fmt == "html":
        args.out.write_text(quarterly.render_html(current, previous, quarter), encoding="utf-8")
    else:
        quarterly.write_pdf(current, previous, quarter, args.out)
    log.info(
        "%s: M&E report %s (%d served; previous quarter %d)",
        args.out,
        quarter.label,
        current.total.served,
        previous.total.served,
    )
    return 0
