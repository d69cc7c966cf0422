"""From a pen's input events to normalised strokes: the one place pad samples become evidence.

A USB pen tablet on Linux is an evdev device: ``EV_ABS`` events move the pen
(``ABS_X``, ``ABS_Y``, ``ABS_PRESSURE``), ``BTN_TOUCH`` says the tip touches,
and ``EV_SYN``/``SYN_REPORT`` closes one sample. :class:`StrokeRecorder` turns
that stream into strokes normalised to the pad's own ranges (so any tablet
gives 0..1), with times in ms since the first point. The real pad, the
recorded sequences of the tests and the simulated pen all feed it the same
events, so what the tests check is what a pad in the building records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from protocol.models import Stroke, StrokePoint
from protocol.models.signature import MAX_DURATION_MS, MAX_POINTS

# evdev's numbers (linux/input-event-codes.h), so this module needs no evdev import.
EV_SYN, EV_KEY, EV_ABS = 0, 1, 3
SYN_REPORT = 0
ABS_X, ABS_Y, ABS_PRESSURE = 0, 1, 24
BTN_TOUCH = 330
BTN_TOOL_PEN = 320
MIN_STEP = 0.002  # of the pad: closer samples add nothing to a signature


@dataclass(frozen=True)
class AxisRange:
    """The span an axis reports (evdev ``absinfo`` min/max)."""

    minimum: int
    maximum: int

    def normalise(self, value: int) -> float:
        span = self.maximum - self.minimum
        if span <= 0:
            return 0.0
        return round(min(1.0, max(0.0, (value - self.minimum) / span)), 4)


@dataclass(frozen=True)
class PadRanges:
    x: AxisRange
    y: AxisRange
    pressure: AxisRange


@dataclass(frozen=True)
class InputEvent:
    """One evdev event: (seconds, type, code, value), as ``evdev.InputEvent`` carries."""

    time_s: float
    type: int
    code: int
    value: int


class StrokeRecorder:
    """Collects the strokes of one signature; thread-safe (the pen reads on its own thread)."""

    def __init__(self, ranges: PadRanges | Callable[[], PadRanges]) -> None:
        """``ranges`` may be read afresh per sample: a re-plugged tablet may differ."""
        self._ranges = ranges if callable(ranges) else (lambda: ranges)
        self._lock = threading.Lock()
        self._strokes: list[list[StrokePoint]] = []
        self._raw = {ABS_X: 0, ABS_Y: 0, ABS_PRESSURE: 0}
        self._down = False
        self._start: float | None = None
        self.changed = threading.Event()  # set on each new point; the screen redraws

    def feed(self, event: InputEvent) -> None:
        with self._lock:
            if event.type == EV_ABS and event.code in self._raw:
                self._raw[event.code] = event.value
            elif event.type == EV_KEY and event.code == BTN_TOUCH:
                self._down = event.value != 0
                if self._down:
                    self._strokes.append([])
            elif event.type == EV_SYN and event.code == SYN_REPORT and self._down:
                self._sample(event.time_s)

    def _sample(self, time_s: float) -> None:
        if self._start is None:
            self._start = time_s
        t = round((time_s - self._start) * 1000)
        if t > MAX_DURATION_MS:
            return
        ranges = self._ranges()
        point = StrokePoint(
            x=ranges.x.normalise(self._raw[ABS_X]),
            y=ranges.y.normalise(self._raw[ABS_Y]),
            pressure=ranges.pressure.normalise(self._raw[ABS_PRESSURE]),
            t=t,
        )
        stroke = self._strokes[-1]
        if stroke:
            last = stroke[-1]
            if max(abs(point.x - last.x), abs(point.y - last.y)) < MIN_STEP:
                return
        stroke.append(point)
        self.changed.set()

    def clear(self) -> None:
        """Ulangi: the citizen starts again."""
        with self._lock:
            self._strokes.clear()
            self._start = None
            self._down = False
            self.changed.set()

    def strokes(self) -> list[Stroke]:
        """The strokes so far, thinned evenly to the contract's point limit."""
        with self._lock:
            runs = [list(points) for points in self._strokes if points]
        total = sum(len(points) for points in runs)
        if total > MAX_POINTS:
            keep = MAX_POINTS / total
            runs = [_thin(points, max(1, int(len(points) * keep))) for points in runs]
        return [Stroke(points=points) for points in runs]


def _thin(points: list[StrokePoint], count: int) -> list[StrokePoint]:
    """``count`` points of a stroke, evenly spaced, keeping its ends."""
    if count >= len(points):
        return points
    if count == 1:
        return [points[0]]
    step = (len(points) - 1) / (count - 1)
    return [points[round(i * step)] for i in range(count)]
