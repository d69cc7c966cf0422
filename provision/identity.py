"""The product's identity of one device, as the files put on its boot partition.

``mpp/device.toml`` (the device file, pointed at the password file and, with
TLS, the site CA), ``mpp/mqtt-password``, ``mpp/ca.crt`` when the broker has
a CA, ``mpp/chrony.conf`` (the hub as the device's clock), and
``mpp/manifest.json`` with each file's SHA-256 so the first-boot mover never
installs a half-written identity from a card pulled too early.
The mover (:mod:`provision.firstboot`) puts them in ``/etc/mpp`` (0600) and
chrony's file in ``/etc/chrony``.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from firmware_config.credentials import CredentialStoreError
from firmware_config.inventory import (
    ACCOUNTS_FILE,
    DEVICES_DIR,
    HUB_FILE,
    ConfigError,
    load_device,
    load_model,
)
from firmware_config.schema import DeviceConfig, HubConfig, NetworkSettings
from firmware_config.timesync import device_chrony_conf, hub_chrony_conf

BOOT_DIR = "mpp"
MANIFEST = "manifest.json"
DEVICE_FILE = "device.toml"
PASSWORD_FILE = "mqtt-password"  # noqa: S105 - a file name
CA_FILE = "ca.crt"
CHRONY_FILE = "chrony.conf"
CLIENT_CERT = "client.crt"
CLIENT_KEY = "client.key"
TLS_TAR = "tls.tar"
# The site TLS directory beside the credentials store (`mpp broker render` keeps the CA there).
TLS_DIR = "tls"
SITE_FILE = "site.toml"
INVENTORY_TAR = "inventory.tar"
CREDENTIALS_FILE = "mqtt-credentials.json"
HUB_ID = "hub"
ETC_MPP = Path("/etc/mpp")


@dataclass(frozen=True)
class Identity:
    """The identity files of one device: name on the card → contents."""

    device_id: str
    role: str
    hostname: str
    network: NetworkSettings
    files: dict[str, bytes]

    def manifest(self, instance_id: str) -> bytes:
        body = {
            "device_id": self.device_id,
            "hostname": self.hostname,
            "role": self.role,
            "instance_id": instance_id,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()},
        }
        return (json.dumps(body, indent=2) + "\n").encode()


def build_identity(
    device_path: Path,
    password: str,
    ca_certificate: bytes | None,
    site_id: str,
    client_tls: tuple[bytes, bytes] | None = None,
) -> Identity:
    """The identity of the device in ``device_path`` with its MQTT password.

    The device file is kept as the technician wrote it (minus comments) with
    only where-to-find-the-secrets filled in; a password written in the
    inventory goes into the password file, never into ``device.toml``.
    """
    device = load_device(device_path)
    with device_path.open("rb") as handle:
        raw = tomllib.load(handle)
    mqtt = dict(raw.get("mqtt", {}))
    mqtt.pop("password", None)
    mqtt["password_file"] = str(ETC_MPP / PASSWORD_FILE)
    files = {
        PASSWORD_FILE: (password + "\n").encode(),
        # The hub is this device's only clock (makestep 1 -1): a Pi has no RTC.
        CHRONY_FILE: device_chrony_conf(device, site_id).encode(),
    }
    if ca_certificate is not None:
        mqtt["tls_ca_file"] = str(ETC_MPP / CA_FILE)
        files[CA_FILE] = ca_certificate
    if client_tls is not None:  # mutual TLS: the device's own certificate and key
        files[CLIENT_CERT], files[CLIENT_KEY] = client_tls
    raw["mqtt"] = mqtt
    text = tomli_w.dumps(raw)
    try:
        DeviceConfig.model_validate(tomllib.loads(text))
    except ValueError as error:  # a bug here, not the technician's: say which device
        raise ConfigError(f"{device_path}: identity does not validate: {error}") from error
    files[DEVICE_FILE] = (
        f"# Identity of {device.device_id}, written by `mpp image customize`.\n" + text
    ).encode()
    hostname = device.network.hostname or f"mpp-{device.device_id}"
    return Identity(device.device_id, device.role.value, hostname, device.network, files)


def _tar(root: Path, paths: list[Path]) -> bytes:
    """Regular files under ``root`` as an uncompressed tar owned by root, 0640."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(paths):
            info = archive.gettarinfo(str(path), arcname=str(path.relative_to(root)))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = 0o640
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    return buffer.getvalue()


def build_hub_identity(
    inventory: Path, site_file: Path, credentials: Path, site_id: str, tls_dir: Path | None
) -> Identity:
    """The hub's identity: its site file, the inventory (as one tar), the whole
    credentials store (the hub renders the broker's password file from it) and
    chrony's server configuration. The mover unpacks them where the hub's
    units look (``/etc/mpp/site.toml``, ``/etc/mpp/inventory``,
    ``/var/lib/mpp/mqtt-credentials.json``)."""
    hub = load_model(inventory / HUB_FILE, HubConfig)
    if not credentials.is_file():
        raise CredentialStoreError(f"{credentials}: not found; run `mpp config secrets` first")
    listed = [
        inventory / ACCOUNTS_FILE,
        inventory / HUB_FILE,
        *(inventory / DEVICES_DIR).glob("*.toml"),
    ]
    files = {
        SITE_FILE: site_file.read_bytes(),
        INVENTORY_TAR: _tar(inventory, listed),
        CREDENTIALS_FILE: credentials.read_bytes(),
        CHRONY_FILE: hub_chrony_conf(hub, site_id).encode(),
    }
    if tls_dir is not None and tls_dir.is_dir():
        # The site CA (with its key) and the hub's certificate: the hub renders its
        # broker with the CA the devices' cards already trust, never a new one.
        files[TLS_TAR] = _tar(tls_dir, [path for path in tls_dir.rglob("*") if path.is_file()])
    hostname = hub.network.hostname or "mpp-hub"
    return Identity(HUB_ID, HUB_ID, hostname, hub.network, files)
