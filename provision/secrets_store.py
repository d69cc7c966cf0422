"""Secrets the image needs that are not MQTT passwords: Wi-Fi pre-shared keys.

Device files name a key (``network.wifi_psk_ref``); its value lives in
``wifi-psks.json`` beside the MQTT credentials store (``mpp config secrets``),
outside git, and is read only here, at customise time. The card carries the
derived 256-bit key (as wpa_passphrase(8) computes it), not the passphrase.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from firmware_config.credentials import CredentialStoreError, default_store_path

WIFI_FILE = "wifi-psks.json"


def default_secrets_path(credentials: Path | None = None) -> Path:
    return (credentials or default_store_path()).parent / WIFI_FILE


def wpa_psk_hex(passphrase: str, ssid: str) -> str:
    """PBKDF2-HMAC-SHA1 (SSID as salt, 4096 rounds), or a 64-hex key as it is."""
    if len(passphrase) == 64:
        return passphrase.lower()
    return hashlib.pbkdf2_hmac("sha1", passphrase.encode(), ssid.encode(), 4096, 32).hex()


def secret_lookup(path: Path) -> Callable[[str], str]:
    """``name → passphrase`` from the store at ``path``, with a clear error for a missing name."""

    def lookup(name: str) -> str:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            raise CredentialStoreError(f"{path}: cannot read Wi-Fi keys: {error}") from None
        value = data.get(name) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise CredentialStoreError(
                f"{path}: no Wi-Fi key named {name!r}; set it with `mpp config secrets wifi {name}`"
            )
        return value

    return lookup
