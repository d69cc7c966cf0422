"""``mpp broker render``: mosquitto.conf, the hashed password file, the ACL and TLS.

The LAN listener is TLS 1.2+ on 8883 unless the site's inventory says
``[mqtt] lan = "plain"``: the site CA and the hub's certificate are made (or
renewed) in the site TLS directory beside the credentials store
(:mod:`mqtt_broker.site_ca`), and the broker gets copies of ``ca.crt``,
``hub.crt`` and ``hub.key`` in the rendered directory, so it never needs to read
the CA's key. The loopback listener the hub uses stays plain.

The password file is written by ``mosquitto_passwd`` itself (passwords go in
on standard input, never on a command line that ``ps`` could show), into a
temporary file that replaces the old one only when complete.

Run as root (``sudo mpp broker render`` on the hub), the files are handed to
the user mosquitto drops to: Mosquitto 2 opens the password file and the ACL
only after it has become that user, and 2.0.16+ warns (later versions will
refuse) when they are not its own or are world readable. So they are
``mosquitto:mosquitto`` 0640, and a missing persistence directory is created
for that user. Run as anyone else, the files stay the caller's own.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from firmware_config.credentials import (
    HUB_ACCOUNT,
    UPSTREAM_ACCOUNT,
    CredentialStore,
    site_tls_dir,
)
from firmware_config.inventory import Inventory
from firmware_config.schema import PLAIN_PORT, TLS_PORT
from mqtt_broker.acl import Account, render_acl
from mqtt_broker.bridge import Bridge, BridgeError, bridge_lines, uplink_password
from protocol.roles import Role
from protocol.tls import CA_CERT, SERVER_CERT, SERVER_KEY

if TYPE_CHECKING:  # the cryptography package is needed only where a CA is made (the hub)
    from mqtt_broker.site_ca import SiteTls

TEMPLATE = Path(__file__).resolve().parent / "templates" / "mosquitto.conf.tmpl"
CONF_NAME = "mosquitto.conf"
PASSWORD_NAME = "passwd"  # noqa: S105 - a file name, not a secret
ACL_NAME = "acl"
DEFAULT_BROKER_USER = "mosquitto"  # mosquitto's compiled-in default for ``user``


class BrokerRenderError(RuntimeError):
    """The broker configuration could not be written."""


class BrokerSettings(BaseModel):
    """Site settings of the broker; the defaults suit a hub Pi."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lan_port: int | None = Field(
        default=None, ge=1, le=65535, description="Default: 8883 with TLS, 1883 plain."
    )
    lan_bind: str | None = Field(default=None, description="Address to bind; all when unset.")
    san: tuple[str, ...] = Field(
        default=(), description="More names or addresses for the hub's certificate."
    )
    tls_dir: Path | None = Field(
        default=None, description="Site CA directory; default: `tls/` beside the credentials."
    )
    local_port: int = Field(default=1884, ge=1, le=65535)
    persistence_dir: Path = Path("/var/lib/mosquitto")
    run_as: str | None = Field(
        default="mosquitto", description="User mosquitto drops to when started as root."
    )
    autosave_interval: int = Field(default=60, ge=1)
    max_queued_messages: int = Field(default=1000, ge=10)
    max_packet_size: int = Field(default=262144, ge=1024)


@dataclass(frozen=True)
class RenderedBroker:
    """Paths of what was written, and the passwords of the accounts."""

    conf: Path
    password_file: Path
    acl_file: Path
    passwords: dict[str, str]
    warnings: tuple[str, ...] = ()
    """What the broker user could not do with the files (render as root only)."""
    lan: str = "tls"
    lan_port: int = TLS_PORT
    tls: SiteTls | None = None
    """The site TLS directory (CA, hub and client certificates); ``None`` for a plain LAN."""
    bridge: Bridge | None = None
    """The bridge to the regional broker, when hub.toml has ``[upstream]``."""

    @property
    def ca_file(self) -> Path | None:
        """The site CA as the broker has it (``ca.crt`` beside ``mosquitto.conf``)."""
        return None if self.tls is None else self.conf.parent / CA_CERT


