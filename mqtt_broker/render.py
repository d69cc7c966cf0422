"""``mpp broker render``: mosquitto.conf, the hashed password file and the ACL.

The password file is written by ``mosquitto_passwd`` itself (passwords go in
on standard input, never on a command line that ``ps`` could show), into a
temporary file that replaces the old one only when complete.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field

from firmware_config.credentials import HUB_ACCOUNT, CredentialStore
from firmware_config.inventory import Inventory
from mqtt_broker.acl import Account, render_acl
from protocol.roles import Role

TEMPLATE = Path(__file__).resolve().parent / "templates" / "mosquitto.conf.tmpl"
CONF_NAME = "mosquitto.conf"
PASSWORD_NAME = "passwd"  # noqa: S105 - a file name, not a secret
ACL_NAME = "acl"


class BrokerRenderError(RuntimeError):
    """The broker configuration could not be written."""


class BrokerSettings(BaseModel):
    """Site settings of the broker; the defaults suit a hub Pi."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lan_port: int = Field(default=1883, ge=1, le=65535)
    lan_bind: str | None = Field(default=None, description="Address to bind; all when unset.")
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


def accounts_of(inventory: Inventory) -> list[Account]:
    """Every account the broker knows: the hub, the admins, then each device."""
    accounts = [Account(HUB_ACCOUNT, Role.HUB)]
    accounts += [Account(admin.username, Role.ADMIN) for admin in inventory.admins]
    accounts += [Account(device.device_id, device.role) for device in inventory.devices]
    return accounts


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
    """Write the three broker files into ``out_dir`` and return where they are."""
    out_dir.mkdir(parents=True, exist_ok=True)
    accounts = accounts_of(inventory)
    passwords = store.ensure([a.username for a in accounts], given_passwords(inventory))
    password_file = out_dir / PASSWORD_NAME
    acl_file = out_dir / ACL_NAME
    conf = out_dir / CONF_NAME
    write_password_file(password_file, passwords)
    _write_text(acl_file, render_acl(accounts), mode=0o640)
    _write_text(conf, render_conf(settings, password_file, acl_file), mode=0o644)
    return RenderedBroker(conf, password_file, acl_file, passwords)


def render_conf(settings: BrokerSettings, password_file: Path, acl_file: Path) -> str:
    lan = f"listener {settings.lan_port}" + (f" {settings.lan_bind}" if settings.lan_bind else "")
    user_line = f"user {settings.run_as}" if settings.run_as else "# user: not set"
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        password_file=password_file.resolve(),
        acl_file=acl_file.resolve(),
        user_line=user_line,
        persistence_dir=str(settings.persistence_dir.resolve()).rstrip("/"),
        autosave_interval=settings.autosave_interval,
        max_queued_messages=settings.max_queued_messages,
        max_packet_size=settings.max_packet_size,
        lan_listener=lan,
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


def write_password_file(path: Path, passwords: dict[str, str]) -> None:
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
    temporary.replace(path)


def _write_text(path: Path, text: str, mode: int) -> None:
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text, encoding="utf-8")
    temporary.chmod(mode)
    temporary.replace(path)
