"""The heartbeat of agents that do not send their own: uptime, CPU temperature, memory.

The counter agent beats on its own thread; the kiosk, display and running text
get this one from the composition root, so the admin console shows every
device's temperature and the hub learns every device's clock. A daemon
thread: it ends with the process, and sends nothing while offline.
"""

from __future__ import annotations

import threading

from edge.system import cpu_temperature_c, rss_bytes, uptime_s
from protocol.link import MqttLink
from protocol.models import Heartbeat
from protocol.topics import spec

HEARTBEAT_S = 30.0


class HeartbeatSender:
    def __init__(self, link: MqttLink, device_id: str, every_s: float = HEARTBEAT_S) -> None:
        self.link = link
        self.device_id = device_id
        self.every_s = every_s
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        while not self.stopped.wait(self.every_s):
            if self.link.connected.is_set():
                beat = Heartbeat(
                    device_id=self.device_id,
                    uptime_s=uptime_s(),
                    cpu_temp_c=cpu_temperature_c(),
                    rss_bytes=rss_bytes(),
                )
                self.link.publish(spec("device.heartbeat"), beat, device_id=self.device_id)
