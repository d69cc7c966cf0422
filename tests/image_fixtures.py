"""A tiny Raspberry-Pi-OS-shaped disk image, built without root or loop devices.

``truncate`` + ``sfdisk`` (MBR: a FAT32 boot partition, then a Linux one) +
``mkfs.vfat --offset`` + ``mcopy`` of a ``cmdline.txt`` and ``config.txt``,
as pi-gen lays them out. Also helpers to read the boot partition back and run
``mpp`` as a process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SECTOR = 512
BOOT_START = 8192  # sectors, as pi-gen aligns its boot partition (4 MiB)
BOOT_SECTORS = 65536  # 32 MiB
CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait"
TOOLS = {"sfdisk": "fdisk", "mkfs.vfat": "dosfstools", "fsck.vfat": "dosfstools", "mcopy": "mtools"}


def require_tools() -> None:
    for tool, package in TOOLS.items():
        if shutil.which(tool) is None and shutil.which(tool, path="/usr/sbin:/sbin") is None:
            pytest.fail(
                f"{tool} is needed (Debian's {package}; scripts/bootstrap.sh)", pytrace=False
            )


def _tool(name: str) -> str:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin") or name


def build_base_image(path: Path) -> Path:
    """A 48 MiB image: FAT32 ``bootfs`` with cmdline.txt and config.txt, and a root partition."""
    require_tools()
    subprocess.run(["truncate", "-s", "48M", str(path)], check=True)
    layout = (
        f"label: dos\nstart={BOOT_START}, size={BOOT_SECTORS}, type=c\n"
        f"start={BOOT_START + BOOT_SECTORS}, type=83\n"
    )
    subprocess.run([_tool("sfdisk"), "-q", str(path)], input=layout.encode(), check=True)
    subprocess.run(
        [
            _tool("mkfs.vfat"),
            "-n",
            "BOOTFS",
            "--offset",
            str(BOOT_START),
            str(path),
            str(BOOT_SECTORS // 2),
        ],
        check=True,
        capture_output=True,
    )
    for name, text in (("cmdline.txt", CMDLINE + "\n"), ("config.txt", "dtparam=audio=on\n")):
        subprocess.run(
            [_tool("mcopy"), "-i", f"{path}@@{BOOT_START * SECTOR}", "-", f"::/{name}"],
            input=text.encode(),
            check=True,
            env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
        )
    return path


def read_boot(image: Path, name: str) -> bytes:
    return subprocess.run(
        [_tool("mcopy"), "-n", "-i", f"{image}@@{BOOT_START * SECTOR}", f"::/{name}", "-"],
        check=True,
        capture_output=True,
        env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
    ).stdout


def boot_listing(image: Path) -> list[str]:
    output = subprocess.run(
        [_tool("mdir"), "-/", "-b", "-i", f"{image}@@{BOOT_START * SECTOR}", "::/"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
    ).stdout
    return sorted(line.removeprefix("::") for line in output.splitlines() if line.strip())


def extract_boot(image: Path, folder: Path) -> Path:
    """Copy the whole boot partition into ``folder`` (what the Pi mounts at /boot/firmware)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_tool("mcopy"), "-s", "-n", "-i", f"{image}@@{BOOT_START * SECTOR}", "::/*", str(folder)],
        check=True,
        capture_output=True,
        env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
    )
    return folder


def fsck_boot(image: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    """``fsck.vfat -n`` of the boot partition, cut out of the image into ``scratch``."""
    with image.open("rb") as source, scratch.open("wb") as target:
        source.seek(BOOT_START * SECTOR)
        target.write(source.read(BOOT_SECTORS * SECTOR))
    return subprocess.run([_tool("fsck.vfat"), "-n", str(scratch)], capture_output=True, text=True)


def mpp(
    *args: object, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``mpp …`` as a process, the way a technician runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=120,
    )
