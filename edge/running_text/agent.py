"""The running-text agent: calls and announcements from the hub onto LED panels."""

from __future__ import annotations

import logging
import threading
from typing import Any

from edge.running_text.panel import TextPanel
from edge.running_text.scroller import Scroller
from firmware_config.schema import DeviceConfig
from protocol.codec import Decoded
from protocol.link import LinkSettings, MqttLink
from protocol.models import (
    Announcements,
    CallEvent,
    ComponentState,
    HardwareHealth,
    RecentCalls,
)
from protocol.presence import device_presence
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)


class RunningTextAgent:
    def __init__(self, config: DeviceConfig, link_settings: LinkSettings, panel: TextPanel) -> None:
        self.config = config
        self.unit = config.running_text_unit()
        self.panel = panel
        self.scroller = Scroller(panel_width=panel.width, call_passes=self.unit.call_passes)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._seen: set[str] = set()
        self.link = MqttLink(
            link_settings,
            presence=device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["calls", "announcements"],
                lambda: {"panel": ComponentState(health=HardwareHealth.OK)},
            ),
        )
        self.link.subscribe(spec("event.call"), self._incoming)
        self.link.subscribe(spec("state.calls"), self._incoming)
        self.link.subscribe(spec("state.announcements"), self._incoming)
        self._thread = threading.Thread(target=self._scroll, name="running-text", daemon=True)

    def start(self, wait: float | None = None) -> None:
        self.link.start(wait=wait)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.link.stop()

    def _wants(self, call: CallEvent) -> bool:
        return not self.unit.zones or call.zone in self.unit.zones

    def _incoming(self, decoded: Decoded, _properties: Any) -> None:
        message = decoded.message
        with self._lock:
            if isinstance(message, CallEvent) and self._wants(message):
                self._seen.add(str(message.event_id))
                self.scroller.call(message.number, message.counter)
            elif isinstance(message, RecentCalls):
                latest = next((c for c in message.calls if self._wants(c)), None)
                if latest is not None and str(latest.event_id) not in self._seen:
                    self._seen.add(str(latest.event_id))
                    self.scroller.call(latest.number, latest.counter)
            elif isinstance(message, Announcements):
                self.scroller.announcements = list(message.texts)

    def _scroll(self) -> None:
        while not self._stop.wait(self.unit.scroll_delay_s):
            with self._lock:
                frame = self.scroller.frame()
            self.panel.show(frame)
