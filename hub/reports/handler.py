"""Answering a report: from the store file, for ``mpp report`` and the admin's ``report.get``.

The hub's worker thread is never used: the figures are computed on a
read-only connection of their own (:mod:`hub.reports.source`), so a quarter
being counted does not delay a single *next* press.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from hub.reports.compute import compute_report
from hub.reports.source import read_events
from hub.site.schema import Site
from hub.store import StoreError
from protocol.errors import ErrorCode
from protocol.models import AdminReportGet, Reply, ReplyError
from protocol.models.admin import MAX_REPORT_DAYS
from protocol.models.reports import Report
from protocol.roles import Role

log = logging.getLogger(__name__)


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


def answer(request: AdminReportGet, db: Path, site: Site) -> Reply:
    """The reply to ``report.get``: the figures, or one line saying why not."""
    try:
        report = build_report(db, site, request.first_day, request.last_day, request.agency)
    except ReportRequestError as error:
        return _refused(request, ErrorCode.INVALID, str(error))
    except StoreError as error:
        return _refused(request, ErrorCode.INTERNAL, str(error))
    return Reply(command_id=request.command_id, ok=True, report=report)


def _refused(request: AdminReportGet, code: ErrorCode, message: str) -> Reply:
    return Reply(
        command_id=request.command_id,
        ok=False,
        error=ReplyError(code=code, message=message[:500]),
    )


class ReportDesk:
    """Answers ``report.get`` on a thread of its own, one report at a time.

    A quarter takes the hub a second or two (bench/report_quarter.py); the
    worker that answers counters and kiosks must not wait for it. Requests
    beyond :data:`WAITING_MAX` while one is being counted are refused at once
    (the console says to try again), so a script cannot pile them up.
    """

    WAITING_MAX = 2

    def __init__(self, site: Site, db: Path, roles: Mapping[str, Role]) -> None:
        self.site = site
        self.db = db
        self.roles = roles
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-reports")
        self._lock = threading.Lock()
        self._waiting = 0

    def ask(self, request: AdminReportGet, send: Callable[[Reply], None]) -> None:
        """Answer ``request`` through ``send``: later from another thread, or now if refused."""
        if self.roles.get(request.account) is not Role.ADMIN:
            send(_refused(request, ErrorCode.NOT_AUTHORISED, f"{request.account} is not an admin"))
            return
        with self._lock:
            if self._waiting >= self.WAITING_MAX:
                busy = "reports are being computed; try again in a minute"
                send(_refused(request, ErrorCode.INVALID_STATE, busy))
                return
            self._waiting += 1
        self._pool.submit(self._work, request, send)

    def _work(self, request: AdminReportGet, send: Callable[[Reply], None]) -> None:
        try:
            started = time.monotonic()
            reply = answer(request, self.db, self.site)
            log.info(
                "report %s–%s%s for %s: %.1f s",
                request.first_day,
                request.last_day,
                f" ({request.agency})" if request.agency else "",
                request.account,
                time.monotonic() - started,
            )
        except Exception:  # the hub never dies of a report
            log.exception("report %s failed", request.command_id)
            reply = _refused(
                request, ErrorCode.INTERNAL, "the report failed in the hub; see its log"
            )
        finally:
            with self._lock:
                self._waiting -= 1
        send(reply)

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
