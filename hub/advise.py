"""``admin.advise``: how many counters each agency needs over the next hours.

For each agency: the people waiting now, the day's arrivals so far projected
over the rest of the day with the usual hourly shape of an MPP
(:data:`ARRIVAL_SHAPE`, /work/shared/design/load-profile.md), and its recent
service times. Each hour's counters are the fewest for which a citizen
arriving then waits at most the agency's target (its strictest service's),
by the M/G/c model of :mod:`hub.dispatch.queueing`; the first hour also has
to clear the people already waiting. The sentence is for the admin, in
Bahasa Indonesia: "Dukcapil: buka 1 loket lagi sebelum 10.00 agar tunggu ≤ 30 menit".
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from hub.dispatch.estimate import mean_service_minutes
from hub.dispatch.queueing import counters_needed, mean_wait_minutes
from hub.site.calendar import SiteCalendar
from hub.site.schema import Site
from hub.state import QueueState
from protocol.models import AgencyAdvice, CounterState, HourAdvice

# Share of a day's tickets per local hour (Mon–Thu profile; 07 is the 07.30 burst).
ARRIVAL_SHAPE: dict[int, float] = {
    7: 0.06,
    8: 0.18,
    9: 0.19,
    10: 0.17,
    11: 0.13,
    12: 0.09,
    13: 0.11,
    14: 0.07,
}
SERVICE_CV = 0.6  # lognormal service times of an MPP (load profile), for Allen–Cunneen
MIN_SHARE_TO_PROJECT = 0.05  # before this much of the day has gone by, use the last hour's rate


def _elapsed_share(local: datetime) -> float:
    """Share of a usual day's arrivals that came before ``local``."""
    share = 0.0
    for hour, part in ARRIVAL_SHAPE.items():
        if hour < local.hour:
            share += part
        elif hour == local.hour:
            share += part * local.minute / 60
    return share


def _hour_share(start: datetime) -> float:
    """Share of a usual day's arrivals in the hour from ``start``."""
    first = ARRIVAL_SHAPE.get(start.hour, 0.0) * (60 - start.minute) / 60
    second = ARRIVAL_SHAPE.get(start.hour + 1, 0.0) * start.minute / 60
    return first + second


def advise(site: Site, state: QueueState, now: datetime, hours: int = 3) -> list[AgencyAdvice]:
    calendar = SiteCalendar(site)
    local = calendar.local(now)
    day_hours = calendar.hours(None, local.date())
    closes = datetime.combine(local.date(), day_hours.close, calendar.zone) if day_hours else local
    result = []
    for agency in site.agencies:
        services = [s for s in site.services if s.agency == agency.code]
        codes = {s.code for s in services}
        counters = [c for c in site.counters if c.agency == agency.code]
        if not services or not counters:
            continue
        open_now = sum(
            1 for c in counters if state.counter(c.number).state is not CounterState.CLOSED
        )
        waiting = sum(1 for _ in state.waiting(codes))
        arrived = [
            t.issued_at or t.reserved_at
            for t in state.tickets.values()
            if t.origin_service in codes and t.issued_at is not None
        ]
        weights = {s.code: max(1, state.issued_count(s.code)) for s in services}
        service_minutes = sum(
            mean_service_minutes(site, state, s.code, local.hour) * weights[s.code]
            for s in services
        ) / sum(weights.values())
        target = min(s.target_minutes for s in services)
        elapsed = _elapsed_share(local)
        projected_day = len(arrived) / elapsed if elapsed >= MIN_SHARE_TO_PROJECT else None
        last_hour = float(sum(1 for at in arrived if now - at <= timedelta(hours=1)))
        rows = []
        for step in range(hours):
            start = local + timedelta(hours=step)
            if start >= closes:
                break
            per_hour = (
                projected_day * _hour_share(start) if projected_day is not None else last_hour
            )
            backlog = waiting if step == 0 else 0
            need = counters_needed(
                per_hour / 60, service_minutes, target, backlog, SERVICE_CV, max(60, len(counters))
            )
            wait = mean_wait_minutes(per_hour / 60, service_minutes, max(need, 1), SERVICE_CV)
            rows.append(
                HourAdvice(
                    starts_at=start,
                    arrivals_per_hour=round(per_hour, 1),
                    counters_needed=need,
                    expected_wait_min=round(wait, 1) if math.isfinite(wait) else None,
                )
            )
        result.append(
            AgencyAdvice(
                agency=agency.code,
                agency_name=agency.short_name,
                open_counters=open_now,
                available_counters=len(counters),
                waiting=waiting,
                target_minutes=target,
                service_minutes=round(service_minutes, 2),
                hours=rows,
                advice=sentence(agency.short_name, open_now, len(counters), target, rows, local),
            )
        )
    return result


def sentence(
    name: str,
    open_now: int,
    available: int,
    target: int,
    rows: list[HourAdvice],
    local: datetime,
) -> str:
    """The advice in one line of Bahasa Indonesia."""
    if not rows:
        return f"{name}: layanan sudah tutup hari ini"
    peak = max(row.counters_needed for row in rows)
    if peak == 0:
        if open_now == 0:
            return f"{name}: belum ada antrean, belum perlu membuka loket"
        return f"{name}: belum ada antrean; {open_now} loket terbuka dapat membantu layanan lain"
    first_short = next((row for row in rows if row.counters_needed > open_now), None)
    if first_short is not None:
        need = first_short.counters_needed
        when = (
            "sekarang"
            if first_short is rows[0]
            else f"sebelum {first_short.starts_at.astimezone(local.tzinfo):%H}.00"
        )
        if need <= available:
            return f"{name}: buka {need - open_now} loket lagi {when} agar tunggu ≤ {target} menit"
        if available > open_now:
            return (
                f"{name}: buka {available - open_now} loket lagi {when} (semua {available}); "
                f"perlu {need} agar tunggu ≤ {target} menit: pertimbangkan kuota"
            )
        return (
            f"{name}: semua {available} loket sudah buka; perlu {need} {when} "
            f"agar tunggu ≤ {target} menit: pertimbangkan kuota"
        )
    if peak < open_now:
        spare = open_now - peak
        return (
            f"{name}: {peak} loket cukup untuk tunggu ≤ {target} menit; "
            f"{spare} loket dapat membantu layanan lain"
        )
    return f"{name}: {open_now} loket cukup, tunggu ≤ {target} menit"
