"""From evdev events to strokes, hash and pictures: what a pad records from a tablet.

Event sequences are fed as a tablet sends them (``EV_ABS``/``BTN_TOUCH``/
``SYN_REPORT``); the uinput test drives a real virtual tablet through the
kernel and the agent's own ``EvdevPen`` where ``/dev/uinput`` is writable, and
is skipped elsewhere (CI relies on the sequence path).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest

from edge.signature.pen import SIMULATED_RANGES, EvdevPen, pen_events
from edge.signature.strokes import (
    ABS_PRESSURE,
    ABS_X,
    ABS_Y,
    BTN_TOUCH,
    EV_ABS,
    EV_KEY,
    EV_SYN,
    SYN_REPORT,
    AxisRange,
    InputEvent,
    PadRanges,
    StrokeRecorder,
)
from protocol.models.signature import MAX_POINTS, strokes_sha256
from protocol.signature_picture import png, svg

OUTPUT = Path(__file__).parent / "output"
RANGES = PadRanges(AxisRange(0, 1000), AxisRange(0, 500), AxisRange(0, 255))


def sample(t: float, x: int, y: int, p: int) -> list[InputEvent]:
    return [
        InputEvent(t, EV_ABS, ABS_X, x),
        InputEvent(t, EV_ABS, ABS_Y, y),
        InputEvent(t, EV_ABS, ABS_PRESSURE, p),
        InputEvent(t, EV_SYN, SYN_REPORT, 0),
    ]


def test_the_exact_strokes_of_an_event_sequence():
    recorder = StrokeRecorder(RANGES)
    events = [
        *sample(10.000, 100, 100, 0),  # hovering: no point
        InputEvent(10.010, EV_KEY, BTN_TOUCH, 1),
        *sample(10.010, 100, 100, 128),
        *sample(10.015, 150, 125, 255),
        *sample(10.020, 150, 125, 200),  # did not move: thinned away
        InputEvent(10.025, EV_KEY, BTN_TOUCH, 0),
        *sample(10.300, 600, 400, 0),  # in the air again
        InputEvent(10.400, EV_KEY, BTN_TOUCH, 1),
        *sample(10.400, 1000, 500, 51),
        InputEvent(10.410, EV_KEY, BTN_TOUCH, 0),
    ]
    for event in events:
        recorder.feed(event)
    strokes = recorder.strokes()
    assert [[(p.x, p.y, p.pressure, p.t) for p in s.points] for s in strokes] == [
        [(0.1, 0.2, 0.502, 0), (0.15, 0.25, 1.0, 5)],
        [(1.0, 1.0, 0.2, 390)],
    ]
    recorder.clear()
    assert recorder.strokes() == []


def test_a_long_signature_is_thinned_to_the_contract_limit_keeping_its_ends():
    recorder = StrokeRecorder(SIMULATED_RANGES)
    n = MAX_POINTS * 2
    stroke = [[i / n, 0.5 + 0.3 * math.sin(i / 50), 0.5] for i in range(n)]
    for event in pen_events([stroke], SIMULATED_RANGES, 0.0):
        recorder.feed(event)
    (thinned,) = recorder.strokes()
    assert len(thinned.points) <= MAX_POINTS
    assert thinned.points[0].x == 0.0 and thinned.points[-1].x == round((n - 1) / n, 4)


def test_svg_and_png_of_a_signature(tmp_path: Path):
    """Look at tests/output/signature.png: a wavy signature with a short second stroke."""
    recorder = StrokeRecorder(SIMULATED_RANGES)
    first = [
        [0.1 + 0.6 * i / 80, 0.5 + 0.2 * math.sin(i / 6), 0.2 + 0.6 * i / 80] for i in range(80)
    ]
    second = [[0.75 + 0.1 * i / 20, 0.3 + 0.4 * i / 20, 0.7] for i in range(20)]
    for event in pen_events([first, second], SIMULATED_RANGES, 0.0):
        recorder.feed(event)
    strokes = recorder.strokes()
    drawing = svg(strokes)
    assert drawing.count("<line") == sum(len(s.points) - 1 for s in strokes)
    assert 'stroke-width="0.' not in drawing.split("<line")[1], "light pressure is still visible"
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "signature.svg").write_text(drawing)
    picture = png(strokes, OUTPUT / "signature.png")
    from PIL import Image

    with Image.open(picture) as image:
        assert image.size == (600, 375)
        inked = sum(image.histogram()[:128])
    assert 1500 < inked < 20000, inked
    assert len(strokes_sha256(strokes)) == 64


class FakeTablet:
    """An evdev device as python-evdev shows it: a read loop that ends when unplugged."""

    def __init__(self, events: list[InputEvent], unplugged: threading.Event) -> None:
        self.name, self.path = "Wacom One Pen", "/dev/input/event7"
        self._events = events
        self._unplugged = unplugged

    def capabilities(self, absinfo: bool = False) -> dict:
        from types import SimpleNamespace as Info

        axes = {ABS_X: (0, 1000), ABS_Y: (0, 500), ABS_PRESSURE: (0, 255)}
        return {EV_ABS: [(code, Info(min=lo, max=hi)) for code, (lo, hi) in axes.items()]}

    def read_loop(self):
        from types import SimpleNamespace as Event

        for e in self._events:
            yield Event(type=e.type, code=e.code, value=e.value, timestamp=lambda e=e: e.time_s)
        self._unplugged.set()
        raise OSError(19, "No such device")

    def close(self) -> None:
        pass


def test_a_tablet_unplugged_and_plugged_back_is_read_again(monkeypatch: pytest.MonkeyPatch):
    """The pen's thread looks for the tablet again after its read fails (the unplug)."""
    import edge.signature.pen as pen_module

    first_gone, second_gone = threading.Event(), threading.Event()
    stroke = [
        InputEvent(0.0, EV_KEY, BTN_TOUCH, 1),
        *sample(0.0, 100, 100, 100),
        *sample(0.01, 500, 400, 200),
        InputEvent(0.02, EV_KEY, BTN_TOUCH, 0),
    ]
    plugged = iter([FakeTablet(stroke, first_gone), None, FakeTablet(stroke, second_gone)])
    monkeypatch.setattr(pen_module, "REFIND_S", 0.01)
    monkeypatch.setattr(pen_module, "find_tablet", lambda *_: next(plugged, None))
    pen = EvdevPen("056a:0357", "Wacom One")
    recorder = StrokeRecorder(lambda: pen.ranges)
    pen.start(recorder.feed)
    try:
        assert second_gone.wait(5), "the re-plugged tablet was not read"
    finally:
        pen.close()
    assert pen.ranges == RANGES
    assert len(recorder.strokes()) == 2, "a stroke from before and one from after the re-plug"


