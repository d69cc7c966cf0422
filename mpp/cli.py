"""``mpp``: subcommands registered by each part of the system.

Each part (hub, broker, config, demo) exposes ``register(subparsers)``; its
heavy imports happen inside the command functions, so ``mpp --help`` on a
counter Pi does not load the hub. Errors map to exit codes in one table.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from mpp import __version__

Register = Callable[[argparse._SubParsersAction], None]


def _registrars() -> list[Register]:
    from edge import cli as edge_cli
    from firmware_config import cli as config_cli
    from hub import cli as hub_cli
    from mpp import demo_cli
    from mqtt_broker import cli as broker_cli

    return [
        hub_cli.register,
        edge_cli.register,
        broker_cli.register,
        config_cli.register,
        demo_cli.register,
    ]


def _exit_codes() -> list[tuple[type[BaseException], int]]:
    """Error class → exit code; the first match wins."""
    from firmware_config.credentials import CredentialStoreError
    from firmware_config.inventory import ConfigError
    from hub.site.loader import SiteError
    from hub.store import StoreError
    from mqtt_broker.render import BrokerRenderError
    from mqtt_broker.runner import BrokerStartError
    from protocol.errors import ContractError

    return [
        (ConfigError, 2),
        (SiteError, 2),
        (StoreError, 7),
        (ContractError, 3),
        (BrokerRenderError, 4),
        (BrokerStartError, 4),
        (CredentialStoreError, 5),
        (OSError, 6),
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mpp",
        description="Antrian MPP: queue system of a Mal Pelayanan Publik (hub, devices, tools).",
    )
    parser.add_argument("--version", action="version", version=f"mpp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in _registrars():
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        for error_class, code in _exit_codes():
            if isinstance(error, error_class):
                print(f"mpp: error: {error}", file=sys.stderr)
                return code
        raise


if __name__ == "__main__":
    sys.exit(main())
