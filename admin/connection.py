"""Where the console connects and as whom: broker, account, password.

The password never comes from the command line (it would show in ``ps`` and
the shell history): ``MPP_ADMIN_PASSWORD`` if set, else the credentials store
(``--secrets FILE``, default ``$XDG_STATE_HOME/mpp/mqtt-credentials.json``,
written by ``mpp broker render``). The defaults work on the hub itself: the
broker's loopback listener and the ``admin`` account of the bundled inventory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BROKER = "127.0.0.1:1884"
DEFAULT_ACCOUNT = "admin"
PASSWORD_ENV = "MPP_ADMIN_PASSWORD"  # noqa: S105 - the name of a variable, not a password
ACCOUNT_ENV = "MPP_ADMIN_ACCOUNT"
BROKER_ENV = "MPP_ADMIN_BROKER"


class ConnectionSettingsError(RuntimeError):
    """The console cannot tell where or as whom to connect."""

    exit_code = 1  # a malformed option


class MissingPasswordError(ConnectionSettingsError):
    exit_code = 5  # not authorised: no password for the account


@dataclass(frozen=True)
class ConsoleSettings:
    host: str
    port: int
    account: str
    password: str
    timeout_s: float = 5.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_broker(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``, port 1883) as a pair; a clear error otherwise."""
    host, _, port = text.rpartition(":")
    if not host:
        return text, 1883
    try:
        number = int(port)
    except ValueError:
        raise ConnectionSettingsError(f"--broker {text!r}: the port must be a number") from None
    if not 1 <= number <= 65535:
        raise ConnectionSettingsError(f"--broker {text!r}: the port must be 1–65535")
    return host, number


def resolve_password(account: str, secrets: Path | None) -> str:
    """The account's password from the environment or the credentials store."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    from firmware_config.credentials import (
        CredentialStore,
        CredentialStoreError,
        default_store_path,
    )

    store = CredentialStore(secrets or default_store_path())
    try:
        return store.password(account)
    except CredentialStoreError as error:
        raise MissingPasswordError(
            f"no password for {account}: {error} (or set {PASSWORD_ENV})"
        ) from None


def settings_from(
    broker: str | None, account: str | None, secrets: Path | None, timeout_s: float
) -> ConsoleSettings:
    host, port = parse_broker(broker or os.environ.get(BROKER_ENV) or DEFAULT_BROKER)
    name = account or os.environ.get(ACCOUNT_ENV) or DEFAULT_ACCOUNT
    return ConsoleSettings(host, port, name, resolve_password(name, secrets), timeout_s)
