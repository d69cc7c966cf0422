"""Dispatch policies: pluggable objects choosing the next ticket for a counter.

The MPP policy, in order (docs/dispatch.md gives the rationale):

0. **Priority guarantee** — a priority ticket that has waited
   ``priority_max_wait_minutes`` is called next by any counter that can serve
   it (primary or secondary), the longest-waiting first, whatever the
   priority rule below. It bounds priority waits without a separate lane:
   regular citizens lose only the calls that the guarantee takes.
1. **Appointments due** — a checked-in booking whose slot has come (from
   ``early`` minutes before it) is called first, earliest slot first. A
   citizen who checked in more than ``late`` minutes after the slot has lost
   it and queues as a walk-in.
2. **Overdue services** — if ``overdue_first``, a service whose oldest
   ticket has waited at least ``overdue_factor`` × its target is served
   before the others (primary or secondary alike): the pool becomes the
   tickets of the overdue services. The priority rule still applies inside
   it, so a queue running late does not push priority citizens back.
3. **Primary before secondary** — otherwise, only when none of the
   counter's primary services has a waiting ticket does it help with its
   secondary services.
4. **Priority rule** (per site) picks the category: ``strict`` (prioritas
   always first), ``ratio`` (after R regular calls, P priority calls),
   ``alternate`` (ratio 1:1), ``weighted_aging`` (no separate lanes; a
   priority ticket ages ``priority_weight`` times faster), ``none``. Under
   ``ratio`` and ``alternate`` a priority ticket that is older than the
   oldest regular one is also called: the rule only ever moves priority
   citizens forward, never behind people who came after them.
5. **Aging** — within the chosen pool and category, the ticket with the
   largest wait / target goes first, so a service with a tight target is not
   starved by a slow one; equal scores go by queue order. The wait counts
   from when the ticket joined its current service: a transferred ticket
   keeps its place in line, but the time it spent at its first agency does
   not make it "overdue" on arrival.

Every choice depends only on the candidates, the counter's recent calls and
``now``, so it is deterministic for a given event order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hub.site.schema import CategoryCode, DispatchSettings, PriorityRule


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it."""

    ticket_id: str
    service: str
    category: CategoryCode
    order: int
    queued_at: datetime
    target_minutes: int
    primary: bool
    appointment_at: datetime | None = None
    checked_in_at: datetime | None = None
    joined_at: datetime | None = None  # when it joined this service (a transfer: later)

    def waited_minutes(self, now: datetime) -> float:
        return max(0.0, (now - self.queued_at).total_seconds() / 60)

    def aging(self, now: datetime) -> float:
        """Wait at this service relative to its target (1.0 = at target)."""
        since = self.joined_at or self.queued_at
        return max(0.0, (now - since).total_seconds() / 60) / self.target_minutes


@dataclass(frozen=True)
class CounterHistory:
    """What the counter called recently, for ratio rules."""

    regular_since_priority: int = 0
    priority_in_row: int = 0


class DispatchPolicy(Protocol):
    name: str

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        """The ticket to call, or ``None`` when there is none."""
        ...


class FifoPolicy:
    """Baseline: oldest ticket first across the counter's services; no priorities."""

    name = "fifo"

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        return min(candidates, key=lambda c: c.order, default=None)


class MppPolicy:
    """The MPP policy described in the module docstring."""

    name = "mpp"

    def __init__(self, settings: DispatchSettings) -> None:
        self.settings = settings

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        if not candidates:
            return None
        guaranteed = self._priority_guarantee(candidates, now)
        if guaranteed is not None:
            return guaranteed
        due = [c for c in candidates if self.appointment_due(c, now)]
        if due:
            return min(due, key=lambda c: (c.appointment_at, c.order))
        pool = self._overdue_services(candidates, now) if self.settings.overdue_first else []
        if not pool:
            pool = [c for c in candidates if c.primary] or list(candidates)
        return self._by_priority_rule(pool, history, now)

    def _priority_guarantee(
        self, candidates: Sequence[Candidate], now: datetime
    ) -> Candidate | None:
        limit = self.settings.priority_max_wait_minutes
        if limit is None:
            return None
        late = [
            c
            for c in candidates
            if c.category is CategoryCode.PRIORITY and c.waited_minutes(now) >= limit
        ]
        return min(late, key=lambda c: c.order, default=None)

    def _overdue_services(self, candidates: Sequence[Candidate], now: datetime) -> list[Candidate]:
        late = {c.service for c in candidates if c.aging(now) >= self.settings.overdue_factor}
        return [c for c in candidates if c.service in late]

    def appointment_due(self, candidate: Candidate, now: datetime) -> bool:
        """A checked-in booking on time for its slot, whose window has opened."""
        slot, arrived = candidate.appointment_at, candidate.checked_in_at
        if slot is None or arrived is None:
            return False
        on_time = arrived <= slot + timedelta(minutes=self.settings.appointment_late_minutes)
        window_open = now >= slot - timedelta(minutes=self.settings.appointment_early_minutes)
        return on_time and window_open

    def _by_priority_rule(
        self, pool: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate:
        rule = self.settings.priority_rule
        if rule is PriorityRule.NONE:
            return self._oldest_relative(pool, now)
        if rule is PriorityRule.WEIGHTED_AGING:
            weight = self.settings.priority_weight
            return max(
                pool,
                key=lambda c: (
                    c.aging(now) * (weight if c.category is CategoryCode.PRIORITY else 1.0),
                    -c.order,
                ),
            )
        priority = [c for c in pool if c.category is CategoryCode.PRIORITY]
        regular = [c for c in pool if c.category is not CategoryCode.PRIORITY]
        if not priority or not regular:
            return self._oldest_relative(priority or regular, now)
        if rule is PriorityRule.STRICT:
            return self._oldest_relative(priority, now)
        regular_turns, priority_turns = (
            (1, 1)
            if rule is PriorityRule.ALTERNATE
            else (self.settings.ratio_regular, self.settings.ratio_priority)
        )
        priority_due = (
            history.regular_since_priority >= regular_turns
            or 0 < history.priority_in_row < priority_turns
            or min(c.order for c in priority) < min(c.order for c in regular)
        )
        return self._oldest_relative(priority if priority_due else regular, now)

    @staticmethod
    def _oldest_relative(pool: Sequence[Candidate], now: datetime) -> Candidate:
        """The service furthest behind its target goes first, and in it the first in line.

        A service's lateness is its most-aged ticket's; within the service,
        queue order decides, so a transferred ticket keeps its place.
        """
        late: dict[str, float] = {}
        for c in pool:
            late[c.service] = max(late.get(c.service, 0.0), c.aging(now))
        return max(pool, key=lambda c: (late[c.service], -c.order))


def policy_for(settings: DispatchSettings) -> DispatchPolicy:
    return FifoPolicy() if settings.policy == "fifo" else MppPolicy(settings)
