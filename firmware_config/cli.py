"""``mpp config …`` subcommands: check device files and print their schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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
        "--site", type=Path, help="site file to check and cross-check (default: the bundled site)"
    )
    validate.set_defaults(func=_validate)
    schema = commands.add_parser("schema", help="print the JSON schema of a device file")
    schema.set_defaults(func=_schema)


def device_schema_json() -> str:
    from firmware_config.schema import DeviceConfig

    return json.dumps(DeviceConfig.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _validate(args: argparse.Namespace) -> int:
    """Problems go to stderr, one a line; any error exits through ``ConfigError`` (code 2)."""
    from firmware_config.inventory import DEFAULT_INVENTORY, ConfigError
    from firmware_config.problems import errors
    from firmware_config.validation import validate

    # The site is read by the hub's code, which firmware_config may not import
    # (edge devices import this package); mpp, the command layer, loads it.
    from mpp.config_site import load_site_for_checks

    result = validate(args.paths or [DEFAULT_INVENTORY], args.site, load_site_for_checks)
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _schema(_args: argparse.Namespace) -> int:
    print(device_schema_json(), end="")
    return 0
