"""Invariants of the queue under random command sequences (hypothesis).

- no number is issued twice in a day (checked in state and in the store);
- a ticket is in exactly one state, and called/serving tickets are exactly the
  counters' current tickets;
- no acknowledged ticket is lost, across restarts;
- a restart rebuilds exactly the same state.
"""

from __future__ import annotations

import tempfile
from collections import Counter as Tally
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.models import (
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterRecall,
    CounterTransfer,
    PriorityCategory,
    TicketPrinted,
    TicketReserve,
    TicketState,
)
from tests.hub_harness import Harness

SERVICES = ["DUK-KTP", "DUK-KK", "BL-BAYAR"]
COUNTERS = [1, 3, 7]  # every service above is served by one of these
KIOSKS = ["kiosk-01", "kiosk-02"]

KINDS = (
    ["issue"] * 6
    + ["next"] * 5
    + ["recall"] * 4
    + ["no_show"] * 3
    + ["finish"] * 2
    + ["transfer", "open", "reserve_only", "wait", "wait", "restart", "next_day"]
)
operations = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(SERVICES),
    st.sampled_from(COUNTERS),
    st.booleans(),
    st.sampled_from(KIOSKS),
    st.integers(min_value=1, max_value=20),
)


def _run(hub: Harness, op: tuple, acknowledged: set[str]) -> None:
    kind, service, counter, priority, kiosk, minutes = op
    if kind in {"recall", "no_show", "finish", "transfer"}:
        # Aim at a counter that has a ticket, so these commands mostly do something.
        busy = [n for n in COUNTERS if hub.service.state.counter(n).current]
        counter = busy[counter % len(busy)] if busy else counter
    device = f"counter-{counter:02d}"
    if kind in {"issue", "reserve_only"}:
        category = PriorityCategory.PRIORITY if priority else PriorityCategory.REGULAR
        reply = hub.cmd(TicketReserve, kiosk, service=service, category=category)
        if reply.ok and reply.ticket is not None:
            acknowledged.add(reply.ticket.ticket_id)
            if kind == "issue":
                assert hub.cmd(TicketPrinted, kiosk, ticket_id=reply.ticket.ticket_id).ok
    elif kind in COUNTER_COMMANDS:
        hub.cmd(COUNTER_COMMANDS[kind], device)
    elif kind == "transfer":
        hub.cmd(CounterTransfer, device, target_service=service)
    elif kind == "wait":
        hub.clock.advance(minutes=minutes)
        hub.service.tick()
    elif kind == "restart":
        before = hub.service.state.model_dump()
        hub.restart()
        assert hub.service.state.model_dump() == before
    elif kind == "next_day":
        hub.clock.advance(days=1)
        hub.service.tick()
        acknowledged.clear()
        for number in COUNTERS:
            hub.open_counter(number)


COUNTER_COMMANDS = {
    "open": CounterOpen,
    "next": CounterNext,
    "recall": CounterRecall,
    "no_show": CounterNoShow,
    "finish": CounterFinish,
}


def _check_invariants(hub: Harness, acknowledged: set[str]) -> None:
    state = hub.service.state
    numbers = Tally(t.number for t in state.tickets.values())
    assert all(count == 1 for count in numbers.values()), numbers
    assert state.day is not None
    assert sorted(numbers) == hub.service.store.numbers_of_day(state.day)
    assert acknowledged <= set(state.tickets), "an acknowledged ticket was lost"
    current = {c.current: n for n, c in state.counters.items() if c.current}
    for ticket in state.tickets.values():
        in_hand = ticket.state in (TicketState.CALLED, TicketState.SERVING)
        assert in_hand == (ticket.ticket_id in current), ticket
        if in_hand:
            assert ticket.counter == current[ticket.ticket_id]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=5, max_size=60))
def test_invariants_hold_for_any_command_sequence(ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        hub = Harness(Path(directory))
        for number in COUNTERS:
            hub.open_counter(number)
        acknowledged: set[str] = set()
        try:
            for op in ops:
                _run(hub, op, acknowledged)
                _check_invariants(hub, acknowledged)
        finally:
            hub.service.store.close()
