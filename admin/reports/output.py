"""What ``mpp report`` and ``mpp admin report`` share: the options, and writing the file.

Both take a period (``--from D --to D [--agency X]``) or a quarter
(``--year Y --quarter Q``: the M&E report with the previous quarter beside
it) and ``--out FILE`` (``--format html|csv|pdf``, else the file's suffix).
Where the figures come from is the caller's: the store on the hub, or the
hub over MQTT for the console.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from protocol.models.reports import Report

FORMATS = ("html", "csv", "pdf")
Fetch = Callable[[date, date, str | None], Report]


class ReportOptionsError(ValueError):
    """The options do not name one report; the message says what to give."""


def iso_day(text: str) -> date:
    """A ``--from``/``--to`` day; argparse says the form when it is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a day as YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", type=iso_day, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="last", type=iso_day, help="last day (YYYY-MM-DD)")
    parser.add_argument("--agency", help="only this agency (its code, e.g. DUKCAPIL)")
    parser.add_argument("--year", type=int, help="with --quarter: the quarterly M&E report")
    parser.add_argument("--quarter", type=int, choices=(1, 2, 3, 4))
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--format", choices=FORMATS, help="default: from the --out suffix")


@dataclass(frozen=True)
class Plan:
    fmt: str
    out: Path
    first: date
    last: date
    agency: str | None = None
    quarter: object | None = None  # admin.reports.quarterly.Quarter


def plan(args: argparse.Namespace) -> Plan:
    """The report the options ask for, or a ReportOptionsError saying what is missing."""
    from admin.reports.quarterly import Quarter

    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ReportOptionsError(f"{args.out}: give --format html|csv|pdf or a file ending in one")
    if args.quarter is not None or args.year is not None:
        if args.quarter is None or args.year is None:
            raise ReportOptionsError("a quarterly report needs both --year and --quarter")
        if args.first or args.last or args.agency:
            raise ReportOptionsError(
                "give either --year/--quarter (the M&E report) or --from/--to [--agency]"
            )
        quarter = Quarter(args.year, args.quarter)
        return Plan(fmt, args.out, quarter.first_day, quarter.last_day, quarter=quarter)
    if args.first is None or args.last is None:
        raise ReportOptionsError("give --from and --to (YYYY-MM-DD), or --year and --quarter")
    if args.last < args.first:
        raise ReportOptionsError(f"the period ends ({args.last}) before it starts ({args.first})")
    return Plan(fmt, args.out, args.first, args.last, args.agency)


def write(chosen: Plan, fetch: Fetch) -> str:
    """Fetch the figures, write the file; one line saying what was written."""
    from admin.reports import csv_out, html, pdf, quarterly

    current = fetch(chosen.first, chosen.last, chosen.agency)
    quarter = chosen.quarter
    if isinstance(quarter, quarterly.Quarter):
        previous = fetch(quarter.previous.first_day, quarter.previous.last_day, None)
        if chosen.fmt == "html":
            chosen.out.write_text(quarterly.render_html(current, previous, quarter), "utf-8")
        elif chosen.fmt == "pdf":
            quarterly.write_pdf(current, previous, quarter, chosen.out)
        else:
            chosen.out.write_text(csv_out.render(current), "utf-8")
        return (
            f"{chosen.out}: M&E report {quarter.label}: {current.total.served:,} served "
            f"({quarter.previous.label}: {previous.total.served:,})"
        )
    if chosen.fmt == "html":
        chosen.out.write_text(html.render(current), "utf-8")
    elif chosen.fmt == "csv":
        chosen.out.write_text(csv_out.render(current), "utf-8")
    else:
        pdf.write(current, chosen.out)
    return (
        f"{chosen.out}: {chosen.fmt} report {chosen.first} – {chosen.last}: "
        f"{current.total.issued:,} tickets issued, {current.total.served:,} served"
    )
