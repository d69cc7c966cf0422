"""Wi-Fi pre-shared keys, kept beside the MQTT credentials store and never in git.

Device files name a key (``network.wifi_psk_ref``), never hold it: the
inventory is committed, the keys are not. The keys live in
``wifi-psks.json`` next to ``mqtt-credentials.json`` (both mode 0600, by
default in ``~/.local/state/mpp``); ``mpp config secrets`` fills both, and an
image gets them only when it is customised for one device.
"""

from __future__ import annotations

import hashlib
import string
import subprocess
from collections.abc import Iterable
from pathlib import Path

from firmware_config.credentials import (
    HUB_ACCOUNT,
    UPSTREAM_ACCOUNT,
    CredentialStore,
    CredentialStoreError,
    default_store_path,
)
from firmware_config.inventory import Inventory
from firmware_config.schema import DeviceConfig, HubConfig
from protocol.roles import Role

WIFI_FILE = "wifi-psks.json"
_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c")


def wifi_store_path(credentials: Path | None = None) -> Path:
    """``wifi-psks.json`` beside the credentials store (the default one if not given)."""
    return (credentials or default_store_path()).parent / WIFI_FILE


def psk_problem(psk: str) -> str | None:
    """Why ``psk`` cannot be a WPA2/WPA3-Personal key, or None if it can.

    A passphrase is 8 to 63 printable ASCII characters; 64 hex digits are a
    raw key (IEEE 802.11i). Anything else is refused here, at the desk, rather
    than by the access point on the day of installation.
    """
    if len(psk) == 64 and all(c in string.hexdigits for c in psk):
        return None
    if not 8 <= len(psk) <= 63:
        return f"a passphrase has 8 to 63 characters (got {len(psk)})"
    if not set(psk) <= _PRINTABLE:
        return "a passphrase has printable ASCII characters only"
    return None


def wpa_psk_hex(passphrase: str, ssid: str) -> str:
    """The 256-bit key wpa_passphrase(8) derives, so a card can carry the key, not the
    passphrase (PBKDF2-HMAC-SHA1, the SSID as salt, 4096 rounds)."""
    if len(passphrase) == 64:
        return passphrase.lower()
    key = hashlib.pbkdf2_hmac("sha1", passphrase.encode(), ssid.encode(), 4096, 32)
    return key.hex()


class WifiPskStore(CredentialStore):
    """Name → Wi-Fi key, in a 0600 JSON file (the credentials store's format)."""

    def psk(self, name: str) -> str:
        stored = self.load()
        if name not in stored:
            raise CredentialStoreError(
                f"{self.path}: no Wi-Fi key named {name!r}; "
                f"set it with `mpp config secrets wifi {name}`"
            )
        return stored[name]

    def set(self, name: str, psk: str) -> None:
        problem = psk_problem(psk)
        if problem is not None:
            raise CredentialStoreError(f"Wi-Fi key {name!r}: {problem}")
        self._write({**self.load(), name: psk})


def mqtt_accounts(inventory: Inventory) -> list[tuple[str, Role]]:
    """Every broker account of the inventory: the hub, upstream, the admins, each device —
    the accounts ``mpp broker render`` writes (``mqtt_broker.render.accounts_of``; a test
    keeps the two equal, since firmware_config may not import the broker's code)."""
    accounts = [(HUB_ACCOUNT, Role.HUB), (UPSTREAM_ACCOUNT, Role.UPSTREAM)]
    accounts += [(admin.username, Role.ADMIN) for admin in inventory.admins]
    accounts += [(device.device_id, device.role) for device in inventory.devices]
    return accounts


def given_passwords(inventory: Inventory) -> dict[str, str]:
    """Passwords a site wrote into its inventory itself; they win over stored ones."""
    given = {
        admin.username: admin.password.get_secret_value()
        for admin in inventory.admins
        if admin.password is not None
    }
    for device in inventory.devices:
        if device.mqtt.password is not None:
            given[device.device_id] = device.mqtt.password.get_secret_value()
    return given


def wifi_references(devices: Iterable[DeviceConfig], hub: HubConfig | None) -> dict[str, list[str]]:
    """Each Wi-Fi key name the inventory uses → the devices (and ``hub``) that use it."""
    users: dict[str, list[str]] = {}
    if hub is not None and hub.network.wifi_psk_ref is not None:
        users.setdefault(hub.network.wifi_psk_ref, []).append("hub")
    for device in devices:
        if device.network.wifi_psk_ref is not None:
            users.setdefault(device.network.wifi_psk_ref, []).append(device.device_id)
    return users


def tracked_risk(path: Path) -> Path | None:
    """The git work tree ``path`` would land in unignored, if any: secrets never go there.

    A home directory kept in git (dotfiles) is fine as long as it ignores the file.
    """
    for parent in [path.absolute(), *path.absolute().parents]:
        if (parent / ".git").exists():
            try:
                ignored = subprocess.run(
                    ["git", "-C", str(parent), "check-ignore", "-q", str(path.absolute())],
                    capture_output=True,
                    check=False,
                    timeout=10,
                )
            except (OSError, subprocess.TimeoutExpired):
                return parent
            return None if ignored.returncode == 0 else parent
    return None