@pytest.mark.skipif(
    not os.access("/dev/uinput", os.W_OK), reason="no writable /dev/uinput on this machine"
)
def test_a_virtual_tablet_through_the_kernel_is_recorded():  # pragma: no cover - needs uinput
    import evdev
    from evdev import AbsInfo, UInput
    from evdev import ecodes as e

    capabilities = {
        e.EV_KEY: [e.BTN_TOUCH, e.BTN_TOOL_PEN],
        e.EV_ABS: [
            (e.ABS_X, AbsInfo(0, 0, 15200, 0, 0, 100)),
            (e.ABS_Y, AbsInfo(0, 0, 9500, 0, 0, 100)),
            (e.ABS_PRESSURE, AbsInfo(0, 0, 2047, 0, 0, 0)),
        ],
    }
    with UInput(capabilities, name="Test Pen Tablet", vendor=0x056A, product=0x0357) as tablet:
        pen = EvdevPen("056a:0357", "Test Pen")
        recorder = StrokeRecorder(lambda: pen.ranges)
        got = threading.Event()
        original = recorder.feed

        def feed(event: InputEvent) -> None:
            original(event)
            if event.type == EV_KEY and event.code == BTN_TOUCH and event.value == 0:
                got.set()

        pen.start(feed)
        try:
            for _ in range(50):
                if pen.connected():
                    break
                threading.Event().wait(0.1)
            for event in pen_events([[[0.1, 0.1, 0.5], [0.5, 0.5, 1.0]]], pen.ranges, 0.0):
                tablet.write(event.type, event.code, event.value)
            tablet.syn()
            assert got.wait(5)
        finally:
            pen.close()
        (stroke,) = recorder.strokes()
        assert [(p.x, p.y) for p in stroke.points] == [(0.1, 0.1), (0.5, 0.5)]
    del evdev


def test_a_receipt_is_not_written_when_the_strokes_do_not_match_their_hash(tmp_path: Path):
    from datetime import UTC, datetime

    from admin.client import ConsoleError
    from admin.receipt import render_receipt
    from protocol.models import Receipt

    recorder = StrokeRecorder(SIMULATED_RANGES)
    line = [[0.1 + i / 50, 0.5, 0.5] for i in range(30)]
    for event in pen_events([line], SIMULATED_RANGES, 0.0):
        recorder.feed(event)
    strokes = recorder.strokes()
    fields = {
        "ticket_id": "20261123-A-012",
        "number": "A-012",
        "site_name": "MPP Kabupaten Lampung Timur",
        "agency_name": "Disdukcapil",
        "service_name": "Perekaman KTP-el",
        "counter": 1,
        "device_id": "sigpad-01",
        "signed_at": datetime(2026, 11, 23, 2, 41, tzinfo=UTC),
        "time_zone": "Asia/Jakarta",
        "strokes": strokes,
    }
    good = Receipt(**fields, sha256=strokes_sha256(strokes))
    assert render_receipt(good, tmp_path / "ok.png").stat().st_size > 10_000
    from admin.receipt import when

    assert when(good) == "23 November 2026, 09.41 WIB"
    long_name = {**fields, "service_name": "Pendaftaran Perkara (Gugatan dan Permohonan)"}
    _inked_within_the_page(
        render_receipt(Receipt(**long_name, sha256=good.sha256), tmp_path / "l.png")
    )
    tampered = Receipt(**fields, sha256="f" * 64)
    with pytest.raises(ConsoleError, match="do not match their SHA-256"):
        render_receipt(tampered, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def _inked_within_the_page(receipt: Path) -> None:
    """No text runs into the right margin: a long service name wraps inside the page."""
    from PIL import Image

    from admin.receipt import MARGIN

    with Image.open(receipt) as page:
        grey = page.convert("L")
        margin = grey.crop((grey.width - MARGIN + 10, 0, grey.width, grey.height))
        assert margin.getextrema()[0] == 255, "ink in the right margin"
