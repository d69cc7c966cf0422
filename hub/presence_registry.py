"""Which devices are online, from their retained birth/death messages.

A last-will carries the session of the connection it belongs to; an
``offline`` older than the ``online`` we hold is a late will of a previous
connection and is ignored (Sparkplug's bdSeq rule).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from protocol.models import DeviceStatus, Presence

log = logging.getLogger(__name__)


class PresenceRegistry:
    def __init__(self, known_devices: set[str]) -> None:
        self.known = known_devices
        self.devices: dict[str, DeviceStatus] = {}
        self.changed = threading.Condition()

    def update(self, status: DeviceStatus) -> bool:
        """Record ``status``; returns False when it is stale or from an unknown device."""
        if status.device_id not in self.known:
            log.warning("status from unknown device %s ignored", status.device_id)
            return False
        held = self.devices.get(status.device_id)
        if held is not None and status.session < held.session:
            log.info(
                "stale %s of %s (session %d < %d) ignored",
                status.state.value,
                status.device_id,
                status.session,
                held.session,
            )
            return False
        with self.changed:
            self.devices[status.device_id] = status
            self.changed.notify_all()
        log.info("device %s %s (session %d)", status.device_id, status.state.value, status.session)
        return True

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def online(self) -> set[str]:
        return {d for d, s in self.devices.items() if s.state is Presence.ONLINE}
