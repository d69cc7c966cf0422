"""Loading and checking the inventory: the accounts file, the hub file, every device file.

An inventory is a directory: ``accounts.toml`` (site id, admin accounts),
``hub.toml`` (the hub's own entry: host name, network, the LAN it serves
the time to; optional for inventories that only render a broker) and
``devices/<device-id>.toml``, one per Pi.

Errors name the file, the field path and the offending value, so a
technician can fix the file without reading code. Checking collects every
problem of every file (:func:`check_inventory`); loading refuses an
inventory with any (:func:`load_inventory`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from firmware_config.network_checks import network_problems
from firmware_config.problems import Problem, errors
from firmware_config.schema import (
    PIN_CONFLICT_ERROR,
    AccountsFile,
    AdminAccount,
    DeviceConfig,
    HubConfig,
    LanSecurity,
    device_model,
)

DEFAULT_INVENTORY = Path(__file__).resolve().parent
ACCOUNTS_FILE = "accounts.toml"
HUB_FILE = "hub.toml"
DEVICES_DIR = "devices"
SITE_FILE = "site.toml"
"""The site file an inventory may carry beside its own files (``mpp config init`` writes it)."""
RESERVED_NAMES = frozenset({"hub", "upstream"})  # the service accounts of the broker

_Model = TypeVar("_Model", bound=BaseModel)


def site_file_of(root: Path) -> Path | None:
    """The inventory's own site file, if it has one: the default over the bundled site,
    so a building's checks and its hub card use that building's site."""
    path = root / SITE_FILE
    return path if path.is_file() else None


class ConfigError(ValueError):
    """A configuration file that cannot be used, with where and why."""


@dataclass(frozen=True)
class Inventory:
    """All accounts the broker must know about at one site."""

    site_id: str
    devices: tuple[DeviceConfig, ...]
    admins: tuple[AdminAccount, ...]
    hub: HubConfig | None = None
    lan: LanSecurity = "tls"
    """How devices reach the broker across the LAN (accounts.toml ``[mqtt] lan``)."""

    def device(self, device_id: str) -> DeviceConfig:
        for device in self.devices:
            if device.device_id == device_id:
                return device
        raise KeyError(device_id)


class DeviceFile(NamedTuple):
    """A device file that was read without problems, and where it is."""

    path: Path
    config: DeviceConfig


@dataclass(frozen=True)
class InventoryReport:
    """What could be read of an inventory, and every problem found in it.

    The files that were read are kept even when others are broken, so
    cross-checks can still run on them in the same pass.
    """

    root: Path
    site_id: str | None
    admins: tuple[AdminAccount, ...]
    devices: tuple[DeviceFile, ...]
    problems: tuple[Problem, ...]
    hub: HubConfig | None = None
    lan: LanSecurity = "tls"

    @property
    def accounts_file(self) -> Path:
        return self.root / ACCOUNTS_FILE

    @property
    def hub_file(self) -> Path:
        return self.root / HUB_FILE

    def inventory(self) -> Inventory:
        """The usable inventory; :class:`ConfigError` listing every problem otherwise."""
        # Warnings (a hub address that is not the hub's, a hub on Wi-Fi) are the
        # validator's to show; only errors make an inventory unusable.
        failed = errors(list(self.problems))
        if failed or self.site_id is None:
            raise ConfigError("\n".join(str(problem) for problem in failed))
        return Inventory(
            site_id=self.site_id,
            devices=tuple(device.config for device in self.devices),
            admins=self.admins,
            hub=self.hub,
            lan=self.lan,
        )


def read_model(path: Path, model: type[_Model]) -> tuple[_Model | None, list[Problem]]:
    """Read one TOML file into ``model``: the model, or ``None`` and every problem found."""
    return _read_toml_as(path, lambda _data: model)


def _read_toml_as(
    path: Path, choose: Callable[[object], type[_Model]]
) -> tuple[_Model | None, list[Problem]]:
    """Read one TOML file into the model ``choose`` picks for its data."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return None, [Problem(path, "", "file not found")]
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(path, "", f"not valid TOML: {error}")]
    except UnicodeDecodeError:
        return None, [Problem(path, "", "not valid TOML: not UTF-8 text")]
    except OSError as error:
        return None, [Problem(path, "", f"cannot be read: {error.strerror or error}")]
    try:
        return choose(data).model_validate(data), []
    except ValidationError as error:
        return None, validation_problems(path, error)


def load_model(path: Path, model: type[_Model]) -> _Model:
    """Read one TOML file into ``model``; every error names the file and field."""
    value, problems = read_model(path, model)
    if value is None:
        raise ConfigError("\n".join(str(problem) for problem in problems))
    return value


