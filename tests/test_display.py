"""The call display: screenshots, calls one after another, announcements exactly once."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import tests.kiosk_fixtures  # noqa: F401 - headless SDL before pygame starts
from edge.compose import display_agent
from edge.contrast import AA, ratio
from edge.display.agent import DisplayAgent
from edge.display.announcer import (
    AnnouncedCursor,
    Announcer,
    PygamePlayer,
    QuietHours,
    WavFilePlayer,
)
from edge.display.clips import ClipSet
from edge.display.model import DisplayModel
from edge.display.screen import DisplayScreen
from edge.display.speech import announcement
from edge.hardware.choice import SimulatedHardware
from firmware_config.inventory import Inventory
from firmware_config.schema import DeviceConfig, DisplayUnitConfig
from hub.app import HubApp
from mqtt_broker.local import LocalBroker
from protocol.models import CallEvent, CounterNext, CounterOpen, TicketPrinted, TicketReserve
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.edge_fixtures import device_link
from tests.kiosk_fixtures import service_states, site_catalogue
from tests.reference_images import assert_matches_reference

OUTPUT = Path(__file__).resolve().parent / "output" / "display"
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


class RecordingPlayer:
    def __init__(self) -> None:
        self.played: list[float] = []
        self.event = threading.Event()

    def play(self, wav: bytes, seconds: float) -> None:
        self.played.append(seconds)
        self.event.set()


def _call(
    number: str, counter: int, seq: int, zone: str = "lantai-1", at: datetime = NOW
) -> CallEvent:
    return CallEvent(
        event_id=uuid4(),
        seq=seq,
        number=number,
        counter=counter,
        counter_name=f"Loket {counter}",
        service="DUK-KTP",
        agency_name="Dukcapil",
        zone=zone,
        recall=0,
        called_at=at,
    )


def _screen_with(calls: int, linked: bool = True) -> tuple[DisplayModel, DisplayScreen]:
    """The display with ``calls`` calls made one after another, as a hall sees it."""
    pygame.display.init()
    surface = pygame.Surface((1920, 1080))
    cat = site_catalogue()
    model = DisplayModel(
        catalogue=cat,
        services=service_states(cat),
        announcements=["Layanan dibuka pukul 08.00 WIB", "Siapkan KTP-el dan KK asli"],
        connected=linked,
        hub_online=linked,
    )
    for index in range(calls):
        model.add_call(_call(f"A-{index + 1:03d}", index + 1, index + 1))
        model.tick(index * 10.0)
    device = inventory_display()
    screen = DisplayScreen(surface, device.width_mm, device.labels)
    # after the highlight, on the first page of the waiting grid (pages of 8 s, three)
    now = math.ceil((calls * 10.0 + 0.4) / 24.0) * 24.0 + 0.4
    screen.draw(model, now, datetime(2026, 11, 23, 8, 30))
    return model, screen


def inventory_display() -> DisplayUnitConfig:
    from firmware_config.inventory import load_inventory

    return load_inventory().device("display-01").display_unit()


def _image(surface: pygame.Surface) -> Image.Image:
    return Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))


MIN_CAP_MM = {"number": 100.0, "counter": 50.0, "text": 20.0}  # ux.md, read from 3-10 m


@pytest.mark.parametrize(("calls", "linked"), [(0, True), (1, True), (8, True), (8, False)])
def test_screens_with_no_one_and_many_calls(calls: int, linked: bool) -> None:
    model, screen = _screen_with(calls, linked)
    name = f"display-{calls}-calls" + ("" if linked else "-not-linked")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pygame.image.save(screen.surface, OUTPUT / f"{name}.png")
    assert (model.now_calling is None) == (calls == 0)
    assert len(model.recent) == min(calls, 8)
    if calls:
        assert model.recent[0] is model.now_calling, "panel and list agree"
        numbers = [d.text for d in screen.drawn if d.kind == "number"]
        assert numbers == [f"A-{calls:03d}"]
    bounds = pygame.Rect(0, 0, *screen.surface.get_size())
    for drawn in screen.drawn:
        cap_mm = drawn.cap_px / screen.px_per_mm
        assert cap_mm >= MIN_CAP_MM[drawn.kind] - 0.5, f"{drawn.text!r}: capitals {cap_mm:.0f} mm"
        assert ratio(drawn.ink, drawn.background) >= AA, f"{drawn.text!r}"
        assert bounds.contains(drawn.rect), f"{drawn.text!r} leaves the screen"
        assert "…" not in drawn.text, f"{drawn.text!r} was cut: give it a shorter form"
    assert_matches_reference(_image(screen.surface), "display", name)


def test_the_waiting_grid_has_one_size_and_shortens_instead_of_shrinking() -> None:
    """11 px to 40 px per cell before; now one size, pages, and configured short names."""
    model, screen = _screen_with(1)
    cells, headings = [], []
    for page in range(3):
        screen.draw(model, 24.4 + 8.0 * page, datetime(2026, 11, 23, 8, 30))
        cells += [d for d in screen.drawn if d.part == "grid"]
        headings += [d.text for d in screen.drawn if d.text.startswith("Menunggu per instansi")]
    assert headings == [f"Menunggu per instansi ({page}/3)" for page in (1, 2, 3)]
    assert len({d.size for d in cells}) == 1, "one font size for every cell of every page"
    assert cells[0].cap_px / screen.px_per_mm >= 20.0 - 0.5
    labels = {d.text for d in cells}
    assert len(labels - {str(n) for n in range(100)}) == 15, "every agency, on some page"
    assert {"Dukcapil", "BPJS Kesehatan", "Peng. Agama", "BPJS TK"} <= labels
    assert not [label for label in labels if "…" in label]


def test_calls_arriving_together_are_shown_one_after_another() -> None:
    model = DisplayModel(highlight_s=6.0)
    calls = [_call("A-001", 1, 1), _call("H-001", 5, 2), _call("B-001", 7, 3)]
    for call in calls:
        model.add_call(call)
    shown = [model.tick(0.0), model.tick(3.0), model.tick(6.0), model.tick(12.0)]
    assert shown == [calls[0], None, calls[1], calls[2]]


def test_a_call_supersedes_the_waiting_highlight_of_its_counter() -> None:
    model = DisplayModel(highlight_s=6.0)
    first, waiting, again = _call("A-001", 1, 1), _call("H-001", 5, 2), _call("H-002", 5, 3)
    for call in (first, waiting, again):
        assert model.add_call(call), "every call is taken (and offered to the announcer)"
    shown = [model.tick(0.0), model.tick(6.0), model.tick(12.0)]
    assert shown == [first, again, None], "H-001 was left behind by its counter's next call"
    assert [c.number for c in model.recent] == ["H-002", "A-001"]


def test_a_burst_never_leaves_the_screen_minutes_behind() -> None:
    from edge.display.model import MAX_BEHIND_S

    model = DisplayModel(highlight_s=6.0)
    burst = [_call(f"A-{n:03d}", n, n) for n in range(1, 23)]  # every counter at once
    assert all(model.add_call(call) for call in burst)
    assert len(model.pending) * model.highlight_s <= MAX_BEHIND_S
    shown = []
    now = 0.0
    while (call := model.tick(now)) is not None:
        shown.append(call.number)
        now += model.highlight_s
    assert shown == [c.number for c in burst[-len(shown) :]], "the latest, in order"
    assert now <= MAX_BEHIND_S
    assert len(model.recent) == 8, "the list of latest calls still shows the burst"


def test_display_for_one_zone_ignores_others() -> None:
    model = DisplayModel(zones=["lantai-2"])
    assert not model.add_call(_call("A-001", 1, 1, zone="lantai-1"))
    assert model.add_call(_call("P-001", 10, 2, zone="lantai-2"))


def test_announcer_speaks_once_and_not_stale_or_in_quiet_hours(
    clip_dir: Path, tmp_path: Path
) -> None:
    player = RecordingPlayer()
    cursor = AnnouncedCursor(tmp_path / "cursor.json")
    announcer = Announcer(ClipSet(clip_dir), player, cursor)
    announcer.start()
    call = _call("A-012", 3, 1)
    assert announcer.offer(call, NOW + timedelta(seconds=2))
    assert not announcer.offer(call, NOW + timedelta(seconds=3)), "never twice"
    old = _call("A-013", 3, 2, at=NOW - timedelta(minutes=10))
    assert not announcer.offer(old, NOW, live=False), "a stale retained call is not said"
    assert player.event.wait(10)
    assert announcer.idle.wait(10)
    announcer.stop()
    assert list(announcer.spoken) == ["Nomor antrean A dua belas, silakan menuju loket tiga."]
    assert player.played[0] == pytest.approx(ClipSet(clip_dir).duration(announcement("A-012", 3)))
    again = Announcer(ClipSet(clip_dir), player, AnnouncedCursor(tmp_path / "cursor.json"))
    assert not again.offer(call, NOW), "the cursor survives a restart"
    quiet = Announcer(
        ClipSet(clip_dir),
        player,
        AnnouncedCursor(tmp_path / "q.json"),
        quiet=QuietHours(datetime.min.time(), datetime.max.time()),
    )
    quiet.start()
    quiet.offer(_call("A-014", 3, 3), NOW)
    assert quiet.idle.wait(10)
    quiet.stop()
    assert not quiet.spoken


def test_headless_playback_with_the_dummy_audio_driver(
    clip_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The announcement really goes through SDL's mixer, and play() lasts as long as it."""
    sounds: list[pygame.mixer.Sound] = []

    class RecordedSound(pygame.mixer.Sound):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            sounds.append(self)

    monkeypatch.setattr(pygame.mixer, "Sound", RecordedSound)
    clips = ClipSet(clip_dir)
    names = ["bel", "loket", "tiga"]
    seconds = clips.duration(names)
    player = PygamePlayer(volume=0.5)
    assert pygame.mixer.get_init() is not None
    assert pygame.mixer.get_driver() == "dummy", "headless: SDL_AUDIODRIVER=dummy"
    started = time.monotonic()
    player.play(clips.join(names), seconds)
    took = time.monotonic() - started
    assert len(sounds) == 1, "one Sound for the joined clips"
    sound = sounds[0]
    assert sound.get_length() == pytest.approx(seconds, abs=0.01)
    assert sound.get_volume() == pytest.approx(0.5, abs=0.01)
    # The dummy driver consumes audio in real time, a mixer buffer ahead at most;
    # play() returns when the channel is done, not at once and not at its deadline.
    assert seconds - 0.2 <= took < seconds + 1.0, f"{took:.3f} s for a {seconds:.3f} s clip"
    assert sound.get_num_channels() == 0 and not pygame.mixer.get_busy(), "played to its end"


