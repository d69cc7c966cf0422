"""Queueing maths for staffing advice: Erlang C (M/M/c) with the Allen–Cunneen
correction for general service times (M/G/c), and the fluid backlog.

Pure functions of rates and times (per minute), no hub state: the hub's
``admin.advise`` and the dispatch simulation's reference figures
(bench/dispatch_sim.py) can share them.

Why these models (docs/admin.md, /work/shared/design/load-profile.md): arrivals
within an hour are close to Poisson; service times are lognormal, not
exponential, so the M/M/c mean wait is scaled by ``(1 + cv²) / 2``. Where the
offered load reaches the number of counters there is no steady state; the
queue then grows as a fluid, and what matters is how long the backlog takes
to clear.
"""

from __future__ import annotations

import math

MAX_COUNTERS = 60


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (``offered_load`` = λ/μ, in Erlangs).

    1.0 when the load is at or above ``servers`` (no steady state). Computed
    with the Erlang B recursion, which stays stable for large ``servers``.
    """
    if servers <= 0 or offered_load >= servers:
        return 1.0
    if offered_load <= 0:
        return 0.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilisation = offered_load / servers
    return blocking / (1 - utilisation + utilisation * blocking)


def mean_wait_minutes(
    arrivals_per_minute: float, service_minutes: float, servers: int, service_cv: float = 1.0
) -> float:
    """Mean wait in queue (M/G/c, Allen–Cunneen); ``math.inf`` when overloaded."""
    if arrivals_per_minute <= 0:
        return 0.0
    load = arrivals_per_minute * service_minutes
    if servers <= 0 or load >= servers:
        return math.inf
    mmc = erlang_c(servers, load) * service_minutes / (servers - load)
    return mmc * (1 + service_cv**2) / 2


def wait_within_probability(
    arrivals_per_minute: float, service_minutes: float, servers: int, minutes: float
) -> float:
    """P(wait ≤ ``minutes``) in M/M/c: ``1 − C·exp(−(cμ − λ)t)``; 0 when overloaded."""
    if arrivals_per_minute <= 0:
        return 1.0
    load = arrivals_per_minute * service_minutes
    if servers <= 0 or load >= servers:
        return 0.0
    rate = servers / service_minutes - arrivals_per_minute
    return 1 - erlang_c(servers, load) * math.exp(-rate * minutes)


def backlog_minutes(waiting: int, service_minutes: float, servers: int) -> float:
    """Minutes ``servers`` counters need to clear ``waiting`` people (fluid view)."""
    if waiting <= 0:
        return 0.0
    if servers <= 0:
        return math.inf
    return waiting * service_minutes / servers


def counters_needed(
    arrivals_per_minute: float,
    service_minutes: float,
    target_wait_minutes: float,
    waiting_now: int = 0,
    service_cv: float = 1.0,
    max_counters: int = MAX_COUNTERS,
) -> int:
    """The fewest counters for which a citizen arriving now waits at most the target.

    Their wait is the time to clear the people already waiting (fluid) plus the
    steady-state M/G/c wait of the arrivals. 0 when nobody comes and nobody
    waits; ``max_counters`` when no number up to it is enough.
    """
    if arrivals_per_minute <= 0 and waiting_now <= 0:
        return 0
    for servers in range(1, max_counters + 1):
        wait = backlog_minutes(waiting_now, service_minutes, servers) + mean_wait_minutes(
            arrivals_per_minute, service_minutes, servers, service_cv
        )
        if wait <= target_wait_minutes:
            return servers
    return max_counters
