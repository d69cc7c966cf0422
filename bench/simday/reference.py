"""Per-agency queueing references: what an agency's counters could do with its demand.

Judged per agency, never pooled site-wide (pooling hides a saturated agency
behind idle ones). Hour by hour from 08.00, with the counters present in the
hour (breaks removed):

* **ρ < 1 and no backlog** — M/G/c by the Allen–Cunneen approximation:
  Wq ≈ Wq(M/M/c, Erlang C) × (1 + CV²) / 2 (capped at half an hour: near
  ρ = 1 an hour is too short for the steady state to be reached).
* **otherwise** — the fluid backlog: the queue at the opening (the 07.30
  burst) and whatever an over-loaded hour leaves behind drain at full speed;
  a citizen waits for the backlog ahead of them to be worked off.

The figure is the mean wait weighted by arrivals; ``rho_peak`` the busiest
hour's offered load per counter.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.simday.profile import Citizen
from hub.site.schema import Site

HOURS = 8  # 08.00–16.00: the day, and an hour for what spills over
STEADY_CAP_MIN = 30.0  # an hour's queue cannot settle at a steady state longer than this


@dataclass(frozen=True)
class AgencyReference:
    agency: str
    counters: int
    rho_peak: float
    reference_mean: float
    mean_service: float
    cv: float


def references(site: Site, people: list[Citizen], opening: datetime) -> dict[str, AgencyReference]:
    """The reference of every agency that had citizens today."""
    demand: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for citizen in people:
        if citizen.stays_away:
            continue
        service = site.service(citizen.service)
        demand[service.agency].append((citizen.at, citizen.minutes))
        if citizen.transfers and service.continues_to:
            payment = site.service(service.continues_to)
            then = max(citizen.at, opening) + timedelta(minutes=citizen.minutes)
            demand[payment.agency].append((then, citizen.payment_minutes))
    return {
        agency: _reference(site, agency, arrivals, opening)
        for agency, arrivals in sorted(demand.items())
    }


def counters_by_hour(site: Site, agency: str, opening: datetime) -> list[float]:
    """Counter-hours available in each hour from the opening (breaks removed)."""
    services = {s.code for s in site.services if s.agency == agency}
    counters = [c for c in site.counters if services & set(c.primary + c.secondary)]
    result = []
    for hour in range(HOURS):
        start = opening + timedelta(hours=hour)
        present = 0.0
        for counter in counters:
            away = 0.0
            for pause in counter.breaks:
                lo = max(start.time(), pause.start)
                hi = min((start + timedelta(hours=1)).time(), pause.end)
                if hi > lo:
                    away += (
                        datetime.combine(start.date(), hi) - datetime.combine(start.date(), lo)
                    ).total_seconds() / 3600
            present += 1 - away
        result.append(present)
    return result


def _reference(
    site: Site, agency: str, arrivals: list[tuple[datetime, float]], opening: datetime
) -> AgencyReference:
    minutes = [m for _, m in arrivals]
    mean = statistics.fmean(minutes)
    cv = statistics.pstdev(minutes) / mean if len(minutes) > 1 else 0.0
    servers = counters_by_hour(site, agency, opening)
    early = [(opening - at).total_seconds() / 60 for at, _ in arrivals if at < opening]
    per_hour = [0] * HOURS
    for at, _ in arrivals:
        if at >= opening:
            per_hour[min(HOURS - 1, int((at - opening).total_seconds() // 3600))] += 1
    backlog = float(len(early))
    total_wait = sum(early)
    # the opening queue: the k-th of them waits for the k-1 before, at full speed
    if early:
        rate = max(servers[0], 1e-9) / mean  # tickets per minute
        total_wait += sum(k / rate for k in range(len(early)))
    rho_peak = 0.0
    for hour in range(HOURS):
        c = servers[hour]
        count = per_hour[hour]
        if c <= 0:
            backlog += count
            total_wait += count * 60  # nobody serves this hour: they wait it out (rough)
            continue
        lam = count / 60
        load = lam * mean
        rho_peak = max(rho_peak, load / c)
        capacity = c / mean  # tickets per minute
        hour_wait, backlog = _hour(c, lam, mean, cv, capacity, backlog)
        total_wait += hour_wait * count
    return AgencyReference(
        agency=agency,
        counters=round(max(servers)),
        rho_peak=rho_peak,
        reference_mean=total_wait / len(arrivals),
        mean_service=mean,
        cv=cv,
    )


def _hour(
    c: float, lam: float, mean: float, cv: float, capacity: float, backlog: float
) -> tuple[float, float]:
    """Mean wait of the hour's arrivals, and the backlog the hour leaves."""
    steady: float | None = allen_cunneen(c, lam, mean, cv)
    if steady is not None and not math.isfinite(steady):
        steady = None
    elif steady is not None:  # near ρ = 1 the steady state is not reached within the hour
        steady = min(steady, STEADY_CAP_MIN)
    waits = []
    queue = backlog
    for _ in range(60):  # minute by minute
        waits.append(queue / capacity if queue > 0 or steady is None else steady)
        queue = max(0.0, queue + lam - capacity)
    return statistics.fmean(waits), queue


def allen_cunneen(c: float, lam: float, mean: float, cv: float) -> float:
    """Wq of M/G/c: Erlang C's M/M/c wait × (1 + CV²)/2 (c rounded down to whole counters)."""
    servers = max(1, math.floor(c))
    load = lam * mean
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) * mean / (servers - load) * (1 + cv * cv) / 2


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c with offered load ``load`` (Erlangs)."""
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    term *= load / servers
    top = term * servers / (servers - load)
    return top / (total + top)
