"""``mpp admin …``: connection options, the list of subcommands, and the runner.

:func:`subcommands` is the one place the console's subcommands are listed:
another part (the reports) adds its ``register`` function there. Without a
subcommand, ``mpp admin`` starts the interactive shell with the same commands.
Every failure is one line on stderr with an exit code (1 usage, 3 refused by
the hub, 4 broker, 5 not authorised or no password, 6 hub not answering).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

Register = Callable[[argparse._SubParsersAction], None]


def subcommands() -> list[Register]:
    from admin import commands, follow
    from admin.complaints import register_complaints
    from admin.receipt import register_receipt
    from admin.reports import console as reports
    from admin.signature import register_signature

    return [
        commands.register_status,
        follow.register_follow,
        commands.register_counter,
        commands.register_ticket,
        commands.register_service,
        commands.register_announce,
        commands.register_device,
        commands.register_day,
        reports.register_report,
        register_receipt,
        register_complaints,
        register_signature,
    ]


def _add_subcommands(parser: argparse.ArgumentParser, required: bool) -> None:
    from admin.usage import OneLineParser

    commands = parser.add_subparsers(
        title="admin commands",
        metavar="COMMAND",
        required=required,
        dest="admin_command",
        parser_class=OneLineParser,
    )
    for register_one in subcommands():
        register_one(commands)
    shell = commands.add_parser("shell", help="the interactive shell (also: no COMMAND)")
    shell.set_defaults(action=None)


def register(subparsers: argparse._SubParsersAction) -> None:
    admin = subparsers.add_parser(
        "admin",
        help="the hub admin's console (status, top, tail, counters, tickets, services, …)",
        description=(
            "Run the building over MQTT: the admin account's request/response with the hub, "
            "plus retained state and the event log. The password comes from "
            "$MPP_ADMIN_PASSWORD or the credentials store, never the command line."
        ),
    )
    admin.add_argument(
        "--broker", metavar="HOST:PORT", help="broker (default 127.0.0.1:1884, the hub's own)"
    )
    admin.add_argument("--account", help="admin account (default: admin)")
    admin.add_argument("--secrets", type=Path, help="credentials file (default: the store)")
    admin.add_argument(
        "--ca",
        type=Path,
        metavar="FILE",
        help="site CA to verify the hub with (default: tls/ca.crt beside the credentials file); "
        "any broker but the hub's own loopback listener is reached over TLS",
    )
    admin.add_argument(
        "--plain", action="store_true", help="plain MQTT: only for a site with a plain LAN"
    )
    admin.add_argument(
        "--timeout", type=float, default=5.0, help="seconds to wait for the hub (default 5)"
    )
    _add_subcommands(admin, required=False)
    admin.set_defaults(func=_run, action=None)


def shell_parser() -> argparse.ArgumentParser:
    """The parser of one shell line: the same subcommands, no connection options."""
    from admin.usage import OneLineParser

    parser = OneLineParser(prog="", add_help=True, exit_on_error=True)
    _add_subcommands(parser, required=False)
    return parser


def _act(session: object, args: argparse.Namespace) -> int:
    return int(args.action(session, args) or 0)


def _run(args: argparse.Namespace) -> int:
    from admin.client import ConsoleError
    from admin.connection import ConnectionSettingsError, settings_from
    from admin.session import Session
    from admin.shell import run_shell

    try:
        settings = settings_from(
            args.broker, args.account, args.secrets, args.timeout, args.ca, args.plain
        )
    except ConnectionSettingsError as error:
        print(f"mpp: error: {error}", file=sys.stderr)
        return error.exit_code
    session = Session(settings)
    try:
        if args.action is None:
            return run_shell(session, shell_parser(), _act)
        return _act(session, args)
    except ConsoleError as error:
        print(f"mpp: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        session.close()
