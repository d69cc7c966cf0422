"""What a newcomer watching the demo reads: each call as the hall hears it, and a
summary line every minute (waiting per agency, counters open, served so far).

It listens like the admin console will: the admin account, retained state and
call events, no polling of the hub.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from hub.site.schema import Site
from protocol.codec import Decoded
from protocol.link import LinkSettings, MqttLink
from protocol.models import CallEvent, CounterState, CounterStatus, ServiceStatus
from protocol.topics import spec

log = logging.getLogger("mpp.demo")
SUMMARY_EVERY_S = 60.0


class Monitor:
    def __init__(self, site: Site, settings: LinkSettings, served: Callable[[], int]) -> None:
        self.site = site
        self.served = served
        self.waiting: dict[str, int] = {}
        self.counters: dict[int, CounterState] = {}
        self.calls = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.link = MqttLink(settings)
        self.link.subscribe(spec("event.call"), self._call)
        self.link.subscribe(spec("state.service"), self._state)
        self.link.subscribe(spec("state.counter"), self._state)
        self._thread = threading.Thread(target=self._summaries, name="summary", daemon=True)

    def start(self) -> None:
        self.link.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)
        self.link.stop()

    def _call(self, decoded: Decoded, _properties: Any) -> None:
        call = decoded.message
        assert isinstance(call, CallEvent)
        with self._lock:
            self.calls += 1
        again = ", again" if call.recall else ""
        log.info("called %s to %s (%s%s)", call.number, call.counter_name, call.agency_name, again)

    def _state(self, decoded: Decoded, _properties: Any) -> None:
        message = decoded.message
        with self._lock:
            if isinstance(message, ServiceStatus):
                self.waiting[message.service] = message.waiting
            elif isinstance(message, CounterStatus):
                self.counters[message.counter] = message.state

    def summary(self) -> str:
        """``waiting: Dukcapil 12, Polres 3 · counters open 8 of 22 · served 41 · calls 57``."""
        by_agency: Counter[str] = Counter()
        with self._lock:
            for code, waiting in self.waiting.items():
                by_agency[self.site.service(code).agency] += waiting
            open_now = sum(s is not CounterState.CLOSED for s in self.counters.values())
            calls = self.calls
        queues = ", ".join(f"{a} {n}" for a, n in by_agency.most_common() if n) or "nobody"
        return (
            f"waiting: {queues} · counters open {open_now} of {len(self.site.counters)} · "
            f"served {self.served()} · calls {calls}"
        )

    def _summaries(self) -> None:
        while not self._stop.wait(SUMMARY_EVERY_S):
            log.info("%s", self.summary())
