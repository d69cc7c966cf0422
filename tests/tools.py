"""Where the tests find tools that are unpacked rather than installed (scripts/bootstrap.sh)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def chrony_root() -> Path:
    """The unpacked Debian chrony package: chronyd for `chronyd -p`, its units for verify."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "mpp" / "tools" / "chrony"


def chronyd() -> str:
    found = shutil.which("chronyd") or shutil.which("chronyd", path="/usr/sbin")
    unpacked = chrony_root() / "usr" / "sbin" / "chronyd"
    if found:
        return found
    if unpacked.exists():
        return str(unpacked)
    pytest.fail("chronyd not found: run scripts/bootstrap.sh (unpacks Debian's chrony)")


def chrony_units() -> Path:
    """Debian's chrony.service and chrony-wait.service (installed, or unpacked)."""
    for directory in (Path("/lib/systemd/system"), chrony_root() / "lib" / "systemd" / "system"):
        if (directory / "chrony-wait.service").exists():
            return directory
    pytest.fail("chrony's units not found: run scripts/bootstrap.sh (unpacks Debian's chrony)")
