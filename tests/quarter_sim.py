"""A simulated quarter at MPP Lampung Timur, written into a real hub store.

The real queue service (decider, dispatch policy, SQLite store) is driven
with a manual clock through every working day of a period, the way counter
units and kiosks would: citizens print tickets through the morning peak,
officers open counters, call, recall, mark no-shows (some come back and are
requeued), start service, transfer on to the payment counter, finish;
citizens rate at the SKM box. Officers sign in when they open their counter
(picked on the unit); on some days a colleague takes over at midday from the
admin console, and now and then a counter is opened without a pick. Busy
days exhaust a quota (turned away at the kiosk); tickets still waiting at
closing time get the site's end of day at the day roll-over, as a hub that
was off at closing gives it (``not_served``: walked out). Seeded: the same
arguments give the same store.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

from hub.site.loader import load_site
from hub.site.schema import Site
from protocol.clock import wall_now
from protocol.models import (
    AdminCounterOfficer,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterRecall,
    CounterRequeue,
    CounterStartService,
    CounterTransfer,
    PriorityCategory,
    SatisfactionRate,
    SatisfactionRating,
    SurveySubmit,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
)
from tests.hub_harness import Harness

WIB = ZoneInfo("Asia/Jakarta")
SLICES = [  # (minutes after 07:30, length, share of the day): shared/design/load-profile.md
    (0, 30, 0.06),
    (30, 60, 0.18),
    (90, 60, 0.19),
    (150, 60, 0.17),
    (210, 60, 0.13),
    (270, 60, 0.09),
    (330, 60, 0.11),
    (390, 30, 0.07),
    (420, 20, 0.02),  # 14.30–14.50: after the kiosk's cut-off, turned away
]
MIX = {
    "DUK-KTP": 16,
    "DUK-KK": 10,
    "DUK-AKTA": 6,
    "POL-SIM": 12,
    "POL-SKCK": 6,
    "BL-BAYAR": 10,
    "BL-REKENING": 4,
    "BPJSKES-DAFTAR": 5,
    "BPJSKES-INFO": 3,
    "BPJSTK-KLAIM": 3,
    "PA-PERKARA": 2,
    "KMG-NIKAH": 2,
    "PTSP-NIB": 6,
    "PTSP-PBG": 4,
    "PTSP-KONS": 3,
}
RATING_WEIGHTS = [4, 10, 46, 40]  # tidak puas … sangat puas
SURVEY_WEIGHTS = [  # per element U1…U9: waiting time (U3) and complaints (U8) score lower
    (2, 8, 50, 40),
    (2, 8, 50, 40),
    (5, 20, 50, 25),
    (1, 2, 27, 70),
    (2, 8, 50, 40),
    (2, 6, 50, 42),
    (1, 5, 44, 50),
    (4, 16, 55, 25),
    (3, 12, 50, 35),
]


@dataclass(frozen=True)
class QuarterSpec:
    first_day: date
    last_day: date
    tickets_per_day: int = 70
    seed: int = 13
    # One counter per agency of the mix (two at Dukcapil); the others stay closed.
    counters: tuple[int, ...] = (1, 3, 5, 7, 8, 9, 10, 12, 13)


def working_days(site: Site, first: date, last: date) -> Iterator[date]:
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    day = first
    while day <= last:
        if day not in site.holidays and getattr(site.hours, names[day.weekday()]) is not None:
            yield day
        day += timedelta(days=1)


def _at(day: date, minutes_after_0730: float) -> datetime:
    local = datetime(day.year, day.month, day.day, 7, 30, tzinfo=WIB)
    return (local + timedelta(minutes=minutes_after_0730)).astimezone(UTC)


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


class QuarterSimulation:
    """Drives one harness through the days of a spec; the store is ``directory/hub.db``."""

    def __init__(self, directory: Path, spec: QuarterSpec, site: Site | None = None) -> None:
        self.site = site or load_site()
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.hub = Harness(directory, site=self.site, start=_at(spec.first_day, 0))
        self.counters = [self.site.counter(n) for n in spec.counters]
        self.served = 0
        # Officers draw from their own generator: the citizens' and counters' flow (and
        # so every other figure) stays what it was before officers signed in.
        self.duty = random.Random(spec.seed * 7 + 1)
        self.reliefs = 0

    @property
    def db(self) -> Path:
        return self.hub.directory / "hub.db"

    def run(self) -> QuarterSimulation:
        for day in working_days(self.site, self.spec.first_day, self.spec.last_day):
            self._day(day)
        # The day after the last: the roll-over closes it (walk-outs, archive).
        self.hub.clock.set(_at(self.spec.last_day + timedelta(days=1), 0))
        self.hub.service.tick()
        self.hub.service.store.close()
        return self

    def _device(self, number: int) -> str:
        return f"counter-{number:02d}"

    def _free_officer(self, number: int) -> str | None:
        """An officer of the counter's agency not on duty elsewhere (seeded pick)."""
        agency = self.site.counter(number).agency
        state = self.hub.service.state
        free = [
            o.nip
            for o in self.site.officers
            if o.agency == agency and state.officer_counter(o.nip) is None
        ]
        return self.duty.choice(free) if free else None

    def _open(self, number: int) -> None:
        """The officer holds BERIKUT and picks themself (5 %: opened without a pick)."""
        officer = self._free_officer(number) if self.duty.random() >= 0.05 else None
        if officer is None:
            self.hub.open_counter(number)
        else:
            self.hub.ok(CounterOpen, self._device(number), officer=officer)

    def _relief(self, number: int) -> None:
        """A colleague takes over from the admin console (whatever is at the desk)."""
        record = self.hub.service.state.counter(number)
        officer = self._free_officer(number)
        if record.state.value == "closed" or officer is None:
            return
        reply = self.hub.service.handle_admin(
            AdminCounterOfficer(
                command_id=uuid4(),
                account="admin",
                issued_at=wall_now(),
                counter=number,
                officer=officer,
            )
        ).reply
        assert reply.ok, reply.error
        self.reliefs += 1

    def _day(self, day: date) -> None:
        rng, hub, site = self.rng, self.hub, self.site
        busy_day = rng.random() < 0.15  # a busy day exhausts quotas
        total = int(self.spec.tickets_per_day * (1.6 if busy_day else rng.uniform(0.7, 1.2)))
        queue: list[tuple[datetime, int, str, tuple[object, ...]]] = []
        order = 0

        def at(moment: datetime, action: str, *args: object) -> None:
            nonlocal order
            order += 1
            heapq.heappush(queue, (moment, order, action, args))

        codes, weights = zip(*MIX.items(), strict=True)
        for start, length, share in SLICES:
            for _ in range(round(total * share)):
                at(
                    _at(day, start + rng.random() * length),
                    "arrive",
                    rng.choices(codes, weights)[0],
                )
        # Some counters open late; Friday prayers close the hall 11.30–13.00 anyway.
        idle: set[int] = set()
        for counter in self.counters:
            at(_at(day, 30 + rng.choice((0, 0, 0, 5, 20))), "open", counter.number)
            at(_at(day, 450), "close", counter.number)  # 15.00
            if self.duty.random() < 0.3:
                at(_at(day, 270 + self.duty.random() * 30), "relief", counter.number)
        plan: dict[str, tuple[bool, bool]] = {}  # ticket → (absent when called, transfers on)

        def call(number: int, now: datetime) -> None:
            if number not in idle:
                return
            counter = site.counter(number)
            if (
                next(hub.service.state.waiting({*counter.primary, *counter.secondary}), None)
                is None
            ):
                return  # the unit shows nobody waiting: the officer does not press
            reply = hub.cmd(CounterNext, self._device(number))
            if not reply.ok or reply.counter is None or reply.counter.current is None:
                return
            idle.discard(number)
            ticket = reply.counter.current
            absent, _ = plan.get(ticket.ticket_id, (False, False))
            if (
                absent
                and ticket.recalls == 0
                and ticket.service == ticket_service[ticket.ticket_id]
            ):
                at(now + timedelta(minutes=1), "recall", number, ticket.ticket_id)
                return
            walk = timedelta(minutes=rng.uniform(0.3, 2.5))
            at(now + walk, "start", number, ticket.ticket_id)

        def wake(now: datetime) -> None:
            for number in sorted(idle):
                call(number, now)

        ticket_service: dict[str, str] = {}
        while queue:
            now, _, action, args = heapq.heappop(queue)
            hub.clock.set(now)
            if action == "arrive":
                (code,) = args
                priority = rng.random() < 0.1
                kiosk = "kiosk-01" if rng.random() < 0.5 else "kiosk-02"
                reply = hub.cmd(
                    TicketReserve,
                    kiosk,
                    service=code,
                    category=PriorityCategory.PRIORITY if priority else PriorityCategory.REGULAR,
                )
                if not reply.ok or reply.ticket is None:
                    continue  # turned away: quota reached, closed or past the cut-off
                ticket_id = reply.ticket.ticket_id
                if rng.random() < 0.01:
                    hub.ok(TicketPrintFailed, kiosk, ticket_id=ticket_id, reason="kertas habis")
                    continue
                hub.ok(TicketPrinted, kiosk, ticket_id=ticket_id)
                service = site.service(code)
                plan[ticket_id] = (
                    rng.random() < 0.05,
                    service.continues_to is not None and rng.random() < 0.3,
                )
                ticket_service[ticket_id] = code
                wake(now)
            elif action == "open":
                (number,) = args
                self._open(number)
                idle.add(number)
                call(number, now)
            elif action == "close":
                (number,) = args
                record = hub.service.state.counter(number)
                if record.current is None and record.state.value != "closed":
                    hub.ok(CounterClose, self._device(number))
                idle.discard(number)
            elif action == "relief":
                (number,) = args
                self._relief(number)
            elif action == "recall":
                number, ticket_id = args
                hub.ok(CounterRecall, self._device(number))
                at(now + timedelta(minutes=1), "no_show", number, ticket_id)
            elif action == "no_show":
                number, ticket_id = args
                hub.ok(CounterNoShow, self._device(number))
                if rng.random() < 0.3:  # came back within the grace period
                    at(now + timedelta(minutes=rng.uniform(3, 20)), "requeue", number, ticket_id)
                idle.add(number)
                call(number, now)
            elif action == "requeue":
                number, ticket_id = args
                plan[str(ticket_id)] = (False, plan[str(ticket_id)][1])
                reply = hub.cmd(CounterRequeue, self._device(number), ticket_id=ticket_id)
                if reply.ok:
                    wake(now)
            elif action == "start":
                number, ticket_id = args
                hub.ok(CounterStartService, self._device(number))
                current = hub.service.state.tickets[str(ticket_id)]
                mean = site.service(current.service).mean_service_minutes
                at(now + timedelta(minutes=_lognormal(rng, mean, 0.6)), "finish", number, ticket_id)
            elif action == "finish":
                number, ticket_id = args
                ticket = hub.service.state.tickets[str(ticket_id)]
                _, transfers = plan.get(str(ticket_id), (False, False))
                if transfers and not ticket.visits:
                    target = site.service(ticket.service).continues_to
                    hub.ok(CounterTransfer, self._device(number), target_service=target)
                    ticket_service[str(ticket_id)] = str(target)
                else:
                    hub.ok(CounterFinish, self._device(number))
                    self.served += 1
                    if rng.random() < 0.7:
                        rating = rng.choices(list(SatisfactionRating), RATING_WEIGHTS)[0]
                        hub.ok(
                            SatisfactionRate,
                            self._device(number),
                            ticket_id=ticket_id,
                            rating=rating,
                        )
                    if rng.random() < 0.1:  # the optional nine-element survey at the kiosk
                        hub.ok(
                            SurveySubmit,
                            "kiosk-01",
                            ticket_id=ticket_id,
                            answers=[
                                None if rng.random() < 0.03 else rng.choices((1, 2, 3, 4), w)[0]
                                for w in SURVEY_WEIGHTS
                            ],
                        )
                idle.add(number)
                if now < _at(day, 450):
                    call(number, now)
                    wake(now)
                else:  # past closing: the officer finishes the one at the desk and goes
                    idle.discard(number)
                    hub.ok(CounterClose, self._device(number))