@pytest.fixture
def hub(hub_app: Callable[..., HubApp]) -> HubApp:
    return hub_app()


def _display(
    broker: LocalBroker, inventory: Inventory, clip_dir: Path, state: Path, player: RecordingPlayer
) -> tuple[DisplayAgent, threading.Thread]:
    base = inventory.device("display-01")
    config = DeviceConfig(
        **{
            **base.model_dump(exclude={"display"}),
            "display": DisplayUnitConfig(clips_dir=clip_dir, highlight_s=1.0),
        }
    )
    hardware = SimulatedHardware(state, player=player, clip_dir=clip_dir)
    agent = display_agent(config, device_link(broker, config), hardware, state)
    thread = threading.Thread(target=agent.run, daemon=True)
    agent.start(wait=10)
    thread.start()
    return agent, thread


def test_display_shows_calls_and_survives_reconnect_and_restart(
    hub: HubApp,
    fresh_broker: LocalBroker,
    inventory: Inventory,
    clip_dir: Path,
    tmp_path: Path,
) -> None:
    kiosk = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    counter = DeviceClient(fresh_broker, "counter-01", Role.COUNTER)
    player = RecordingPlayer()
    agent, thread = _display(fresh_broker, inventory, clip_dir, tmp_path, player)
    try:
        reserved = kiosk.ok(TicketReserve, service="DUK-KTP")
        assert reserved.ticket is not None
        kiosk.ok(TicketPrinted, ticket_id=reserved.ticket.ticket_id)
        counter.ok(CounterOpen)
        counter.ok(CounterNext)
        assert agent.wait_for(
            lambda m: m.now_calling is not None and m.now_calling.number == "A-001"
        )
        # the retained list may show the call first; the live event is what is said
        assert player.event.wait(10) and agent.announcer.idle.wait(10)
        agent.save(OUTPUT / "live-call.png")
        fresh_broker.stop()
        fresh_broker.start()
        assert agent.link.connected.wait(20)
        assert agent.wait_for(lambda m: m.hub_online, timeout=20)
        assert len(player.played) == 1, "the retained calls after a reconnect are not re-said"
    finally:
        agent.request_stop()
        thread.join(5)
        agent.stop()
    restarted, thread = _display(fresh_broker, inventory, clip_dir, tmp_path, player)
    try:
        assert restarted.wait_for(
            lambda m: m.now_calling is not None and m.now_calling.number == "A-001"
        ), "no blank screen"
        assert restarted.announcer.idle.wait(5)
        assert len(player.played) == 1, "nor after a restart"
    finally:
        restarted.request_stop()
        thread.join(5)
        restarted.stop()
        kiosk.stop()
        counter.stop()


