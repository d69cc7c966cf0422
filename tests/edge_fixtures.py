"""Agents for in-process tests, built by the composition root on simulated hardware."""

from __future__ import annotations

from edge import compose
from firmware_config.schema import DeviceConfig
from mqtt_broker.local import LocalBroker
from protocol.link import MqttLink


def device_link(broker: LocalBroker, config: DeviceConfig) -> MqttLink:
    """The device's link as ``mpp edge`` makes it, pointed at the test broker."""
    return compose.device_link(config, broker.password(config.device_id), broker.host, broker.port)
