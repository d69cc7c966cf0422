"""Time for the hub, injectable so tests can cross midnight without waiting.

Wall-clock time decides service days and opening hours (the hub is the
building's time source). Steady time, which never steps, measures durations:
our own waits, and how late a device's message arrived (hub/clock_offsets.py),
so a step of the hub's own clock (an NTP sync after boot) is no "late" press.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from protocol.clock import wall_now


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware wall-clock now (UTC)."""
        ...

    def steady(self) -> float:
        """Seconds on a clock that never steps (only differences mean anything)."""
        ...


class SystemClock:
    """The machine's clock (shifted only when a simulation sets ``MPP_CLOCK_OFFSET_S``)."""

    def now(self) -> datetime:
        return wall_now()

    def steady(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to; for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def steady(self) -> float:
        """The manual time itself: a test's devices and hub share this one clock."""
        return self.now().timestamp()

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


class OffsetClock:
    """Real-speed time that starts at a chosen instant (demo at night, tests).

    ``mpp hub run --clock-start 2026-11-23T08:00+07:00`` runs the building as
    if it were that morning, ticking in real time from there.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._start = start.astimezone(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)

    def steady(self) -> float:
        return time.monotonic()
