"""Where the console connects and as whom: broker, account, password.

The password never comes from the command line (it would show in ``ps`` and
the shell history): ``MPP_ADMIN_PASSWORD`` if set, else the credentials store
(``--secrets FILE``, default ``$XDG_STATE_HOME/mpp/mqtt-credentials.json``,
written by ``mpp broker render``). The defaults work on the hub itself: the
broker's loopback listener and the ``admin`` account of the bundled inventory.

Anywhere else the console is a LAN client like a device: TLS, verifying the
hub against the site CA (``--ca FILE``, else ``tls/ca.crt`` beside the
credentials store, where ``mpp broker render`` keeps it), so the admin's
password never crosses the LAN in clear. ``--plain`` is for a site that
chose plain MQTT on its LAN.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from protocol.tls import TlsFiles

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
    tls: TlsFiles | None = None
    site_tls_dir: Path | None = None
    """The site TLS directory beside the credentials store, when the console runs on
    the hub: ``status`` warns 30 days before one of its certificates expires."""

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


def tls_for(
    broker: str, account: str, secrets: Path | None, ca: Path | None, plain: bool
) -> TlsFiles | None:
    """How to reach ``broker``: plain on the hub's own loopback listener (the default)
    or when the site says ``--plain``; otherwise TLS against the site CA."""
    if plain or (ca is None and broker == DEFAULT_BROKER):
        return None
    if ca is not None:
        files = TlsFiles(str(ca))
    else:
        from firmware_config.credentials import default_store_path, site_tls_dir
        from protocol.tls import tls_files_in

        files = tls_files_in(site_tls_dir(secrets or default_store_path()), account)
    if not Path(files.ca_file).is_file():
        raise ConnectionSettingsError(
            f"no site CA at {files.ca_file}: give --ca FILE (a copy of the hub's "
            "/var/lib/mpp/tls/ca.crt), or --plain for a site with plain MQTT on its LAN"
        )
    return files


def settings_from(
    broker: str | None,
    account: str | None,
    secrets: Path | None,
    timeout_s: float,
    ca: Path | None = None,
    plain: bool = False,
) -> ConsoleSettings:
    where = broker or os.environ.get(BROKER_ENV) or DEFAULT_BROKER
    host, port = parse_broker(where)
    name = account or os.environ.get(ACCOUNT_ENV) or DEFAULT_ACCOUNT
    password = resolve_password(name, secrets)
    tls = tls_for(where, name, secrets, ca, plain)
    from firmware_config.credentials import default_store_path, site_tls_dir

    local_tls = site_tls_dir(secrets or default_store_path())
    return ConsoleSettings(
        host, port, name, password, timeout_s, tls, local_tls if local_tls.is_dir() else None
    )
