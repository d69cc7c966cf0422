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

A sender flooding faster than the hub can read fills the broker's queue for
the hub, which holds every device's messages: there, its flood would crowd
out the others'. So the hub stops listening to a sender that floods
(:class:`Pauses`): it unsubscribes that device's topics, and the broker
discards its messages at the door. A sender floods when it overflows its
lane of the hub's inbox (:class:`protocol.inbox.FairInbox`: messages that
take the hub work), or sends more than :data:`BURST_PER_SECOND` messages a
second that are rejected or repeats (cheap for the hub, so they never queue
up in its inbox, but they still cost the broker's queue and the hub's
reading). A device that waits for each reply cannot flood, however fast the
hub answers it. The first pause is short (a burst from a confused device
costs it a couple of seconds), each pause right after the previous one twice
as long, up to five minutes.

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
FIRST_PAUSE_S = 2.0
LONGEST_PAUSE_S = 300.0
STORED_PER_WINDOW = 20  # per sender: ~8 kB of store a minute at most
LOGGED_PER_WINDOW = 5  # per sender: lines one by one, then a count
# Rejected or repeated messages a second that make a sender a flood: a
# confused device retries once a second; 20 garbled statuses in a row are
# still a device, not a flood.
BURST_PER_SECOND = 50


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
        self._bursts: dict[str, list[float]] = {}  # sender: [second started, count]

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

    def burst(self, sender: str, limit: int = BURST_PER_SECOND) -> bool:
        """Count one rejected or repeated message of ``sender``; ``True`` (once a
        second) when that makes more than ``limit`` within a second: a flood."""
        now = self._now()
        burst = self._bursts.get(sender)
        if burst is None or now - burst[0] >= 1.0:
            burst = self._bursts[sender] = [now, 0]
        burst[1] += 1
        return burst[1] == limit + 1

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
            max(1.0, min(now - window.started, self.window_s)),
            f"{window.invalid:,}",
            f"{window.refused:,}",
            f"{window.dropped:,}",
            window.stored,
            window.logged,
        )
        return 1


class Pauses:
    """Which senders the hub is not listening to, until when, and for how long next."""

    def __init__(
        self,
        first_s: float = FIRST_PAUSE_S,
        longest_s: float = LONGEST_PAUSE_S,
        forgive_after_s: float = WINDOW_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.first_s = first_s
        self.longest_s = longest_s
        self.forgive_after_s = forgive_after_s
        self._now = monotonic
        self._until: dict[str, float] = {}
        self._last: dict[str, tuple[float, float]] = {}  # sender: (seconds, ended at)

    def pause(self, sender: str) -> float | None:
        """Pause ``sender``; the seconds, or ``None`` if it is paused already."""
        if sender in self._until:
            return None
        now = self._now()
        seconds = self.first_s
        previous = self._last.get(sender)
        if previous is not None and now - previous[1] < self.forgive_after_s:
            seconds = min(self.longest_s, previous[0] * 2)
        self._until[sender] = now + seconds
        self._last[sender] = (seconds, now + seconds)
        return seconds

    def paused(self, sender: str) -> bool:
        return sender in self._until

    def due(self) -> list[str]:
        """Senders whose pause is over (no longer paused from now on)."""
        now = self._now()
        over = [sender for sender, until in self._until.items() if until <= now]
        for sender in over:
            del self._until[sender]
        return over
