"""The one-command local system: broker, hub and simulated devices on loopback.

It grows as issues land. Today: a private Mosquitto rendered from the bundled
inventory, every device of the inventory simulated as a presence-only client
(birth, heartbeat, last-will), and a monitor on the admin account that logs
what crosses the bus. The hub service, counters, kiosk and displays join as
their issues land.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from firmware_config.inventory import load_inventory
from mpp import __version__
from mqtt_broker.local import LocalBroker, start_local_broker
from protocol.codec import Decoded
from protocol.link import LinkSettings, MqttLink
from protocol.models import Heartbeat
from protocol.presence import device_presence
from protocol.topics import spec

log = logging.getLogger("mpp.demo")
HEARTBEAT_S = 5.0


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mpp" / "demo"


def _link(broker: LocalBroker, username: str, presence: object = None) -> MqttLink:
    settings = LinkSettings(broker.host, broker.port, username, broker.password(username))
    return MqttLink(settings, presence=presence)  # type: ignore[arg-type]


def _log_status(decoded: Decoded, _properties: object) -> None:
    message = decoded.message
    log.info("bus: %s %s", decoded.spec.key, message.model_dump_json(exclude={"sent_at"}))


def run_demo(state_dir: Path | None, duration: float) -> int:
    """Run until Ctrl-C (or ``duration`` seconds) and stop everything in reverse order."""
    directory = state_dir or default_state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    inventory = load_inventory()
    broker = start_local_broker(directory, inventory)
    log.info("broker on %s:%d (state in %s)", broker.host, broker.port, directory)
    monitor = _link(broker, inventory.admins[0].username)
    monitor.subscribe(spec("device.status"), _log_status)
    monitor.start(wait=10)
    devices = [
        _link(broker, d.device_id, device_presence(d.device_id, d.role, __version__))
        for d in inventory.devices
    ]
    stop = threading.Event()
    started = time.monotonic()
    try:
        for device in devices:
            device.start(wait=10)
        log.info("%d simulated devices online; Ctrl-C stops", len(devices))
        while not stop.wait(min(HEARTBEAT_S, duration) if duration else HEARTBEAT_S):
            for device, config in zip(devices, inventory.devices, strict=True):
                beat = Heartbeat(device_id=config.device_id, uptime_s=time.monotonic() - started)
                device.publish(spec("device.heartbeat"), beat, device_id=config.device_id)
            if duration and time.monotonic() - started >= duration:
                break
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        for device in reversed(devices):
            device.stop()
        monitor.stop()
        broker.stop()
    return 0
