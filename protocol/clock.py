"""Wall-clock time for every process, with one offset a simulation can set for all.

The demo runs the building as if it were 08.00 whatever the hour. The hub and
every device must then share that clock, or each command looks stale to the
hub. ``MPP_CLOCK_OFFSET_S`` (seconds, set only by the demo for the processes
it starts) moves wall-clock time for everyone alike; on a real site it is
unset and this is plain UTC now.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache

CLOCK_OFFSET_ENV = "MPP_CLOCK_OFFSET_S"


@cache
def clock_offset() -> timedelta:
    """The simulation offset, read once; a malformed value is ignored (plain time)."""
    try:
        return timedelta(seconds=float(os.environ.get(CLOCK_OFFSET_ENV, "0")))
    except ValueError:
        return timedelta()


def wall_now() -> datetime:
    """Aware UTC now, shifted by the simulation offset when one is set."""
    return datetime.now(UTC) + clock_offset()
