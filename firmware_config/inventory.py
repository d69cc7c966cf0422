"""Loading and checking the inventory: every device file plus the accounts file.

Errors name the file, the field path and the offending value, so a
technician can fix the file without reading code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from firmware_config.schema import AccountsFile, AdminAccount, DeviceConfig

DEFAULT_INVENTORY = Path(__file__).resolve().parent
ACCOUNTS_FILE = "accounts.toml"
DEVICES_DIR = "devices"

_Model = TypeVar("_Model", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that cannot be used, with where and why."""


@dataclass(frozen=True)
class Inventory:
    """All accounts the broker must know about at one site."""

    site_id: str
    devices: tuple[DeviceConfig, ...]
    admins: tuple[AdminAccount, ...]

    def device(self, device_id: str) -> DeviceConfig:
        for device in self.devices:
            if device.device_id == device_id:
                return device
        raise KeyError(device_id)


def load_model(path: Path, model: type[_Model]) -> _Model:
    """Read one TOML file into ``model``; every error names the file and field."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(path, error)) from None


def load_device(path: Path) -> DeviceConfig:
    """Read one device file; its name must be its device id."""
    device = load_model(path, DeviceConfig)
    if path.stem != device.device_id:
        raise ConfigError(
            f"{path}: device_id {device.device_id!r} does not match the file name "
            f"(expected {path.stem}.toml to hold device_id = {path.stem!r})"
        )
    return device


def load_inventory(root: Path = DEFAULT_INVENTORY) -> Inventory:
    """Read ``accounts.toml`` and every ``devices/*.toml`` under ``root``."""
    accounts = load_model(root / ACCOUNTS_FILE, AccountsFile)
    device_files = sorted((root / DEVICES_DIR).glob("*.toml"))
    devices = tuple(load_device(path) for path in device_files)
    names: dict[str, str] = {}
    for device in devices:
        names[device.device_id] = f"device file {device.device_id}.toml"
    for admin in accounts.admins:
        if admin.username in names:
            raise ConfigError(
                f"{root / ACCOUNTS_FILE}: admin username {admin.username!r} is already "
                f"used by {names[admin.username]}"
            )
        names[admin.username] = "an admin"
    if "hub" in names:
        raise ConfigError(f"{root}: the name 'hub' is reserved for the hub service account")
    return Inventory(site_id=accounts.site_id, devices=devices, admins=tuple(accounts.admins))


def format_validation_error(path: Path, error: ValidationError) -> str:
    """One line per problem: ``file: field.path: message (got value)``."""
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(file)"
        got = "" if item["type"] == "missing" else f" (got {item.get('input')!r:.60})"
        lines.append(f"{path}: {where}: {item['msg']}{got}")
    return "\n".join(lines)
