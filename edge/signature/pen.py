"""Where pen events come from: a USB tablet through evdev, or the simulated pen.

Both give the :class:`~edge.signature.strokes.StrokeRecorder` the same
``InputEvent`` stream and report the pad's axis ranges, so normalising,
thinning and hashing are the same code on a pad and in a test.

Which tablets work: any pen tablet the Linux kernel drives as an input device
(``wacom`` for Wacom One/Intuos/Bamboo, ``hid-uclogic`` for Huion, XP-Pen,
Gaomon, ``hid-generic`` for many others) reports ``ABS_X``/``ABS_Y``/
``ABS_PRESSURE`` and ``BTN_TOUCH``. Wacom STU and Topaz signature pads have no
kernel driver (they speak a vendor protocol over USB) and do not work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from edge.signature.hotplug import UdevEvent, UdevSource, UdevWatch, concerns_pad
from edge.signature.strokes import (
    ABS_PRESSURE,
    ABS_X,
    ABS_Y,
    BTN_TOOL_PEN,
    BTN_TOUCH,
    EV_ABS,
    EV_KEY,
    EV_SYN,
    SYN_REPORT,
    AxisRange,
    InputEvent,
    PadRanges,
)
from edge.signature.touch import (
    ABS_MT_POSITION_X,
    ABS_MT_POSITION_Y,
    ABS_MT_PRESSURE,
    NO_PRESSURE,
    TouchToPen,
)

log = logging.getLogger(__name__)
Feed = Callable[[InputEvent], None]
REFIND_S = 1.0  # how often an unplugged pad is looked for where udev does not run
HOTPLUG_REFIND_S = 30.0  # with udev: a safety net for an event missed, not the way it is found


class PenSource(Protocol):
    ranges: PadRanges

    def start(self, feed: Feed) -> None: ...
    def connected(self) -> bool: ...
    def close(self) -> None: ...


# A Wacom One (CTL-472) reports these; the simulated pen pretends to be one.
SIMULATED_RANGES = PadRanges(AxisRange(0, 15200), AxisRange(0, 9500), AxisRange(0, 2047))
SAMPLE_MS = 5  # a tablet reports at ~200 Hz


def pen_events(
    strokes: Sequence[Sequence[Sequence[float]]], ranges: PadRanges, start_s: float
) -> list[InputEvent]:
    """The events a tablet sends while drawing ``strokes`` of normalised (x, y, pressure)."""
    events: list[InputEvent] = []
    now = start_s

    def scaled(axis: AxisRange, value: float) -> int:
        return round(axis.minimum + value * (axis.maximum - axis.minimum))

    for stroke in strokes:
        events.append(InputEvent(now, EV_KEY, BTN_TOOL_PEN, 1))
        for index, (x, y, pressure) in enumerate(stroke):
            if index == 0:
                events.append(InputEvent(now, EV_KEY, BTN_TOUCH, 1))
            events.append(InputEvent(now, EV_ABS, ABS_X, scaled(ranges.x, x)))
            events.append(InputEvent(now, EV_ABS, ABS_Y, scaled(ranges.y, y)))
            events.append(InputEvent(now, EV_ABS, ABS_PRESSURE, scaled(ranges.pressure, pressure)))
            events.append(InputEvent(now, EV_SYN, SYN_REPORT, 0))
            now += SAMPLE_MS / 1000
        events.append(InputEvent(now, EV_KEY, BTN_TOUCH, 0))
        events.append(InputEvent(now, EV_KEY, BTN_TOOL_PEN, 0))
        events.append(InputEvent(now, EV_SYN, SYN_REPORT, 0))
        now += 0.25  # the pen in the air between strokes
    return events


class SimulatedPen:
    """A pen the control socket draws with (``{"do": "sign", "strokes": …}``)."""

    ranges = SIMULATED_RANGES

    def __init__(self) -> None:
        self._feed: Feed | None = None

    def start(self, feed: Feed) -> None:
        self._feed = feed

    def connected(self) -> bool:
        return True

    def draw(self, strokes: Sequence[Sequence[Sequence[float]]]) -> int:
        """Feed the events of ``strokes``; returns how many events were sent."""
        if self._feed is None:
            raise ValueError("the pad is not started")
        events = pen_events(strokes, self.ranges, time.time())
        for event in events:
            self._feed(event)
        return len(events)

    def press(self, code: int) -> None:
        """Press and release one of the tablet's keys (as the kernel reports it)."""
        if self._feed is None:
            raise ValueError("the pad is not started")
        now = time.time()
        for value in (1, 0):
            self._feed(InputEvent(now, EV_KEY, code, value))
            self._feed(InputEvent(now, EV_SYN, SYN_REPORT, 0))

    def close(self) -> None:
        self._feed = None


def _matches(device: Any, usb_id: str | None, name_contains: str, touch: bool = False) -> bool:
    if usb_id is not None:
        vendor, product = (int(part, 16) for part in usb_id.split(":"))
        if (device.info.vendor, device.info.product) != (vendor, product):
            return False
    if name_contains and name_contains.lower() not in device.name.lower():
        return False
    axes = dict(device.capabilities().get(EV_ABS, []))
    if touch:
        return ABS_MT_POSITION_X in axes and ABS_MT_POSITION_Y in axes
    return ABS_X in axes and ABS_Y in axes


