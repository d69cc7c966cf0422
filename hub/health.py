"""Telling systemd how the hub is: readiness, status and a watchdog that means something.

``Type=notify`` units learn that a service is ready, and ``WatchdogSec=``
units that it is still alive, from datagrams sent to ``$NOTIFY_SOCKET``
(sd_notify(3), spoken by :mod:`protocol.sdnotify`, shared with the device
agents). Without ``NOTIFY_SOCKET`` (a terminal, a test, another init) nothing
is sent.

The watchdog ping is sent by a job run on the hub's worker thread — the one
that applies every command — not by a timer of its own: a worker stuck on a
dead SD card or in a loop stops the pings, and systemd restarts the hub.
systemd arms ``WatchdogSec=`` only once the service is ready; before that
(a hub waiting for its broker) each ping also extends the start timeout by
one watchdog interval (``EXTEND_TIMEOUT_USEC``), so a hub that waits is left
to wait and a hub whose worker hangs before it is ready still times out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from protocol import sdnotify

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]


class Notifier(sdnotify.Notifier):
    """The hub's notifier (:mod:`protocol.sdnotify`): its failures are logged as the hub's."""

    log = log


class Watchdog:
    """Pings through jobs posted to the worker thread, every ``every_s``.

    The next job is posted only after the previous one has run, so a stuck
    worker both stops the pings and is not buried under a pile of them.
    """

    def __init__(self, post: Post, ping: Callable[[], object], every_s: float) -> None:
        self._post = post
        self._ping = ping
        self.every_s = every_s
        self._ran = threading.Event()
        self._stop = threading.Event()
        self._timer = threading.Thread(target=self._run, name="hub-watchdog", daemon=True)

    @classmethod
    def for_systemd(cls, notifier: Notifier, post: Post) -> Watchdog | None:
        """A watchdog pinging at half systemd's interval (as sd_watchdog_enabled(3)
        advises), or ``None`` when the unit has no ``WatchdogSec=``."""
        if notifier.watchdog_s is None or not notifier.enabled:
            return None
        return cls(post, notifier.ping, notifier.watchdog_s / 2)

    def start(self) -> None:
        self._post(self._job)
        self._timer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._timer.is_alive():
            self._timer.join(self.every_s + 1)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            if self._ran.is_set():
                self._ran.clear()
                self._post(self._job)

    def _job(self) -> None:
        """On the worker thread: the proof that it still takes work."""
        if not self._stop.is_set():
            self._ping()
        self._ran.set()
