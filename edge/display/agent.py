"""The call display agent: composition root of one TV + speaker.

MQTT messages go on a queue; the UI loop (pygame's thread) applies them to
the model, advances the highlight and draws. New calls are offered to the
announcer, which speaks them one at a time. After a (re)start the retained
topics (latest calls, catalogue, waiting counts, announcements) fill the
screen at once; the announced-calls cursor keeps old calls from being said
again.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame

from edge import identify as identify_overlay
from edge.display.announcer import Announcer
from edge.display.model import DisplayModel
from edge.display.screen import DisplayScreen
from edge.hardware.snapshot import save_png
from edge.liveness import LoopBeat
from firmware_config.schema import DeviceConfig
from protocol.clock import wall_now
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    Announcements,
    CallEvent,
    Catalogue,
    ComponentState,
    HardwareHealth,
    HubStatus,
    RecentCalls,
    ServiceStatus,
    utc_now,
)
from protocol.presence import HubWatch, device_presence
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)
FRAME_S = 0.1


@dataclass(frozen=True)
class _Identify:
    seconds: float


class DisplayAgent:
    def __init__(
        self,
        config: DeviceConfig,
        link: MqttLink,
        surface: pygame.Surface,
        announcer: Announcer,
        clock: Callable[[], float] = time.monotonic,
        snapshot_dir: Path | None = None,
        snapshot_every_s: float = 5.0,
        snapshot_name: str = "display.png",
    ) -> None:
        self.config = config
        unit = config.display_unit()
        self.model = DisplayModel(
            zones=unit.zones, agencies=unit.agencies, highlight_s=unit.highlight_s
        )
        self.surface = surface
        self.screen = DisplayScreen(surface, unit.width_mm, unit.labels)
        self.announcer = announcer
        self.clock = clock
        self.snapshot_dir, self.snapshot_every_s = snapshot_dir, snapshot_every_s
        self.snapshot_name = snapshot_name
        self._last_snapshot = 0.0
        zones = f" · {', '.join(unit.zones)}" if unit.zones else ""
        self.identifying = identify_overlay.Identify(
            config.device_id, f"Layar panggilan antrean{zones}"
        )
        self._identified = False  # the frame on screen carries the identify banner
        self._events: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self.beat = LoopBeat()  # systemd's watchdog follows the drawing loop
        self.changed = threading.Condition()
        self._hub = HubWatch()  # the newest hub session wins
        self.link = link
        link.announce_as(
            device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["calls", "voice"],
                lambda: {
                    "screen": ComponentState(health=HardwareHealth.OK),
                    "speaker": ComponentState(health=HardwareHealth.OK),
                },
            )
        )
        for key in (
            "hub.status",
            "event.call",
            "state.calls",
            "state.catalogue",
            "state.service",
            "state.announcements",
        ):
            self.link.subscribe(spec(key), self._incoming)

    def start(self, wait: float | None = None) -> None:
        self.announcer.start()
        self.link.start(wait=wait)

    def stop(self) -> None:
        self._stop.set()
        self.link.stop()
        self.announcer.stop()

    def request_stop(self) -> None:
        self._stop.set()

    def identify(self, seconds: int) -> None:
        """The admin asked which screen this is: frame and banner for ``seconds`` (any thread)."""
        self._events.put(_Identify(seconds))

    def run(self) -> None:
        """Draw at least every FRAME_S, and at once when a message arrives."""
        while not self._stop.is_set():
            self.beat.beat()
            with contextlib.suppress(queue.Empty):
                self._events.put(self._events.get(timeout=FRAME_S))
            self.step()

    def _incoming(self, decoded: Decoded, _properties: Any) -> None:
        self._events.put(decoded.message)

    def step(self) -> None:
        now = self.clock()
        while True:
            try:
                message = self._events.get_nowait()
            except queue.Empty:
                break
            if isinstance(message, _Identify):
                self.identifying.start(message.seconds, now)
            else:
                self._apply(message)
        self.model.connected = self.link.connected.is_set()
        came = self.model.tick(now)
        zone = ZoneInfo(self.model.catalogue.timezone if self.model.catalogue else "Asia/Jakarta")
        with self.changed:
            self.screen.draw(self.model, now, wall_now().astimezone(zone))
            identified = identify_overlay.draw(self.surface, self.identifying, now) is not None
            if pygame.display.get_surface() is self.surface:
                pygame.display.flip()
            self.changed.notify_all()
        due = now - self._last_snapshot >= self.snapshot_every_s
        banner = identified != self._identified  # the banner came or went: save it so
        self._identified = identified
        if self.snapshot_dir is not None and (due or came is not None or banner):
            self._last_snapshot = now
            save_png(self.surface, self.snapshot_dir / self.snapshot_name)
        if banner:  # after the screenshot: a reader of this line finds the banner saved
            log.info(
                "identify: %s", " · ".join(self.identifying.lines()) if identified else "ended"
            )

    def _apply(self, message: object) -> None:
        if isinstance(message, CallEvent):
            if self.model.add_call(message):
                self.announcer.offer(message, utc_now())
        elif isinstance(message, RecentCalls):
            self.model.restore(message.calls)
            for call in sorted(message.calls, key=lambda c: c.seq):
                if self.model.wants(call):
                    self.announcer.offer(call, utc_now(), live=False)
        elif isinstance(message, Catalogue):
            self.model.catalogue = message
        elif isinstance(message, ServiceStatus):
            self.model.services[message.service] = message
        elif isinstance(message, Announcements):
            self.model.announcements = list(message.texts)
        elif isinstance(message, HubStatus):
            self.model.hub_online = self._hub.update(message)

    def wait_for(self, predicate: Callable[[DisplayModel], bool], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.model), timeout)

    def save(self, path: Path) -> None:
        with self.changed:
            save_png(self.surface, path)