class HeldPlayer:
    """A speaker that takes as long as the test says: each announcement waits for a release."""

    def __init__(self) -> None:
        self.started = threading.Semaphore(0)
        self.release = threading.Semaphore(0)
        self.finished: list[bytes] = []

    def play(self, wav: bytes, seconds: float) -> None:
        self.started.release()
        assert self.release.acquire(timeout=10), "the test never released the speaker"
        self.finished.append(wav)


def _cursor_ids(path: Path) -> list[str]:
    return json.loads(path.read_text())["announced"] if path.exists() else []


def test_the_cursor_never_holds_a_call_that_was_not_spoken(clip_dir: Path, tmp_path: Path) -> None:
    """The dropped announcement of the demo: three ids in the cursor, two announcements.

    The cursor was written when a call was queued, before it was spoken: a display
    stopped (service restart, power cut) while a burst of calls waited for the
    speaker kept them as "announced", and after the restart the retained list
    could not bring them back. What is on disk at any moment must be said already.
    """
    path = tmp_path / "announced.json"
    player = HeldPlayer()
    announcer = Announcer(ClipSet(clip_dir), player, AnnouncedCursor(path))
    announcer.start()
    burst = [_call("A-001", 1, 1), _call("A-002", 2, 2), _call("A-003", 3, 3)]
    try:
        assert all(announcer.offer(call, NOW) for call in burst)
        assert player.started.acquire(timeout=10), "the first call is being spoken"
        # A power cut now: only what was said may be on disk.
        assert _cursor_ids(path) == [], "calls marked announced before they were spoken"
        player.release.release()
        assert player.started.acquire(timeout=10)
        assert _cursor_ids(path) == [str(burst[0].event_id)]
    finally:
        stopping = time.monotonic()
        player.release.release()  # the second call ends; the third is never started
        announcer.stop()
    assert time.monotonic() - stopping < 3.0, "a stop does not wait for the whole queue"
    assert _cursor_ids(path) == [str(c.event_id) for c in burst[:2]]
    assert len(player.finished) == 2
    # After the restart the retained list brings the unspoken call back, once.
    player.release.release()
    again = Announcer(ClipSet(clip_dir), player, AnnouncedCursor(path))
    again.start()
    try:
        queued = [again.offer(call, NOW + timedelta(seconds=5), live=False) for call in burst]
        assert queued == [False, False, True]
        assert not again.offer(burst[2], NOW), "queued already: the live event is not said twice"
        assert again.idle.wait(10)
    finally:
        again.stop()
    assert len(player.finished) == 3
    assert _cursor_ids(path) == [str(c.event_id) for c in burst]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["call", "retained", "tick"]), st.integers(1, 6)),
        max_size=40,
    )
)
def test_the_panel_and_the_list_always_agree(steps: list[tuple[str, int]]) -> None:
    """Whatever mix of live calls, retained lists and time: the list's top is the panel."""
    model = DisplayModel(highlight_s=6.0)
    made: list[CallEvent] = []
    now = 0.0
    for action, counter in steps:
        if action == "call":
            made.append(_call(f"A-{len(made) + 1:03d}", counter, len(made) + 1))
            model.add_call(made[-1])
        elif action == "retained":
            model.restore(list(reversed(made[-8:])))
        else:
            now += counter * 2.0
            model.tick(now)
        if model.now_calling is not None:
            assert model.recent and model.recent[0] is model.now_calling, (
                f"panel {model.now_calling.number}, list {[c.number for c in model.recent]}"
            )
        counters = [c.counter for c in model.recent]
        assert len(counters) == len(set(counters)), "one row per counter"
        seqs = [c.seq for c in model.recent[1:]]
        assert seqs == sorted(seqs, reverse=True), "below the panel, newest first"
    while model.pending:
        now += model.highlight_s
        model.tick(now)
    latest = {c.counter: c for c in made}
    assert {c.event_id for c in model.recent} == {
        c.event_id for c in sorted(latest.values(), key=lambda c: -c.seq)[:8]
    }, "in the end the list holds each counter's latest call"


