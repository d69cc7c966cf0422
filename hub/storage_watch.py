"""Saying that the hub's store is full: in its retained status, and in the log once a minute.

A full disk refuses every write, so the hub answers ``storage_full`` to each
command that would change state. The admin needs to hear that once, and
again now and then while it lasts — not a line per button press on the very
disk that is full — and to see it in the hub's retained status, which is
what an admin screen shows. :meth:`StorageWatch.update` compares the store's
:attr:`~hub.store.EventStore.full` with what was last said and says what changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from hub.store import EventStore
from protocol.models import Degradation

log = logging.getLogger(__name__)

LOG_EVERY_S = 60.0


class StorageWatch:
    """Turns the store's ``full`` flag into a degradation, a status change and rare log lines."""

    def __init__(
        self,
        store: EventStore,
        on_change: Callable[[], None],
        log_every_s: float = LOG_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.on_change = on_change
        self.log_every_s = log_every_s
        self._monotonic = monotonic
        self._shown = False
        self._since = 0.0
        self._last_log = float("-inf")
        self._refused_at_log = 0
        self._refused_at_start = 0

    @property
    def full(self) -> bool:
        """What the hub's status says now."""
        return self._shown

    def degradations(self) -> list[Degradation]:
        return [Degradation.STORAGE_FULL] if self._shown else []

    def update(self) -> None:
        """Say what changed since the last call; called after a refused write and every tick."""
        now = self._monotonic()
        if not self.store.full and not self._shown:
            self._refused_at_start = self.store.refused_writes  # none since, while writable
        elif self.store.full and not self._shown:
            self._shown = True
            self._since = now
            self._refused_at_log = self._refused_at_start
            if now - self._last_log >= self.log_every_s:
                self._log_full(now, first=True)
            self.on_change()
        elif self.store.full and now - self._last_log >= self.log_every_s:
            self._log_full(now, first=False)
        elif not self.store.full and self._shown:
            self._shown = False
            log.info(
                "hub store writable again after %.0f s; %d writes were refused meanwhile",
                now - self._since,
                self.store.refused_writes - self._refused_at_start,
            )
            self.on_change()

    def _log_full(self, now: float, first: bool) -> None:
        refused = self.store.refused_writes - self._refused_at_log
        self._last_log, self._refused_at_log = now, self.store.refused_writes
        where = self.store.path.parent
        if first:
            log.warning(
                "hub store is full: commands are answered storage_full until there is "
                "space on %s (said again once a minute while it lasts)",
                where,
            )
        else:
            log.warning(
                "hub store still full after %.0f s: %d writes refused since the last "
                "report; free space on %s",
                now - self._since,
                refused,
                where,
            )
