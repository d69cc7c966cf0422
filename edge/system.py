"""Health figures of the device for its heartbeat: uptime, CPU temperature, memory."""

from __future__ import annotations

import os
import time
from pathlib import Path

THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
STATM = Path("/proc/self/statm")
_STARTED = time.monotonic()


def uptime_s() -> float:
    return time.monotonic() - _STARTED


def cpu_temperature_c(zone: Path = THERMAL_ZONE) -> float | None:
    """The SoC temperature where the kernel exposes it (a Pi does; a VM may not)."""
    try:
        return int(zone.read_text().strip()) / 1000
    except (OSError, ValueError):
        return None


def rss_bytes(statm: Path = STATM) -> int | None:
    try:
        resident_pages = int(statm.read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")
