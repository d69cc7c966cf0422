"""Everything needed to customise images for devices of one inventory, gathered once.

Shared by ``mpp image customize`` (one device) and ``mpp image batch`` (a
building): the inventory, the passwords, the Wi-Fi keys, the CA, the SSH keys.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from firmware_config.credentials import CredentialStore, default_store_path
from firmware_config.inventory import (
    ACCOUNTS_FILE,
    DEVICES_DIR,
    ConfigError,
    load_device,
    load_model,
    site_file_of,
)
from firmware_config.schema import AccountsFile
from firmware_config.secrets import WifiPskStore, wifi_store_path
from provision.customize import Customized, customize
from provision.identity import (
    CA_FILE,
    HUB_ID,
    TLS_DIR,
    Identity,
    build_hub_identity,
    build_identity,
)


@dataclass(frozen=True)
class Preparer:
    inventory: Path
    credentials: CredentialStore
    wifi_keys: WifiPskStore
    ca_certificate: bytes | None
    ssh_keys: tuple[str, ...]
    timezone: str
    site_file: Path
    tls_dir: Path

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Preparer:
        from provision.cli import ssh_keys

        credentials = args.secrets or default_store_path()
        tls_dir = credentials.parent / TLS_DIR
        ca = None
        for source in (args.broker_dir, tls_dir):
            if source is not None and (source / CA_FILE).is_file():
                ca = (source / CA_FILE).read_bytes()
                break
        return cls(
            inventory=args.inventory,
            credentials=CredentialStore(credentials),
            wifi_keys=WifiPskStore(args.wifi_keys or wifi_store_path(credentials)),
            ca_certificate=ca,
            ssh_keys=tuple(ssh_keys(args.ssh_key)),
            timezone=args.timezone,
            site_file=args.site or site_file_of(args.inventory) or _default_site(),
            tls_dir=tls_dir,
        )

    @property
    def site_id(self) -> str:
        return load_model(self.inventory / ACCOUNTS_FILE, AccountsFile).site_id

    def device_path(self, device_id: str) -> Path:
        path = self.inventory / DEVICES_DIR / f"{device_id}.toml"
        if not path.is_file():
            raise ConfigError(f"{path}: no device {device_id!r} in the inventory {self.inventory}")
        return path

    def role_of(self, device_id: str) -> str:
        """``hub``, or the role in the device's file (which must exist)."""
        if device_id == HUB_ID:
            return HUB_ID
        return load_device(self.device_path(device_id)).role.value

    def identity(self, device_id: str) -> Identity:
        """The device's identity; fails now if its password or Wi-Fi key is missing."""
        if device_id == HUB_ID:
            identity = build_hub_identity(
                self.inventory, self.site_file, self.credentials.path, self.site_id, self.tls_dir
            )
            if identity.network.wifi_psk_ref:
                self.wifi_keys.psk(identity.network.wifi_psk_ref)
            return identity
        path = self.device_path(device_id)
        device = load_device(path)
        given = device.mqtt.password.get_secret_value() if device.mqtt.password else None
        password = given or self.credentials.password(device.device_id)
        if device.network.wifi_psk_ref:
            self.wifi_keys.psk(device.network.wifi_psk_ref)
        return build_identity(
            path, password, self.ca_certificate, self.site_id, self._client_tls(device_id)
        )

    def _client_tls(self, device_id: str) -> tuple[bytes, bytes] | None:
        """The device's client certificate and key, when the site uses mutual TLS."""
        certificate = self.tls_dir / "clients" / f"{device_id}.crt"
        key = certificate.with_suffix(".key")
        if certificate.is_file() and key.is_file():
            return certificate.read_bytes(), key.read_bytes()
        return None

    def customize(self, image: Path, device_id: str) -> Customized:
        return customize(
            image,
            self.identity(device_id),
            ssh_keys=list(self.ssh_keys),
            timezone=self.timezone,
            wifi_psk=self.wifi_keys.psk,
        )


def _default_site() -> Path:
    """The bundled default site (the hub's code knows where it lies)."""
    from hub.site.loader import DEFAULT_SITE

    return DEFAULT_SITE
