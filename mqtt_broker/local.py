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
from protocol.link import LinkSettings
from protocol.tls import TlsFiles, tls_files_in

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

    @property
    def tls_dir(self) -> Path | None:
        """The site TLS directory (CA, hub and client certificates); ``None`` when plain."""
        return None if self.rendered.tls is None else self.rendered.tls.directory

    def tls(self, identity: str | None = None) -> TlsFiles | None:
        """What a client on the LAN port trusts (and shows, with mutual TLS) as ``identity``."""
        directory = self.tls_dir
        return None if directory is None else tls_files_in(directory, identity)

    def link_settings(self, username: str, password: str | None = None) -> LinkSettings:
        """A client of the LAN listener as ``username``, over TLS like a device in a building."""
        secret = self.password(username) if password is None else password
        settings = LinkSettings(self.host, self.port, username, secret)
        return settings.with_tls(self.tls(username))

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop()


def local_settings(directory: Path) -> BrokerSettings:
    """Loopback-only settings on free ports; mosquitto keeps the caller's user.

    The hub's certificate names the loopback address, which devices here dial.
    """
    run_as = getpass.getuser() if os.geteuid() == 0 else None
    return BrokerSettings(
        lan_port=free_port(),
        lan_bind=LOOPBACK,
        san=(LOOPBACK,),
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
    process = MosquittoProcess(rendered.conf, rendered.lan_port, LOOPBACK)
    broker = LocalBroker(
        directory=directory,
        inventory=inventory,
        rendered=rendered,
        process=process,
        host=LOOPBACK,
        port=rendered.lan_port,
        local_port=settings.local_port,
    )
    broker.start()
    return broker