@dataclass(frozen=True)
class BrokerUser:
    """The account mosquitto drops to when started as root: its files go to it."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]


def broker_user(settings: BrokerSettings) -> BrokerUser | None:
    """Who must own the broker's files, or ``None`` when they stay the caller's.

    Only root can hand files to another user, and mosquitto only changes user
    when started as root: to ``run_as``, or to ``mosquitto`` when that is unset.
    """
    if os.geteuid() != 0:
        return None
    name = settings.run_as or DEFAULT_BROKER_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        remedy = (
            "install the broker (`sudo apt-get install mosquitto` creates that user)"
            if name == DEFAULT_BROKER_USER
            else "create that user"
        )
        raise BrokerRenderError(
            f"user {name!r} does not exist, so mosquitto started as root could not read "
            f"its password file: {remedy} or pass --run-as an existing user"
        ) from None
    if entry.pw_uid == 0:
        return None
    groups = frozenset(os.getgrouplist(name, entry.pw_gid))
    return BrokerUser(name, entry.pw_uid, entry.pw_gid, groups)


def accounts_of(inventory: Inventory) -> list[Account]:
    """Every account the broker knows: the hub, upstream, the admins, then each device."""
    accounts = [Account(HUB_ACCOUNT, Role.HUB), Account(UPSTREAM_ACCOUNT, Role.UPSTREAM)]
    accounts += [Account(admin.username, Role.ADMIN) for admin in inventory.admins]
    accounts += [Account(device.device_id, device.role) for device in inventory.devices]
    return accounts


def certificate_names(inventory: Inventory, extra: tuple[str, ...] = ()) -> list[str]:
    """Names the hub's certificate carries: ``extra`` (``--san``), the inventory's own
    hub entry (``hub.toml``: its ``.local`` and bare host name, its static address,
    the address devices are told to use), then every broker host the device files
    name, each ``.local`` name with its bare host name and back.
    """
    names: list[str] = []

    def add(name: str) -> None:
        if name and name not in names:
            names.append(name)

    for name in extra:
        add(name)
    hub = inventory.hub
    if hub is not None:
        add(f"{hub.network.hostname}.local")
        add(hub.network.hostname)
        if hub.network.address is not None:
            add(str(hub.network.address.ip))
        add(hub.reach_address())
    hosts = [device.mqtt.host for device in inventory.devices] or ["mpp-hub.local"]
    for host in hosts:
        add(host)
        if host.endswith(".local"):
            add(host.removesuffix(".local"))
        elif "." not in host and ":" not in host:
            add(f"{host}.local")
    return names


def given_passwords(inventory: Inventory) -> dict[str, str]:
    """Passwords written into the inventory by a site that manages its own."""
    given = {
        admin.username: admin.password.get_secret_value()
        for admin in inventory.admins
        if admin.password is not None
    }
    for device in inventory.devices:
        if device.mqtt.password is not None:
            given[device.device_id] = device.mqtt.password.get_secret_value()
    return given


def render_broker(
    inventory: Inventory, out_dir: Path, settings: BrokerSettings, store: CredentialStore
) -> RenderedBroker:
    """Write the three broker files into ``out_dir`` and return where they are.

    As root, the password file and the ACL go to the user mosquitto drops to,
    and the directories the configuration has it write in are made for it.
    """
    owner = broker_user(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    accounts = accounts_of(inventory)
    passwords = store.ensure([a.username for a in accounts], given_passwords(inventory))
    password_file = out_dir / PASSWORD_NAME
    acl_file = out_dir / ACL_NAME
    conf = out_dir / CONF_NAME
    tls: SiteTls | None = None
    if inventory.lan != "plain":
        tls = _site_tls(inventory, accounts, settings, store, out_dir, owner)
    conf_text = render_conf(settings, password_file, acl_file, inventory.lan)
    bridge = _bridge(inventory, store)
    if bridge is not None:
        conf_text += "\n" + bridge.text
    write_password_file(password_file, passwords, owner)
    _write_text(acl_file, render_acl(accounts), mode=0o640, owner=owner)
    _write_text(conf, conf_text, mode=0o644)
    warnings: tuple[str, ...] = ()
    if owner is not None:
        warnings = tuple(prepare_for_broker_user(conf, conf_text, owner))
    lan_port = lan_port_of(settings, inventory.lan)
    return RenderedBroker(
        conf, password_file, acl_file, passwords, warnings, inventory.lan, lan_port, tls, bridge
    )


def _bridge(inventory: Inventory, store: CredentialStore) -> Bridge | None:
    """The bridge section for hub.toml's ``[upstream]``, or ``None`` without one."""
    upstream = inventory.hub.upstream if inventory.hub is not None else None
    if upstream is None:
        return None
    try:
        return bridge_lines(inventory.site_id, upstream, uplink_password(store))
    except BridgeError as error:
        raise BrokerRenderError(str(error)) from None


