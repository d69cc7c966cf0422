"""The pad's input through recorded captures (tests/data/pad/): udev events make the pen
pick up a tablet plugged in, unplugged and plugged back during a session (no polling:
the finder never finds it), and a touch screen's multitouch stream becomes the same
strokes through the same recorder, first finger only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edge.signature.pen import EvdevPen
from edge.signature.strokes import (
    ABS_PRESSURE,
    ABS_X,
    ABS_Y,
    AxisRange,
    PadRanges,
    StrokeRecorder,
)
from edge.signature.touch import ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_SLOT, NO_PRESSURE
from tests.recorded_input import RecordedDevice, RecordedUdev, evtest_events, udev_events

WACOM = {ABS_X: (0, 15200), ABS_Y: (0, 9500), ABS_PRESSURE: (0, 2047)}
TOUCH = {
    ABS_X: (0, 4095),
    ABS_Y: (0, 4095),
    ABS_MT_SLOT: (0, 9),
    ABS_MT_POSITION_X: (0, 4095),
    ABS_MT_POSITION_Y: (0, 4095),
}


@pytest.fixture
def pens() -> Iterator[list[EvdevPen]]:
    made: list[EvdevPen] = []
    yield made
    for pen in made:
        pen.close()


def test_a_tablet_unplugged_and_plugged_back_is_picked_up_from_udev_events(
    pens: list[EvdevPen],
) -> None:
    nodes = {
        "/dev/input/event7": RecordedDevice(
            "/dev/input/event7",
            "Wacom One by Wacom S Pen",
            WACOM,
            evtest_events("wacom-one-before-unplug.evtest"),
        ),
        "/dev/input/event9": RecordedDevice(
            "/dev/input/event9",
            "Wacom One by Wacom S Pen",
            WACOM,
            evtest_events("wacom-one-after-replug.evtest"),
        ),
    }
    opened: list[str] = []

    def opener(node: str) -> RecordedDevice | None:
        opened.append(node)
        return nodes.get(node)

    udev = RecordedUdev(udev_events("udev-wacom-one-replug.txt"))
    pen = EvdevPen("056a:037a", "Wacom One", udev=udev, opener=opener, finder=lambda: None)
    pens.append(pen)
    recorder = StrokeRecorder(lambda: pen.ranges)
    pen.start(recorder.feed)
    assert not pen.connected(), "not plugged in yet"

    udev.deliver(0)  # input12: the parent device, no node to read
    udev.deliver(1)  # event7: the tablet
    assert nodes["/dev/input/event7"].played.wait(10), "the tablet was not read"
    assert pen.ranges == PadRanges(AxisRange(0, 15200), AxisRange(0, 9500), AxisRange(0, 2047))
    udev.deliver(2)  # a keyboard (046d:c31c): never opened
    nodes["/dev/input/event7"].unplugged.set()
    udev.deliver(3)
    udev.deliver(4)
    assert nodes["/dev/input/event7"].closed.wait(10)
    udev.deliver(5)
    udev.deliver(6)  # plugged back: event9
    assert nodes["/dev/input/event9"].played.wait(10), "the re-plugged tablet was not read"
    assert opened == ["/dev/input/event7", "/dev/input/event9"]

    before, after = recorder.strokes()
    assert len(before.points) == 40 and len(after.points) == 24
    first = before.points[0]
    assert (first.x, first.y, first.pressure, first.t) == (0.1316, 0.5, 0.2931, 0)
    last = after.points[-1]
    # 9000 + 23 × 150 = 12450 of 15200; 3000 + 23 × 110 = 5530 of 9500; 1100 of 2047;
    # 61 400 ms after the first point, plus 23 samples of 5 ms.
    assert (last.x, last.y, last.pressure, last.t) == (0.8191, 0.5821, 0.5374, 61515)


def test_a_touch_screen_signs_through_the_same_recorder_first_finger_only(
    pens: list[EvdevPen],
) -> None:
    screen = RecordedDevice(
        "/dev/input/event4",
        "ILITEK ILITEK-TP",
        TOUCH,
        evtest_events("ilitek-touch-signature.evtest"),
    )
    plugged = iter([screen])
    pen = EvdevPen(
        None,
        "ILITEK",
        touch=True,
        udev=RecordedUdev([]),
        opener=lambda _node: None,
        finder=lambda: next(plugged, None),
    )
    pens.append(pen)
    recorder = StrokeRecorder(lambda: pen.ranges)
    pen.start(recorder.feed)
    assert screen.played.wait(10)
    assert pen.ranges == PadRanges(AxisRange(0, 4095), AxisRange(0, 4095), NO_PRESSURE)

    (stroke,) = recorder.strokes()
    assert len(stroke.points) == 30, "every frame of the first finger; the palm drew nothing"
    assert max(p.x for p in stroke.points) < 0.9, "nothing from slot 1 (x 3900 of 4095)"
    assert {p.pressure for p in stroke.points} == {0.5}, "no pressure axis: half pressure"
    first, last = stroke.points[0], stroke.points[-1]
    assert (first.x, first.y, first.t) == (0.1954, 0.4884, 0)
    # 800 + 29 × 60 = 2540; 2000 + round(400 sin(29/3)) = 1904; 29 frames of 16.7 ms.
    assert (last.x, last.y, last.t) == (0.6203, 0.465, 484)
