"""Debounce and hold detection for push buttons, in our code with an injectable clock.

gpiozero's MockFactory ignores ``bounce_time`` and real contacts bounce, so
raw edges come here with their time. An edge is accepted when it changes the
level and comes at least ``debounce_s`` after the last accepted edge; a level
that changed during that quiet time is picked up by :meth:`poll` once it is
over, so a very short press is never lost or left "stuck down".

A press shorter than ``hold_s`` is a *press* (reported at release, so it can
still turn into a hold); reaching ``hold_s`` while still down is a *hold*
(reported by :meth:`poll` at that moment, so the officer hears it and can let
go), and its release reports nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Gesture(StrEnum):
    PRESS = "press"
    HOLD = "hold"


@dataclass
class ButtonLogic:
    name: str
    debounce_s: float
    hold_s: float | None = None
    _raw_down: bool = False
    _down: bool = False
    _last_edge: float = float("-inf")
    _down_since: float = 0.0
    _held: bool = False

    def edge(self, down: bool, at: float) -> Gesture | None:
        """A raw edge from the pin; returns a gesture when one completes."""
        self._raw_down = down
        if down == self._down or at - self._last_edge < self.debounce_s:
            return None
        return self._accept(down, at)

    def poll(self, now: float) -> Gesture | None:
        """Call regularly: settles levels after the quiet time and detects holds."""
        if self._raw_down != self._down and now - self._last_edge >= self.debounce_s:
            return self._accept(self._raw_down, now)
        if (
            self._down
            and not self._held
            and self.hold_s is not None
            and now - self._down_since >= self.hold_s
        ):
            self._held = True
            return Gesture.HOLD
        return None

    @property
    def is_down(self) -> bool:
        return self._down

    def _accept(self, down: bool, at: float) -> Gesture | None:
        self._down = down
        self._last_edge = at
        if down:
            self._down_since = at
            self._held = False
            return None
        if self._held:
            return None
        if self.hold_s is not None and at - self._down_since >= self.hold_s:
            return Gesture.HOLD
        return Gesture.PRESS
