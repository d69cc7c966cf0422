"""Everything needed to customise images for devices of one inventory, gathered once.

Shared by ``mpp image customize`` (one device) and ``mpp image batch`` (a
building): the inventory, the passwords, the Wi-Fi keys, the CA, the SSH keys.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from firmware_config.credentials import CredentialStore, default_store_path
from firmware_config.inventory import DEVICES_DIR, ConfigError, load_device
from provision.customize import Customized, customize
from provision.identity import CA_FILE, Identity, build_identity
from provision.secrets_store import default_secrets_path, secret_lookup


@dataclass(frozen=True)
class Preparer:
    inventory: Path
    credentials: CredentialStore
    site_secrets: Path
    ca_certificate: bytes | None
    ssh_keys: tuple[str, ...]
    timezone: str

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Preparer:
        from provision.cli import ssh_keys

        ca = None
        if args.broker_dir is not None and (args.broker_dir / CA_FILE).is_file():
            ca = (args.broker_dir / CA_FILE).read_bytes()
        credentials = args.secrets or default_store_path()
        return cls(
            inventory=args.inventory,
            credentials=CredentialStore(credentials),
            site_secrets=args.site_secrets or default_secrets_path(credentials),
            ca_certificate=ca,
            ssh_keys=tuple(ssh_keys(args.ssh_key)),
            timezone=args.timezone,
        )

    def device_path(self, device_id: str) -> Path:
        path = self.inventory / DEVICES_DIR / f"{device_id}.toml"
        if not path.is_file():
            raise ConfigError(f"{path}: no device {device_id!r} in the inventory {self.inventory}")
        return path

    def identity(self, device_id: str) -> Identity:
        """The device's identity; fails now if its password or Wi-Fi key is missing."""
        path = self.device_path(device_id)
        device = load_device(path)
        given = device.mqtt.password.get_secret_value() if device.mqtt.password else None
        password = given or self.credentials.password(device.device_id)
        if device.network.wifi_psk_ref:
            secret_lookup(self.site_secrets)(device.network.wifi_psk_ref)
        return build_identity(path, password, self.ca_certificate)

    def customize(self, image: Path, device_id: str) -> Customized:
        path = self.device_path(device_id)
        identity = self.identity(device_id)
        return customize(
            image,
            path,
            identity,
            ssh_keys=list(self.ssh_keys),
            timezone=self.timezone,
            wifi_psk=secret_lookup(self.site_secrets),
        )