def test_announcement_files_are_never_overwritten_by_a_restart(tmp_path: Path) -> None:
    """A restarted display numbered its WAVs from 1 again: files and cursor stopped matching."""
    first = WavFilePlayer(tmp_path)
    first.play(b"one", 1.0)
    first.play(b"two", 1.0)
    again = WavFilePlayer(tmp_path)
    again.play(b"three", 1.0)
    files = sorted(tmp_path.glob("announcement-*.wav"))
    assert [f.read_bytes() for f in files] == [b"one", b"two", b"three"]


@pytest.mark.parametrize(
    ("size", "width_mm"),
    [((1280, 720), 952.0), ((1366, 768), 952.0), ((1920, 1080), 1218.0), ((3840, 2160), 1218.0)],
)
def test_every_supported_tv_keeps_the_minimum_sizes(size: tuple[int, int], width_mm: float) -> None:
    """HD-ready to 4K, 43" to 55": the same layout, every text at its mm minimum, none cut."""
    model, _ = _screen_with(8)
    screen = DisplayScreen(pygame.Surface(size), width_mm, inventory_display().labels)
    screen.draw(model, 96.4, datetime(2026, 11, 23, 8, 30))
    assert screen.drawn
    for drawn in screen.drawn:
        cap_mm = drawn.cap_px / screen.px_per_mm
        assert cap_mm >= MIN_CAP_MM[drawn.kind] - 0.5, f"{drawn.text!r}: {cap_mm:.0f} mm"
        assert "…" not in drawn.text, drawn.text


def test_the_gold_highlight_keeps_the_contrast() -> None:
    """A new call blinks gold: the panel's texts stay at 4.5:1 on it too."""
    model, screen = _screen_with(1)
    model.add_call(_call("B-002", 2, 2))
    model.tick(1000.0)
    screen.draw(model, 1000.2, datetime(2026, 11, 23, 8, 30))  # first half-second: gold
    on_gold = [d for d in screen.drawn if d.background == (255, 193, 7)]
    assert {d.text for d in on_gold} >= {"B-002", "LOKET 2", "NOMOR ANTREAN"}
    assert all(ratio(d.ink, d.background) >= AA for d in on_gold)
