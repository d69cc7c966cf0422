"""Helpers shared by the benches that run a building's processes (agent_memory, soak).

A module beside the bench scripts (their directory is first on ``sys.path`` when
run as ``python bench/<name>.py``), not part of any shipped package.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def wait_until(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll ``check`` (a device status) until it holds; fail loudly after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


def clear_voice(directory: Path) -> None:
    """Delete the display's announcement WAVs (~270 KB each), so a long run keeps disk flat."""
    for wav in directory.glob("*.wav"):
        wav.unlink(missing_ok=True)


def print_table(heads: list[str], rows: list[list[str]]) -> None:
    """A plain text table: first column left-aligned, figures right-aligned."""
    widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
    for row in [heads, *rows]:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
