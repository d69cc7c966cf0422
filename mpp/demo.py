"""The one-command local system: broker, hub and simulated devices on loopback.

It grows as issues land. Today it runs a private Mosquitto rendered from the
bundled inventory, the hub service (its store in the demo's state directory,
its clock started at 08.00 WIB today so the building is open whatever the
hour), every device of the inventory as a presence client, citizens taking
tickets at the kiosks, eight real counter agents on mock GPIO pins whose
simulated officers press next / finish / transfer and whose citizens press
the SKM box, the real call display (headless: its screen saved to
display.png every few seconds, each announcement written as a WAV under
voice/), the LED running text on luma's dummy panel, and a monitor that logs
each call as the display says it.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
from gpiozero.pins.mock import MockFactory

from edge.counter.agent import CounterAgent
from edge.display.agent import DisplayAgent
from edge.display.announcer import AnnouncedCursor, Announcer, WavFilePlayer
from edge.display.clips import ClipSet, ClipSetError, make_clip_set
from edge.hardware.display import NullDisplay
from edge.kiosk.agent import KioskAgent
from edge.kiosk.model import View
from edge.printer.transport import FileTransport
from edge.running_text.agent import RunningTextAgent
from edge.running_text.panel import open_dummy
from firmware_config.inventory import Inventory, load_inventory
from firmware_config.schema import DeviceConfig
from hub.app import HubApp
from hub.clock import OffsetClock
from hub.site.loader import load_site
from hub.site.schema import Site
from hub.store import EventStore
from mqtt_broker.local import LocalBroker, start_local_broker
from protocol.codec import Decoded
from protocol.link import LinkSettings, MqttLink
from protocol.models import (
    CallEvent,
    CounterState,
    Heartbeat,
)
from protocol.presence import device_presence
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger("mpp.demo")
HEARTBEAT_S = 10.0
DEMO_COUNTERS = (1, 2, 3, 5, 6, 7, 8, 10)
POPULAR = (
    "DUK-KTP",
    "DUK-KK",
    "DUK-AKTA",
    "POL-SKCK",
    "POL-SIM",
    "BL-BAYAR",
    "BPJSKES-DAFTAR",
    "PTSP-NIB",
)


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mpp" / "demo"


def morning_of_today(site: Site) -> datetime:
    zone = ZoneInfo(site.timezone)
    return datetime.combine(datetime.now(zone).date(), clock_time(8, 0), zone)


class DemoDevices:
    """Simulated citizens and officers, speaking the contract over the broker."""

    def __init__(
        self,
        broker: LocalBroker,
        inventory: Inventory,
        site: Site,
        seed: int,
        pace: float = 1.0,
        state_dir: Path | None = None,
    ) -> None:
        self.site = site
        self.pace = pace
        self.random = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self.stop = threading.Event()
        self.links: dict[str, MqttLink] = {}
        self.units: dict[int, SimulatedUnit] = {
            n: SimulatedUnit(broker, inventory.device(f"counter-{n:02d}")) for n in DEMO_COUNTERS
        }
        self.state_dir = state_dir or Path()
        self.printer_file = self.state_dir / "printer-kiosk-01.bin"
        self.kiosk = simulated_kiosk(broker, inventory.device("kiosk-01"), self.printer_file)
        self.display = demo_display(broker, inventory.device("display-01"), self.state_dir)
        self.running_text = RunningTextAgent(
            inventory.device("runtext-01"),
            LinkSettings(broker.host, broker.port, "runtext-01", broker.password("runtext-01")),
            open_dummy(inventory.device("runtext-01").running_text_unit().cascaded),
        )
        with_agent = {unit.agent.config.device_id for unit in self.units.values()}
        with_agent |= {"kiosk-01", "display-01", "runtext-01"}
        for device in inventory.devices:
            if device.device_id in with_agent:
                continue
            settings = LinkSettings(
                broker.host, broker.port, device.device_id, broker.password(device.device_id)
            )
            presence = device_presence(device.device_id, device.role, software_version())
            self.links[device.device_id] = MqttLink(settings, presence=presence)
        self.threads = [
            threading.Thread(target=self._citizens, name="demo-citizens", daemon=True),
            threading.Thread(target=self.kiosk.run, name="demo-kiosk-ui", daemon=True),
            threading.Thread(target=self.display.run, name="demo-display-ui", daemon=True),
        ]
        self.threads += [
            threading.Thread(target=self._officer, args=(n,), daemon=True, name=f"demo-officer-{n}")
            for n in DEMO_COUNTERS
        ]
        self.threads.append(threading.Thread(target=self._heartbeats, daemon=True))

    def start(self) -> None:
        for link in self.links.values():
            link.start(wait=10)
        for unit in self.units.values():
            unit.agent.start(wait=10)
        self.kiosk.start(wait=10)
        self.display.start(wait=10)
        self.running_text.start(wait=10)
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        self.kiosk.request_stop()
        self.display.request_stop()
        for thread in self.threads:
            thread.join(5)
        self.kiosk.stop()
        self.display.stop()
        self.running_text.stop()
        for unit in self.units.values():
            unit.agent.stop()
        for link in self.links.values():
            link.stop()

    def _pause(self, low: float, high: float) -> bool:
        """Wait a random while (scaled by ``pace``); True when the demo is stopping."""
        return self.stop.wait(self.random.uniform(low, high) * self.pace)

    def _citizens(self) -> None:
        """Citizens walking up to the real kiosk agent and tapping through its screens."""
        kiosk = self.kiosk
        if not kiosk.wait_for(lambda m: m.shown() is View.WELCOME, 15):
            log.warning("kiosk never became ready: %s", kiosk.model.unavailable_reason())
            return
        while not self._pause(3, 9):
            if kiosk.model.shown() is not View.WELCOME:
                continue
            code = self.random.choice(POPULAR)
            category = "prioritas" if self.random.random() < 0.1 else "reguler"
            agency = self.site.service(code).agency
            steps = [
                (("start",), View.AGENCIES),
                (("agency", agency), View.SERVICES),
                (("service", code), View.CATEGORY),
                (("category", category), None),
            ]
            for target, expected in steps:
                try:
                    kiosk.touch(*target)
                except LookupError:
                    break
                if expected is not None and not kiosk.wait_for(
                    lambda m, view=expected: m.shown() is view, 5
                ):
                    log.info("kiosk: %s tidak dapat dipilih", code)
                    if kiosk.model.shown() is View.SERVICES:
                        kiosk.touch("back")
                    break
            else:
                if kiosk.wait_for(lambda m: m.view in (View.DONE, View.ERROR), 10):
                    ticket = kiosk.model.ticket
                    if ticket is not None:
                        log.info(
                            "kiosk: tiket %s (%s), %d orang di depan, perkiraan %d menit",
                            ticket.number,
                            ticket.service_name,
                            ticket.people_ahead,
                            ticket.estimated_wait_min,
                        )
                    else:
                        log.info("kiosk: %s", kiosk.model.message)

    def _officer(self, number: int) -> None:
        """An officer at a real counter agent, pressing its (mock) GPIO buttons."""
        unit = self.units[number]
        unit.hold("next")
        if not unit.agent.wait_for(lambda u, _s: u.state is CounterState.OPEN, 15):
            log.warning("counter %d did not open", number)
            return
        while not self._pause(4, 8):
            current = unit.agent.unit.current
            if current is None:
                if unit.agent.unit.waiting > 0:  # the display says someone is waiting
                    unit.press("next")
                continue
            if self._pause(10, 30):
                return
            follow = self.site.service(current.service).continues_to
            if follow and follow in unit.agent.targets and self.random.random() < 0.3:
                unit.press("transfer")
                unit.press("finish")
            else:
                unit.press("finish")
            if self.random.random() < 0.7 and not self._pause(1, 3):
                unit.press_skm(self.random.choice([2, 3, 3, 3, 1]))

    def _heartbeats(self) -> None:
        started = datetime.now()
        while not self.stop.wait(HEARTBEAT_S):
            uptime = (datetime.now() - started).total_seconds()
            for device_id, link in self.links.items():
                link.publish(
                    spec("device.heartbeat"),
                    Heartbeat(device_id=device_id, uptime_s=uptime),
                    device_id=device_id,
                )


class SimulatedUnit:
    """A counter agent on mock GPIO pins, with a finger to press its buttons."""

    def __init__(self, broker: LocalBroker, config: DeviceConfig) -> None:
        self.factory = MockFactory()
        self.config = config.counter_unit()
        settings = LinkSettings(
            broker.host, broker.port, config.device_id, broker.password(config.device_id)
        )
        self.agent = CounterAgent(config, settings, self.factory, NullDisplay())

    def press(self, button: str, seconds: float = 0.15) -> None:
        pin = self.factory.pin(getattr(self.config.buttons, button))
        pin.drive_low()
        time.sleep(seconds)  # a finger on the button, in real time
        pin.drive_high()
        time.sleep(0.1)

    def hold(self, button: str) -> None:
        self.press(button, self.config.hold_s + 0.3)

    def press_skm(self, index: int) -> None:
        pin = self.factory.pin(self.config.skm.buttons[index])
        pin.drive_low()
        time.sleep(0.15)
        pin.drive_high()


def simulated_kiosk(broker: LocalBroker, config: DeviceConfig, printer_file: Path) -> KioskAgent:
    """The real kiosk agent on a headless screen, printing into a file."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame.display.init()
    surface = pygame.display.set_mode((1080, 1920))
    settings = LinkSettings(
        broker.host, broker.port, config.device_id, broker.password(config.device_id)
    )
    return KioskAgent(config, settings, FileTransport(printer_file), surface)


