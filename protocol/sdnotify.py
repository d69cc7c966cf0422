"""sd_notify(3) in a few lines: how a service tells systemd it is ready and alive.

``Type=notify`` units learn that a service is ready, and ``WatchdogSec=``
units that it is still alive, from datagrams sent to ``$NOTIFY_SOCKET``. The
protocol is one datagram of ``KEY=value`` lines to a Unix socket (``@`` names
an abstract socket), so it is spoken here rather than through a library.
Without ``NOTIFY_SOCKET`` (a terminal, a test, another init) nothing is sent.
Shared by the hub (:mod:`hub.health`) and the device agents (:mod:`edge.liveness`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages to one socket; does nothing without one."""

    log = log  # subclasses log as the service they notify for

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
                self.log.warning("cannot notify systemd at %s: %s", self.address, error)
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
