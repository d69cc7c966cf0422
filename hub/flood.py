"""How much of a device's rejected traffic is stored and logged.

Every refused or invalid command is answered. The first few of a sender in
each window (a minute) are also stored (a ``command.rejected`` event, and
the reply for de-duplication) and logged one by one — that is the audit
trail of an ordinary day, where a counter presses *next* on an empty queue
now and then. Beyond that, a device sending garbage or forbidden commands
in a loop (broken firmware, a stolen credential) would fill the SD card and
the journal, so the rest of its window is only counted, and one line per
window says how many there were::

    kiosk-01: 9,812 messages rejected in the last 60 s (9,000 invalid,
    812 refused, 0 dropped: inbox full); 20 stored, 5 logged one by one

The windows run on the monotonic clock (a flood is real time, whatever the
hub's business clock says). Used from the hub's worker thread only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

WINDOW_S = 60.0
STORED_PER_WINDOW = 20  # per sender: ~8 kB of store a minute at most
LOGGED_PER_WINDOW = 5  # per sender: lines one by one, then a count


@dataclass(frozen=True)
class Verdict:
    """What to do with one rejected message besides answering it."""

    store: bool
    log: bool


@dataclass
class _Window:
    started: float
    invalid: int = 0
    refused: int = 0
    dropped: int = 0
    stored: int = 0
    logged: int = 0
    announced: bool = False

    @property
    def total(self) -> int:
        return self.invalid + self.refused + self.dropped


class FloodGuard:
    """Per-sender budgets for storing and logging rejections, and the reports."""

    def __init__(
        self,
        window_s: float = WINDOW_S,
        stored_per_window: int = STORED_PER_WINDOW,
        logged_per_window: int = LOGGED_PER_WINDOW,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.stored_per_window = stored_per_window
        self.logged_per_window = logged_per_window
        self._now = monotonic
        self._windows: dict[str, _Window] = {}

    def rejected(self, sender: str, kind: str, storable: bool = True) -> Verdict:
        """Count one refused (``kind="refused"``) or invalid message of ``sender``."""
        window = self._window(sender)
        if kind == "refused":
            window.refused += 1
        else:
            window.invalid += 1
        store = storable and window.stored < self.stored_per_window
        if store:
            window.stored += 1
        elif storable and not window.announced:
            window.announced = True
            log.warning(
                "%s: over %d rejected messages within %.0f s; the rest are answered, "
                "not stored, and counted instead of logged",
                sender,
                self.stored_per_window,
                self.window_s,
            )
        say = window.logged < self.logged_per_window
        if say:
            window.logged += 1
        return Verdict(store=store, log=say)

    def dropped(self, counts: dict[str, int]) -> None:
        """Count messages the inbox had no room for (never read, never answered)."""
        for sender, count in counts.items():
            self._window(sender).dropped += count

    def report(self, final: bool = False) -> int:
        """Log the count of every window that ended (all with ``final``) and had
        messages not logged one by one; returns how many lines were written."""
        now = self._now()
        lines = 0
        for sender, window in list(self._windows.items()):
            if final or now - window.started >= self.window_s:
                del self._windows[sender]
                lines += self._summarise(sender, window, now)
        return lines

    def _window(self, sender: str) -> _Window:
        now = self._now()
        window = self._windows.get(sender)
        if window is not None and now - window.started < self.window_s:
            return window
        if window is not None:
            self._summarise(sender, window, now)
        window = self._windows[sender] = _Window(started=now)
        return window

    def _summarise(self, sender: str, window: _Window, now: float) -> int:
        if window.total <= window.logged:
            return 0  # each was logged: nothing to add
        log.warning(
            "%s: %s messages rejected in the last %.0f s (%s invalid, %s refused, "
            "%s dropped: inbox full); %d stored, %d logged one by one",
            sender,
            f"{window.total:,}",
            min(now - window.started, self.window_s),
            f"{window.invalid:,}",
            f"{window.refused:,}",
            f"{window.dropped:,}",
            window.stored,
            window.logged,
        )
        return 1
