"""Dispatch policies, one rule at a time, on hand-made candidates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.dispatch.policy import Candidate, CounterHistory, FifoPolicy, MppPolicy, policy_for
from hub.site.schema import CategoryCode, DispatchSettings, PriorityRule

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
REG, PRIO = CategoryCode.REGULAR, CategoryCode.PRIORITY


def cand(
    ticket: str,
    order: int,
    waited: float,
    category: CategoryCode = REG,
    service: str = "S1",
    target: int = 30,
    primary: bool = True,
    appointment_in: float | None = None,
    checked_in_ago: float | None = None,
    joined_ago: float | None = None,
) -> Candidate:
    return Candidate(
        ticket_id=ticket,
        service=service,
        category=category,
        order=order,
        queued_at=NOW - timedelta(minutes=waited),
        target_minutes=target,
        primary=primary,
        appointment_at=NOW + timedelta(minutes=appointment_in)
        if appointment_in is not None
        else None,
        checked_in_at=NOW - timedelta(minutes=checked_in_ago)
        if checked_in_ago is not None
        else None,
        joined_at=NOW - timedelta(minutes=joined_ago) if joined_ago is not None else None,
    )


def mpp(**settings: object) -> MppPolicy:
    """The policy with ``settings``; the priority guarantee is off unless asked for, so
    each rule is seen on its own (the guarantee has its own tests)."""
    settings.setdefault("priority_max_wait_minutes", None)
    return MppPolicy(DispatchSettings(**settings))  # type: ignore[arg-type]


def pick(
    policy: object, candidates: list[Candidate], history: CounterHistory | None = None
) -> str | None:
    chosen = policy.choose(candidates, history or CounterHistory(), NOW)  # type: ignore[attr-defined]
    return chosen.ticket_id if chosen else None


def test_nothing_to_choose() -> None:
    assert pick(mpp(), []) is None
    assert pick(FifoPolicy(), []) is None


def test_fifo_ignores_categories_and_services() -> None:
    pool = [cand("b", 2, 5, PRIO), cand("a", 1, 6, service="S2", primary=False)]
    assert pick(FifoPolicy(), pool) == "a"


def test_policy_for_setting() -> None:
    assert isinstance(policy_for(DispatchSettings(policy="fifo")), FifoPolicy)
    assert isinstance(policy_for(DispatchSettings()), MppPolicy)


def test_strict_priority_always_first() -> None:
    pool = [cand("r", 1, 20), cand("p", 2, 1, PRIO)]
    assert pick(mpp(priority_rule=PriorityRule.STRICT), pool) == "p"


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (CounterHistory(0, 0), "r"),
        (CounterHistory(1, 0), "r"),
        (CounterHistory(2, 0), "p"),  # two regular calls: a priority turn
        (CounterHistory(0, 1), "r"),  # ratio 2:1: one priority call ends the turn
    ],
)
def test_ratio_two_regular_one_priority(history: CounterHistory, expected: str) -> None:
    pool = [cand("r", 1, 10), cand("p", 2, 5, PRIO)]
    assert pick(mpp(priority_rule=PriorityRule.RATIO), pool, history) == expected


def test_ratio_never_puts_priority_behind_later_arrivals() -> None:
    pool = [cand("p", 1, 10, PRIO), cand("r", 2, 5)]
    assert pick(mpp(priority_rule=PriorityRule.RATIO), pool, CounterHistory(0, 1)) == "p"


def test_ratio_with_two_priority_turns() -> None:
    pool = [cand("r", 1, 10), cand("p", 2, 5, PRIO)]
    policy = mpp(priority_rule=PriorityRule.RATIO, ratio_regular=3, ratio_priority=2)
    assert pick(policy, pool, CounterHistory(0, 1)) == "p"
    assert pick(policy, pool, CounterHistory(0, 2)) == "r"


def test_alternate() -> None:
    pool = [cand("r", 1, 10), cand("p", 2, 5, PRIO)]
    policy = mpp(priority_rule=PriorityRule.ALTERNATE)
    assert pick(policy, pool, CounterHistory(1, 0)) == "p"
    assert pick(policy, pool, CounterHistory(0, 1)) == "r"


def test_weighted_aging_lets_priority_age_faster() -> None:
    policy = mpp(priority_rule=PriorityRule.WEIGHTED_AGING, priority_weight=2.0)
    assert pick(policy, [cand("r", 1, 12), cand("p", 2, 7, PRIO)]) == "p"  # 12 < 14
    assert pick(policy, [cand("r", 1, 15), cand("p", 2, 7, PRIO)]) == "r"  # 15 > 14


def test_no_priority_rule_is_aging_only() -> None:
    pool = [cand("r", 1, 10), cand("p", 2, 5, PRIO)]
    assert pick(mpp(priority_rule=PriorityRule.NONE), pool) == "r"


def test_only_one_category_waiting() -> None:
    assert (
        pick(mpp(), [cand("p1", 1, 3, PRIO), cand("p2", 2, 2, PRIO)], CounterHistory(0, 5)) == "p1"
    )


def test_overdue_service_is_served_first() -> None:
    pool = [cand("p", 2, 5, PRIO, service="S1"), cand("late", 1, 31, service="S2", target=30)]
    assert pick(mpp(priority_rule=PriorityRule.STRICT), pool) == "late"
    assert pick(mpp(priority_rule=PriorityRule.STRICT, overdue_first=False), pool) == "p"


def test_priority_rule_still_applies_inside_an_overdue_service() -> None:
    pool = [cand("late", 1, 40), cand("p", 2, 5, PRIO), cand("other", 3, 20, service="S2")]
    assert pick(mpp(priority_rule=PriorityRule.STRICT), pool) == "p"


def test_most_overdue_relative_to_target() -> None:
    pool = [
        cand("a", 1, 40, target=30),
        cand("b", 2, 25, service="S2", target=15),
        cand("c", 3, 10, service="S3", target=30),
    ]
    assert pick(mpp(), pool) == "b"  # 25/15 = 1.67 > 40/30 = 1.33; S3 is not late


def test_overdue_secondary_beats_primary() -> None:
    pool = [cand("mine", 1, 5), cand("help", 2, 40, service="S2", primary=False)]
    assert pick(mpp(), pool) == "help"


def test_primary_before_secondary() -> None:
    pool = [cand("help", 1, 20, service="S2", primary=False), cand("mine", 2, 1)]
    assert pick(mpp(), pool) == "mine"
    assert pick(mpp(), [pool[0]]) == "help"


def test_aging_relative_to_service_target() -> None:
    pool = [cand("slow", 1, 10, target=60), cand("fast", 2, 8, service="S2", target=15)]
    assert pick(mpp(), pool) == "fast"


def test_equal_scores_go_by_queue_order() -> None:
    pool = [cand("second", 2, 10), cand("first", 1, 10)]
    assert pick(mpp(), pool) == "first"
    assert pick(mpp(priority_rule=PriorityRule.WEIGHTED_AGING), pool) == "first"


def test_appointment_in_window_goes_first() -> None:
    booked = cand("booked", 3, 2, appointment_in=10, checked_in_ago=2)
    pool = [cand("walk", 1, 20), booked]
    assert pick(mpp(appointment_early_minutes=15), pool) == "booked"
    assert pick(mpp(appointment_early_minutes=5), pool) == "walk"


def test_late_arrival_loses_the_slot() -> None:
    # Slot was 30 minutes ago, checked in 10 minutes ago: 20 minutes late.
    late = cand("late", 3, 10, appointment_in=-30, checked_in_ago=10)
    pool = [cand("walk", 1, 20), late]
    assert pick(mpp(appointment_late_minutes=15), pool) == "walk"
    assert pick(mpp(appointment_late_minutes=25), pool) == "late"


def test_earliest_slot_first() -> None:
    pool = [
        cand("b", 1, 5, appointment_in=-5, checked_in_ago=10),
        cand("a", 2, 5, appointment_in=-10, checked_in_ago=12),
    ]
    assert pick(mpp(), pool) == "a"


def test_deterministic() -> None:
    pool = [cand(f"t{i}", i, (i * 7) % 13, PRIO if i % 3 == 0 else REG) for i in range(1, 30)]
    policy = mpp(priority_rule=PriorityRule.RATIO)
    first = pick(policy, pool, CounterHistory(2, 0))
    assert all(pick(policy, list(reversed(pool)), CounterHistory(2, 0)) == first for _ in range(3))


def test_priority_guarantee_beats_every_rule_at_its_limit() -> None:
    """A priority ticket at the limit is called before an appointment, an overdue
    service and a primary queue — even at a counter where it is secondary."""
    for rule in PriorityRule:
        policy = mpp(priority_rule=rule, priority_max_wait_minutes=8)
        candidates = [
            cand("overdue", 1, 90, service="S1", target=30),
            cand("due", 2, 5, appointment_in=0, checked_in_ago=5),
            cand("p", 3, 8, PRIO, service="S2", primary=False),
        ]
        assert pick(policy, candidates) == "p", rule


def test_priority_guarantee_waits_for_its_limit() -> None:
    policy = mpp(priority_rule=PriorityRule.NONE, priority_max_wait_minutes=8)
    assert pick(policy, [cand("r", 1, 20), cand("p", 2, 7.9, PRIO)]) == "r"
    assert pick(policy, [cand("r", 1, 20), cand("p", 2, 8, PRIO)]) == "p"


def test_priority_guarantee_longest_waiting_first() -> None:
    policy = mpp(priority_max_wait_minutes=8)
    assert pick(policy, [cand("p2", 5, 9, PRIO), cand("p1", 3, 12, PRIO)]) == "p1"


def test_priority_guarantee_is_on_by_default() -> None:
    policy = MppPolicy(DispatchSettings(priority_rule=PriorityRule.NONE))
    limit = DispatchSettings().priority_max_wait_minutes
    assert limit is not None
    late = cand("p", 2, limit, PRIO)
    assert policy.choose([cand("r", 1, 60), late], CounterHistory(), NOW) == late


def test_transferred_ticket_ages_from_joining_its_service() -> None:
    """It keeps its place (order), but its wait for the overdue rule starts at the
    transfer: 50 minutes at the first agency do not make a payment overdue."""
    policy = mpp(priority_rule=PriorityRule.NONE)
    moved = cand("moved", 1, 50, service="PAY", target=15, joined_ago=2)
    local = cand("local", 2, 10, service="OPEN", target=30)
    assert pick(policy, [moved, local]) == "local"  # 10/30 > 2/15
    same = cand("same", 3, 3, service="PAY", target=15)
    assert pick(policy, [moved, same]) == "moved"  # same service: its place in line
