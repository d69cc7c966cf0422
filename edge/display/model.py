"""What the call display shows: pure state, fed by hub messages.

Several calls arriving together are shown one after another, each
highlighted for ``highlight_s``. The highlights waiting are bounded, so a
burst never leaves the screen minutes behind the hall: a waiting highlight of
a counter that has called again since is superseded by the newer call, and
beyond ``MAX_BEHIND_S`` of waiting highlights the oldest is dropped. A dropped
highlight loses nothing else: the call is in the list of latest calls at once
and the announcer (its own queue) still says every call. The display can be
limited to some zones or agencies (a large MPP has one display per floor).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from protocol.models import CallEvent, Catalogue, ServiceStatus

MAX_RECENT = 8
MAX_BEHIND_S = 30.0  # waiting highlights at most, in seconds of screen time


@dataclass
class DisplayModel:
    zones: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    highlight_s: float = 6.0
    catalogue: Catalogue | None = None
    services: dict[str, ServiceStatus] = field(default_factory=dict)
    announcements: list[str] = field(default_factory=list)
    hub_online: bool = False
    connected: bool = False  # to the broker; the hub's own presence is hub_online
    recent: list[CallEvent] = field(default_factory=list)
    now_calling: CallEvent | None = None
    highlight_until: float = 0.0
    pending: deque[CallEvent] = field(default_factory=deque)

    @property
    def linked(self) -> bool:
        """Calls can arrive: the broker is reached and the hub is online."""
        return self.connected and self.hub_online

    def wants(self, call: CallEvent) -> bool:
        if self.zones and call.zone not in self.zones:
            return False
        if self.agencies:
            agency = self._agency_of(call.service)
            return agency in self.agencies
        return True

    def _agency_of(self, service: str) -> str | None:
        if self.catalogue is None:
            return None
        return next((s.agency for s in self.catalogue.services if s.code == service), None)

    def add_call(self, call: CallEvent) -> bool:
        """A new call to highlight (after those already waiting); False if filtered out."""
        if not self.wants(call):
            return False
        self._remember(call)
        superseded = [c for c in self.pending if c.counter == call.counter]
        for old in superseded:
            self.pending.remove(old)
        self.pending.append(call)
        while len(self.pending) > self.max_pending:
            self.pending.popleft()
        return True

    @property
    def max_pending(self) -> int:
        """Highlights that may wait: MAX_BEHIND_S of screen time, at least one."""
        return max(1, int(MAX_BEHIND_S // self.highlight_s)) if self.highlight_s > 0 else 1

    def restore(self, calls: list[CallEvent]) -> None:
        """The retained latest calls after a (re)start: shown at once, not highlighted."""
        for call in sorted(calls, key=lambda c: c.seq):
            if self.wants(call):
                self._remember(call)
        if self.now_calling is None and self.recent:
            self.now_calling = self.recent[0]

    def _remember(self, call: CallEvent) -> None:
        self.recent = [c for c in self.recent if c.counter != call.counter]
        self.recent.insert(0, call)
        del self.recent[MAX_RECENT:]

    def tick(self, now: float) -> CallEvent | None:
        """Advance the highlight; returns a call that just came on screen."""
        if self.pending and now >= self.highlight_until:
            self.now_calling = self.pending.popleft()
            self.highlight_until = now + self.highlight_s
            return self.now_calling
        return None

    def highlighted(self, now: float) -> bool:
        return self.now_calling is not None and now < self.highlight_until

    def waiting_by_agency(self) -> list[tuple[str, int]]:
        if self.catalogue is None:
            return []
        totals: dict[str, int] = {}
        for service in self.catalogue.services:
            status = self.services.get(service.code)
            if status is not None:
                totals[service.agency] = totals.get(service.agency, 0) + status.waiting
        names = {a.code: a.short_name for a in self.catalogue.agencies}
        shown = [a for a in totals if not self.agencies or a in self.agencies]
        return [(names.get(code, code), totals[code]) for code in shown]
