"""A touch screen as the pad: multitouch events turned into the pen stream the recorder reads.

A touch screen at the counter (the citizen signs with a finger or a passive
stylus) is an evdev device speaking the multitouch protocol B: ``ABS_MT_SLOT``
picks a finger, ``ABS_MT_TRACKING_ID`` ≥ 0 puts it down and -1 lifts it,
``ABS_MT_POSITION_X``/``_Y`` (and ``ABS_MT_PRESSURE`` where the panel has it)
move it, ``SYN_REPORT`` closes a frame. :class:`TouchToPen` follows the first
finger only (slot 0: a palm or a second finger draws nothing) and re-emits it
as ``BTN_TOUCH`` + ``ABS_X``/``ABS_Y``/``ABS_PRESSURE``, so the same
:class:`~edge.signature.strokes.StrokeRecorder` turns it into strokes. The
panel's single-touch emulation (its own ``ABS_X``/``BTN_TOUCH``) is dropped:
the multitouch events are the truth.
"""

from __future__ import annotations

from collections.abc import Callable

from edge.signature.strokes import (
    ABS_PRESSURE,
    ABS_X,
    ABS_Y,
    BTN_TOUCH,
    EV_ABS,
    EV_KEY,
    AxisRange,
    InputEvent,
)

ABS_MT_SLOT = 0x2F
ABS_MT_POSITION_X = 0x35
ABS_MT_POSITION_Y = 0x36
ABS_MT_TRACKING_ID = 0x39
ABS_MT_PRESSURE = 0x3A
BTN_TOOL_FINGER = 0x145
BTN_TOOL_DOUBLETAP = 0x14D
BTN_TOOL_TRIPLETAP = 0x14E
_EMULATION = frozenset({ABS_X, ABS_Y, ABS_PRESSURE})
_TOUCH_KEYS = frozenset({BTN_TOUCH, BTN_TOOL_FINGER, BTN_TOOL_DOUBLETAP, BTN_TOOL_TRIPLETAP})
NO_PRESSURE = AxisRange(0, 2)  # a panel without pressure: every point at half pressure
_HALF = 1


class TouchToPen:
    """Feeds ``feed`` the pen events of the first finger of a multitouch stream."""

    def __init__(self, feed: Callable[[InputEvent], None], has_pressure: bool) -> None:
        self.feed = feed
        self.has_pressure = has_pressure
        self._slot = 0
        self._down = False

    def __call__(self, event: InputEvent) -> None:
        if event.type == EV_ABS:
            self._abs(event)
        elif event.type == EV_KEY and event.code in _TOUCH_KEYS:
            return  # derived from the tracking id instead
        else:
            self.feed(event)  # SYN_REPORT closes the frame; other keys are the panel's buttons

    def _abs(self, event: InputEvent) -> None:
        if event.code == ABS_MT_SLOT:
            self._slot = event.value
            return
        if event.code in _EMULATION or self._slot != 0:
            return
        if event.code == ABS_MT_TRACKING_ID:
            down = event.value >= 0
            if down != self._down:
                self._down = down
                self.feed(InputEvent(event.time_s, EV_KEY, BTN_TOUCH, int(down)))
                if down and not self.has_pressure:
                    self.feed(InputEvent(event.time_s, EV_ABS, ABS_PRESSURE, _HALF))
            return
        code = {ABS_MT_POSITION_X: ABS_X, ABS_MT_POSITION_Y: ABS_Y, ABS_MT_PRESSURE: ABS_PRESSURE}
        if event.code in code:
            self.feed(InputEvent(event.time_s, EV_ABS, code[event.code], event.value))
