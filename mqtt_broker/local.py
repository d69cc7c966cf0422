"""A private broker on free loopback ports, rendered exactly like the hub's.

Tests, benchmarks and the demo use this so they run against the same
configuration, ACL and password hashing a site gets from ``mpp broker render``.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import Inventory
from mqtt_broker.render import BrokerSettings, RenderedBroker, render_broker
from mqtt_broker.runner import MosquittoProcess, free_port

LOOPBACK = "127.0.0.1"


@dataclass
class LocalBroker:
    """A running broker: where it listens and each account's password."""

    directory: Path
    inventory: Inventory
    rendered: RenderedBroker
    process: MosquittoProcess
    host: str
    port: int
    local_port: int

    def password(self, username: str) -> str:
        return self.rendered.passwords[username]

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop()


def local_settings(directory: Path) -> BrokerSettings:
    """Loopback-only settings on free ports; mosquitto keeps the caller's user."""
    run_as = getpass.getuser() if os.geteuid() == 0 else None
    return BrokerSettings(
        lan_port=free_port(),
        lan_bind=LOOPBACK,
        local_port=free_port(),
        persistence_dir=directory / "data",
        run_as=run_as,
    )


def start_local_broker(
    directory: Path, inventory: Inventory, settings: BrokerSettings | None = None
) -> LocalBroker:
    """Render into ``directory`` and start mosquitto; returns once it accepts."""
    settings = settings or local_settings(directory)
    settings.persistence_dir.mkdir(parents=True, exist_ok=True)
    store = CredentialStore(directory / "mqtt-credentials.json")
    rendered = render_broker(inventory, directory / "broker", settings, store)
    process = MosquittoProcess(rendered.conf, settings.lan_port, LOOPBACK)
    broker = LocalBroker(
        directory=directory,
        inventory=inventory,
        rendered=rendered,
        process=process,
        host=LOOPBACK,
        port=settings.lan_port,
        local_port=settings.local_port,
    )
    broker.start()
    return broker
