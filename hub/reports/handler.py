"""Answering a report: from the store file, for ``mpp report`` and the admin's ``report.get``.

The hub's worker thread is never used: the figures are computed on a
read-only connection of their own (:mod:`hub.reports.source`), so a quarter
being counted does not delay a single *next* press.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hub.reports.compute import compute_report
from hub.reports.source import read_events
from hub.site.schema import Site
from hub.store import StoreError
from protocol.errors import ErrorCode
from protocol.models.replies import ReplyError
from protocol.models.reports import MAX_REPORT_DAYS, AdminReportGet, Report, ReportReply


class ReportRequestError(ValueError):
    """A report that cannot be made as asked (unknown agency, period the wrong way round)."""


def build_report(
    db: Path, site: Site, first_day: date, last_day: date, agency: str | None = None
) -> Report:
    if last_day < first_day:
        raise ReportRequestError(f"the period ends ({last_day}) before it starts ({first_day})")
    if (last_day - first_day).days >= MAX_REPORT_DAYS:
        raise ReportRequestError(f"a report covers at most {MAX_REPORT_DAYS} days")
    if agency is not None and agency not in {a.code for a in site.agencies}:
        known = ", ".join(a.code for a in site.agencies)
        raise ReportRequestError(f"unknown agency {agency!r}; the site has {known}")
    return compute_report(site, read_events(db, first_day, last_day), first_day, last_day, agency)


def answer(request: AdminReportGet, db: Path, site: Site) -> ReportReply:
    """The reply to ``report.get``: the figures, or one line saying why not."""
    try:
        report = build_report(db, site, request.first_day, request.last_day, request.agency)
    except ReportRequestError as error:
        return _refused(request, ErrorCode.INVALID, str(error))
    except StoreError as error:
        return _refused(request, ErrorCode.INTERNAL, str(error))
    return ReportReply(command_id=str(request.command_id), ok=True, report=report)


def _refused(request: AdminReportGet, code: ErrorCode, message: str) -> ReportReply:
    return ReportReply(
        command_id=str(request.command_id),
        ok=False,
        error=ReplyError(code=code, message=message[:500]),
    )
