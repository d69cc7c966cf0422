"""Telling systemd how the hub is: readiness, status and a watchdog that means something.

``Type=notify`` units learn that a service is ready, and ``WatchdogSec=``
units that it is still alive, from datagrams sent to ``$NOTIFY_SOCKET``
(sd_notify(3)). The protocol is one datagram of ``KEY=value`` lines to a Unix
socket, so it is spoken here in a few lines rather than through a library.
Without ``NOTIFY_SOCKET`` (a terminal, a test, another init) nothing is sent.

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
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]


class Notifier:
    """Sends sd_notify messages to one socket; does nothing without one."""

    def __init__(self, address: str | None, watchdog_s: float | None = None) -> None:
        self.address = address
        self.watchdog_s = watchdog_s  # systemd's WatchdogSec for this process, if any
        self._failing = False
        self._ready = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """``NOTIFY_SOCKET`` and ``WATCHDOG_USEC`` as systemd sets them for this process.

        ``WATCHDOG_PID`` names the process the watchdog is meant for; a child that
        inherited it (a shell, a test runner) must not ping for its parent.
        """
        env = os.environ if environ is None else environ
        watchdog_s = None
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            watchdog_s = int(usec) / 1_000_000
        return cls(env.get("NOTIFY_SOCKET") or None, watchdog_s)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *lines: str) -> bool:
        """One datagram of ``KEY=value`` lines; whether it was sent.

        A failure is logged once (until a send works again), never raised: the
        hub serves the building whether or not systemd listens.
        """
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(target)
                sock.sendall("\n".join(lines).encode("utf-8"))
        except OSError as error:
            if not self._failing:
                self._failing = True
                log.warning("cannot notify systemd at %s: %s", self.address, error)
            return False
        self._failing = False
        return True

    def ready(self, status: str) -> bool:
        self._ready = True
        return self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> bool:
        return self.send(f"STATUS={status}")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def ping(self) -> bool:
        if self._ready or self.watchdog_s is None:
            return self.send("WATCHDOG=1")
        return self.send("WATCHDOG=1", f"EXTEND_TIMEOUT_USEC={int(self.watchdog_s * 1e6)}")


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
