"""Writing an image to a card and proving it landed: write, fsync, read back, SHA-256.

The target is opened exclusively when it is a block device (the kernel then
refuses while anything has it mounted or open). Before reading back, the
written range is dropped from the page cache so the comparison reads the
card, not the memory.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provision.fat import ImageError

CHUNK = 4 * 1024 * 1024

Progress = Callable[[int], None]  # bytes done since the last call


@dataclass(frozen=True)
class Written:
    size: int
    sha256: str


class VerifyError(ImageError):
    """What was read back from the card is not the image."""


def _open_target(target: Path) -> int:
    flags = os.O_WRONLY
    try:
        is_block = stat.S_ISBLK(target.stat().st_mode)
    except FileNotFoundError:
        is_block = False
    if is_block:
        flags |= os.O_EXCL
    else:
        flags |= os.O_CREAT | os.O_TRUNC
    return os.open(target, flags, 0o644)


def write_image(image: Path, target: Path, progress: Progress) -> Written:
    """Copy ``image`` onto ``target``, hashing what is written; durable on return."""
    digest = hashlib.sha256()
    size = 0
    with image.open("rb") as source:
        descriptor = _open_target(target)
        try:
            while chunk := source.read(CHUNK):
                view = memoryview(chunk)
                while view:
                    done = os.write(descriptor, view)
                    view = view[done:]
                digest.update(chunk)
                size += len(chunk)
                progress(len(chunk))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return Written(size, digest.hexdigest())


def verify(target: Path, written: Written, progress: Progress) -> None:
    """Read the first ``written.size`` bytes of ``target`` back; :class:`VerifyError` if they
    differ from the image."""
    digest = hashlib.sha256()
    remaining = written.size
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.posix_fadvise(descriptor, 0, written.size, os.POSIX_FADV_DONTNEED)
        while remaining:
            chunk = os.read(descriptor, min(CHUNK, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
            progress(len(chunk))
    finally:
        os.close(descriptor)
    if remaining:
        raise VerifyError(f"{target}: read back {written.size - remaining} of {written.size} bytes")
    if digest.hexdigest() != written.sha256:
        raise VerifyError(
            f"{target}: read back differs from the image (SHA-256 {digest.hexdigest()[:16]}… "
            f"instead of {written.sha256[:16]}…): a failing card? Try another one"
        )
