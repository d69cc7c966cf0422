"""``mpp image flash IMG DEVICE``: check the drive, ask, write with a progress bar, verify.

Shared with ``mpp image batch``. A target that is a plain file (or a new
path outside ``/dev``) is written without drive checks: that is how the
write and the read-back are tested, and how an image is copied.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from provision.customize import check_plain_image
from provision.drives import Drive, DriveRefusedError, assess, human_size, read_listing
from provision.flash import Written, verify, write_image


@dataclass(frozen=True)
class Target:
    path: Path
    drive: Drive | None  # None: a plain file

    def describe(self) -> str:
        return self.drive.describe() if self.drive else f"{self.path} (a file)"


def _is_plain_file_target(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return not str(path.resolve()).startswith("/dev/")
    return stat.S_ISREG(mode)


def _image_device(image: Path) -> str:
    device = image.resolve().stat().st_dev
    return f"{os.major(device)}:{os.minor(device)}"


def check_target(image: Path, path: Path, err: Console) -> Target:
    """The drive behind ``path`` if it may be written; :class:`DriveRefusedError` otherwise."""
    check_plain_image(image)
    if _is_plain_file_target(path):
        return Target(path, None)
    verdict = assess(read_listing(), str(path), image.stat().st_size, _image_device(image))
    if verdict.refusals:
        raise DriveRefusedError("\n".join(f"refusing to write: {why}" for why in verdict.refusals))
    for warning in verdict.warnings:
        err.print(f"mpp: warning: {warning}", highlight=False)
    return Target(path, verdict.drive)


def confirm(image: Path, target: Target, assume_yes: bool, err: Console) -> None:
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise DriveRefusedError(
            f"no terminal to confirm on: pass --yes to erase {target.describe()} without asking"
        )
    size = human_size(image.stat().st_size)
    err.print(f"Everything on {target.describe()} will be erased.", highlight=False)
    answer = input(f"Write {image.name} ({size}) to it? [y/N] ").strip().lower()
    if answer not in ("y", "yes", "ya"):
        raise DriveRefusedError("not confirmed; nothing written")


def write_and_verify(image: Path, target: Target, err: Console) -> Written:
    """Write with a progress bar (speed, time left), then read back and compare SHA-256."""
    size = image.stat().st_size
    columns = (
        TextColumn("{task.description:<9}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        writing = progress.add_task("writing", total=size)
        written = write_image(image, target.path, lambda n: progress.advance(writing, n))
        checking = progress.add_task("verifying", total=size)
        verify(target.path, written, lambda n: progress.advance(checking, n))
    return written


def flash(image: Path, path: Path, assume_yes: bool, err: Console) -> Written:
    target = check_target(image, path, err)
    confirm(image, target, assume_yes, err)
    return write_and_verify(image, target, err)
