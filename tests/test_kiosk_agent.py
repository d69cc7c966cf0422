"""The kiosk end to end: injected touches, real broker and hub, printed bytes decoded."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pygame
import pytest

import tests.kiosk_fixtures  # noqa: F401 - headless SDL before pygame starts
from edge.compose import kiosk_agent
from edge.hardware.choice import SimulatedHardware
from edge.kiosk.model import KEYPAD, KioskModel, View
from edge.kiosk.reasons import CODE_HINT, HELP_HINT, RETRY_HINT
from edge.printer.decode import decode
from edge.printer.transport import FakeTransport, PrinterStatus
from firmware_config.inventory import Inventory
from hub.app import HubApp
from hub.bookings import Booking, StaticBookings
from mqtt_broker.local import LocalBroker
from protocol.codec import decode as decode_contract
from protocol.models import TicketState
from tests.edge_fixtures import FakeMonotonic, device_link
from tests.hub_harness import MONDAY_0800
from tests.mqtt_client import RecordingClient


def decode_message(topic: str, payload: bytes):
    return decode_contract(topic, payload).message


OUTPUT = Path(__file__).resolve().parent / "output" / "kiosk-journey"
IDLE_S = 30.0  # docs/kiosk.md: "returns to welcome after 30 s without a touch"
BOOKINGS = StaticBookings(
    [Booking(code="BK-1001", service="DUK-KK", appointment_at=MONDAY_0800 + timedelta(minutes=20))]
)


@pytest.fixture
def hub(hub_app: Callable[..., HubApp]) -> HubApp:
    return hub_app(bookings=BOOKINGS)


class Kiosk:
    def __init__(self, broker: LocalBroker, inventory: Inventory, state_dir: Path) -> None:
        base = inventory.device("kiosk-01")
        config = base.model_copy(
            update={  # a 7" panel: lists are paged, taps page through them
                "kiosk": base.kiosk_unit().model_copy(
                    update={"width": 1024, "height": 600, "width_mm": 154}
                )
            }
        )
        self.printer = FakeTransport()
        self.clock = FakeMonotonic()
        self.agent = kiosk_agent(
            config,
            device_link(broker, config),
            SimulatedHardware(state_dir, printer=self.printer),
            clock=self.clock,
        )
        self.thread = threading.Thread(target=self.agent.run, daemon=True)

    def view(self, view: View, timeout: float = 10.0) -> None:
        assert self.agent.wait_for(lambda m: m.shown() is view, timeout), (
            f"expected {view}, showing {self.agent.model.shown()} {self.agent.model.message!r}"
        )

    def next_frames(self, count: int = 3) -> list[View]:
        """The views of ``count`` frames begun after this call (the UI loop read the clock)."""
        seen: list[View] = []

        def drawn(model: KioskModel) -> bool:
            seen.append(model.shown())
            return len(seen) > count + 1

        assert self.agent.wait_for(drawn), f"only {len(seen) - 1} frames drawn"
        # seen[0] is before any new frame; the frame of seen[1] may have begun before the call
        return seen[2:]

    def tap(self, *target: str) -> None:
        self.agent.reveal(*target)  # on a later page of a list: page forward first
        self.agent.touch(*target)

    def save(self, name: str) -> None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        with self.agent.changed:
            pygame.image.save(self.agent.surface, OUTPUT / f"{name}.png")


@pytest.fixture
def kiosk(
    hub: HubApp, fresh_broker: LocalBroker, inventory: Inventory, tmp_path: Path
) -> Iterator[Kiosk]:
    made = Kiosk(fresh_broker, inventory, tmp_path)
    made.agent.start(wait=10)
    made.thread.start()
    assert made.agent.wait_for(lambda m: m.catalogue is not None and len(m.services) == 33)
    made.view(View.WELCOME)
    yield made
    made.agent.stop()
    made.thread.join(5)


def test_citizen_journey_prints_the_ticket_and_queues_it(kiosk: Kiosk, hub: HubApp) -> None:
    assert kiosk.agent.screens.m.px_per_mm == 1024 / 154, "the panel's width_mm from its file"
    kiosk.save("1-welcome")
    kiosk.tap("start")
    kiosk.view(View.AGENCIES)
    kiosk.tap("agency", "DUKCAPIL")
    kiosk.view(View.SERVICES)
    kiosk.save("2-services")
    kiosk.tap("service", "DUK-KTP")
    kiosk.view(View.CATEGORY)
    kiosk.tap("category", "prioritas")
    kiosk.view(View.DONE)
    kiosk.save("3-done")
    assert kiosk.printer.wrote.wait(5)
    printout = decode(kiosk.printer.printed[0])
    assert "A-001" in printout.text() and "PRIORITAS" in printout.text()
    assert "Perekaman dan Pencetakan KTP-el" in printout.text()
    assert printout.qr == ["https://mpp.lampungtimurkab.go.id/antrean/20261123-A-001"]
    assert printout.cuts == 1
    assert "Ruang tunggu: lantai 1, depan loket 1-4." in printout.text(), "as on screen"
    ticket = hub.service.state.tickets["20261123-A-001"]
    assert kiosk.agent.wait_for(
        lambda m: hub.service.state.tickets["20261123-A-001"].state is TicketState.WAITING
    )
    assert ticket.category.value == "prioritas"


def test_back_and_idle_return_to_welcome(kiosk: Kiosk) -> None:
    kiosk.tap("start")
    kiosk.view(View.AGENCIES)
    kiosk.tap("back")
    kiosk.view(View.WELCOME)
    kiosk.tap("start")
    kiosk.view(View.AGENCIES)
    kiosk.tap("agency", "DUKCAPIL")
    kiosk.view(View.SERVICES)
    assert kiosk.agent.model.last_touch == kiosk.clock(), "the clock stood still since the tap"
    kiosk.clock.advance(IDLE_S - 0.5)
    assert kiosk.next_frames() == [View.SERVICES] * 3, "not before the idle time"
    kiosk.clock.advance(1.0)
    kiosk.view(View.WELCOME)
    assert kiosk.agent.model.agency is None, "a fresh start for the next citizen"


def test_scanned_booking_is_checked_in_and_printed(kiosk: Kiosk, hub: HubApp) -> None:
    kiosk.agent.scanned("BK-1001")
    kiosk.view(View.DONE)
    printout = decode(kiosk.printer.printed[0])
    assert "Kode pendaftaran: BK-1001" in printout.text()
    assert "Kartu Keluarga (baru, ubah, hilang)" in printout.text()
    kiosk.agent.scanned("BK-1001")
    assert kiosk.agent.wait_for(
        lambda m: m.view is View.ERROR and m.message == "Kode pendaftaran ini sudah digunakan."
    )
    assert kiosk.agent.model.hint == HELP_HINT, "a used code stays used: no 'coba lagi'"


def test_a_mistyped_code_is_typed_again_from_the_error_screen(kiosk: Kiosk, hub: HubApp) -> None:
    """Seen: "Periksa kembali kode Anda" above a single "Kembali ke awal" that threw the
    typed code away. The screen says to check and type again, and "Ketik ulang kode"
    opens the keypad with the code as typed."""
    kiosk.tap("booking")
    kiosk.view(View.BOOKING)
    for typed, key in enumerate("BK-1010", start=1):
        group = next(name for name, keys in KEYPAD.items() if key in keys)
        kiosk.tap("keypad", group)
        assert kiosk.agent.wait_for(lambda m, group=group: m.keypad == group)
        kiosk.tap("key", key)
        assert kiosk.agent.wait_for(lambda m, typed=typed: len(m.code) == typed)
    assert kiosk.agent.wait_for(lambda m: m.code == "BK-1010")
    kiosk.tap("ok")
    kiosk.view(View.ERROR)
    model = kiosk.agent.model
    assert model.message == "Kode pendaftaran tidak ditemukan."
    assert model.hint == CODE_HINT
    kiosk.save("typo-error")
    kiosk.tap("retype")
    kiosk.view(View.BOOKING)
    assert kiosk.agent.model.code == "BK-1010", "the code as typed, to correct"
    kiosk.tap("delete")
    kiosk.tap("key", "1")
    assert kiosk.agent.wait_for(lambda m: m.code == "BK-1011")


def test_printer_unplugged_mid_print_cancels_the_number(kiosk: Kiosk, hub: HubApp) -> None:
    kiosk.printer.fail_after = 40
    kiosk.tap("start")
    kiosk.view(View.AGENCIES)
    kiosk.tap("agency", "POLRES")
    kiosk.view(View.SERVICES)
    kiosk.tap("service", "POL-SKCK")
    kiosk.view(View.CATEGORY)
    kiosk.tap("category", "reguler")
    kiosk.view(View.ERROR)
    kiosk.save("4-print-failed")
    assert kiosk.agent.model.hint == RETRY_HINT, "a failed print is worth another try"
    assert kiosk.agent.wait_for(
        lambda m: hub.service.state.tickets["20261123-H-001"].state is TicketState.CANCELLED
    )
    assert kiosk.printer.partial, "the printer took part of the ticket before it went"
    assert kiosk.agent.wait_for(lambda m: m.printer is PrinterStatus.OFFLINE)
    kiosk.printer.plugged = True  # plugged back in: udev reports it
    kiosk.agent.printer_changed()
    assert kiosk.agent.wait_for(lambda m: m.printer is PrinterStatus.OK)


def test_paper_out_stops_issuing(kiosk: Kiosk, hub: HubApp, fresh_broker: LocalBroker) -> None:
    kiosk.printer.paper = PrinterStatus.PAPER_OUT
    kiosk.agent.printer_changed()
    kiosk.view(View.UNAVAILABLE)
    watcher = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "admin",
        fresh_broker.password("admin"),
        tls=fresh_broker.tls("admin"),
    )
    watcher.connect()
    try:
        watcher.subscribe("mpp/device/kiosk-01/status")

        def printer_fault() -> bool:
            return any(
                decode_message(m.topic, m.payload).hardware["printer"].health.value == "fault"
                for m in watcher.messages
                if m.topic == "mpp/device/kiosk-01/status"
            )

        with watcher._message_added:
            assert watcher._message_added.wait_for(printer_fault, 10)
        status = next(
            decode_message(m.topic, m.payload)
            for m in reversed(watcher.messages)
            if m.topic == "mpp/device/kiosk-01/status"
        )
    finally:
        watcher.stop()
    assert status.hardware["printer"].detail == "kertas habis"
    assert kiosk.agent.model.unavailable_reason() == "Kertas tiket habis."
    kiosk.save("5-paper-out")
    with pytest.raises(LookupError):
        kiosk.tap("start")
    assert hub.service.state.tickets == {}


def test_hub_unreachable_shows_an_honest_message(kiosk: Kiosk, hub: HubApp) -> None:
    hub.stop()
    kiosk.view(View.UNAVAILABLE)
    assert kiosk.agent.model.unavailable_reason() == "Sistem antrean sedang tidak terhubung."
    kiosk.save("6-hub-offline")
    kiosk.agent.scanned("BK-1001")
    assert kiosk.printer.printed == []


def test_a_restarted_hub_hears_the_kiosks_birth_live(
    kiosk: Kiosk, hub: HubApp, hub_app: Callable[..., HubApp], fresh_broker: LocalBroker
) -> None:
    """A restarted hub gets only retained births, which teach it nothing about a
    device's clock; the kiosk says its birth again, live, so the first ticket
    after a hub restart is judged by a learned clock offset."""
    topic = "mpp/device/kiosk-01/status"
    watcher = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "admin",
        fresh_broker.password("admin"),
        tls=fresh_broker.tls("admin"),
    )
    watcher.connect()
    try:
        watcher.subscribe(topic)
        watcher.wait_until(topic, lambda p: p["state"] == "online")
        hub.stop()
        hub_app()  # a new hub session on the same store
        birth = watcher.wait_until(topic, lambda p: p["state"] == "online", live=True)
        assert birth["device_id"] == "kiosk-01"
    finally:
        watcher.stop()
