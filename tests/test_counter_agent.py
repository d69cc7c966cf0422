"""The counter unit against a real broker and hub: MockFactory pins, luma dummy display."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockPin, PinState
from luma.core.device import dummy
from PIL import Image, ImageDraw

from edge.compose import counter_agent
from edge.counter.model import UnitState
from edge.counter.model import screen as model_screen
from edge.hardware.choice import SimulatedHardware
from edge.hardware.display import MIN_FONT, LumaDisplay, Screen, face, layout
from edge.hardware.gpio import Light
from firmware_config.inventory import Inventory
from hub.app import HubApp
from hub.site.loader import load_site
from mqtt_broker.local import LocalBroker
from protocol.models import (
    CounterState,
    TicketPrinted,
    TicketReserve,
    TicketState,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.edge_fixtures import FakeMonotonic, device_link
from tests.reference_images import assert_matches_reference
from tests.surface_texts import OLED_SCREENS, TARGETS

SCREENSHOTS = Path(__file__).resolve().parent / "output" / "counter"

# The looks of edge/hardware/gpio.py Indicators, in seconds per state.
CALLING_BLINK_S = 0.3  # green 0.3 on, 0.3 off
OFFLINE_BLINK_S = 0.1  # red 0.1 on, 0.1 off ("fast")
ERROR_BEEP = [True, False, True, False, True, False]  # three beeps
ERROR_BEEP_S = [0.08, 0.06, 0.08, 0.06, 0.08]  # on 80 ms, off 60 ms


def lasted(pin: MockPin) -> list[tuple[bool, float]]:
    """Each state the pin left since ``clear_states()``, with how long it was held.

    MockPin records ``PinState(timestamp, state)`` at each change, ``timestamp``
    being the time since the previous change: the duration of the state before.
    """
    states: list[PinState] = list(pin.states)
    return [(before.state, after.timestamp) for before, after in pairwise(states)]


def assert_held(looks: list[tuple[bool, float]], durations: list[float]) -> None:
    """Each state was held about its duration: never early, late by a thread's wake-up at most.

    Like gpiozero's own ``assert_states_and_times`` (5 % and 50 ms), but a
    blink thread's wait never ends early, so the lower bound is tight.
    """
    assert len(looks) == len(durations), looks
    for (state, held), expected in zip(looks, durations, strict=True):
        assert expected - 0.01 <= held <= expected * 1.05 + 0.05, (
            f"{'on' if state else 'off'} for {held:.3f} s, expected {expected} s: {looks}"
        )


class Unit:
    """A counter agent with its pins, clock and display, and test controls."""

    def __init__(
        self, broker: LocalBroker, inventory: Inventory, device_id: str, state_dir: Path
    ) -> None:
        self.clock = FakeMonotonic()
        config = inventory.device(device_id)
        self.config = config.counter_unit()
        self.agent = counter_agent(
            config, device_link(broker, config), SimulatedHardware(state_dir), clock=self.clock
        )
        self.factory = self.agent.pin_factory
        self.screen = self.agent.display.device

    def pin(self, number: int):
        return self.factory.pin(number)

    def press(self, button: str, seconds: float = 0.1) -> None:
        pin = self.pin(getattr(self.config.buttons, button))
        pin.drive_low()
        self.clock.advance(seconds)
        pin.drive_high()
        self.clock.advance(0.05)

    def press_skm(self, index: int) -> None:
        pin = self.pin(self.config.skm.buttons[index])
        pin.drive_low()
        self.clock.advance(0.1)
        pin.drive_high()
        self.clock.advance(0.05)

    def hold_next(self, sign_in: bool = True) -> None:
        """Hold BERIKUT; on a closed counter the officer then signs in as whoever the
        picker offers first (SELESAI), unless ``sign_in`` is False."""
        pin = self.pin(self.config.buttons.next)
        pin.drive_low()
        self.clock.advance(self.config.hold_s + 0.1)
        assert self.until(
            lambda u, s: (
                u.pending is not None or u.picker is not None or u.state is CounterState.OPEN
            )
        )
        pin.drive_high()
        self.clock.advance(0.05)
        if sign_in and self.agent.unit.picker is not None:
            self.press("finish")  # then the officer sees the counter open
            assert self.until(
                lambda u, s: u.picker is None and u.pending is None and u.state is CounterState.OPEN
            )

    def until(self, predicate: Callable[[UnitState, Screen], bool], timeout: float = 10.0) -> bool:
        return self.agent.wait_for(predicate, timeout)

    def assert_blinking(self, pin: MockPin, half_period: float, changes: int = 6) -> None:
        """``pin`` toggles every ``half_period`` s (a blink thread, measured, never slept on)."""
        pin.clear_states()
        assert self.until(lambda u, s: len(pin.states) > changes, timeout=5), (
            f"pin {pin.info.name} did not blink: {pin.states}"
        )
        looks = lasted(pin)[1:changes]  # the first was already under way at clear_states()
        assert all(a != b for (a, _), (b, _) in pairwise(looks)), looks
        assert_held(looks, [half_period] * len(looks))

    def assert_error_beep(self, button: str, reason: str) -> None:
        """Pressing ``button`` is refused with ``reason`` and three beeps, 80 ms on, 60 ms off."""
        buzzer = self.pin(self.config.buzzer)
        buzzer.clear_states()
        self.press(button)
        assert self.until(lambda u, s: s.footer == reason), f"showing {self.agent.frame}"
        pattern = self.agent.indicators.buzzer._blink_thread
        assert pattern is not None, "no beep"
        # naughty, as in gpiozero's own tests: the whole pattern, no arbitrary wait
        pattern.join(5)
        assert not pattern.is_alive(), "the error beep never ends"
        looks = lasted(buzzer)
        assert [state for state, _ in looks[1:]] + [buzzer.state] == ERROR_BEEP, looks
        assert_held(looks[1:], ERROR_BEEP_S)

    def lights(self) -> tuple[bool, bool]:
        """(green, red) as the pins are driven."""
        return bool(self.pin(self.config.led_green).state), bool(
            self.pin(self.config.led_red).state
        )

    def assert_screen(self, name: str, expected: Screen) -> None:
        """The OLED shows ``expected``, drawn exactly like tests/reference/counter/<name>.png."""
        assert self.until(lambda u, s: s == expected), f"showing {self.agent.frame}"
        with self.agent.changed:  # the agent draws under this lock
            frame, image = self.agent.frame, self.screen.image.copy()
        assert frame == expected
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        big = image.convert("L").resize((512, 256), Image.Resampling.NEAREST)
        big.save(SCREENSHOTS / f"{name}.png")
        assert_matches_reference(image, "counter", name)


@pytest.fixture
def hub(hub_app: Callable[..., HubApp]) -> HubApp:
    return hub_app()


@pytest.fixture
def unit(
    hub: HubApp, fresh_broker: LocalBroker, inventory: Inventory, tmp_path: Path
) -> Iterator[Unit]:
    made = Unit(fresh_broker, inventory, "counter-01", tmp_path)
    made.agent.start(wait=10)
    assert made.until(lambda u, s: u.counter == 1 and u.online), "unit never synced"
    yield made
    made.agent.stop()


@pytest.fixture
def kiosk(fresh_broker: LocalBroker) -> Iterator[Callable[[str], str]]:
    client = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)

    def issue(service: str = "DUK-KTP") -> str:
        reply = client.ok(TicketReserve, service=service)
        assert reply.ticket is not None
        client.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
        return reply.ticket.number

    yield issue
    client.stop()


def _counter(hub: HubApp) -> object:
    return hub.service.state.counter(1)


def test_unit_restores_state_and_shows_it(unit: Unit) -> None:
    unit.assert_screen(
        "closed", Screen("Loket 1 · Tutup", "Tutup", "Untuk membuka:", "tahan BERIKUT 3 detik")
    )
    assert unit.agent.indicators.light is Light.CLOSED
    assert unit.lights() == (False, False), "closed: both LEDs off"


def test_hold_next_opens_then_press_calls(
    unit: Unit, hub: HubApp, kiosk: Callable[[str], str]
) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: s.header == "Loket 1 · Buka")
    assert hub.service.state.counter(1).state is CounterState.OPEN
    assert unit.lights() == (True, False), "ready: green on, red off"
    # A service handed over without a signature (KTP-el's hand-over waits for the
    # pad: tests/test_counter_signature.py).
    number = kiosk("DUK-KIA")
    assert unit.until(lambda u, s: s.footer == "1 orang menunggu"), "retained state arrived"
    unit.press("next")
    assert unit.until(lambda u, s: s.big == number)
    assert unit.agent.indicators.light is Light.CALLING
    red = unit.pin(unit.config.led_red)
    red.clear_states()
    unit.assert_blinking(unit.pin(unit.config.led_green), CALLING_BLINK_S)
    assert red.states == [PinState(0.0, False)], "red stays off while calling"
    unit.assert_screen("calling", Screen("Loket 1 · Buka", number, "Antrean kosong"))
    unit.press("finish")
    assert unit.until(lambda u, s: s.big == "Siap" and u.skm_ticket is not None)
    assert unit.lights() == (True, False), "ready again: the blink stopped with green on"
    assert unit.agent.skm_leds is not None and unit.agent.skm_leds.inviting
    unit.press_skm(3)
    assert unit.until(lambda u, s: s.footer == "Terima kasih")
    assert hub.service.state.rated == {f"20261123-{number}#1"}


def test_the_officer_picks_their_name_when_opening(unit: Unit, hub: HubApp) -> None:
    site = load_site()
    mine = [o for o in site.officers if o.agency == "DUKCAPIL"]
    unit.hold_next(sign_in=False)
    assert unit.until(lambda u, s: s.big == mine[0].name)
    assert hub.service.state.counter(1).state is CounterState.CLOSED, "not open before a pick"
    unit.assert_screen(
        "sign-in-live",
        Screen(
            f"Loket 1 · Petugas 1/{len(mine) + 1}",
            mine[0].name,
            "PINDAH: nama lain",
            "SELESAI: ya, ULANG: batal",
        ),
    )
    unit.press("transfer")
    unit.press("transfer")
    unit.press("no_show")  # one back
    assert unit.agent.settled()
    assert unit.until(lambda u, s: s.big == mine[1].name)
    unit.press("finish")
    assert unit.until(lambda u, s: u.state is CounterState.OPEN and u.officer_id == mine[1].nip)
    assert hub.service.state.counter(1).officer == mine[1].nip
    unit.hold_next()  # close: signed out
    assert unit.until(lambda u, s: u.state is CounterState.CLOSED)
    assert hub.service.state.counter(1).officer is None
    unit.hold_next(sign_in=False)  # the picker starts at who signed in here last
    assert unit.until(lambda u, s: s.big == mine[1].name)
    unit.press("recall")  # cancel: stays closed
    assert unit.until(lambda u, s: u.picker is None and s.big == "Tutup")
    unit.hold_next(sign_in=False)
    assert unit.until(lambda u, s: s.big == mine[1].name)
    unit.press("no_show")
    unit.press("no_show")  # back past the first name: the last choice
    assert unit.agent.settled()
    assert unit.until(lambda u, s: s.big == "Tanpa nama")
    unit.press("finish")
    assert unit.until(lambda u, s: u.state is CounterState.OPEN)
    assert hub.service.state.counter(1).officer is None


def test_bouncing_next_calls_one_ticket(
    unit: Unit, hub: HubApp, kiosk: Callable[[str], str]
) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.OPEN)
    first, second = kiosk("DUK-KTP"), kiosk("DUK-KTP")
    pin = unit.pin(unit.config.buttons.next)
    for _ in range(3):  # contact bounce within 6 ms
        pin.drive_low()
        unit.clock.advance(0.002)
        pin.drive_high()
        unit.clock.advance(0.002)
    pin.drive_low()
    unit.clock.advance(0.2)
    pin.drive_high()
    unit.clock.advance(0.1)
    assert unit.until(lambda u, s: s.big == first)
    waiting = [t.number for t in hub.service.state.waiting()]
    assert waiting == [second], "one press, one call"


def test_senseless_presses_beep_and_send_nothing(unit: Unit, hub: HubApp) -> None:
    rejected = hub.service.state.rejected
    unit.assert_error_beep("recall", "Tidak ada panggilan")
    unit.assert_error_beep("next", "Loket tutup")
    assert hub.service.state.rejected == rejected, "nothing reached the hub"


def test_transfer_menu_cycles_and_confirms(
    unit: Unit, hub: HubApp, kiosk: Callable[[str], str]
) -> None:
    unit.hold_next()
    number = kiosk("DUK-KTP")
    unit.press("next")
    assert unit.until(lambda u, s: s.big == number)
    unit.press("transfer")
    menu = ("PINDAH: pilihan lain", "SELESAI: ya, ULANG: batal")
    site = load_site()
    kk, akta = (site.service(code).short_name for code in ("DUK-KK", "DUK-AKTA"))
    assert kk and akta
    assert unit.until(lambda u, s: s == Screen("Pindah ke layanan 1/2", kk, *menu))
    unit.press("transfer")
    assert unit.until(lambda u, s: s.big == akta), "service names, not codes"
    unit.assert_screen("transfer-menu", Screen("Pindah ke layanan 2/2", akta, *menu))
    unit.press("finish")
    assert unit.until(lambda u, s: s.big == "Siap")
    ticket = hub.service.state.tickets[f"20261123-{number}"]
    assert (ticket.service, ticket.state) == ("DUK-AKTA", TicketState.WAITING)


def test_offline_press_is_refused_and_never_replayed(
    unit: Unit, hub: HubApp, fresh_broker: LocalBroker, kiosk: Callable[[str], str]
) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.OPEN)
    kiosk("DUK-KTP")
    fresh_broker.stop()
    assert unit.until(lambda u, s: s.big == "Tidak terhubung")
    assert unit.agent.indicators.light is Light.OFFLINE
    green = unit.pin(unit.config.led_green)
    green.clear_states()
    unit.assert_blinking(unit.pin(unit.config.led_red), OFFLINE_BLINK_S)
    assert green.states == [PinState(0.0, False)], "green stays off while offline"
    unit.assert_screen(
        "offline",
        Screen("Loket 1", "Tidak terhubung", "Tombol belum berfungsi", "Tunggu sampai pulih"),
    )
    unit.press("next")
    assert unit.until(lambda u, s: u.message == "Tidak terhubung")
    fresh_broker.start()
    assert unit.until(lambda u, s: u.online and s.big == "Siap", timeout=20)
    assert hub.service.state.counter(1).current is None, "the offline press was not replayed"


def test_press_during_a_link_blip_is_applied_exactly_once(
    unit: Unit, hub: HubApp, fresh_broker: LocalBroker, kiosk: Callable[[str], str]
) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.OPEN)
    first, second = kiosk("DUK-KTP"), kiosk("DUK-KTP")
    gate = threading.Event()
    hub.link.call_soon(lambda: gate.wait(10))  # the hub is busy: the press waits in its inbox
    unit.press("next")
    assert unit.until(lambda u, s: u.pending == "counter.next")
    fresh_broker.stop()  # the link drops before the acknowledgement
    gate.set()
    fresh_broker.start()
    assert unit.until(lambda u, s: s.big == first, timeout=20)
    assert [t.number for t in hub.service.state.waiting()] == [second]
    assert hub.service.state.tickets[f"20261123-{first}"].state is TicketState.CALLED


@pytest.mark.parametrize("name", list(OLED_SCREENS))
def test_every_oled_screen_fits_the_panel_and_matches_its_reference(name: str) -> None:
    """Rows are whole inside 128×64, tails of g/p/y included; nothing overlaps or overflows."""
    frame = model_screen(OLED_SCREENS[name], TARGETS)
    device = dummy(width=128, height=64, mode="1")
    LumaDisplay(device).show(frame)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    big = device.image.convert("L").resize((512, 256), Image.Resampling.NEAREST)
    big.save(SCREENSHOTS / f"oled-{name}.png")
    rows = layout(frame)
    assert len(rows) == len(frame.lines()), "every line of the frame is drawn"
    for row, below in pairwise(rows):
        assert row.top + row.height <= below.top, f"{row.text!r} overlaps {below.text!r}"
    for row in rows:
        assert row.size >= MIN_FONT, row
        assert row.top >= 0 and row.top + row.height <= 64, f"{row.text!r} leaves the panel"
        alone = Image.new("1", (128, 64))
        ink = face(row.size, row.bold)
        _, top, _, bottom = ImageDraw.Draw(alone).textbbox(
            (0, row.top), row.text + "gjpqy", font=ink
        )
        assert row.top <= top and bottom <= row.top + row.height, f"{row.text!r}: tails cut"
        assert ink.getlength(row.text) <= 128 - 2, f"{row.text!r} overflows"
    assert_matches_reference(device.image, "counter", f"screen-{name}")


def test_oled_wording_is_indonesian_and_consistent() -> None:
    texts = [line for unit in OLED_SCREENS.values() for line in model_screen(unit, TARGETS).lines()]
    for banned in ("OFFLINE", "Hub", "Antrian", "antrian", "Menunggu:", "---"):
        assert not [t for t in texts if banned in t], banned
    offline = model_screen(OLED_SCREENS["offline"], TARGETS)
    assert offline.header == "Loket 1", "no counter state beside 'Tidak terhubung'"
    closed = model_screen(OLED_SCREENS["closed"], TARGETS)
    assert "tahan BERIKUT 3 detik" in closed.lines(), "says how to open"
    menu = model_screen(OLED_SCREENS["transfer-menu"], TARGETS)
    assert menu.big == "Akta lahir/mati"
    assert "PINDAH" in menu.footer and "SELESAI" in menu.hint and "ULANG" in menu.hint


def test_display_text_never_overflows() -> None:
    screen = dummy(width=128, height=64, mode="1")
    display = LumaDisplay(screen)
    display.show(Screen("Loket 12 · Istirahat", "PINDAH", "Ke BPJSKES-DAFTAR? Selesai=OK"))
    box = screen.image.getbbox()
    assert box is not None and box[2] <= 128
    display.show(Screen("Loket 1 · Buka", "A-1000", "120 orang menunggu"))
    right = screen.image.crop((124, 14, 128, 50)).getbbox()
    assert right is None, "the big number stays inside the panel"


def test_birth_carries_hardware_state(unit: Unit, fresh_broker: LocalBroker) -> None:
    from protocol.codec import decode
    from protocol.models import DeviceStatus
    from tests.mqtt_client import RecordingClient

    watcher = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "admin",
        fresh_broker.password("admin"),
        tls=fresh_broker.tls("admin"),
    )
    watcher.connect()
    try:
        watcher.subscribe("mpp/device/counter-01/status")
        status = decode(
            "mpp/device/counter-01/status", watcher.wait_for("mpp/device/counter-01/status").payload
        ).message
    finally:
        watcher.stop()
    assert isinstance(status, DeviceStatus) and status.state.value == "online"
    assert {name: c.health.value for name, c in status.hardware.items()} == {
        "buttons": "ok",
        "lights": "ok",
        "display": "ok",
        "skm": "ok",
    }
    assert status.capabilities == ["call", "transfer", "skm"]


def test_hold_next_closes_an_idle_counter_and_pause_toggles(unit: Unit, hub: HubApp) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.OPEN)
    unit.press("pause")
    assert unit.until(lambda u, s: s.header == "Loket 1 · Istirahat")
    assert unit.agent.indicators.light is Light.PAUSED
    assert unit.lights() == (False, True), "paused: red on, green off"
    unit.press("pause")
    assert unit.until(lambda u, s: u.state is CounterState.OPEN and u.pending is None)
    assert unit.lights() == (True, False)
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.CLOSED)
    assert hub.service.state.counter(1).state is CounterState.CLOSED
    assert unit.lights() == (False, False)


def test_buttons_report_edges_without_a_thread_each() -> None:
    """gpiozero's Button runs a hold thread per button; ours do hold in software."""
    from gpiozero.pins.mock import MockFactory

    from edge.hardware.gpio import GpioButtons

    factory = MockFactory()
    edges: list[tuple[str, bool]] = []
    before = threading.active_count()
    pins = {f"b{pin}": pin for pin in range(2, 11)}  # nine, as a unit with the SKM box
    buttons = GpioButtons(pins, factory, lambda name, down, _at: edges.append((name, down)))
    try:
        assert threading.active_count() == before
        factory.pin(4).drive_low()
        factory.pin(4).drive_high()
        assert edges == [("b4", True), ("b4", False)]
    finally:
        buttons.close()
