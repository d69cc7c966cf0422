"""Learning device clock offsets from message timestamps (hub/clock_offsets.py).

Each example builds a device whose clock is ``offset`` seconds off the hub's,
sends messages that take up to ``JITTER`` seconds to arrive, and checks how
old the hub judges a press to be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hub.clock_offsets import KEEP, MAX_SAMPLES, WINDOW_S, ClockOffsets

JITTER = 0.05
# A press's age comes from two stamps (the offset's sample and the press), each
# rounded by datetime to the microsecond: up to 1 µs apart from the float truth,
# plus float error. Hypothesis found an age 1.07 µs over a 1 µs allowance.
ROUNDING = 2e-6
EPOCH = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # the hub's steady clock reads 0 here
DAY = 86_400.0

offsets = st.floats(min_value=-DAY, max_value=DAY, allow_nan=False)
latencies = st.floats(min_value=0.0, max_value=JITTER, allow_nan=False)
gaps = st.floats(min_value=0.0, max_value=40.0, allow_nan=False)


def stamp(hub_time: float, offset: float) -> datetime:
    """What a device ``offset`` seconds off stamps at ``hub_time`` on the hub's clock."""
    return EPOCH + timedelta(seconds=hub_time + offset)


class Device:
    """A device's messages as the hub receives them."""

    def __init__(self, offsets: ClockOffsets, offset: float) -> None:
        self.offsets = offsets
        self.offset = offset
        self.now = 1000.0  # hub steady seconds

    def send(self, latency: float, delay: float = 0.0) -> None:
        """A message made ``delay`` s before it was sent, arriving ``latency`` s later."""
        made = self.now - delay
        self.offsets.observe("counter-01", stamp(made, self.offset), self.now + latency)

    def judge(self, delay: float, latency: float) -> float | None:
        """The age the hub gives a press made ``delay`` s ago, arriving after ``latency``."""
        made = self.now - delay
        return self.offsets.age("counter-01", stamp(made, self.offset), self.now + latency)


@given(
    offset=offsets,
    fresh=st.lists(st.tuples(gaps, latencies), min_size=1, max_size=12),
    delay=st.floats(min_value=0.0, max_value=600.0),
    latency=latencies,
)
def test_a_press_is_as_old_as_its_delay_whatever_the_clock(
    offset: float, fresh: list[tuple[float, float]], delay: float, latency: float
) -> None:
    device = Device(ClockOffsets(), offset)
    for gap, lat in fresh:
        device.now += gap
        device.send(lat)
    device.now += 1.0
    age = device.judge(delay, latency)
    assert age is not None
    assert delay - JITTER - ROUNDING <= age <= delay + JITTER + ROUNDING


@given(
    offset=offsets,
    fresh=st.lists(st.tuples(gaps, latencies), min_size=1, max_size=12),
    late_at=st.integers(min_value=0, max_value=12),
    held=st.floats(min_value=0.0, max_value=DAY),
    delay=st.floats(min_value=0.0, max_value=600.0),
)
def test_one_delayed_message_does_not_move_the_judgement(
    offset: float, fresh: list[tuple[float, float]], late_at: int, held: float, delay: float
) -> None:
    """A message held back for up to a day among fresh ones: a later press is still
    judged by its own delay (to within the delivery jitter)."""
    device = Device(ClockOffsets(), offset)
    for index, (gap, lat) in enumerate(fresh):
        device.now += gap
        if index == min(late_at, len(fresh) - 1):
            device.send(0.0, delay=held)
        device.send(lat)
    device.now += 1.0
    age = device.judge(delay, 0.0)
    assert age is not None
    assert delay - JITTER - ROUNDING <= age <= delay + JITTER + ROUNDING


def test_nothing_learned_means_no_judgement() -> None:
    offsets = ClockOffsets()
    assert offsets.age("counter-01", EPOCH, 0.0) is None
    assert not offsets.known("counter-01")


def test_a_new_session_forgets_the_old_clock() -> None:
    offsets = ClockOffsets()
    device = Device(offsets, offset=-7200.0)
    assert not offsets.new_session("counter-01", 1)
    device.send(0.0)
    assert not offsets.new_session("counter-01", 1), "the same session keeps what it taught"
    assert offsets.known("counter-01")
    assert offsets.new_session("counter-01", 2)
    assert not offsets.known("counter-01")
    device.offset = 0.0  # restarted with its clock right
    device.send(0.0)
    assert device.judge(delay=3.0, latency=0.0) == 3.0


def test_a_kept_birth_names_the_session_the_hub_already_learned_from() -> None:
    """The hub restarted: a unit's press may reach it before the broker hands it the
    unit's retained birth. That press came over the same connection; it stays learned."""
    offsets = ClockOffsets()
    device = Device(offsets, offset=360.0)
    device.send(0.0)
    assert not offsets.new_session("counter-01", 5, just_connected=False)
    assert offsets.known("counter-01")
    assert offsets.new_session("counter-01", 6, just_connected=False), "reconnected meanwhile"
    assert not offsets.known("counter-01")


def test_a_live_birth_after_unsessioned_learning_starts_over() -> None:
    offsets = ClockOffsets()
    Device(offsets, offset=360.0).send(0.0)
    assert offsets.new_session("counter-01", 5, just_connected=True)
    assert not offsets.known("counter-01")


def test_a_clock_stepping_forward_is_followed_at_once() -> None:
    device = Device(ClockOffsets(), offset=-3600.0)  # booted on an old saved time
    device.send(0.01)
    device.offset = 0.0  # synced
    device.now += 30
    device.send(0.01)
    device.now += 1
    assert device.judge(delay=0.0, latency=0.01) == 0.0
    assert device.judge(delay=20.0, latency=0.01) == 20.0


def test_a_clock_stepping_back_is_learned_again_within_the_window() -> None:
    """Fresh presses look late right after the step, and are judged right again once
    enough newer messages span the window (counters beat every 30 s)."""
    device = Device(ClockOffsets(), offset=600.0)
    device.send(0.0)
    device.offset = 0.0  # stepped back ten minutes
    device.now += 1
    device.send(0.0)
    assert device.judge(delay=0.0, latency=0.0) == 600.0
    beats = 0
    while device.judge(delay=0.0, latency=0.0) != 0.0:
        device.now += 30
        device.send(0.0)
        beats += 1
        assert beats < 20, "never re-learned"
    assert beats * 30 >= WINDOW_S
    assert beats <= WINDOW_S / 30 + KEEP


def test_memory_per_device_is_bounded() -> None:
    offsets = ClockOffsets()
    device = Device(offsets, offset=0.0)
    for _ in range(10 * MAX_SAMPLES):
        device.send(0.0)
    assert len(offsets._devices["counter-01"].samples) <= MAX_SAMPLES
