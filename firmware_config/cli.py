"""``mpp config …`` subcommands: check the inventory, print its schema, keep its secrets,
render the time configuration."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from firmware_config.credentials import CredentialStore
    from firmware_config.inventory import Inventory
    from firmware_config.secrets import WifiPskStore


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="per-device configuration files")
    commands = config.add_subparsers(title="config commands", metavar="COMMAND", required=True)
    validate = commands.add_parser(
        "validate",
        help="check an inventory directory or device files and cross-check them with a site; "
        "every problem is listed as file: field: message",
    )
    validate.add_argument("paths", type=Path, nargs="*", help="default: the bundled inventory")
    validate.add_argument(
        "--site",
        type=Path,
        help="site file to check and cross-check (default: the inventory's site.toml, "
        "else the bundled site)",
    )
    validate.set_defaults(func=_validate)
    schema = commands.add_parser("schema", help="print the JSON schema of a device file")
    schema.set_defaults(func=_schema)
    init = commands.add_parser(
        "init",
        help="write a starting inventory for a building into a new directory: the sample's "
        "accounts.toml, hub.toml, devices/*.toml and the site file as site.toml",
    )
    init.add_argument("directory", type=Path, metavar="DIR", help="a new (or empty) directory")
    init.add_argument(
        "--site", type=Path, help="site file to start from (default: the bundled site)"
    )
    init.set_defaults(func=_init)
    _register_time(commands)
    _register_secrets(commands)


def _register_time(commands: argparse._SubParsersAction) -> None:
    time = commands.add_parser(
        "render-time",
        help="write chrony.conf for the hub (NTP server of the LAN) and every device "
        "(follows the hub) from the inventory",
    )
    time.add_argument("--inventory", type=Path, help="default: the bundled inventory")
    time.add_argument("--out", type=Path, required=True, help="OUT/<device id>/chrony.conf")
    time.set_defaults(func=_render_time)


def _register_secrets(commands: argparse._SubParsersAction) -> None:
    secrets = commands.add_parser(
        "secrets",
        help="MQTT passwords and Wi-Fi keys, kept outside git beside the credentials store",
    )
    _add_store_option(secrets, default=None)
    # The README writes `secrets ensure --secrets F`: each action takes the option too.
    # SUPPRESS keeps an action's absent option from overwriting one given before it.
    store = argparse.ArgumentParser(add_help=False)
    _add_store_option(store, default=argparse.SUPPRESS)
    actions = secrets.add_subparsers(title="secrets commands", metavar="COMMAND", required=True)
    ensure = actions.add_parser(
        "ensure",
        parents=[store],
        help="create every missing MQTT password of the inventory; list the Wi-Fi keys "
        "it names that are not stored yet (exit 2 if any)",
    )
    ensure.add_argument("--inventory", type=Path, help="default: the bundled inventory")
    ensure.set_defaults(func=_secrets_ensure)
    wifi = actions.add_parser(
        "wifi",
        parents=[store],
        help="store the Wi-Fi key a device file names in network.wifi_psk_ref",
    )
    wifi.add_argument("name", help="the key's name, as in wifi_psk_ref")
    wifi.add_argument(
        "--stdin", action="store_true", help="read the key from standard input (scripts)"
    )
    wifi.set_defaults(func=_secrets_wifi)
    listing = actions.add_parser(
        "list",
        parents=[store],
        help="the names of the stored secrets and who uses them (never the values)",
    )
    listing.add_argument("--inventory", type=Path, help="default: the bundled inventory")
    listing.set_defaults(func=_secrets_list)


def _add_store_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--secrets",
        type=Path,
        default=default,
        help="credentials store (default $XDG_STATE_HOME/mpp/mqtt-credentials.json); "
        "Wi-Fi keys go to wifi-psks.json beside it",
    )


def device_schema_json() -> str:
    from firmware_config.schema import DeviceConfig

    return json.dumps(DeviceConfig.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _validate(args: argparse.Namespace) -> int:
    """Problems go to stderr, one a line; any error exits through ``ConfigError`` (code 2)."""
    from firmware_config.inventory import DEFAULT_INVENTORY, ConfigError, site_file_of
    from firmware_config.problems import errors
    from firmware_config.validation import validate

    # The site is read by the hub's code, which firmware_config may not import
    # (edge devices import this package); mpp, the command layer, loads it.
    from mpp.config_site import load_site_for_checks

    paths = args.paths or [DEFAULT_INVENTORY]
    site = args.site
    if site is None and len(paths) == 1 and paths[0].is_dir():
        site = site_file_of(paths[0])
    result = validate(paths, site, load_site_for_checks)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.failed:
        failed = errors(result.problems)
        warnings = len(result.problems) - len(failed)
        also = f" and {_count(warnings, 'warning')}" if warnings else ""
        raise ConfigError(f"config validate: {_count(len(failed), 'error')}{also}")
    for line in result.summaries:
        print(line)
    if result.problems:
        print(f"{_count(len(result.problems), 'warning')}, no errors")
    return 0


def _init(args: argparse.Namespace) -> int:
    from firmware_config.starter import SITE_FILE, write_starting_inventory
    from mpp.config_site import load_site_for_checks

    site_file, site = load_site_for_checks(args.site)  # a broken site is refused here
    started = write_starting_inventory(args.directory, site_file)
    root = started.root
    print(
        f"wrote a starting inventory to {root}: accounts.toml, hub.toml, "
        f"devices/ ({_count(started.devices, 'device file')}), {SITE_FILE} "
        f"(site {site.id}, {_count(len(site.counters), 'counter')})"
    )
    print(
        f"  edit them for the building, then: mpp config validate {root} --site {root / SITE_FILE}"
    )
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _schema(_args: argparse.Namespace) -> int:
    print(device_schema_json(), end="")
    return 0


def _inventory(path: Path | None) -> Inventory:
    from firmware_config.inventory import DEFAULT_INVENTORY, load_inventory

    return load_inventory(path or DEFAULT_INVENTORY)


def _render_time(args: argparse.Namespace) -> int:
    from firmware_config.inventory import HUB_FILE, ConfigError
    from firmware_config.timesync import device_chrony_conf, hub_chrony_conf

    inventory = _inventory(args.inventory)
    if inventory.hub is None:
        raise ConfigError(f"render-time: the inventory has no {HUB_FILE} (the time server)")
    files = {"hub": hub_chrony_conf(inventory.hub, inventory.site_id)}
    for device in inventory.devices:
        files[device.device_id] = device_chrony_conf(device, inventory.site_id)
    for name, text in files.items():
        target = args.out / name / "chrony.conf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    served = ", ".join(str(network) for network in inventory.hub.time_clients())
    print(
        f"wrote {len(files)} chrony.conf files to {args.out}: the hub serves {served}, "
        f"{len(inventory.devices)} devices follow it"
    )
    return 0


def _stores(args: argparse.Namespace) -> tuple[CredentialStore, WifiPskStore]:
    from firmware_config.credentials import CredentialStore, default_store_path
    from firmware_config.inventory import ConfigError
    from firmware_config.secrets import WifiPskStore, tracked_risk, wifi_store_path

    credentials = args.secrets or default_store_path()
    wifi = wifi_store_path(credentials)
    for path in (credentials, wifi):
        worktree = tracked_risk(path)
        if worktree is not None:
            raise ConfigError(
                f"secrets: {path} is inside the git work tree {worktree} and not ignored; "
                "keep secrets outside git (--secrets elsewhere)"
            )
    return CredentialStore(credentials), WifiPskStore(wifi)


def _secrets_ensure(args: argparse.Namespace) -> int:
    from firmware_config.inventory import ConfigError
    from firmware_config.secrets import given_passwords, mqtt_accounts, wifi_references

    inventory = _inventory(args.inventory)
    credentials, wifi = _stores(args)
    before = set(credentials.load())
    names = [name for name, _role in mqtt_accounts(inventory)]
    credentials.ensure(names, given_passwords(inventory))
    new = [name for name in names if name not in before]
    print(f"{credentials.path}: {len(names)} MQTT accounts, {len(new)} new passwords")
    stored = set(wifi.load())
    references = wifi_references(inventory.devices, inventory.hub)
    missing = {name: users for name, users in references.items() if name not in stored}
    # The hint names the store this run used: without it the key would land in the default one.
    store = f" --secrets {args.secrets}" if args.secrets else ""
    for name, users in sorted(missing.items()):
        print(
            f"{wifi.path}: no Wi-Fi key {name!r} (used by {', '.join(users)}); "
            f"set it with `mpp config secrets wifi {name}{store}`",
            file=sys.stderr,
        )
    if missing:
        raise ConfigError(f"secrets: {_count(len(missing), 'Wi-Fi key')} missing")
    print(f"{wifi.path}: {_count(len(references), 'Wi-Fi key')} used, all stored")
    return 0


def _secrets_wifi(args: argparse.Namespace) -> int:
    _credentials, wifi = _stores(args)
    psk = sys.stdin.readline().rstrip("\n") if args.stdin else _ask_twice(args.name)
    wifi.set(args.name, psk)
    print(f"{wifi.path}: stored Wi-Fi key {args.name!r}")
    return 0


def _ask_twice(name: str) -> str:
    """The key typed twice without echo, at the terminal (getpass reads ``/dev/tty``).

    Without one (ssh without -t, cron, a script) getpass would fall back to standard
    input and fail with a traceback, or read what a pipe holds with a warning.
    """
    import getpass
    import termios

    from firmware_config.inventory import ConfigError

    no_terminal = ConfigError(
        f"secrets: no terminal to ask for Wi-Fi key {name!r} without echo; run it in a "
        f"terminal (ssh -t), or give the key on standard input with --stdin"
    )
    if not _has_terminal():
        raise no_terminal
    try:
        psk = getpass.getpass(f"Wi-Fi key {name}: ")
        again = getpass.getpass("again: ")
    except (EOFError, termios.error):
        raise no_terminal from None
    if again != psk:
        raise ConfigError("secrets: the two entries differ; nothing stored")
    return psk


def _has_terminal() -> bool:
    """This process has a controlling terminal to ask on."""
    import os

    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return False
    return True


def _secrets_list(args: argparse.Namespace) -> int:
    from firmware_config.secrets import mqtt_accounts, wifi_references

    inventory = _inventory(args.inventory)
    credentials, wifi = _stores(args)
    passwords = credentials.load()
    for name, role in mqtt_accounts(inventory):
        state = "stored" if name in passwords else "MISSING"
        print(f"mqtt  {name:<20} {role.value:<14} {state}")
    keys = wifi.load()
    for name, users in sorted(wifi_references(inventory.devices, inventory.hub).items()):
        state = "stored" if name in keys else "MISSING"
        print(f"wifi  {name:<20} {', '.join(users):<14} {state}")
    return 0
