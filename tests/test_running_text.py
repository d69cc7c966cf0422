"""Running text on luma's dummy device: the frames carry the text, scroll fully, calls cut in."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from edge.running_text.panel import open_dummy
from edge.running_text.scroller import Scroller, call_message, strip

OUTPUT = Path(__file__).resolve().parent / "output" / "running-text"


def _frames(scroller: Scroller, count: int) -> list[Image.Image]:
    return [scroller.frame() for _ in range(count)]


def test_frames_carry_the_rendered_text_on_the_panel() -> None:
    panel = open_dummy(cascaded=4)
    scroller = Scroller(panel_width=panel.width, announcements=["Antrian dibuka 08.00"])
    expected = strip("Antrian dibuka 08.00")
    frames = _frames(scroller, scroller.frames_for("Antrian dibuka 08.00"))
    for offset in (panel.width, panel.width + 10, panel.width + 40):
        window = expected.crop((offset - panel.width, 0, offset, 8))
        assert frames[offset].tobytes() == window.tobytes()
    panel.show(frames[panel.width + 20])
    assert panel.device.image.getbbox() is not None, "the panel got lit pixels"


def test_a_long_text_scrolls_completely_then_the_next_starts() -> None:
    long = "Siapkan KTP-el, Kartu Keluarga dan berkas asli sebelum dipanggil ke loket"
    scroller = Scroller(panel_width=32, announcements=[long, "Terima kasih"])
    total = scroller.frames_for(long)
    frames = _frames(scroller, total)
    assert frames[0].getbbox() is None, "the text enters from the right edge"
    assert frames[-1].getbbox() is None, "and leaves the panel completely"
    assert all(frame.getbbox() is not None for frame in frames[1 : total - 1])
    scroller.frame()
    assert scroller.current == "Terima kasih"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    sheet = Image.new("1", (32, 8 * 12))
    for row, index in enumerate(range(0, total, max(1, total // 12))):
        if row < 12:
            sheet.paste(frames[index], (0, row * 8))
    sheet.resize((32 * 8, 8 * 12 * 8)).save(OUTPUT / "frames.png")


def test_a_call_interrupts_an_announcement() -> None:
    scroller = Scroller(panel_width=32, call_passes=2, announcements=["Pengumuman panjang"])
    _frames(scroller, 10)
    assert scroller.current == "Pengumuman panjang"
    scroller.call("A-012", 3)
    scroller.frame()
    assert scroller.current == call_message("A-012", 3) == "A-012 KE LOKET 3"
    per_pass = scroller.frames_for("A-012 KE LOKET 3")
    _frames(scroller, 2 * per_pass - 1)
    assert scroller.current == "A-012 KE LOKET 3"
    scroller.frame()
    assert scroller.current == "Pengumuman panjang", "announcements resume after the passes"


def test_agent_puts_a_live_call_on_the_panel(fresh_broker, inventory, tmp_path) -> None:
    import threading

    from edge.compose import running_text_agent
    from edge.hardware.choice import SimulatedHardware
    from protocol.models import CallEvent, utc_now
    from tests.edge_fixtures import device_link
    from tests.mqtt_client import RecordingClient

    panel = open_dummy(cascaded=8)
    shown = threading.Event()

    class Watching:
        width, height = panel.width, panel.height

        def show(self, frame: Image.Image) -> None:
            panel.show(frame)
            if agent.scroller.current == "A-007 KE LOKET 2":
                shown.set()

        def close(self) -> None:
            panel.close()

    config = inventory.device("runtext-01")
    agent = running_text_agent(
        config, device_link(fresh_broker, config), SimulatedHardware(tmp_path, panel=Watching())
    )
    agent.start(wait=10)
    hub = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "hub",
        fresh_broker.password("hub"),
        tls=fresh_broker.tls("hub"),
    )
    hub.connect()
    try:
        call = CallEvent(
            event_id=__import__("uuid").uuid4(),
            seq=1,
            number="A-007",
            counter=2,
            counter_name="Loket 2",
            service="DUK-KTP",
            agency_name="Dukcapil",
            recall=0,
            called_at=utc_now(),
        )
        for _ in range(50):  # the agent's subscription completes asynchronously
            hub.publish("mpp/event/call", call.model_dump_json())
            if shown.wait(0.2):
                break
        assert shown.is_set()
    finally:
        hub.stop()
        agent.stop()


def test_a_call_restored_after_a_restart_is_shown_once() -> None:
    from edge.running_text.scroller import IDLE_TEXT, Scroller

    scroller = Scroller(panel_width=32, call_passes=2)
    scroller.call("A-001", 1, passes=1)
    for _ in range(scroller.frames_for("A-001 KE LOKET 1")):
        scroller.frame()
        assert scroller.current == "A-001 KE LOKET 1"
    scroller.frame()
    assert scroller.current == IDLE_TEXT, "one pass, then back to the idle text"


def _passes(scroller: Scroller, frames: int) -> list[str]:
    """The messages the panel starts to scroll over the next ``frames`` frames."""
    started = []
    for _ in range(frames):
        scroller.frame()
        if scroller._offset == 1:  # a message was just loaded
            started.append(scroller.current)
    return started


def test_a_call_replaces_the_waiting_call_of_its_counter() -> None:
    from edge.running_text.scroller import IDLE_TEXT

    scroller = Scroller(panel_width=32, call_passes=2)
    scroller.call("A-001", 1)
    scroller.frame()  # A-001 scrolling
    scroller.call("B-001", 2)
    scroller.call("A-002", 1)  # counter 1 has moved on: A-001's second pass is stale
    started = _passes(scroller, 5000)
    assert [m for m in started if m != IDLE_TEXT] == [
        "B-001 KE LOKET 2",
        "B-001 KE LOKET 2",
        "A-002 KE LOKET 1",
        "A-002 KE LOKET 1",
    ]


def test_a_burst_never_leaves_the_panel_minutes_behind() -> None:
    from edge.running_text.scroller import IDLE_TEXT, MAX_WAITING_CALLS

    scroller = Scroller(panel_width=32, call_passes=2)
    scroller.call("A-001", 1)
    scroller.frame()
    for counter in range(2, 23):  # every other counter calls at once
        scroller.call(f"A-{counter:03d}", counter)
    started = [m for m in _passes(scroller, 20000) if m != IDLE_TEXT]
    latest = [call_message(f"A-{n:03d}", n) for n in range(23 - MAX_WAITING_CALLS, 23)]
    assert started == [m for m in latest for _ in range(2)], "the latest calls, twice each"


def test_identify_scrolls_the_device_id_next() -> None:
    scroller = Scroller(panel_width=32, announcements=["Pengumuman"])
    scroller.frame()
    assert scroller.current == "Pengumuman"
    scroller.notice("RUNTEXT-01", passes=1)
    for _ in range(scroller.frames_for("Pengumuman") + 1):
        scroller.frame()
    assert scroller.current == "RUNTEXT-01"
    for _ in range(scroller.frames_for("RUNTEXT-01") + 1):
        scroller.frame()
    assert scroller.current == "Pengumuman"
