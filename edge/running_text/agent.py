"""The running-text agent: calls and announcements from the hub onto LED panels."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from edge.liveness import LoopBeat
from edge.running_text.panel import TextPanel
from edge.running_text.scroller import Scroller
from firmware_config.schema import DeviceConfig
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    Announcements,
    CallEvent,
    ComponentState,
    HardwareHealth,
    RecentCalls,
)
from protocol.presence import device_presence
from protocol.signals import wait_interruptibly
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)
SEEN_KEPT = 64  # the retained list holds far fewer calls than this


class RunningTextAgent:
    def __init__(self, config: DeviceConfig, link: MqttLink, panel: TextPanel) -> None:
        self.config = config
        self.unit = config.running_text_unit()
        self.panel = panel
        self.scroller = Scroller(panel_width=panel.width, call_passes=self.unit.call_passes)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._quit = threading.Event()
        self.beat = LoopBeat()  # systemd's watchdog follows the scroll loop
        # Event ids already shown, so a retained list re-sent after a reconnect is not
        # shown again; bounded: only the newest ids can come back.
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.link = link
        link.announce_as(
            device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["calls", "announcements"],
                lambda: {"panel": ComponentState(health=HardwareHealth.OK)},
            )
        )
        self.link.subscribe(spec("event.call"), self._incoming)
        self.link.subscribe(spec("state.calls"), self._incoming)
        self.link.subscribe(spec("state.announcements"), self._incoming)
        self._thread = threading.Thread(target=self._scroll, name="running-text", daemon=True)

    def start(self, wait: float | None = None) -> None:
        self.link.start(wait=wait)
        self._thread.start()

    def run(self) -> None:
        """Block until :meth:`request_stop` (scrolling runs on its own thread)."""
        wait_interruptibly(self._quit)

    def request_stop(self) -> None:
        self._quit.set()

    def stop(self) -> None:
        self._quit.set()
        self._stop.set()
        self._thread.join(1)
        self.link.stop()
        self.panel.close()

    def identify(self, seconds: int) -> None:
        """The admin asked which panel this is: scroll its device id next (any thread)."""
        passes = max(1, min(5, seconds // 5))
        with self._lock:
            self.scroller.notice(self.config.device_id.upper(), passes)

    def _remember(self, event_id: str) -> bool:
        """True when ``event_id`` is new; keeps the newest :data:`SEEN_KEPT` ids."""
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        while len(self._seen) > SEEN_KEPT:
            self._seen.popitem(last=False)
        return True

    @property
    def text(self) -> str:
        """What the panel is scrolling now (status for simulations and logs)."""
        with self._lock:
            return self.scroller.current

    def _wants(self, call: CallEvent) -> bool:
        return not self.unit.zones or call.zone in self.unit.zones

    def _incoming(self, decoded: Decoded, _properties: Any) -> None:
        message = decoded.message
        with self._lock:
            if isinstance(message, CallEvent) and self._wants(message):
                self._remember(str(message.event_id))
                self.scroller.call(message.number, message.counter)
            elif isinstance(message, RecentCalls):
                latest = next((c for c in message.calls if self._wants(c)), None)
                if latest is not None and self._remember(str(latest.event_id)):
                    self.scroller.call(latest.number, latest.counter, passes=1)
            elif isinstance(message, Announcements):
                self.scroller.announcements = list(message.texts)

    def _scroll(self) -> None:
        showing = ""
        while not self._stop.wait(self.unit.scroll_delay_s):
            self.beat.beat()
            with self._lock:
                frame = self.scroller.frame()
                text = self.scroller.current
            if text != showing:
                showing = text
                log.info("panel shows %r", text)
            self.panel.show(frame)
