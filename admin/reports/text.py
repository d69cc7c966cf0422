"""Indonesian formatting of numbers, dates and the report's labels.

Decimal comma and thousands dot (``1.234``, ``12,5``), dates as
``1 Juli 2026``, times as ``13.00`` (shared/design/ux.md).
"""

from __future__ import annotations

from datetime import date

from protocol.indonesian_calendar import DAYS, MONTHS

WEEKDAYS = DAYS
RATING_LABELS = ("Tidak puas", "Kurang puas", "Puas", "Sangat puas")
ROMAN = ("I", "II", "III", "IV")


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def minutes(value: float | None) -> str:
    return "–" if value is None else f"{number(value, 1)} mnt"


def percent(share: float | None, decimals: int = 1) -> str:
    return "–" if share is None else f"{number(share * 100, decimals)}%"


def day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period(first: date, last: date) -> str:
    if first == last:
        return day(first)
    return f"{day(first)} – {day(last)}"


def hour(value: int) -> str:
    return f"{value:02d}.00"


def change(now: float | None, before: float | None, decimals: int = 1) -> str:
    """``+12,5%`` against the previous period, or ``baru``/``–`` when it cannot be said."""
    if now is None or before is None:
        return "–"
    if before == 0:
        return "–" if now == 0 else "baru"
    return f"{'+' if now >= before else '−'}{number(abs(now - before) / before * 100, decimals)}%"


def trend(now: float | None, before: float | None) -> str:
    """``naik 3,2%``, ``turun 9,8%`` or ``tetap`` against the previous period."""
    if now is None or before is None or before == 0:
        return "tidak dapat dibandingkan"
    if round(now, 6) == round(before, 6):
        return "tetap"
    word = "naik" if now > before else "turun"
    return f"{word} {number(abs(now - before) / before * 100, 1)}%"


def within(value: float | None) -> str:
    """A wait for a sentence: ``kurang dari 1 menit`` rather than ``0,0 mnt``."""
    if value is None:
        return "–"
    if value < 1:
        return "kurang dari 1 menit"
    return f"{number(value, 0)} menit"
