"""The queue between a link's network thread and its one worker thread.

:class:`FifoInbox` is what every device uses: one unbounded first-in,
first-out queue, since a device hears only the hub.

:class:`FairInbox` is the hub's: it hears every device, and one device
sending thousands of messages must not make the others wait behind them.
Each sender (the device id or admin account in the topic, which the broker's
ACL ties to the credential) has its own bounded lanes, served in turn:

* valid messages of all senders, and the link's own jobs (ticks,
  publications), round-robin, one job per sender per turn;
* invalid messages (they broke the contract) only when no valid one waits.

A message for a full lane is dropped: it was acknowledged to the broker, so
the sender's retry (same command id) is what gets it through. Drops are
counted per sender for whoever reports on floods
(:meth:`FairInbox.take_dropped`), and the first drop of a sender is told to
``on_overflow`` (once, until :meth:`FairInbox.rearm`). Such a sender sends
faster than it is served, so the broker's queue for this client fills with
its messages too, ahead of everyone's; only no longer subscribing to its
topics stops that.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter, deque
from collections.abc import Callable
from typing import Protocol

from protocol.errors import ContractError
from protocol.topics import SELF_PARAMETERS, resolve

Job = Callable[[], None]

# Per sender: a device waits for each reply, so a few valid messages in
# flight is normal; invalid ones only need to be sampled.
VALID_PER_SENDER = 64
INVALID_PER_SENDER = 32


class Inbox(Protocol):
    """What :class:`protocol.link.MqttLink` needs from its inbox."""

    def lane_of(self, topic: str) -> str | None:
        """The sender a message on ``topic`` is queued under (``None``: no sender)."""
        ...

    def admits(self, sender: str | None) -> bool:
        """Whether a message of ``sender`` may be queued now; checked before decoding,
        so a flood beyond the bound costs no parsing (a refusal counts as a drop)."""
        ...

    def put(self, job: Job, sender: str | None = None, valid: bool = True) -> bool:
        """Queue ``job``; ``False`` if it was dropped."""
        ...

    def get(self) -> Job | None:
        """The next job, waiting for one; ``None`` once closed."""
        ...

    def close(self) -> None:
        """Make :meth:`get` return ``None`` (after the queued jobs, for a FIFO)."""
        ...


class FifoInbox:
    """One unbounded first-in, first-out queue (devices)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Job | None] = queue.Queue()

    def lane_of(self, topic: str) -> str | None:
        return None

    def admits(self, sender: str | None) -> bool:
        return True

    def put(self, job: Job, sender: str | None = None, valid: bool = True) -> bool:
        self._queue.put(job)
        return True

    def get(self) -> Job | None:
        return self._queue.get()

    def close(self) -> None:
        self._queue.put(None)


def sender_of(topic: str) -> str | None:
    """The device id or admin account a topic names as its publisher, if any."""
    try:
        params = resolve(topic)[1]
    except ContractError:
        return None
    for name in SELF_PARAMETERS:
        if name in params:
            return params[name]
    return None


class _Tier:
    """Lanes served round-robin: one job per lane per turn."""

    def __init__(self, bound: int | None) -> None:
        self.bound = bound
        self.lanes: dict[str | None, deque[Job]] = {}
        self.turns: deque[str | None] = deque()

    def has_room(self, sender: str | None) -> bool:
        lane = self.lanes.get(sender)
        return self.bound is None or sender is None or lane is None or len(lane) < self.bound

    def put(self, job: Job, sender: str | None) -> None:
        lane = self.lanes.setdefault(sender, deque())
        if not lane:
            self.turns.append(sender)
        lane.append(job)

    def pop(self) -> Job | None:
        if not self.turns:
            return None
        sender = self.turns.popleft()
        lane = self.lanes[sender]
        job = lane.popleft()
        if lane:
            self.turns.append(sender)
        else:
            del self.lanes[sender]
        return job


class FairInbox:
    """Bounded lanes per sender, served in turn, valid messages first (the hub)."""

    def __init__(
        self,
        valid_per_sender: int = VALID_PER_SENDER,
        invalid_per_sender: int = INVALID_PER_SENDER,
        on_overflow: Callable[[str], None] | None = None,
    ) -> None:
        self._valid = _Tier(valid_per_sender)
        self._invalid = _Tier(invalid_per_sender)
        self._changed = threading.Condition()
        self._closed = False
        self._dropped: Counter[str] = Counter()
        self._overflowed: set[str] = set()
        self.on_overflow = on_overflow

    def lane_of(self, topic: str) -> str | None:
        return sender_of(topic)

    def admits(self, sender: str | None) -> bool:
        with self._changed:
            if self._valid.has_room(sender) or self._invalid.has_room(sender):
                return True
        self._drop(sender)
        return False

    def put(self, job: Job, sender: str | None = None, valid: bool = True) -> bool:
        tier = self._valid if valid else self._invalid
        with self._changed:
            if self._closed:
                return False
            if tier.has_room(sender):
                tier.put(job, sender)
                self._changed.notify()
                return True
        self._drop(sender)
        return False

    def _drop(self, sender: str | None) -> None:
        name = sender or "?"
        with self._changed:
            self._dropped[name] += 1
            first = name not in self._overflowed
            self._overflowed.add(name)
        if first and sender is not None and self.on_overflow is not None:
            self.on_overflow(sender)

    def rearm(self, sender: str) -> None:
        """Tell ``on_overflow`` about ``sender``'s next drop again."""
        with self._changed:
            self._overflowed.discard(sender)

    def get(self) -> Job | None:
        with self._changed:
            while True:
                if self._closed:
                    return None
                job = self._valid.pop() or self._invalid.pop()
                if job is not None:
                    return job
                self._changed.wait()

    def close(self) -> None:
        """Stop at once: what is still queued is dropped, as in a crash (devices retry)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def take_dropped(self) -> dict[str, int]:
        """Messages dropped per sender since the last call (full lanes)."""
        with self._changed:
            dropped = dict(self._dropped)
            self._dropped.clear()
            return dropped

    def waiting(self) -> int:
        with self._changed:
            tiers = (self._valid, self._invalid)
            return sum(len(lane) for tier in tiers for lane in tier.lanes.values())
