"""``mpp image …``: customise an image for a device, flash a card, a building's batch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from firmware_config.schema import DeviceConfig

DEFAULT_TIMEZONE = "Asia/Jakarta"
DEFAULT_KEYS = ("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub")


def register(subparsers: argparse._SubParsersAction) -> None:
    image = subparsers.add_parser(
        "image", help="SD-card images: customise for a device, flash, a whole building"
    )
    commands = image.add_subparsers(title="image commands", metavar="COMMAND", required=True)
    customize = commands.add_parser(
        "customize",
        help="write a device's identity (cloud-init files, device file, MQTT password) "
        "into an image's boot partition, without mounting or root",
    )
    customize.add_argument("base", type=Path, metavar="BASE.img", help="edge or hub image")
    customize.add_argument(
        "--device", required=True, help="device id from the inventory, or hub (the hub image)"
    )
    customize.add_argument(
        "--out", type=Path, metavar="OUT.img", help="write a copy (default: BASE in place)"
    )
    add_identity_options(customize)
    customize.set_defaults(func=_customize)

    flash = commands.add_parser(
        "flash",
        help="write an image to an SD card safely: removable drives only, confirmation, "
        "progress, read-back SHA-256 check",
    )
    flash.add_argument("image", type=Path, metavar="IMG")
    flash.add_argument(
        "device", type=Path, nargs="?", metavar="DEVICE", help="e.g. /dev/sdb (not with --wait)"
    )
    flash.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    flash.add_argument(
        "--wait", action="store_true", help="wait for a card to be inserted and use it"
    )
    flash.set_defaults(func=_flash)

    batch = commands.add_parser(
        "batch",
        help="a building's cards one after another from the inventory: customise, say which "
        "device the card is for, write, verify, print a label line",
    )
    batch.add_argument("base", type=Path, metavar="BASE.img", help="the edge image")
    batch.add_argument(
        "--device", action="append", default=[], metavar="ID", help="only these (repeatable)"
    )
    batch.add_argument(
        "--role", action="append", default=[], metavar="ROLE", help="only these roles"
    )
    batch.add_argument("--from", dest="start", metavar="ID", help="resume at this device")
    where = batch.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--wait", action="store_true", help="wait for each card to be inserted (udev)"
    )
    where.add_argument(
        "--drive",
        metavar="PATH",
        help="the card reader, e.g. /dev/sdb (Enter between cards); with {device} in it, "
        "a file per device instead of a card",
    )
    batch.add_argument("--yes", action="store_true", help="no confirmations (scripts)")
    batch.add_argument("--labels", type=Path, help="also append the label lines to this file")
    add_identity_options(batch)
    batch.set_defaults(func=_batch)


def add_identity_options(parser: argparse.ArgumentParser) -> None:
    """Where identities come from; shared by ``customize`` and ``batch``."""
    from firmware_config.inventory import DEFAULT_INVENTORY

    parser.add_argument(
        "--inventory", type=Path, default=DEFAULT_INVENTORY, help="default: the bundled one"
    )
    parser.add_argument(
        "--secrets",
        type=Path,
        help="MQTT credentials store written by `mpp broker render` "
        "(default $XDG_STATE_HOME/mpp/mqtt-credentials.json)",
    )
    parser.add_argument(
        "--wifi-keys",
        type=Path,
        help="Wi-Fi keys of `mpp config secrets` (default: wifi-psks.json beside --secrets)",
    )
    parser.add_argument(
        "--broker-dir",
        type=Path,
        help="the directory `mpp broker render` wrote: its ca.crt, if any, goes on the card",
    )
    parser.add_argument(
        "--ssh-key",
        type=Path,
        action="append",
        default=[],
        help="public key for the technician account (repeatable; default ~/.ssh/id_*.pub)",
    )
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="default Asia/Jakarta (WIB)")
    parser.add_argument(
        "--site",
        type=Path,
        help="the hub's site file (--device hub; default: the inventory's site.toml, "
        "else the bundled site)",
    )


def ssh_keys(paths: list[Path]) -> list[str]:
    if not paths:
        paths = [Path.home() / ".ssh" / name for name in DEFAULT_KEYS]
        paths = [path for path in paths if path.is_file()]
    keys = []
    for path in paths:
        keys += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    keys = [key for key in keys if key and not key.startswith("#")]
    if not keys:
        # Every account of the images is locked (no password): without a key there
        # is no way in at all, not even at a screen and keyboard or the serial console.
        where = ", ".join(str(path) for path in paths) or "~/.ssh/id_*.pub"
        print(
            f"mpp: warning: no SSH public key in {where}: the card is written without one "
            "and nobody can log in to the device, over SSH or at its console (no account "
            "has a password); it still runs its role. To log in later, customise and "
            "flash the card again with --ssh-key FILE",
            file=sys.stderr,
        )
    return keys


def _customize(args: argparse.Namespace) -> int:
    from provision.customize import check_base_image, copy_image
    from provision.preparer import Preparer

    preparer = Preparer.from_args(args)
    target = args.out or args.base
    if args.out is not None:
        check_base_image(args.base, preparer.role_of(args.device))
        copy_image(args.base, args.out)
    try:
        result = preparer.customize(target, args.device)
    except BaseException:
        if args.out is not None and args.out.resolve() != args.base.resolve():
            args.out.unlink(missing_ok=True)  # no half-customised card image left around
        raise
    print(
        f"customized {result.image} for {result.device_id} ({result.role}): "
        f"host {result.hostname}, instance {result.instance_id}"
    )
    print(f"  boot partition: {', '.join(result.files)}")
    if result.role == "hub":
        print(f"  site file: {preparer.site_file}")
    return 0


def stderr_console():  # -> rich Console; imported late: rich is the image extra's
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def _flash(args: argparse.Namespace) -> int:
    from provision.drives import DriveRefusedError
    from provision.flash_command import flash

    err = stderr_console()
    if args.wait == (args.device is not None):
        raise DriveRefusedError("give either a DEVICE or --wait")
    device = args.device
    if args.wait:
        from provision.wait import wait_for_card

        found = wait_for_card(None, lambda line: err.print(line, highlight=False))
        if found is None:  # pragma: no cover - no timeout without one
            return 1
        device = Path(found)
    written = flash(args.image, device, args.yes, err)
    print(f"wrote and verified {args.image} on {device}: {written.size:,} bytes")
    print(f"  SHA-256 {written.sha256}; the card may be taken out")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from provision.batch import preflight, run_batch, select
    from provision.customize import check_base_image
    from provision.drives import DriveRefusedError
    from provision.flash_command import flash
    from provision.preparer import Preparer

    err = stderr_console()
    devices = select(args.inventory, args.device, args.role, args.start)
    # Each card is customised in a private copy: a refusal of the base names the base.
    check_base_image(args.base, devices[0].role.value)
    preparer = Preparer.from_args(args)
    preflight(devices, preparer)
    err.print(f"{len(devices)} cards: {', '.join(d.device_id for d in devices)}", highlight=False)

    written: list[Path] = []

    def target_for(device: DeviceConfig, position: int, total: int) -> Path:
        if args.wait:
            from provision.wait import wait_for_card, wait_for_removal

            say = lambda line: err.print(line, highlight=False)  # noqa: E731
            if written:
                wait_for_removal(str(written[-1]), say)
            found = wait_for_card(None, say)
            if found is None:  # pragma: no cover - no timeout without one
                raise DriveRefusedError("no card inserted")
            written.append(Path(found))
            return Path(found)
        if "{device}" in args.drive:
            return Path(args.drive.format(device=device.device_id))
        if not args.yes:
            if not sys.stdin.isatty():
                raise DriveRefusedError("no terminal to wait on between cards: pass --yes")
            input(f"put the card for {device.device_id} into {args.drive} and press Enter ")
        return Path(args.drive)

    labels = run_batch(
        args.base,
        devices,
        preparer,
        target_for,
        lambda image, target: flash(image, target, args.yes, err),
        args.labels,
        err,
    )
    err.print(f"{len(labels)} cards written and verified", highlight=False)
    return 0
