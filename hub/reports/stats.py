"""Summaries of durations: count, mean, median and 90th percentile, in minutes."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from protocol.models.reports import Durations

DECIMALS = 2  # minutes to the hundredth: precise enough, and a compact payload


def percentile(ordered: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks (numpy's default ``linear`` method)."""
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations(values: Sequence[float]) -> Durations:
    if not values:
        return Durations(count=0)
    ordered = sorted(values)
    return Durations(
        count=len(ordered),
        mean=round(statistics.fmean(ordered), DECIMALS),
        median=round(percentile(ordered, 0.5), DECIMALS),
        p90=round(percentile(ordered, 0.9), DECIMALS),
    )
