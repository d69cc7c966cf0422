"""Baseline dispatch policies the MPP policy is judged against (not offered to sites)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from datetime import datetime

from hub.dispatch.policy import Candidate, CounterHistory
from hub.site.schema import CategoryCode


class LongestQueuePolicy:
    """The smarter baseline for shared skills: the counter serves the service with the
    most citizens waiting among those it may serve (the dual of join-the-shortest-queue),
    oldest first; no categories, no targets."""

    name = "longest_queue"

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        if not candidates:
            return None
        sizes = Tally(c.service for c in candidates)
        return min(candidates, key=lambda c: (-sizes[c.service], c.order))


class FifoPriorityPolicy:
    """FIFO with priority citizens first: isolates what serving priority citizens costs
    regular ones (the conservation of work) from what the MPP policy's other rules cost."""

    name = "fifo_priority"

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        return min(
            candidates,
            key=lambda c: (c.category is not CategoryCode.PRIORITY, c.order),
            default=None,
        )