def open_input(path: str, usb_id: str | None, name_contains: str, touch: bool = False) -> Any:
    """The evdev device at ``path`` if it is the configured pad (ids, name, axes), else None."""
    import evdev

    try:
        device = evdev.InputDevice(path)
    except OSError:
        return None
    if _matches(device, usb_id, name_contains, touch):
        return device
    device.close()
    return None


def find_tablet(usb_id: str | None, name_contains: str, touch: bool = False) -> Any | None:
    """The first evdev device that is the configured pad (pen or touch axes, id, name), or None."""
    import evdev

    for path in evdev.list_devices():
        device = open_input(path, usb_id, name_contains, touch)
        if device is not None:
            return device
    return None


def _ranges(device: Any, touch: bool = False) -> PadRanges:
    axes = dict(device.capabilities(absinfo=True).get(EV_ABS, []))
    if touch:
        pressure = axes.get(ABS_MT_PRESSURE)
        return PadRanges(
            AxisRange(axes[ABS_MT_POSITION_X].min, axes[ABS_MT_POSITION_X].max),
            AxisRange(axes[ABS_MT_POSITION_Y].min, axes[ABS_MT_POSITION_Y].max),
            AxisRange(pressure.min, pressure.max) if pressure else NO_PRESSURE,
        )
    pressure = axes.get(ABS_PRESSURE)
    return PadRanges(
        AxisRange(axes[ABS_X].min, axes[ABS_X].max),
        AxisRange(axes[ABS_Y].min, axes[ABS_Y].max),
        AxisRange(pressure.min, pressure.max) if pressure else AxisRange(0, 1),
    )


class EvdevPen:
    """The pad of the device file (a USB pen tablet, or a touch screen with ``touch``), read
    on its own thread, found again when it is plugged back in.

    udev's ``add`` event for its node (:mod:`edge.signature.hotplug`) opens it at
    once; where udev does not run it is looked for every :data:`REFIND_S`. Not
    plugged in, the pad says "not connected" rather than failing.
    """

    def __init__(
        self,
        usb_id: str | None,
        name_contains: str,
        touch: bool = False,
        udev: UdevSource | None = None,
        opener: Callable[[str], Any] | None = None,
        finder: Callable[[], Any] | None = None,
    ) -> None:
        """``udev``, ``opener`` (node → device or None) and ``finder`` (→ the device
        plugged in now, or None) default to pyudev and evdev; tests give recorded ones."""
        self.usb_id = usb_id
        self.name_contains = name_contains
        self.touch = touch
        self.ranges = SIMULATED_RANGES
        self._udev: UdevSource = udev if udev is not None else UdevWatch()
        self._open = opener or (lambda path: open_input(path, usb_id, name_contains, touch))
        self._find = finder or (lambda: find_tablet(self.usb_id, self.name_contains, self.touch))
        self._device: Any | None = None
        self._stop = threading.Event()
        self._plugged = threading.Event()  # udev said a node of ours was added
        self._added: list[str] = []
        self._lock = threading.Lock()
        self._hotplug = False
        self._thread: threading.Thread | None = None

    def connected(self) -> bool:
        return self._device is not None

    def start(self, feed: Feed) -> None:
        self._hotplug = self._udev.start(self._udev_event)
        self._thread = threading.Thread(target=self._read, args=(feed,), name="pen", daemon=True)
        self._thread.start()

    def _udev_event(self, event: UdevEvent) -> None:
        """(udev's thread.) A node of ours came or went."""
        node = concerns_pad(event, self.usb_id)
        if node is None:
            return
        if event.get("ACTION") == "add":
            log.info("input device %s plugged in", node)
            with self._lock:
                self._added.append(node)
            self._plugged.set()
        else:
            log.info("input device %s unplugged", node)

    def _next_device(self) -> Any | None:
        """A node udev announced, or else whatever is plugged in now."""
        with self._lock:
            added, self._added = self._added, []
            self._plugged.clear()
        for node in added:
            device = self._open(node)
            if device is not None:
                return device
        return self._find()

    def _read(self, feed: Feed) -> None:
        said_missing = False
        while not self._stop.is_set():
            device = self._next_device()
            if device is None:
                if not said_missing:
                    log.warning(
                        "no %s (usb_id %s, name containing %r): plug it in",
                        "touch screen" if self.touch else "pen tablet",
                        self.usb_id,
                        self.name_contains,
                    )
                    said_missing = True
                if self._hotplug:
                    self._plugged.wait(HOTPLUG_REFIND_S)  # udev wakes it; a slow safety net
                else:
                    self._stop.wait(REFIND_S)
                continue
            said_missing = False
            self._follow(device, feed)

    def _follow(self, device: Any, feed: Feed) -> None:
        """Read ``device`` until it is unplugged (its read fails) or the pen is closed."""
        self.ranges = _ranges(device, self.touch)
        self._device = device
        log.info("pad input %s at %s", device.name, device.path)
        sink: Feed = TouchToPen(feed, self.ranges.pressure != NO_PRESSURE) if self.touch else feed
        try:
            for event in device.read_loop():
                if self._stop.is_set():
                    break
                sink(InputEvent(event.timestamp(), event.type, event.code, event.value))
        except OSError as error:
            log.warning("pad input gone (%s); waiting for it to be plugged in again", error)
        finally:
            self._device = None
            device.close()

    def close(self) -> None:
        self._stop.set()
        self._plugged.set()
        self._udev.stop()
        device = self._device
        if device is not None:
            device.close()
