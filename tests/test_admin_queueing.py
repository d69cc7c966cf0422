"""The queueing maths behind `mpp admin advise`, checked against textbook values and an
independent simulation of an M/M/c queue."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from hub.dispatch.queueing import (
    backlog_minutes,
    counters_needed,
    erlang_c,
    mean_wait_minutes,
    wait_within_probability,
)


def test_erlang_c_matches_textbook_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = ρ
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=1e-4)  # published table value
    assert erlang_c(3, 3.0) == 1.0  # overloaded: everyone waits
    assert erlang_c(200, 150.0) < 1.0  # large counts stay stable (no factorial overflow)


def test_mean_wait_mm1_and_allen_cunneen() -> None:
    # M/M/1, λ = 0.5/min, 1 min service: Wq = ρ/(μ − λ) = 1 min.
    assert mean_wait_minutes(0.5, 1.0, 1) == pytest.approx(1.0)
    # Deterministic service (cv 0) halves it (M/D/1 Pollaczek–Khinchine is exact here).
    assert mean_wait_minutes(0.5, 1.0, 1, service_cv=0.0) == pytest.approx(0.5)
    assert math.isinf(mean_wait_minutes(1.0, 1.0, 1))
    assert mean_wait_minutes(0.0, 5.0, 0) == 0.0


def _simulated_mean_wait(rate: float, service: float, servers: int, n: int, seed: int) -> float:
    """FIFO M/M/c by events: each arrival takes the earliest free counter."""
    rng = random.Random(seed)
    free = [0.0] * servers
    heapq.heapify(free)
    clock = total = 0.0
    for _ in range(n):
        clock += rng.expovariate(rate)
        earliest = heapq.heappop(free)
        start = max(clock, earliest)
        total += start - clock
        heapq.heappush(free, start + rng.expovariate(1 / service))
    return total / n


def test_erlang_c_wait_agrees_with_a_simulation() -> None:
    rate, service, servers = 0.5, 7.0, 4  # Dukcapil at a busy hour: ρ = 0.875
    model = mean_wait_minutes(rate, service, servers)
    simulated = _simulated_mean_wait(rate, service, servers, 200_000, seed=7)
    assert simulated == pytest.approx(model, rel=0.1)


def test_counters_needed_meets_the_target_with_the_fewest() -> None:
    need = counters_needed(0.5, 7.0, 30.0)
    assert mean_wait_minutes(0.5, 7.0, need) <= 30.0
    assert mean_wait_minutes(0.5, 7.0, need - 1) > 30.0
    # People already waiting must also be cleared within the target.
    assert counters_needed(0.5, 7.0, 30.0, waiting_now=20) > need
    assert counters_needed(0.0, 7.0, 30.0) == 0
    assert backlog_minutes(12, 10.0, 4) == pytest.approx(30.0)
    assert wait_within_probability(0.5, 7.0, 5, 30.0) > wait_within_probability(0.5, 7.0, 4, 30.0)


def test_advice_sentences_in_bahasa_indonesia() -> None:
    from datetime import datetime, timedelta, timezone

    from hub.advise import sentence
    from protocol.models import HourAdvice

    now = datetime(2026, 11, 23, 9, 20, tzinfo=timezone(timedelta(hours=7)))

    def rows(*needed: int) -> list[HourAdvice]:
        return [
            HourAdvice(starts_at=now + timedelta(hours=i), arrivals_per_hour=20, counters_needed=n)
            for i, n in enumerate(needed)
        ]

    assert sentence("Dukcapil", 2, 4, 30, rows(2, 3), now) == (
        "Dukcapil: buka 1 loket lagi sebelum 10.00 agar tunggu ≤ 30 menit"
    )
    now_line = sentence("Dukcapil", 2, 4, 30, rows(3), now)
    assert now_line.endswith("lagi sekarang agar tunggu ≤ 30 menit")
    assert "pertimbangkan kuota" in sentence("Dukcapil", 4, 4, 30, rows(6), now)
    enough = sentence("Dukcapil", 2, 4, 30, rows(2, 2), now)
    assert enough == "Dukcapil: 2 loket cukup, tunggu ≤ 30 menit"
    assert sentence("Dukcapil", 2, 4, 30, [], now) == "Dukcapil: layanan sudah tutup hari ini"
