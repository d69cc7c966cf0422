"""Secrets the image needs that are not MQTT passwords: Wi-Fi pre-shared keys.

Device files name a key (``network.wifi_psk_ref``); its value lives in the
site's secrets store beside the credentials store (``mpp config secrets``),
outside git, and is read only here, at customise time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from firmware_config.credentials import CredentialStoreError, state_home


def default_secrets_path() -> Path:
    return state_home() / "secrets.json"


def secret_lookup(path: Path) -> Callable[[str], str]:
    """``name → value`` from the store at ``path``, with a clear error for a missing name."""

    def lookup(name: str) -> str:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CredentialStoreError(
                f"{path}: no secrets store; add {name!r} with `mpp config secrets`"
            ) from None
        except (OSError, ValueError) as error:
            raise CredentialStoreError(f"{path}: cannot read secrets: {error}") from None
        value = data.get(name) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise CredentialStoreError(
                f"{path}: no secret named {name!r}; add it with `mpp config secrets`"
            )
        return value

    return lookup