def _site_tls(
    inventory: Inventory,
    accounts: list[Account],
    settings: BrokerSettings,
    store: CredentialStore,
    out_dir: Path,
    owner: BrokerUser | None,
) -> SiteTls:
    """Make or renew the site's certificates; give the broker its copies."""
    from mqtt_broker.site_ca import SiteCaError, ensure_site_tls

    clients = [a.username for a in accounts if a.role is not Role.HUB]
    try:
        tls = ensure_site_tls(
            settings.tls_dir or site_tls_dir(store.path),
            inventory.site_id,
            certificate_names(inventory, settings.san),
            clients if inventory.lan == "mutual-tls" else (),
        )
    except (SiteCaError, OSError) as error:
        raise BrokerRenderError(f"site CA: {error}") from None
    _copy(tls.ca_cert, out_dir / CA_CERT, 0o644, owner)
    _copy(tls.server_cert, out_dir / SERVER_CERT, 0o644, owner)
    _copy(tls.server_key, out_dir / SERVER_KEY, 0o600, owner)
    return tls


def lan_port_of(settings: BrokerSettings, lan: str) -> int:
    if settings.lan_port is not None:
        return settings.lan_port
    return PLAIN_PORT if lan == "plain" else TLS_PORT


def lan_security_lines(lan: str, out_dir: Path) -> str:
    """The LAN listener's TLS settings, or the note that the site chose plain MQTT."""
    if lan == "plain":
        return (
            '# Plain MQTT on the LAN, as the site chose (accounts.toml [mqtt] lan = "plain"):\n'
            "# passwords cross the LAN in clear text. `mpp config validate` warns about it."
        )
    lines = [
        "# TLS 1.2+ only. The hub's certificate is signed by the site CA; devices check it",
        "# against ca.crt. `mpp broker render` renews it; mosquitto rereads it on SIGHUP.",
        f"cafile {(out_dir / CA_CERT).resolve()}",
        f"certfile {(out_dir / SERVER_CERT).resolve()}",
        f"keyfile {(out_dir / SERVER_KEY).resolve()}",
        "tls_version tlsv1.2",
    ]
    if lan == "mutual-tls":
        lines += [
            "# Mutual TLS: each device shows its own certificate, signed by the site CA;",
            "# its common name is its user name (no password needed).",
            "require_certificate true",
            "use_identity_as_username true",
        ]
    return "\n".join(lines)


def render_conf(
    settings: BrokerSettings, password_file: Path, acl_file: Path, lan: str = "tls"
) -> str:
    port = lan_port_of(settings, lan)
    lan_listener = f"listener {port}" + (f" {settings.lan_bind}" if settings.lan_bind else "")
    user_line = f"user {settings.run_as}" if settings.run_as else "# user: not set"
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        password_file=password_file.resolve(),
        acl_file=acl_file.resolve(),
        user_line=user_line,
        persistence_dir=str(settings.persistence_dir.resolve()).rstrip("/"),
        autosave_interval=settings.autosave_interval,
        max_queued_messages=settings.max_queued_messages,
        max_packet_size=settings.max_packet_size,
        lan_listener=lan_listener,
        lan_security=lan_security_lines(lan, password_file.parent),
        local_port=settings.local_port,
    )


def mosquitto_passwd_binary() -> str:
    found = shutil.which("mosquitto_passwd")
    if found is None:
        raise BrokerRenderError(
            "mosquitto_passwd not found: install it with "
            "`sudo apt-get install mosquitto mosquitto-clients`"
        )
    return found


