"""Figures over seeds: per-day statistics, mean ± 95 % confidence interval, paired differences."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from bench.simday.day import DayResult, Visit

# Student's t at 97.5 % for n-1 degrees of freedom (n = 2..30); 1.96 beyond.
T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
    16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 29: 2.045,
}  # fmt: skip
ESTIMATE_SLACK_MIN = 5.0
ESTIMATE_SLACK_SHARE = 0.25


def quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(len(ordered) - 1, low + 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def wait_figures(visits: Sequence[Visit]) -> dict[str, float]:
    waits = [v.wait for v in visits]
    if not waits:
        return {k: 0.0 for k in ("mean", "p50", "p90", "p95", "max", "within_target", "count")}
    return {
        "mean": statistics.fmean(waits),
        "p50": quantile(waits, 0.50),
        "p90": quantile(waits, 0.90),
        "p95": quantile(waits, 0.95),
        "max": max(waits),
        "within_target": sum(v.within_target for v in visits) / len(visits),
        "count": float(len(waits)),
    }


def estimate_figures(day: DayResult) -> tuple[float, float]:
    """(share within ± max(5 min, 25 %) of the printed estimate, mean absolute error)."""
    if not day.estimates:
        return 1.0, 0.0
    within = sum(
        abs(actual - printed) <= max(ESTIMATE_SLACK_MIN, ESTIMATE_SLACK_SHARE * printed)
        for printed, actual in day.estimates
    )
    error = statistics.fmean(abs(actual - printed) for printed, actual in day.estimates)
    return within / len(day.estimates), error


def day_figures(day: DayResult, agencies: Sequence[str]) -> dict[str, float]:
    """Every per-day figure, flat, so seeds can be averaged key by key."""
    figures: dict[str, float] = {}
    for category in ("regular", "priority"):
        for key, value in wait_figures([v for v in day.visits if v.category == category]).items():
            figures[f"{category}.{key}"] = value
    for key, value in wait_figures(day.visits).items():
        figures[f"all.{key}"] = value
    for agency in agencies:
        mine = [v for v in day.visits if v.agency == agency]
        for key, value in wait_figures(mine).items():
            figures[f"agency.{agency}.{key}"] = value
        regular = [v.wait for v in mine if v.category == "regular"]
        figures[f"agency.{agency}.regular_mean"] = statistics.fmean(regular) if regular else 0.0
        figures[f"agency.{agency}.turned_away"] = day.turned_away.get(agency, 0)
    within, error = estimate_figures(day)
    figures.update(
        {
            "turned_away": sum(day.turned_away.values()),
            "walked_out": day.walked_out,
            "absent": day.absent,
            "waiting_at_closing": day.waiting_at_closing,
            "not_served": day.not_served,
            "overtime_min": day.overtime_min,
            "issued": day.issued,
            "bookings_checked_in": day.bookings_checked_in,
            "estimate_within": within,
            "estimate_mean_error_min": error,
        }
    )
    return figures


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95 % confidence interval (Student's t)."""
    if not values:
        return 0.0, 0.0
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    df = len(values) - 1
    t = T975.get(df) or next((T975[k] for k in sorted(T975, reverse=True) if k <= df), 1.96)
    if df > 30:
        t = 1.96
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))
