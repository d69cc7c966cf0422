"""Large allocations go straight back to the operating system (glibc's malloc).

Why: glibc serves blocks from 128 kB up with their own mapping, unmapped when
freed, but raises that threshold to the size of every such block freed (up to
32 MB). A screen renders and drops text surfaces of 0.1-1.5 MB all day (call
numbers, the clock); after the first few are freed, new ones come from the
heap, whose holes stay resident. Fixing the threshold keeps them mapped and
returned: the call display ran ~5 MB lower and flat through a simulated day.

The screen agents ask for it (the kiosk and the display), and the hub: its
snapshot of the day's state is one JSON text that grows with every ticket
(~0.5 MB by the afternoon of a busy day), made and dropped every 500 events;
served from the heap after the threshold moved, each larger one raised the
heap's high-water mark, and the hub grew all afternoon. The counter unit and
the running text allocate nothing that large, and ``ctypes`` would cost them
memory of its own.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt(3) parameter number, from <malloc.h>
THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, now kept


def map_large_blocks(threshold: int = THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold at ``threshold``; False where there is no glibc."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library already loaded in this process
    except (OSError, AttributeError, TypeError):
        log.debug("no glibc mallopt: the allocator keeps its own thresholds")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
