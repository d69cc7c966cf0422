"""Agents for in-process tests, built by the composition root on simulated hardware."""

from __future__ import annotations

import threading

from edge import compose
from firmware_config.schema import DeviceConfig
from mqtt_broker.local import LocalBroker
from protocol.link import MqttLink


def device_link(broker: LocalBroker, config: DeviceConfig) -> MqttLink:
    """The device's link as ``mpp edge`` makes it, pointed at the test broker."""
    return compose.device_link(
        config, broker.password(config.device_id), broker.host, broker.port, broker.tls_dir
    )


class FakeMonotonic:
    """An agent's monotonic clock (debounce, hold, screen timeouts): moves only
    when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
