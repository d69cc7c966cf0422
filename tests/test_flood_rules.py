"""The rules behind the hub's defence against a flooding device, on their own:
the fair inbox (protocol/inbox.py) and the budgets and pauses (hub/flood.py).

The hub process itself is tested against a real broker in test_hub_hostile.py;
these pin the rules down with a hand-turned clock, in milliseconds.
"""

from __future__ import annotations

import logging

import pytest

from hub.flood import FloodGuard, Pauses
from protocol.inbox import FairInbox, FifoInbox, sender_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_senders_are_served_in_turn_and_valid_messages_first() -> None:
    inbox = FairInbox()
    order: list[str] = []

    def put(name: str, sender: str, valid: bool = True) -> None:
        assert inbox.put(lambda: order.append(name), sender, valid)

    for index in range(5):
        put(f"kiosk-01 bad {index}", "kiosk-01", valid=False)
    for index in range(3):
        put(f"kiosk-01 {index}", "kiosk-01")
    put("counter-01 next", "counter-01")
    put("counter-01 finish", "counter-01")
    done = False

    def finish() -> None:
        nonlocal done
        done = True

    inbox.put(finish)
    while not done:
        job = inbox.get()
        assert job is not None
        job()
    while inbox.waiting():
        job = inbox.get()
        assert job is not None
        job()
    assert order == [
        "kiosk-01 0",
        "counter-01 next",
        "kiosk-01 1",
        "counter-01 finish",
        "kiosk-01 2",
        *(f"kiosk-01 bad {index}" for index in range(5)),
    ]


def test_a_full_lane_drops_counts_and_tells_once_until_rearmed() -> None:
    told: list[str] = []
    inbox = FairInbox(valid_per_sender=2, invalid_per_sender=1, on_overflow=told.append)
    assert inbox.admits("kiosk-01")
    assert inbox.put(lambda: None, "kiosk-01")
    assert inbox.put(lambda: None, "kiosk-01")
    assert not inbox.put(lambda: None, "kiosk-01")  # valid lane full
    assert inbox.admits("kiosk-01")  # the invalid lane still has room
    assert inbox.put(lambda: None, "kiosk-01", valid=False)
    assert not inbox.admits("kiosk-01")  # both full: not even decoded
    assert not inbox.admits("kiosk-01")
    assert inbox.put(lambda: None, "counter-01"), "another sender has its own lanes"
    assert inbox.put(lambda: None)  # the link's own jobs are never dropped
    assert told == ["kiosk-01"]
    assert inbox.take_dropped() == {"kiosk-01": 3}
    assert inbox.take_dropped() == {}
    inbox.rearm("kiosk-01")
    assert not inbox.admits("kiosk-01")
    assert told == ["kiosk-01", "kiosk-01"]


def test_closing_drops_what_waits_and_the_fifo_keeps_order() -> None:
    fair = FairInbox()
    fair.put(lambda: None, "kiosk-01")
    fair.close()
    assert fair.get() is None
    assert not fair.put(lambda: None, "kiosk-01")

    fifo = FifoInbox()
    ran: list[int] = []
    for index in range(3):
        fifo.put(lambda index=index: ran.append(index), fifo.lane_of("mpp/x"))
    fifo.close()
    while (job := fifo.get()) is not None:
        job()
    assert ran == [0, 1, 2]


@pytest.mark.parametrize(
    ("topic", "sender"),
    [
        ("mpp/device/kiosk-01/cmd", "kiosk-01"),
        ("mpp/device/kiosk-01/status", "kiosk-01"),
        ("mpp/admin/admin/cmd", "admin"),
        ("mpp/state/calls", None),
        ("not/a/topic", None),
    ],
)
def test_the_sender_is_the_account_in_the_topic(topic: str, sender: str | None) -> None:
    assert sender_of(topic) == sender


def test_rejections_beyond_the_budget_are_counted_not_stored_or_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    guard = FloodGuard(window_s=60, stored_per_window=3, logged_per_window=2, monotonic=clock)
    with caplog.at_level(logging.WARNING, logger="hub.flood"):
        verdicts = [guard.rejected("kiosk-01", "invalid") for _ in range(5)]
        verdicts.append(guard.rejected("kiosk-01", "refused"))
        guard.dropped({"kiosk-01": 10})
        assert guard.rejected("counter-01", "refused").store, "budgets are per sender"
        assert guard.report() == 0, "the window is still open"
        clock.now += 60
        assert guard.report() == 1
    assert [v.store for v in verdicts] == [True] * 3 + [False] * 3
    assert [v.log for v in verdicts] == [True] * 2 + [False] * 4
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "kiosk-01: over 3 rejected messages within 60 s; the rest are answered, "
        "not stored, and counted instead of logged",
        "kiosk-01: 16 messages rejected in the last 60 s (5 invalid, 1 refused, "
        "10 dropped: inbox full); 3 stored, 2 logged one by one",
    ]
    assert guard.rejected("kiosk-01", "invalid").store, "a new window, a new budget"


def test_a_burst_of_rejections_is_a_flood_once_a_second() -> None:
    clock = Clock()
    guard = FloodGuard(monotonic=clock)
    floods = [guard.burst("kiosk-01", limit=5) for _ in range(10)]
    assert floods == [False] * 5 + [True] + [False] * 4
    clock.now += 1
    assert not any(guard.burst("kiosk-01", limit=5) for _ in range(5))


def test_pauses_double_while_the_flood_goes_on_and_are_forgiven_after_a_quiet_minute() -> None:
    clock = Clock()
    pauses = Pauses(first_s=2, longest_s=10, forgive_after_s=60, monotonic=clock)
    seen = []
    for _ in range(5):
        seconds = pauses.pause("kiosk-01")
        assert pauses.pause("kiosk-01") is None, "paused already"
        assert pauses.paused("kiosk-01")
        assert pauses.due() == []
        assert seconds is not None
        seen.append(seconds)
        clock.now += seconds
        assert pauses.due() == ["kiosk-01"]
        assert not pauses.paused("kiosk-01")
    assert seen == [2, 4, 8, 10, 10]
    clock.now += 61
    assert pauses.pause("kiosk-01") == 2
