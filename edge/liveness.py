"""systemd's watchdog for a device agent: pings only while the agent's own loop turns.

A timer thread that pinged by itself would keep a frozen kiosk "alive"
forever. Instead every agent's main loop (the counter's event loop, the
kiosk's and display's frame loops, the running text's scroll loop) calls
:meth:`LoopBeat.beat` on each turn, and :class:`AgentWatchdog` pings systemd
(``WATCHDOG=1``) only when the loop has turned since its last look. A loop
stuck on a dead printer, a wedged driver or a deadlock stops the pings and
systemd restarts the service after ``WatchdogSec=``.

The agent says ``READY=1`` once its hardware is open and its loop runs, not
when the broker answers: a device with no hub must still start and show
that it is offline. ``STATUS=`` tells ``systemctl status`` whether the
broker is reachable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from protocol.sdnotify import Notifier

log = logging.getLogger(__name__)


class LoopBeat:
    """Counts the turns of one loop; the loop's thread calls :meth:`beat` once per turn."""

    def __init__(self) -> None:
        self.turns = 0
        self._hang = threading.Event()

    def beat(self) -> None:
        if self._hang.is_set():
            log.warning("loop hangs on request (simulation)")
            threading.Event().wait()  # never returns: the hung loop of a test
        self.turns += 1

    def hang(self) -> None:
        """Make the loop block at its next turn, for good (simulated devices only:
        how a test proves that a hung loop stops the watchdog pings)."""
        self._hang.set()


class AgentNotifier(Notifier):
    """An agent's notifier: its failures are logged as the agent's."""

    log = log


class AgentWatchdog:
    """Pings systemd every half ``WatchdogSec`` while ``beat`` moves; says how the link is."""

    def __init__(
        self, notifier: Notifier, beat: LoopBeat, connected: Callable[[], bool], where: str
    ) -> None:
        self.notifier = notifier
        self.beat = beat
        self.connected = connected
        self.where = where
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agent-watchdog", daemon=True)
        self._online: bool | None = None

    def start(self, description: str) -> None:
        """``READY=1`` now; pings from a thread of its own if the unit has a watchdog."""
        self.notifier.ready(f"{description}; {self._link_status()}")
        if self.notifier.enabled:
            self._thread.start()

    def stop(self) -> None:
        self.notifier.stopping()
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1)

    def _link_status(self) -> str:
        self._online = self.connected()
        return f"broker {self.where} {'connected' if self._online else 'unreachable'}"

    def _run(self) -> None:
        every = self.notifier.watchdog_s / 2 if self.notifier.watchdog_s else 5.0
        seen = self.beat.turns
        stuck = False
        while not self._stop.wait(every):
            turns = self.beat.turns
            if turns != seen:
                seen, stuck = turns, False
                if self.notifier.watchdog_s is not None:
                    self.notifier.ping()
            elif not stuck:
                stuck = True
                log.error("main loop has not turned for %.1f s: no watchdog ping", every)
            if self.connected() != self._online:
                self.notifier.status(self._link_status())
