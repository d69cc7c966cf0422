"""Dispatch quality: a simulated day at the default site, policy against baselines.

A seeded discrete-event simulation drives the real queue service (decider,
policies, SQLite store) through one Monday at MPP Lampung Timur:

* arrivals: the morning-peak profile of shared/design/load-profile.md
  (07.30–08 6 %, 08–09 18 %, 09–10 19 %, 10–11 17 %, 11–12 13 %, 12–13 9 %,
  13–14 11 %, 14–14.30 7 %), Poisson within each slice;
* service mix and lognormal service times per service (mean from the site,
  CV per agency from the load profile); ~10 % priority citizens; ~5 % absent
  when called (recalled once, then no-show); 30 % of services that continue
  to payment are transferred to Bank Lampung;
* counters with mixed skills as in the site file; at agencies with several
  counters, every second one takes lunch 12.00–13.00.

Each policy sees the same arrivals. The pooled M/M/c (Erlang C) figure is a
lower bound: every counter serving every service, hour by hour (with a fluid
backlog for hours that are over capacity).

    .venv/bin/python bench/dispatch_sim.py [--seed 7] [--tickets 400 800]
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.site.loader import load_site  # noqa: E402
from hub.site.schema import DispatchSettings, PriorityRule, Site  # noqa: E402
from protocol.models import (  # noqa: E402
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterPause,
    CounterRecall,
    CounterResume,
    CounterTransfer,
    TicketState,
)
from tests.hub_harness import Harness  # noqa: E402

DAY_START = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 WIB, Monday
OPEN = DAY_START + timedelta(minutes=30)  # 08:00
LUNCH = (OPEN + timedelta(hours=4), OPEN + timedelta(hours=5))
ARRIVAL_SLICES = [  # (start minute after 07:30, length in minutes, share of the day)
    (0, 30, 0.06),
    (30, 60, 0.18),
    (90, 60, 0.19),
    (150, 60, 0.17),
    (210, 60, 0.13),
    (270, 60, 0.09),
    (330, 60, 0.11),
    (390, 30, 0.07),
]
MIX = {  # share of tickets per service (load profile mapped onto this site)
    "DUK-KTP": 15,
    "DUK-KK": 10,
    "DUK-AKTA": 6,
    "DUK-PINDAH": 2,
    "DUK-KIA": 2,
    "POL-SIM": 12,
    "POL-SKCK": 6,
    "BL-BAYAR": 12,
    "BL-REKENING": 4,
    "BPJSKES-DAFTAR": 5,
    "BPJSKES-INFO": 3,
    "BPJSTK-KLAIM": 3,
    "BPJSTK-DAFTAR": 1,
    "PA-PERKARA": 2,
    "PA-PRODUK": 1,
    "KMG-NIKAH": 2,
    "KMG-HAJI": 1,
    "PTSP-NIB": 6,
    "PTSP-PBG": 2,
    "PTSP-KONS": 3,
    "KES-SIP": 0.5,
    "SOS-DTKS": 0.5,
    "NAK-AK1": 0.5,
    "KB-LAYANAN": 0.5,
    "DIK-LEGALISIR": 0.5,
    "KEJ-TILANG": 0.5,
    "BNN-SKHPN": 0.5,
}
CV = {
    "DUKCAPIL": 0.6,
    "POLRES": 0.6,
    "BANK-LAMPUNG": 0.5,
    "BPJS-KES": 0.6,
    "BPJS-TK": 0.6,
    "PA": 0.4,
    "KEMENAG": 0.4,
    "DPMPTSP": 0.8,
}
PRIORITY_SHARE = 0.10
ABSENT_SHARE = 0.05
TRANSFER_SHARE = 0.30


@dataclass(frozen=True)
class Arrival:
    at: datetime
    service: str
    priority: bool
    absent: bool
    transfers: bool
    minutes: float
    payment_minutes: float


def arrivals(site: Site, total: int, seed: int) -> list[Arrival]:
    rng = random.Random(seed)
    codes, weights = zip(*MIX.items(), strict=True)
    result = []
    for start, length, share in ARRIVAL_SLICES:
        count = _poisson(rng, total * share)
        for _ in range(count):
            at = DAY_START + timedelta(minutes=start + rng.random() * length)
            code = rng.choices(codes, weights)[0]
            service = site.service(code)
            result.append(
                Arrival(
                    at=at,
                    service=code,
                    priority=rng.random() < PRIORITY_SHARE,
                    absent=rng.random() < ABSENT_SHARE,
                    transfers=service.continues_to is not None and rng.random() < TRANSFER_SHARE,
                    minutes=_lognormal(
                        rng, service.mean_service_minutes, CV.get(service.agency, 0.7)
                    ),
                    payment_minutes=_lognormal(
                        rng, site.service("BL-BAYAR").mean_service_minutes, 0.5
                    ),
                )
            )
    return sorted(result, key=lambda a: a.at)


def _poisson(rng: random.Random, mean: float) -> int:
    # Normal approximation is fine for these means; keeps it seeded and simple.
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


@dataclass
class Result:
    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    within_target: int = 0
    visits: int = 0
    turned_away: int = 0
    busy_minutes: float = 0.0
    open_minutes: float = 0.0
    no_shows: int = 0
    last_finish: datetime = OPEN


def simulate(site: Site, day: list[Arrival], directory: Path) -> Result:
    hub = Harness(directory, site=site, start=DAY_START)
    result = Result()
    queue: list[tuple[datetime, int, str, tuple]] = []
    order = 0

    def at(moment: datetime, action: str, *args: object) -> None:
        nonlocal order
        order += 1
        heapq.heappush(queue, (moment, order, action, args))

    info: dict[str, Arrival] = {}
    entered: dict[str, datetime] = {}
    busy: dict[int, datetime | None] = {}
    paused: set[int] = set()
    lunch_counters = _lunch_counters(site)
    for arrival in day:
        at(arrival.at, "arrive", arrival)
    for counter in site.counters:
        at(OPEN, "open", counter.number)
    for number in lunch_counters:
        at(LUNCH[0], "lunch", number)
        at(LUNCH[1], "back", number)

    def device(number: int) -> str:
        return f"counter-{number:02d}"

    def try_call(number: int, now: datetime) -> None:
        if busy.get(number) is not None or number in paused or number not in busy:
            return
        reply = hub.cmd(CounterNext, device(number))
        if not reply.ok or reply.counter is None or reply.counter.current is None:
            return
        ticket = reply.counter.current
        busy[number] = now
        arrival = info[ticket.ticket_id]
        wait = (now - entered[ticket.ticket_id]).total_seconds() / 60
        result.waits[ticket.category.value].append(wait)
        result.visits += 1
        result.within_target += wait <= site.service(ticket.service).target_minutes
        if arrival.absent and ticket.service == arrival.service:
            at(now + timedelta(minutes=1), "recall", number)
        else:
            minutes = (
                arrival.minutes if ticket.service == arrival.service else (arrival.payment_minutes)
            )
            at(now + timedelta(minutes=minutes), "finish", number, ticket.ticket_id)

    def wake(service: str, now: datetime) -> None:
        for counter in site.counters:
            if service in counter.primary + counter.secondary:
                try_call(counter.number, now)

    while queue:
        now, _, action, args = heapq.heappop(queue)
        hub.clock.set(now)
        if action == "arrive":
            (arrival,) = args
            try:
                ticket_id = hub.issue(
                    arrival.service, "prioritas" if arrival.priority else "reguler"
                )
            except AssertionError:
                result.turned_away += 1  # quota full or cut-off
                continue
            info[ticket_id] = arrival
            entered[ticket_id] = now
            wake(arrival.service, now)
        elif action == "open":
            (number,) = args
            hub.open_counter(number)
            busy[number] = None
            try_call(number, now)
        elif action == "lunch":
            (number,) = args
            paused.add(number)
        elif action == "back":
            (number,) = args
            paused.discard(number)
            try_call(number, now)
        elif action == "recall":
            (number,) = args
            hub.ok(CounterRecall, device(number))
            at(now + timedelta(minutes=1), "no_show", number)
        elif action == "no_show":
            (number,) = args
            hub.ok(CounterNoShow, device(number))
            result.no_shows += 1
            _free(result, busy, number, now)
            _after_free(hub, number, paused, now, try_call, device)
        elif action == "finish":
            number, ticket_id = args
            arrival = info[ticket_id]
            state = hub.service.state.tickets[ticket_id]
            if arrival.transfers and len(state.visits) == 0:
                hub.ok(
                    CounterTransfer,
                    device(number),
                    target_service=site.service(arrival.service).continues_to,
                )
                entered[ticket_id] = now
                _free(result, busy, number, now)
                wake("BL-BAYAR", now)
            else:
                hub.ok(CounterFinish, device(number))
                _free(result, busy, number, now)
            _after_free(hub, number, paused, now, try_call, device)
    close = max(result.last_finish, OPEN + timedelta(hours=7))
    result.open_minutes = sum(
        (close - OPEN).total_seconds() / 60 - (60 if n in lunch_counters else 0) for n in busy
    )
    leftover = [t for t in hub.service.state.tickets.values() if t.state is TicketState.WAITING]
    assert not leftover, f"{len(leftover)} tickets never called"
    hub.service.store.close()
    return result


def _free(result: Result, busy: dict[int, datetime | None], number: int, now: datetime) -> None:
    started = busy[number]
    if started is not None:
        result.busy_minutes += (now - started).total_seconds() / 60
    busy[number] = None
    result.last_finish = max(result.last_finish, now)


def _after_free(
    hub: Harness, number: int, paused: set[int], now: datetime, try_call: object, device: object
) -> None:
    if number in paused and LUNCH[0] <= now < LUNCH[1]:
        hub.ok(CounterPause, device(number), reason="Istirahat")  # type: ignore[operator]
        hub.ok(CounterResume, device(number))  # type: ignore[operator]
        return
    try_call(number, now)  # type: ignore[operator]


def _lunch_counters(site: Site) -> set[int]:
    by_agency: dict[str, list[int]] = defaultdict(list)
    for counter in site.counters:
        by_agency[counter.agency].append(counter.number)
    return {n for numbers in by_agency.values() if len(numbers) > 1 for n in numbers[1::2]}


def erlang_c_bound(site: Site, day: list[Arrival]) -> tuple[float, float]:
    """Mean and p95 wait (minutes) of one pooled queue, hour by hour, weighted by arrivals.

    Stable hours use M/M/c (Erlang C). In an hour whose offered load exceeds
    the counters (a busy morning), the stationary formula has no answer, so
    the bound uses the fluid backlog instead: work that cannot be done in the
    hour is carried into the next one at full speed.
    """
    mean_service = statistics.fmean(
        a.minutes + (a.payment_minutes if a.transfers else 0) for a in day
    )
    by_hour: dict[int, int] = defaultdict(int)
    for arrival in day:
        by_hour[max(0, int((arrival.at - OPEN).total_seconds() // 3600))] += 1
    lunch = len(_lunch_counters(site))
    weighted_mean = weighted_p95 = 0.0
    backlog = 0.0  # tickets
    for hour in sorted(by_hour):
        count = by_hour[hour]
        servers = len(site.counters) - (lunch if hour == 4 else 0)
        capacity = servers / mean_service  # tickets per minute
        load = count / 60 * mean_service  # offered load in Erlangs
        if backlog == 0 and load < servers:
            wait_probability = _erlang_c(servers, load)
            rate = capacity - count / 60
            mean = wait_probability / rate
            p95 = math.log(wait_probability / 0.05) / rate if wait_probability > 0.05 else 0.0
        else:
            end = max(0.0, backlog + count - capacity * 60)
            mean = (backlog + end) / 2 / capacity
            p95 = max(backlog, end) / capacity
            backlog = end
        weighted_mean += mean * count
        weighted_p95 += p95 * count
    return weighted_mean / len(day), weighted_p95 / len(day)


def _erlang_c(servers: int, load: float) -> float:
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    term *= load / servers
    top = term * servers / (servers - load)
    return top / (total + top)


POLICIES = {
    "mpp (ratio 2:1)": DispatchSettings(),
    "mpp (strict)": DispatchSettings(priority_rule=PriorityRule.STRICT),
    "mpp (weighted aging)": DispatchSettings(priority_rule=PriorityRule.WEIGHTED_AGING),
    "fifo baseline": DispatchSettings(policy="fifo"),
}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


def report(name: str, result: Result) -> str:
    parts = []
    for category in ("reguler", "prioritas"):
        waits = result.waits.get(category, [])
        if waits:
            parts.append(
                f"{category} mean {statistics.fmean(waits):5.1f} "
                f"p95 {_p95(waits):5.1f} max {max(waits):5.1f}"
            )
    within = 100 * result.within_target / max(1, result.visits)
    utilisation = 100 * result.busy_minutes / max(1, result.open_minutes)
    return (
        f"  {name:22} "
        + " | ".join(parts)
        + f" | within target {within:5.1f} % | utilisation {utilisation:4.1f} %"
        + f" | no-shows {result.no_shows} | turned away {result.turned_away}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tickets", type=int, nargs="+", default=[400, 800])
    args = parser.parse_args()
    base = load_site()
    # The simulation measures dispatch, not the disk: keep its store in memory-backed tmpfs.
    shm = Path("/dev/shm")  # noqa: S108 - used through TemporaryDirectory below
    scratch = shm if shm.is_dir() else None
    for total in args.tickets:
        day = arrivals(base, total, args.seed)
        mean_bound, p95_bound = erlang_c_bound(base, day)
        print(f"{total}-ticket day (seed {args.seed}): {len(day)} arrivals; waits in minutes")
        for name, settings in POLICIES.items():
            site = base.model_copy(update={"dispatch": settings})
            with tempfile.TemporaryDirectory(prefix="mpp-sim-", dir=scratch) as directory:
                print(report(name, simulate(site, day, Path(directory))))
        print(
            f"  {'pooled M/M/c bound':22} all mean {mean_bound:5.1f} p95 {p95_bound:5.1f} "
            f"({len(base.counters)} counters all serving everything: a floor, not a target)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
