"""Recorded input for the signature pad's tests: ``evtest`` and ``udevadm monitor`` text.

:func:`evtest_events` reads an ``evtest`` capture into the kernel events the pad
reads; :func:`udev_events` reads a ``udevadm monitor --property`` capture into
the property mappings pyudev gives the pad's hot-plug watch;
:class:`RecordedDevice` plays a capture as python-evdev's ``InputDevice`` does
(a read loop that fails with ENODEV when unplugged); :class:`RecordedUdev`
delivers the udev events one by one, when the test says.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from edge.signature.strokes import EV_SYN, SYN_REPORT, InputEvent

DATA = Path(__file__).parent / "data" / "pad"
_EVENT = re.compile(
    r"^Event: time (\d+\.\d+), type (\d+) \(\w+\), code (\d+) \(\w+\), value (-?\d+)$"
)
_SYN = re.compile(r"^Event: time (\d+\.\d+), -+ SYN_REPORT -+$")


def evtest_events(name: str) -> list[InputEvent]:
    events: list[InputEvent] = []
    for line in (DATA / name).read_text().splitlines():
        if match := _EVENT.match(line):
            t, kind, code, value = match.groups()
            events.append(InputEvent(float(t), int(kind), int(code), int(value)))
        elif match := _SYN.match(line):
            events.append(InputEvent(float(match.group(1)), EV_SYN, SYN_REPORT, 0))
    return events


def udev_events(name: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    for block in (DATA / name).read_text().split("\n\n"):
        props = dict(
            line.split("=", 1) for line in block.splitlines() if "=" in line and line[:1] != "#"
        )
        if props:
            events.append(props)
    return events


class RecordedDevice:
    """An evdev device playing a capture; its read loop ends with ENODEV once unplugged."""

    def __init__(
        self, path: str, name: str, axes: Mapping[int, tuple[int, int]], events: list[InputEvent]
    ) -> None:
        self.path, self.name = path, name
        self._axes = axes
        self._events = events
        self.played = threading.Event()  # every event was read
        self.unplugged = threading.Event()
        self.closed = threading.Event()  # the pad let go of it

    def capabilities(self, absinfo: bool = False) -> dict[int, list[tuple[int, Any]]]:
        return {
            3: [(code, SimpleNamespace(min=lo, max=hi)) for code, (lo, hi) in self._axes.items()]
        }

    def read_loop(self) -> Iterator[Any]:
        for e in self._events:
            yield SimpleNamespace(
                type=e.type, code=e.code, value=e.value, timestamp=lambda e=e: e.time_s
            )
        self.played.set()
        self.unplugged.wait(30)
        raise OSError(19, "No such device")

    def close(self) -> None:
        self.unplugged.set()
        self.closed.set()


class RecordedUdev:
    """A udev source that delivers recorded events when :meth:`deliver` is called."""

    def __init__(self, events: list[dict[str, str]]) -> None:
        self.events = events
        self._on_event: Callable[[Mapping[str, str]], None] | None = None

    def start(self, on_event: Callable[[Mapping[str, str]], None]) -> bool:
        self._on_event = on_event
        return True

    def deliver(self, index: int) -> dict[str, str]:
        assert self._on_event is not None, "the pen did not start its udev watch"
        event = self.events[index]
        self._on_event(event)
        return event

    def stop(self) -> None:
        self._on_event = None
