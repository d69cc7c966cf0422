"""The product's identity of one device, as the files put on its boot partition.

``mpp/device.toml`` (the device file, pointed at the password file and, with
TLS, the site CA), ``mpp/mqtt-password``, ``mpp/ca.crt`` when the broker has
a CA, and ``mpp/manifest.json`` with each file's SHA-256 so the first-boot
mover never installs a half-written identity from a card pulled too early.
The mover (:mod:`provision.firstboot`) puts them in ``/etc/mpp`` (0600).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from firmware_config.inventory import ConfigError, load_device
from firmware_config.schema import DeviceConfig

BOOT_DIR = "mpp"
MANIFEST = "manifest.json"
DEVICE_FILE = "device.toml"
PASSWORD_FILE = "mqtt-password"  # noqa: S105 - a file name
CA_FILE = "ca.crt"
ETC_MPP = Path("/etc/mpp")


@dataclass(frozen=True)
class Identity:
    """The identity files of one device: name on the card → contents."""

    device_id: str
    role: str
    files: dict[str, bytes]

    def manifest(self, instance_id: str) -> bytes:
        body = {
            "device_id": self.device_id,
            "role": self.role,
            "instance_id": instance_id,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()},
        }
        return (json.dumps(body, indent=2) + "\n").encode()


def build_identity(device_path: Path, password: str, ca_certificate: bytes | None) -> Identity:
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
    files = {PASSWORD_FILE: (password + "\n").encode()}
    if ca_certificate is not None:
        mqtt["tls_ca_file"] = str(ETC_MPP / CA_FILE)
        files[CA_FILE] = ca_certificate
    raw["mqtt"] = mqtt
    text = tomli_w.dumps(raw)
    try:
        DeviceConfig.model_validate(tomllib.loads(text))
    except ValueError as error:  # a bug here, not the technician's: say which device
        raise ConfigError(f"{device_path}: identity does not validate: {error}") from error
    files[DEVICE_FILE] = (
        f"# Identity of {device.device_id}, written by `mpp image customize`.\n" + text
    ).encode()
    return Identity(device.device_id, device.role.value, files)
