"""Where MQTT passwords live: a JSON file outside git, readable by its owner only.

Passwords set in the inventory win; every other account gets a random one,
generated once and kept, so re-rendering the broker does not lock devices out.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

HUB_ACCOUNT = "hub"
UPSTREAM_ACCOUNT = "upstream"  # the online booking system's publisher
PASSWORD_BYTES = 24


def state_home() -> Path:
    """``$XDG_STATE_HOME/mpp`` (``~/.local/state/mpp`` by default): where every
    ``mpp`` command keeps its state unless told otherwise."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mpp"


def default_store_path() -> Path:
    """``$XDG_STATE_HOME/mpp/mqtt-credentials.json``."""
    return state_home() / "mqtt-credentials.json"


TLS_DIR_NAME = "tls"


def site_tls_dir(store_path: Path | None = None) -> Path:
    """The site CA directory, kept beside the credentials store (``tls/``).

    ``ca.crt`` there is what every LAN client trusts; an admin console on the
    hub connects with ``LinkSettings(...).with_tls(tls_files_in(site_tls_dir(), account))``.
    """
    return (store_path or default_store_path()).parent / TLS_DIR_NAME


class CredentialStoreError(RuntimeError):
    """The credentials file cannot be read or written."""


class CredentialStore:
    """A username → password map persisted with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CredentialStoreError(f"{self.path}: cannot read credentials: {error}") from error
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise CredentialStoreError(f"{self.path}: expected a JSON object of strings")
        return data

    def password(self, username: str) -> str:
        """The stored password of ``username``; a clear error when it has none."""
        stored = self.load()
        if username not in stored:
            raise CredentialStoreError(
                f"{self.path}: no password for {username!r}; run `mpp broker render` first"
            )
        return stored[username]

    def ensure(self, usernames: Iterable[str], given: Mapping[str, str]) -> dict[str, str]:
        """Passwords for exactly ``usernames``: given ones, else stored, else new."""
        stored = self.load()
        result: dict[str, str] = {}
        for username in usernames:
            result[username] = (
                given.get(username) or stored.get(username) or secrets.token_urlsafe(PASSWORD_BYTES)
            )
        if result != {name: stored.get(name) for name in result}:
            self._write({**stored, **result})
        return result

    def _write(self, data: Mapping[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(dict(sorted(data.items())), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)
