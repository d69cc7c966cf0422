"""How far each device's clock is from the hub's, learned from what it sends.

Device clocks cannot be trusted: a Pi has no battery clock, boots on the time
it last saved and may run for minutes before it syncs. So the hub judges
"how old is this press?" without believing the device's clock, only its
*rate*: for every message it notes its lag, the hub's steady time on receipt
minus the device's timestamp. The lag of one message is the device's clock
offset plus how long that message took; the smallest lag over a recent window
is the offset plus the fastest delivery. A message's age is then its own lag
minus that smallest lag — the time it spent on the way beyond the fastest
message (queued in a client through a broker outage, retried, held back).

Why the minimum: a delayed message only ever has a *larger* lag, so no
single late message can move the estimate. A message with a smaller lag
means the device's clock stepped forward (it synced after boot), and the
estimate follows at once. A backward step shows as a run of larger lags;
the old minimum is dropped once at least :data:`KEEP` newer samples span
:data:`WINDOW_S`, so such a device is re-learned within a few heartbeats.
A new connection session (a restart, perhaps with a new clock) starts over.

Times are plain seconds: ``received`` on the hub's steady clock, device
stamps as POSIX seconds. Nothing here knows MQTT or the queue.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

WINDOW_S = 120.0  # how long a small lag is remembered once newer samples exist
KEEP = 3  # an old sample goes only when at least this many newer ones span the window
MAX_SAMPLES = 64  # per device: memory stays bounded whatever a device sends


@dataclass(frozen=True)
class Sample:
    received: float  # the hub's steady clock on receipt, seconds
    lag: float  # received minus the device's timestamp, seconds


@dataclass
class DeviceClock:
    """What the hub has learned about one device's clock in its current session."""

    session: int | None = None
    samples: deque[Sample] = field(default_factory=lambda: deque(maxlen=MAX_SAMPLES))

    def add(self, sample: Sample, window_s: float, keep: int) -> None:
        self.samples.append(sample)
        newest = max(s.received for s in self.samples)
        cutoff = newest - window_s
        recent = sum(s.received >= cutoff for s in self.samples)
        if recent >= keep:
            kept = [s for s in self.samples if s.received >= cutoff]
            self.samples.clear()
            self.samples.extend(kept)

    def baseline(self) -> float | None:
        """The smallest lag seen: clock offset plus the fastest delivery."""
        return min((s.lag for s in self.samples), default=None)


class ClockOffsets:
    """Per-device clock offsets, learned from message timestamps against receipt."""

    def __init__(self, window_s: float = WINDOW_S, keep: int = KEEP) -> None:
        self.window_s = window_s
        self.keep = keep
        self._devices: dict[str, DeviceClock] = {}

    def new_session(self, device: str, session: int, just_connected: bool = True) -> bool:
        """Note the device's connection session; a different one forgets what was learned.

        A birth the broker kept (``just_connected=False``, delivered when the
        hub subscribes) names the connection the device is on now: whatever
        the hub learned before it knew any session came over that connection,
        and is kept. Returns whether anything was forgotten.
        """
        clock = self._devices.setdefault(device, DeviceClock())
        if clock.session == session:
            return False
        first = clock.session is None
        clock.session = session
        if first and not just_connected:
            return False
        changed = not first or bool(clock.samples)
        clock.samples.clear()
        return changed

    def observe(self, device: str, stamp: datetime, received: float) -> None:
        """Learn from one message the device stamped ``stamp``, received at ``received``."""
        clock = self._devices.setdefault(device, DeviceClock())
        clock.add(Sample(received, received - stamp.timestamp()), self.window_s, self.keep)

    def age(self, device: str, stamp: datetime, received: float) -> float | None:
        """Seconds since the device stamped ``stamp``, by the hub's judgement.

        ``None`` when nothing has been learned about this device's clock yet.
        Never negative: a message faster than any before is simply fresh.
        """
        clock = self._devices.get(device)
        baseline = clock.baseline() if clock is not None else None
        if baseline is None:
            return None
        return max(0.0, received - stamp.timestamp() - baseline)

    def offset(self, device: str, wall_now: float, steady_now: float) -> float | None:
        """Device clock minus hub clock in seconds (plus the fastest delivery), or None.

        The baseline lag is steady receipt minus device stamp; the hub's wall
        clock at a steady instant ``r`` is ``r + wall_now - steady_now``.
        """
        clock = self._devices.get(device)
        baseline = clock.baseline() if clock is not None else None
        if baseline is None:
            return None
        return -(baseline + wall_now - steady_now)

    def known(self, device: str) -> bool:
        clock = self._devices.get(device)
        return clock is not None and bool(clock.samples)