def write_password_file(
    path: Path, passwords: dict[str, str], owner: BrokerUser | None = None
) -> None:
    """Hash every password with ``mosquitto_passwd`` into ``path``, atomically."""
    binary = mosquitto_passwd_binary()
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    for index, (username, password) in enumerate(passwords.items()):
        if "\n" in password or ":" in username:
            raise BrokerRenderError(f"account {username!r}: password or name not allowed")
        args = (
            [binary, "-c", str(temporary), username]
            if index == 0
            else [binary, str(temporary), username]
        )
        result = subprocess.run(
            args, input=f"{password}\n{password}\n", capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BrokerRenderError(
                f"mosquitto_passwd failed for {username!r}: {result.stderr.strip()}"
            )
    temporary.chmod(0o640)
    _hand_over(temporary, owner)
    temporary.replace(path)


def _write_text(path: Path, text: str, mode: int, owner: BrokerUser | None = None) -> None:
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text, encoding="utf-8")
    temporary.chmod(mode)
    _hand_over(temporary, owner)
    temporary.replace(path)


def _copy(source: Path, target: Path, mode: int, owner: BrokerUser | None) -> None:
    """Copy a certificate or key for the broker; ``mode`` is set before any byte is in."""
    temporary = target.with_name(target.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(source.read_bytes())
    _hand_over(temporary, owner)
    temporary.replace(target)


def _hand_over(path: Path, owner: BrokerUser | None) -> None:
    if owner is not None:
        os.chown(path, owner.uid, owner.gid)


# What mosquitto, once it is the broker user, must be able to do.
_READ = os.R_OK
_WRITE_IN = os.W_OK | os.X_OK


def broker_paths(conf_text: str) -> Iterator[tuple[Path, int]]:
    """Files the configuration has mosquitto read, and directories it writes in."""
    for line in conf_text.splitlines():
        key, _, value = line.strip().partition(" ")
        value = value.strip()
        if key in ("password_file", "acl_file", "cafile", "certfile", "keyfile"):
            yield Path(value), _READ
        elif key == "persistence_location":
            yield Path(value), _WRITE_IN
        elif key == "log_dest" and value.startswith("file "):
            log_file = Path(value.removeprefix("file ").strip())
            yield (log_file, os.W_OK) if log_file.exists() else (log_file.parent, _WRITE_IN)


def prepare_for_broker_user(conf: Path, conf_text: str, owner: BrokerUser) -> Iterator[str]:
    """Make the missing directories mosquitto writes in; say what it still could not do.

    Existing directories are left as they are (a mistyped path must not hand
    ``/var`` to the broker); each problem is one line for the technician.
    """
    for path, wanted in [(conf, _READ), *broker_paths(conf_text)]:
        if wanted == _WRITE_IN and not path.exists():
            path.mkdir(mode=0o750, parents=True)
            os.chown(path, owner.uid, owner.gid)
        blocker = _blocker(path, owner, wanted)
        if blocker is not None:
            verb = "read" if wanted == _READ else "write in"
            yield f"mosquitto, running as {owner.name!r}, could not {verb} {path}: {blocker}"


def _blocker(path: Path, user: BrokerUser, wanted: int) -> str | None:
    """Why ``user`` could not use ``path`` as ``wanted``, or ``None`` when it can."""
    real = path.resolve()
    for directory in reversed(real.parents):
        info = directory.stat()
        if not _allowed(info, user, os.X_OK):
            return f"{directory} is {_describe(info)}"
    if not real.exists():
        return "it does not exist"
    info = real.stat()
    if not _allowed(info, user, wanted):
        return f"{real} is {_describe(info)}"
    return None


def _allowed(info: os.stat_result, user: BrokerUser, wanted: int) -> bool:
    if info.st_uid == user.uid:
        granted = info.st_mode >> 6
    elif info.st_gid in user.groups:
        granted = info.st_mode >> 3
    else:
        granted = info.st_mode
    return granted & wanted == wanted


def _describe(info: os.stat_result) -> str:
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return f"{stat.filemode(info.st_mode)} {owner}:{group}"
