"""``mpp config …`` subcommands: check device files and print their schema."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="per-device configuration files")
    commands = config.add_subparsers(title="config commands", metavar="COMMAND", required=True)
    validate = commands.add_parser(
        "validate", help="check an inventory directory or device files; errors name file+field"
    )
    validate.add_argument("paths", type=Path, nargs="*", help="default: the bundled inventory")
    validate.set_defaults(func=_validate)
    schema = commands.add_parser("schema", help="print the JSON schema of a device file")
    schema.set_defaults(func=_schema)


def device_schema_json() -> str:
    from firmware_config.schema import DeviceConfig

    return json.dumps(DeviceConfig.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _validate(args: argparse.Namespace) -> int:
    from firmware_config.inventory import DEFAULT_INVENTORY, load_device, load_inventory

    paths = args.paths or [DEFAULT_INVENTORY]
    for path in paths:
        if path.is_dir():
            inventory = load_inventory(path)
            print(
                f"{path}: site {inventory.site_id}, {len(inventory.devices)} devices, "
                f"{len(inventory.admins)} admins: ok"
            )
        else:
            device = load_device(path)
            print(f"{path}: {device.role.value} {device.device_id}: ok")
    return 0


def _schema(_args: argparse.Namespace) -> int:
    print(device_schema_json(), end="")
    return 0
