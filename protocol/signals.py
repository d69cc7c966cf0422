"""Waiting in the main thread without going deaf to SIGTERM.

Python runs signal handlers only in the main thread, between bytecodes. A
main thread blocked in ``Event.wait()`` with no timeout wakes for a signal
only if the kernel happens to deliver it to that thread; with paho, gpiozero
and worker threads around it is usually delivered elsewhere, and the process
never stops (seen in the demo: counters ignoring SIGTERM). Waiting in short
slices lets pending handlers run.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

SLICE_S = 0.1


def wait_interruptibly(event: threading.Event, timeout: float | None = None) -> bool:
    """``event.wait(timeout)``, in slices so signal handlers run; True if set."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = SLICE_S if deadline is None else min(SLICE_S, deadline - time.monotonic())
        if left <= 0:
            return event.is_set()
        if event.wait(left):
            return True


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT; the previous handlers are back afterwards
    (``main`` may run in a test's process)."""
    stop = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.getsignal(signum) for signum in signals}
    for signum in signals:
        signal.signal(signum, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
