"""``mpp admin report``: the hub computes the figures, the console writes the file.

``mpp admin report --from 2026-07-01 --to 2026-09-30 [--agency DUKCAPIL]
--out laporan.pdf`` and ``mpp admin report --year 2026 --quarter 3 --out
monev.html`` ask the hub with ``report.get`` over the admin account (the
quarterly report asks twice: the quarter and the one before) and render here,
so the console runs on any PC of the LAN. The same options as ``mpp report``
on the hub itself.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from admin.client import ConsoleError

if TYPE_CHECKING:
    from admin.session import Session
    from protocol.models.reports import Report

REPORT_TIMEOUT_S = 120.0  # a year of a busy hall on a Pi; a quarter takes seconds


def register_report(commands: argparse._SubParsersAction) -> None:
    from admin.reports.output import add_arguments

    report = commands.add_parser(
        "report",
        help="figures of a period, or the quarterly M&E report (HTML, CSV, PDF)",
        description=(
            "--from D --to D [--agency X]: the figures of a period; --year Y --quarter Q: the "
            "quarterly M&E report for the Bupati with the previous quarter beside it."
        ),
    )
    add_arguments(report)
    report.set_defaults(action=_report)


def _report(session: Session, args: argparse.Namespace) -> int:
    from admin.reports.output import ReportOptionsError, plan, write
    from protocol.models import AdminReportGet

    try:
        chosen = plan(args)
    except ReportOptionsError as error:
        raise ConsoleError(str(error)) from None

    def fetch(first: date, last: date, agency: str | None) -> Report:
        client = session.client
        command = client.command(AdminReportGet, first_day=first, last_day=last, agency=agency)
        reply = client.request(command, timeout=max(REPORT_TIMEOUT_S, session.settings.timeout_s))
        assert reply.report is not None
        return reply.report

    session.done(write(chosen, fetch))
    return 0