def demo_display(broker: LocalBroker, config: DeviceConfig, state_dir: Path) -> DisplayAgent:
    """The real call display, headless: its screen to display.png every 5 s, its voice to WAVs."""
    clip_dir = state_dir / "voice-clips"
    try:
        clips = ClipSet(clip_dir)
    except ClipSetError:
        log.info("making the voice clip set with espeak-ng in %s", clip_dir)
        make_clip_set(clip_dir)
        clips = ClipSet(clip_dir)
    announcer = Announcer(
        clips, WavFilePlayer(state_dir / "voice"), AnnouncedCursor(state_dir / "announced.json")
    )
    settings = LinkSettings(
        broker.host, broker.port, config.device_id, broker.password(config.device_id)
    )
    return DisplayAgent(
        config,
        settings,
        pygame.Surface((1920, 1080)),
        announcer,
        snapshot_dir=state_dir,
        snapshot_every_s=5.0,
    )


def _announce(decoded: Decoded, _properties: object) -> None:
    call = decoded.message
    assert isinstance(call, CallEvent)
    again = " (panggilan ulang)" if call.recall else ""
    log.info("display: Nomor antrian %s, silakan ke %s%s", call.number, call.counter_name, again)


def run_demo(state_dir: Path | None, duration: float, seed: int = 1, pace: float = 1.0) -> int:
    """Run until Ctrl-C (or ``duration`` seconds); stop everything in reverse order."""
    directory = state_dir or default_state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    inventory = load_inventory()
    site = load_site()
    broker = start_local_broker(directory, inventory)
    log.info("broker on %s:%d (state in %s)", broker.host, broker.port, directory)
    hub = HubApp(
        site,
        inventory,
        EventStore(directory / "hub.db"),
        LinkSettings(broker.host, broker.local_port, "hub", broker.password("hub")),
        clock=OffsetClock(morning_of_today(site)),
    )
    monitor = MqttLink(
        LinkSettings(
            broker.host,
            broker.port,
            inventory.admins[0].username,
            broker.password(inventory.admins[0].username),
        )
    )
    monitor.subscribe(spec("event.call"), _announce)
    devices = DemoDevices(broker, inventory, site, seed, pace, directory)
    stop = threading.Event()
    try:
        hub.start()
        log.info("hub ready: %s", site.name)
        monitor.start(wait=10)
        devices.start()
        log.info("%d simulated devices online; Ctrl-C stops", len(devices.links))
        stop.wait(duration if duration > 0 else None)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        devices.close()
        monitor.stop()
        hub.stop()
        broker.stop()
    return 0


__all__ = ["run_demo"]
