"""Baseline dispatch policies the MPP policy is judged against (not offered to sites)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from datetime import datetime

from hub.dispatch.policy import Candidate, CounterHistory, MppPolicy
from hub.site.schema import CategoryCode, DispatchSettings


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


class FifoGuaranteesPolicy:
    """FIFO with exactly the guarantees the issue asks for and nothing else: an
    appointment whose slot has come is called first (the MPP policy's own rule), then
    priority citizens first, then everyone else in order of arrival. The MPP policy's
    regular mean against this one is what its other rules (targets, aging, primary
    before secondary, the ratio) cost or save regular citizens; against plain FIFO, the
    difference is the price of the priority and booking guarantees (conservation of
    work: what is served earlier for some is waited longer by others)."""

    name = "fifo_guarantees"

    def __init__(self, settings: DispatchSettings) -> None:
        self.mpp = MppPolicy(settings)

    def choose(
        self, candidates: Sequence[Candidate], history: CounterHistory, now: datetime
    ) -> Candidate | None:
        due = [c for c in candidates if self.mpp.appointment_due(c, now)]
        if due:
            return min(due, key=lambda c: (c.appointment_at, c.order))
        return min(
            candidates,
            key=lambda c: (c.category is not CategoryCode.PRIORITY, c.order),
            default=None,
        )
