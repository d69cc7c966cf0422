"""``mpp``: subcommands registered by each part of the system.

Each part (hub, broker, config, demo) exposes ``register(subparsers)``; its
heavy imports happen inside the command functions, so ``mpp --help`` on a
counter Pi does not load the hub. Anticipated failures map to exit codes in
one table (:func:`_exit_codes`) and print one line each, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from mpp import __version__

Register = Callable[[argparse._SubParsersAction], None]


# Each part's commands and the module whose ``register`` adds them. ``mpp edge …``
# (what systemd runs on every Pi) registers the edge commands only: registering
# them all imported the admin console, the report and image tools and every
# contract model, ~1 MB of a counter unit's 45 MB for commands it never runs.
PARTS: dict[str, tuple[str, ...]] = {
    "hub.cli": ("hub",),
    "edge.cli": ("edge", "display", "tickets"),
    "mqtt_broker.cli": ("broker",),
    "firmware_config.cli": ("config",),
    "provision.cli": ("image",),
    "mpp.demo_cli": ("demo",),
    "admin.cli": ("admin",),
    "hub.reports.cli": ("report",),
    "upstream.cli": ("upstream",),
}


def _command(argv: Sequence[str]) -> str | None:
    """The command named on the line (the first word that is not an option)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _registrars(command: str | None = None) -> list[Register]:
    """The part that owns ``command``, or every part (help, an unknown command)."""
    modules = [module for module, names in PARTS.items() if command in names] or list(PARTS)
    return [importlib.import_module(module).register for module in modules]


class Failure(NamedTuple):
    """An anticipated failure: its class, the exit code, and what to do about it."""

    error: type[BaseException]
    code: int
    fix: str = ""


def _exit_codes() -> list[Failure]:
    """Anticipated failure classes; the first match wins. Anything else is a bug and
    keeps its traceback.

    ===  =================================================================
    2    configuration: site file, inventory, device file
    3    a message that breaks the MQTT contract
    4    the broker: rendering or starting Mosquitto, reaching it
    5    the MQTT credentials file
    6    a file or directory (missing, not writable, …)
    7    the hub's event store (SQLite)
    8    an input file whose contents are not what the command reads
    9    the voice clip set (espeak-ng missing or failing, clips unusable)
    10   a device's hardware is missing (GPIO, OLED, SPI panel, screen, clips)
    11   an SD-card image that cannot be customised or written
    12   a drive refused for flashing (not removable, mounted, too small, …)
    130  interrupted (Ctrl-C) — except ``hub run``, where SIGINT is a stop: 0
    ===  =================================================================
    """
    from edge.compose import RoleNotAvailableError
    from edge.display.clips import ClipSetError
    from edge.hardware.choice import HardwareError
    from edge.printer.decode import DecodeError
    from firmware_config.credentials import CredentialStoreError
    from firmware_config.inventory import ConfigError
    from hub.booking_codes import BookingKeyError
    from hub.site.loader import SiteError
    from hub.store import StoreError
    from mpp.process import DemoStartError
    from mqtt_broker.render import BrokerRenderError
    from mqtt_broker.runner import BrokerStartError
    from protocol.errors import ContractError
    from protocol.link import LinkError
    from protocol.tls import TlsSetupError
    from provision.drives import DriveRefusedError
    from provision.fat import ImageError
    from upstream.bookings_file import BookingsFileError
    from upstream.receiver.storage import ReceiverStoreError

    return [
        Failure(ConfigError, 2),
        Failure(RoleNotAvailableError, 2),
        Failure(HardwareError, 10),
        Failure(SiteError, 2),
        Failure(StoreError, 7),
        Failure(ReceiverStoreError, 7),
        Failure(ContractError, 3),
        Failure(BrokerRenderError, 4),
        Failure(BrokerStartError, 4),
        Failure(LinkError, 4),
        Failure(TlsSetupError, 4, "provisioning puts the site's ca.crt on the device"),
        Failure(CredentialStoreError, 5),
        Failure(BookingKeyError, 5),
        Failure(BookingsFileError, 8),
        Failure(DecodeError, 8, "not ESC/POS printer output as the kiosk writes it"),
        Failure(ClipSetError, 9),
        Failure(DemoStartError, 13),
        Failure(ImageError, 11),
        Failure(DriveRefusedError, 12),
        Failure(OSError, 6),
    ]


_OS_FIXES = {
    errno.EACCES: "check its owner and mode (or run as the service user)",
    errno.EPERM: "check its owner and mode (or run as the service user)",
    errno.EROFS: "that file system is read-only; choose a writable place",
    errno.ENOSPC: "the disk is full",
    errno.EEXIST: "it is there and is not a directory",
    errno.ENOTDIR: "part of the path is a file, not a directory",
    errno.EISDIR: "give a file, not a directory",
}


def describe(error: BaseException, fix: str = "", subject: object = None) -> list[str]:
    """The error as ``mpp: error: …`` lines: one for a failure, one per problem found.

    An :class:`OSError` reads as ``path: what`` rather than Python's
    ``[Errno 2] …: 'path'``; ``subject`` (the input file named on the command
    line) is put in front when the message does not name it already.
    """
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        where = str(error.filename)
        if error.filename2 is not None:
            where += f" -> {error.filename2}"
        text = f"{where}: {error.strerror}"
        fix = fix or _OS_FIXES.get(error.errno or 0, "")
    else:
        text = str(error) or type(error).__name__
    if subject is not None and str(subject) not in text:
        text = f"{subject}: {text}"
    lines = [line for line in text.splitlines() if line.strip()] or [type(error).__name__]
    if fix:
        lines[-1] += f" ({fix})"
    return [f"mpp: error: {line}" for line in lines]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: its command's part only when it names one, else all."""
    parser = argparse.ArgumentParser(
        prog="mpp",
        description="Antrian MPP: queue system of a Mal Pelayanan Publik (hub, devices, tools).",
    )
    parser.add_argument("--version", action="version", version=f"mpp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in _registrars(_command(argv or [])):
        register(subparsers)
    _verbose_anywhere(parser)
    return parser


def _verbose_anywhere(parser: argparse.ArgumentParser) -> None:
    """``-v`` after the command too (``mpp report … -v``), as people add it at the end.

    Each command's own parser gets the option with a SUPPRESS default, so one not
    given there leaves the value from before the command alone.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in set(action.choices.values()):
                if "-v" not in command._option_string_actions:
                    command.add_argument(
                        "-v",
                        "--verbose",
                        action="store_true",
                        default=argparse.SUPPRESS,
                        help="log debug messages",
                    )
                _verbose_anywhere(command)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # logs, not a banner on stdout
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
        for failure in _exit_codes():
            if isinstance(error, failure.error):
                lines = describe(error, failure.fix, getattr(args, "file", None))
                print("\n".join(lines), file=sys.stderr)
                return failure.code
        raise  # a bug: the traceback is what a developer needs


if __name__ == "__main__":
    sys.exit(main())