def read_device(path: Path) -> tuple[DeviceConfig | None, list[Problem]]:
    """Read one device file; its name must be its device id."""
    device, problems = _read_toml_as(path, device_model)
    if device is not None and path.stem != device.device_id:
        message = (
            f"{device.device_id!r} does not match the file name "
            f"(expected {path.stem}.toml to hold device_id = {path.stem!r})"
        )
        return None, [Problem(path, "device_id", message)]
    return device, problems


def load_device(path: Path) -> DeviceConfig:
    """Read one device file; :class:`ConfigError` naming file and field if it is not usable."""
    device, problems = read_device(path)
    if device is None:
        raise ConfigError("\n".join(str(problem) for problem in problems))
    return device


def check_inventory(root: Path = DEFAULT_INVENTORY) -> InventoryReport:
    """Read ``accounts.toml``, ``hub.toml`` (if any) and every ``devices/*.toml`` under
    ``root``, collecting problems."""
    accounts, problems = read_model(root / ACCOUNTS_FILE, AccountsFile)
    hub: HubConfig | None = None
    if (root / HUB_FILE).exists():
        hub, hub_problems = read_model(root / HUB_FILE, HubConfig)
        problems += hub_problems
    devices: list[DeviceFile] = []
    devices_dir = root / DEVICES_DIR
    if not devices_dir.is_dir():
        problems.append(Problem(devices_dir, "", "directory not found (is this an inventory?)"))
    for path in sorted(devices_dir.glob("*.toml")):
        device, device_problems = read_device(path)
        problems += device_problems
        if device is not None:
            devices.append(DeviceFile(path, device))
    admins = tuple(accounts.admins) if accounts else ()
    problems += _name_clashes(root, devices, admins)
    problems += network_problems(root / HUB_FILE, hub, devices)
    return InventoryReport(
        root=root,
        site_id=accounts.site_id if accounts else None,
        admins=admins,
        devices=tuple(devices),
        problems=tuple(problems),
        hub=hub,
        lan=accounts.mqtt.lan if accounts else "tls",
    )


def load_inventory(root: Path = DEFAULT_INVENTORY) -> Inventory:
    """The inventory under ``root``; :class:`ConfigError` listing every problem otherwise."""
    return check_inventory(root).inventory()


def _name_clashes(
    root: Path, devices: list[DeviceFile], admins: tuple[AdminAccount, ...]
) -> list[Problem]:
    """Broker account names must be unique: device ids, admin usernames and ``hub``."""
    problems = []
    names = {device.config.device_id: f"device file {device.path.name}" for device in devices}
    for device in devices:
        if device.config.device_id in RESERVED_NAMES:
            name = device.config.device_id
            problems.append(
                Problem(device.path, "device_id", f"the name {name!r} is reserved for its account")
            )
    for index, admin in enumerate(admins):
        where = f"admins[{index}].username"
        if admin.username in RESERVED_NAMES:
            why = f"the name {admin.username!r} is reserved for its account"
            problems.append(Problem(root / ACCOUNTS_FILE, where, why))
        elif admin.username in names:
            problems.append(
                Problem(
                    root / ACCOUNTS_FILE,
                    where,
                    f"admin username {admin.username!r} is already used by {names[admin.username]}",
                )
            )
        names.setdefault(admin.username, f"admins[{index}]")
    return problems


def validation_problems(path: Path, error: ValidationError) -> list[Problem]:
    """One problem per pydantic error: ``file: field.path: message (got value)``."""
    problems = []
    for item in error.errors(include_url=False):
        where = _field_path(item["loc"])
        if item["type"] == PIN_CONFLICT_ERROR:
            problems += _pin_problems(path, where, item.get("ctx", {}).get("conflicts", []))
            continue
        # An unknown key's value is not echoed: it may be a secret typed into the
        # wrong place (a Wi-Fi key, a password) and end up in a terminal log. Nor is
        # a whole section's: the message of a check across its fields says it all.
        quiet = item["type"] in {"missing", "extra_forbidden"} or isinstance(
            item.get("input"), dict
        )
        got = "" if quiet else f" (got {item.get('input')!r:.60})"
        problems.append(Problem(path, where or "(file)", f"{item['msg']}{got}"))
    return problems


def _pin_problems(path: Path, section: str, conflicts: list[dict[str, object]]) -> list[Problem]:
    """A doubled GPIO pin, reported at the field that doubles it, naming the first user."""

    def full(field: object) -> str:
        return f"{section}.{field}" if section else str(field)

    return [
        Problem(
            path,
            full(conflict["field"]),
            f"pin {conflict['pin']} already used by {full(conflict['used_by'])}",
        )
        for conflict in conflicts
    ]


def _field_path(loc: tuple[int | str, ...]) -> str:
    """``counter.skm.buttons[2]`` from a pydantic location."""
    where = ""
    for part in loc:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where += f".{part}" if where else str(part)
    return where
