"""What the call display shows: pure state, fed by hub messages.

Several calls arriving together are shown one after another, each
highlighted for ``highlight_s``. The highlights waiting are bounded, so a
burst never leaves the screen minutes behind the hall: a waiting highlight of
a counter that has called again since is superseded by the newer call, and
beyond ``MAX_BEHIND_S`` of waiting highlights the oldest is dropped. A dropped
highlight loses nothing else: the call goes into the list of latest calls at
once (below the call on the panel) and the announcer (its own queue) still
says every call. The display can be limited to some zones or agencies (a
large MPP has one display per floor).

The big panel and the list of latest calls always agree: the first row of
the list is the call on the panel. A call enters the top of the list when it
comes on the panel, not when it arrives — the panel showed A-001 while the
list already began with A-008. Rows are one per counter, newest first.
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

    def _known(self, call: CallEvent) -> bool:
        """Already on screen or waiting for the panel (the retained list repeats calls)."""
        event_id = call.event_id
        return any(c.event_id == event_id for c in self.recent) or any(
            c.event_id == event_id for c in self.pending
        )

    def add_call(self, call: CallEvent) -> bool:
        """A new call to highlight (after those already waiting); False if filtered out."""
        if not self.wants(call):
            return False
        if self._known(call):
            return True
        superseded = [c for c in self.pending if c.counter == call.counter]
        for old in superseded:
            self.pending.remove(old)
        self.pending.append(call)
        while len(self.pending) > self.max_pending:
            self._behind(self.pending.popleft())
        return True

    @property
    def max_pending(self) -> int:
        """Highlights that may wait: MAX_BEHIND_S of screen time, at least one."""
        return max(1, int(MAX_BEHIND_S // self.highlight_s)) if self.highlight_s > 0 else 1

    def restore(self, calls: list[CallEvent]) -> None:
        """The retained latest calls: after a (re)start shown at once, not highlighted.

        The retained list comes again after every call and reconnect. Calls it
        holds that this display has not seen (missed while the link was down)
        newer than the panel are highlighted like live ones; older ones join
        the list below the panel.
        """
        for call in sorted(calls, key=lambda c: c.seq):
            if not self.wants(call) or self._known(call):
                continue
            if self.now_calling is None and not self.pending:
                self._remember(call, top=True)
            elif call.seq > self._newest_seq():
                self.add_call(call)
            else:
                self._behind(call)
        if self.now_calling is None and self.recent:
            self.now_calling = self.recent[0]

    def _newest_seq(self) -> int:
        return max((c.seq for c in (*self.recent, *self.pending)), default=-1)

    def _behind(self, call: CallEvent) -> None:
        """A call that never gets the panel: into the list by age, never above the panel."""
        self._remember(call, top=False)

    def _remember(self, call: CallEvent, top: bool) -> None:
        older = [c for c in self.recent if c.counter == call.counter and c.seq >= call.seq]
        if older and not top:
            return  # this counter has called again since: its row shows the newer call
        if (
            not top
            and self.now_calling is not None
            and self.now_calling.counter == call.counter
            and self.recent
            and self.recent[0] is self.now_calling
        ):
            # The panel's counter called again and that call lost its highlight: the
            # panel takes the newer call (without a new highlight) so both still agree.
            self.now_calling = call
            self.recent[0] = call
            return
        others = [c for c in self.recent if c.counter != call.counter]
        if top:
            head, rest = [call], others
        else:
            on_panel = bool(others) and others[0] is self.now_calling
            head = others[:1] if on_panel else []
            rest = [*others[len(head) :], call]
        rest.sort(key=lambda c: c.seq, reverse=True)
        self.recent = [*head, *rest][:MAX_RECENT]

    def tick(self, now: float) -> CallEvent | None:
        """Advance the highlight; returns a call that just came on screen."""
        if self.pending and now >= self.highlight_until:
            self.now_calling = self.pending.popleft()
            self._remember(self.now_calling, top=True)
            self.highlight_until = now + self.highlight_s
            return self.now_calling
        return None

    def highlighted(self, now: float) -> bool:
        return self.now_calling is not None and now < self.highlight_until

    def waiting_by_code(self) -> list[tuple[str, int]]:
        """(agency code, people waiting) per agency shown, in the catalogue's order."""
        if self.catalogue is None:
            return []
        totals: dict[str, int] = {}
        for service in self.catalogue.services:
            status = self.services.get(service.code)
            if status is not None:
                totals[service.agency] = totals.get(service.agency, 0) + status.waiting
        shown = [a for a in totals if not self.agencies or a in self.agencies]
        return [(code, totals[code]) for code in shown]
