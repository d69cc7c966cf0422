"""Indonesian day and month names, and the date line screens and tickets print."""

from __future__ import annotations

from datetime import datetime

from protocol.indonesian_calendar import DAYS, MONTHS

__all__ = ["DAYS", "MONTHS", "long_date"]


def long_date(moment: datetime, separator: str = "  ") -> str:
    """'Senin, 23 November 2026  08.15' (the clock written the Indonesian way)."""
    return (
        f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"
        f"{separator}{moment:%H.%M}"
    )
