"""The FAT boot partition of a disk image, read and written without mounting.

The partition's byte offset comes from ``sfdisk --json``; mtools then works
on ``IMAGE@@OFFSET`` as if it were a floppy. No loop device, no root, the
same on a build machine, in CI and on a technician's laptop.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# MBR type ids of FAT partitions, and the GPT "Microsoft basic data" / ESP guids.
FAT_TYPES = {"b", "c", "e", "1", "4", "6", "ef"}
FAT_GUIDS = {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"}


class ImageError(RuntimeError):
    """The image cannot be read or written as a Raspberry Pi OS image."""


def _tool(name: str, package: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        raise ImageError(f"{name} not found (install Debian's {package} package)")
    return path


@dataclass(frozen=True)
class BootPartition:
    """The first FAT partition of ``image``, starting ``offset`` bytes in."""

    image: Path
    offset: int
    size: int

    @classmethod
    def of(cls, image: Path) -> BootPartition:
        """Find the boot partition: the first FAT partition of the partition table."""
        if not image.is_file():
            raise ImageError(f"{image}: no such image file")
        result = subprocess.run(
            [_tool("sfdisk", "fdisk"), "--json", str(image)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            why = result.stderr.strip().splitlines()[-1:] or ["no partition table"]
            raise ImageError(f"{image}: not a disk image with a partition table ({why[0]})")
        table = json.loads(result.stdout)["partitiontable"]
        sector = int(table.get("sectorsize", 512))
        for partition in table.get("partitions", []):
            kind = str(partition.get("type", "")).lower()
            if kind in FAT_TYPES or kind.upper() in FAT_GUIDS:
                return cls(image, partition["start"] * sector, partition["size"] * sector)
        raise ImageError(f"{image}: no FAT boot partition in its partition table")

    # -- mtools ---------------------------------------------------------------

    def _mtools(self, command: str, *args: str, data: bytes | None = None) -> bytes:
        # Skip mtools' geometry sanity check: a partition inside an image file has none.
        environment = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
        result = subprocess.run(
            [_tool(command, "mtools"), "-i", f"{self.image}@@{self.offset}", *args],
            input=data,
            capture_output=True,
            env=environment,
            check=False,
        )
        if result.returncode != 0:
            why = result.stderr.decode(errors="replace").strip() or f"exit {result.returncode}"
            raise ImageError(f"{self.image}: {command} {' '.join(args)}: {why}")
        return result.stdout

    @staticmethod
    def _dos(path: str | PurePosixPath) -> str:
        return "::/" + str(path).lstrip("/")

    def exists(self, path: str) -> bool:
        try:
            self._mtools("mdir", "-b", self._dos(path))
        except ImageError:
            return False
        return True

    def read(self, path: str) -> bytes:
        return self._mtools("mcopy", "-n", self._dos(path), "-")

    def write(self, path: str, data: bytes) -> None:
        """Write (or replace) one file, creating its directories."""
        parent = PurePosixPath(path).parent
        if str(parent) not in (".", "/"):
            self.mkdir(str(parent))
        self._mtools("mcopy", "-o", "-", self._dos(path), data=data)

    def mkdir(self, path: str) -> None:
        built = PurePosixPath("/")
        for part in PurePosixPath(path).parts:
            if part == "/":
                continue
            built /= part
            if not self.exists(str(built)):
                self._mtools("mmd", self._dos(built))

    def remove_tree(self, path: str) -> None:
        if self.exists(path):
            self._mtools("mdeltree", self._dos(path))
