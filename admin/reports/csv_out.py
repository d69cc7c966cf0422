"""The figures as CSV: one row per group and figure, for a spreadsheet.

Long format (``section, key, name, agency, figure, value``) keeps one file
for every table of the report, and values are plain numbers (a dot as the
decimal separator, minutes for durations, a share 0–1) so a spreadsheet in
any locale can compute with them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from protocol.models.reports import Figures, Ratings, Report

HEADER = ("section", "key", "name", "agency", "figure", "value")
COUNTS = (
    "issued",
    "called",
    "served",
    "no_shows",
    "cancelled",
    "turned_away",
    "walked_out",
    "transfers_out",
    "transfers_in",
    "bookings_checked_in",
    "bookings_no_show",
    "bookings_unclaimed",
)


def _figures(section: str, row: Figures) -> Iterator[tuple[object, ...]]:
    head = (section, row.key, row.name, row.agency or "")
    for name in COUNTS:
        yield (*head, name, getattr(row, name))
    for kind in ("wait", "walk", "service"):
        stats = getattr(row, kind)
        for stat in ("count", "mean", "median", "p90"):
            value = getattr(stats, stat)
            yield (*head, f"{kind}_{stat}" + ("" if stat == "count" else "_min"), _plain(value))
    yield (*head, "within_target_share", _plain(row.within_target))


def _ratings(section: str, row: Ratings) -> Iterator[tuple[object, ...]]:
    head = (section, row.key, row.name, "")
    for index, count in enumerate(row.counts, start=1):
        yield (*head, f"rating_{index}", count)
    yield (*head, "ratings", row.total)
    yield (*head, "rating_mean", _plain(row.mean))
    yield (*head, "rating_score", _plain(row.score))


def _plain(value: object) -> object:
    return "" if value is None else value


def rows(report: Report) -> Iterator[tuple[object, ...]]:
    yield ("period", "", report.site_name, report.agency or "", "first_day", report.first_day)
    yield ("period", "", report.site_name, report.agency or "", "last_day", report.last_day)
    yield ("period", "", report.site_name, report.agency or "", "service_days", report.service_days)
    yield from _figures("total", report.total)
    for section, groups in (
        ("agency", report.agencies),
        ("service", report.services),
        ("counter", report.counters),
        ("officer", report.officers),
    ):
        for group in groups:
            yield from _figures(section, group)
    yield from _ratings("skm_total", report.skm_total)
    for section, ratings in (
        ("skm_agency", report.skm_agencies),
        ("skm_service", report.skm_services),
        ("skm_counter", report.skm_counters),
        ("skm_officer", report.skm_officers),
    ):
        for rating in ratings:
            yield from _ratings(section, rating)
    for weekday, counts in enumerate(report.busiest.counts):
        for hour, count in enumerate(counts):
            if count:
                yield ("busiest", f"{weekday}-{hour:02d}", "", "", "tickets_issued", count)
    for point in report.daily:
        yield ("daily", point.day.isoformat(), "", "", "issued", point.issued)
        yield ("daily", point.day.isoformat(), "", "", "served", point.served)
    yield ("ikm", "total", "", "", "respondents", report.ikm.respondents)
    for element in report.ikm.elements:
        yield ("ikm", element.code, element.name, "", "nrr", _plain(element.nrr))
    yield ("ikm", "total", "", "", "ikm", _plain(report.ikm.value))
    yield ("ikm", "total", "", "", "band", report.ikm.band or "")


def render(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(report))
    return buffer.getvalue()
