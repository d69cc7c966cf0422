"""The work ahead of a regular ticket, shared among services as the MPP policy shares it.

The policy (:mod:`hub.dispatch.policy`) calls, among the services a counter
may serve, the one furthest behind its target (wait ÷ target, counted from
when a ticket joined its service), and within a service the first in line.
So services with different targets are not served first come, first served:
at the bank a 4-minute payment (target 15) is called when it has waited
about half as long as an account opening (target 30). Counting every ticket
of the agency ahead of a new one — the pooled view — promised both the same
wait and was wrong for both (issue 12: the bank's estimates were 25 % within
range).

For a ticket of service *s* (target T) that has waited a₀ and will be
called after W more minutes, a ticket of another service *s'* (target T')
is called first when its lateness then is at least the ticket's own:
``(a' + W) / T' ≥ (a₀ + W) / T``. Those already waiting count if that holds;
those who arrive meanwhile (at today's recent rate of that service) count
for the part of W in which they would still overtake it. Within *s*, the
tickets ahead in line count, and so do transfers arriving meanwhile (they
keep their earlier place in line): from a service that continues to *s*
(``continues_to``: SIM, then the payment), the citizens queued there before
the ticket, each when the feeding counters reach it and with today's share
who continue (:func:`transfers_coming`; at the recent rate of transfers the
bank's morning estimates saw none coming and ran late); other transfers at
their recent rate. Priority tickets already waiting always
count (the guarantee calls them within minutes), and so do priority citizens
arriving in the next half hour (after that the agency may well be full, and
counting them over the whole wait over-estimated it by a fifth). A booking
(checked in on time, or still to come less the expected no-shows) counts
only if its slot comes before the ticket's turn.
When the turn comes, one counter frees up while the others are on average
half-way through a citizen: that half is not ahead of the ticket (without
it, small queues at DPMPTSP were over-estimated by 4 minutes). The result is a function of W that
:func:`hub.dispatch.estimate.estimated_wait_minutes` solves for the wait.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.bookings import Booking
from hub.dispatch.capacity import (
    IN_SERVICE,
    PRIOR_WEIGHT,
    TRANSFER_PRIOR,
    DayFigures,
    day_counters,
    expected_minutes,
    remaining_minutes,
    reserved,
    shares,
)
from hub.site.schema import CategoryCode, Counter, Site
from hub.state import QueueState
from protocol.models import CounterState

RATE_WINDOW_MIN = 30.0  # arrivals over the last half hour say who comes meanwhile
RATE_FLOOR_MIN = 10.0  # ... over at least ten minutes, so the first tickets do not swing it


@dataclass(frozen=True)
class Arrivals:
    """Today's recent arrivals at a service, per minute."""

    walk_in: float = 0.0
    transfer: float = 0.0
    priority: float = 0.0
    ad_hoc_transfer: float = 0.0  # transfers from a service that does not usually continue here


def arrival_rates(site: Site, state: QueueState, now: datetime) -> dict[str, Arrivals]:
    """Per service, the recent rate of walk-ins, transfers in and priority walk-ins
    (computed once per applied event)."""
    memo = state.memo()
    cached = memo.get("arrival_rates")
    if isinstance(cached, tuple) and cached[0] == now:  # a read between events: a new now
        return cached[1]
    since = now - timedelta(minutes=RATE_WINDOW_MIN)
    first = min((t.issued_at for t in state.tickets.values() if t.issued_at), default=now)
    span = max(RATE_FLOOR_MIN, min(RATE_WINDOW_MIN, (now - first).total_seconds() / 60))
    walk_in: dict[str, int] = {}
    transfer: dict[str, int] = {}
    priority: dict[str, int] = {}
    ad_hoc: dict[str, int] = {}
    planned = {s.code: s.continues_to for s in site.services if s.continues_to}
    for ticket in state.tickets.values():
        if ticket.issued_at is not None and since <= ticket.issued_at <= now:
            code = ticket.origin_service
            walk_in[code] = walk_in.get(code, 0) + 1
            if ticket.category is CategoryCode.PRIORITY:
                priority[code] = priority.get(code, 0) + 1
        joined = ticket.joined_at
        moved = ticket.service != ticket.origin_service  # transferred in from elsewhere
        if moved and joined is not None and since <= joined <= now:
            transfer[ticket.service] = transfer.get(ticket.service, 0) + 1
            if planned.get(ticket.origin_service) != ticket.service:
                ad_hoc[ticket.service] = ad_hoc.get(ticket.service, 0) + 1
    rates = {
        code: Arrivals(
            walk_in.get(code, 0) / span,
            transfer.get(code, 0) / span,
            priority.get(code, 0) / span,
            ad_hoc.get(code, 0) / span,
        )
        for code in {*walk_in, *transfer}
    }
    memo["arrival_rates"] = (now, rates)
    return rates


@dataclass(frozen=True)
class BookingHabits:
    """How today's booked citizens come: the share on time for their slot (the rest
    no-show, or are late and queue as walk-ins, behind), and how many minutes before
    the slot they check in (they cannot be called before they are here)."""

    on_time_share: float
    lead_minutes: float


def booking_habits(
    site: Site, state: QueueState, bookings: Sequence[Booking], now: datetime
) -> BookingHabits:
    """Today's figures, each starting from the site's (worth :data:`PRIOR_WEIGHT`
    bookings): its no-show share, and half the early window."""
    late = timedelta(minutes=site.dispatch.appointment_late_minutes)
    early = float(site.dispatch.appointment_early_minutes)
    checked_in = {t.booking_code: t.reserved_at for t in state.tickets.values() if t.booking_code}
    past = on_time = 0
    leads: list[float] = []
    for booking in bookings:
        at = checked_in.get(booking.code)
        if at is not None and at <= booking.appointment_at + late:
            lead = (booking.appointment_at - at).total_seconds() / 60
            leads.append(min(early, max(0.0, lead)))
        if booking.appointment_at + late >= now:
            continue
        past += 1
        on_time += at is not None and at <= booking.appointment_at + late
    share = (on_time + (1 - site.closing.booking_no_show_share) * PRIOR_WEIGHT) / (
        past + PRIOR_WEIGHT
    )
    lead = (sum(leads) + early / 2 * PRIOR_WEIGHT) / (len(leads) + PRIOR_WEIGHT)
    return BookingHabits(share, lead)


def continue_shares(site: Site, state: QueueState) -> dict[str, float]:
    """Per service that usually continues elsewhere (``continues_to``), today's share of
    its citizens who did continue, from :data:`TRANSFER_PRIOR` (worth
    :data:`PRIOR_WEIGHT` citizens) before today says otherwise."""
    feeding = {s.code: s.continues_to for s in site.services if s.continues_to}
    finished: dict[str, int] = {}
    moved: dict[str, int] = {}
    for ticket in state.tickets.values():
        first = ticket.visits[0].service if ticket.visits else None
        if first in feeding:
            finished[first] = finished.get(first, 0) + 1
            moved[first] = moved.get(first, 0) + (ticket.service == feeding[first])
    return {
        code: (moved.get(code, 0) + TRANSFER_PRIOR * PRIOR_WEIGHT)
        / (finished.get(code, 0) + PRIOR_WEIGHT)
        for code in feeding
    }


def transfers_coming(
    site: Site, state: QueueState, service: str, now: datetime, before_order: int | None
) -> list[tuple[float, float]]:
    """Citizens now queued at a service that continues to ``service`` (a KTP-el before its
    payment), as (minutes until they would come, chance that they do).

    A transfer keeps its place in line, so each of them goes ahead of a ticket of
    ``service`` that is still waiting when it comes — and only they do: a citizen who
    reaches the feeding service after the ticket was issued queues behind it. Each
    comes when the feeding counters have served the queue up to it (priority first,
    then in order, these counters' share of each service) and then it.
    """
    memo = state.memo()
    key = f"transfers_coming:{service}:{before_order}"
    cached = memo.get(key)
    if isinstance(cached, list):
        return cached
    result: list[tuple[float, float]] = []
    chance = continue_shares(site, state)
    for code in [s.code for s in site.services if s.continues_to == service]:
        counters = [c for c in day_counters(site, state) if code in (*c.primary, *c.secondary)]
        if not counters:
            continue
        open_ones = [
            c for c in counters if state.counter(c.number).state is not CounterState.CLOSED
        ]
        counters = open_ones or counters
        mine = shares(counters)
        numbers = {c.number for c in counters}
        everyone = shares(
            [
                c
                for c in day_counters(site, state)
                if c.number in numbers or state.counter(c.number).state is not CounterState.CLOSED
            ]
        )
        done = 0.0
        for number in numbers:
            current = state.counter(number).current
            ticket = state.tickets.get(current) if current else None
            if ticket is not None and ticket.state in IN_SERVICE:
                left = remaining_minutes(site, state, ticket, now)
                done += left
                if ticket.service == code and ticket.order < (before_order or ticket.order + 1):
                    result.append((left, chance[code]))
        queue = sorted(
            state.waiting(set(mine)),
            key=lambda t: (t.category is not CategoryCode.PRIORITY, t.order),
        )
        for ticket in queue:
            done += expected_minutes(site, state, ticket.service, now) * (
                mine[ticket.service] / everyone[ticket.service]
            )
            if ticket.service == code and (before_order is None or ticket.order < before_order):
                result.append((done / len(counters), chance[code]))
    memo[key] = result
    return result


def shared_work(
    site: Site,
    state: QueueState,
    counters: Sequence[Counter],
    service: str,
    now: datetime,
    figures: DayFigures,
    before_order: int | None = None,
    joined_at: datetime | None = None,
    bookings: Sequence[Booking] = (),
) -> Callable[[float], float]:
    """Counter-minutes ``counters`` work before a regular ticket of ``service`` is called,
    as a function of its wait W (minutes from now); see the module docstring."""
    mine = shares(counters)
    numbers = {c.number for c in counters}
    everyone = shares(
        [
            c
            for c in day_counters(site, state)
            if c.number in numbers or state.counter(c.number).state is not CounterState.CLOSED
        ]
    )
    target = site.service(service).target_minutes
    waited = max(0.0, (now - joined_at).total_seconds() / 60) if joined_at else 0.0

    def visit(code: str) -> float:
        minutes = expected_minutes(site, state, code, now)
        minutes = (1 - figures.absent_share) * minutes + figures.absent_share * (
            figures.absent_minutes
        )
        return minutes * mine[code] / everyone[code]

    cost = {code: visit(code) for code in mine}
    fixed = 0.0  # ahead whatever W is
    others: list[tuple[float, float, float]] = []  # (waited, ratio of targets, minutes)
    booked: list[tuple[float, float]] = []  # (minutes until its slot is called, minutes)
    early = timedelta(minutes=site.dispatch.appointment_early_minutes)
    late = timedelta(minutes=site.dispatch.appointment_late_minutes)
    for ticket in [*reserved(state, set(mine)), *state.waiting(set(mine))]:
        slot = ticket.appointment_at
        if slot is not None and ticket.reserved_at <= slot + late:
            # checked in on time: called when its slot comes, before or after this ticket
            due = max(0.0, (slot - early - now).total_seconds() / 60)
            booked.append((due, cost[ticket.service]))
            continue
        if ticket.service == service:
            if before_order is None or ticket.order < before_order:
                fixed += cost[service]
            continue
        if ticket.category is CategoryCode.PRIORITY:
            fixed += cost[ticket.service]
            continue
        since = ticket.joined_at or ticket.queued_at or now
        ratio = site.service(ticket.service).target_minutes / target
        others.append((max(0.0, (now - since).total_seconds() / 60), ratio, cost[ticket.service]))
    habits = booking_habits(site, state, bookings, now) if bookings else None
    for booking in bookings:  # not checked in yet: most will come, shortly before their slot
        if habits is None or booking.service not in mine or booking.code in state.bookings_used:
            continue
        if booking.appointment_at + late >= now:
            comes = booking.appointment_at - timedelta(minutes=habits.lead_minutes)
            due = max(0.0, (comes - now).total_seconds() / 60)
            booked.append((due, habits.on_time_share * cost[booking.service]))
    for number in numbers:
        current = state.counter(number).current
        ticket = state.tickets.get(current) if current else None
        if ticket is not None and ticket.state in IN_SERVICE:
            fixed += remaining_minutes(site, state, ticket, now)
    rates = arrival_rates(site, state, now)
    own_rate = rates.get(service, Arrivals())
    feeding = transfers_coming(site, state, service, now, before_order)
    ad_hoc = own_rate.ad_hoc_transfer
    coming = [
        (rates[code].walk_in + rates[code].transfer, code_target_ratio, cost[code])
        for code in mine
        if code != service
        and code in rates
        and (code_target_ratio := site.service(code).target_minutes / target) < 1
    ]

    # When the ticket's turn comes one counter frees up while the others are still
    # half-way through a citizen: that work is not ahead of it.
    tail = max(0, len(counters) - 1) * cost[service] / 2
    priority_cost = sum(rates[code].priority * cost[code] for code in mine if code in rates)

    def work(wait: float) -> float:
        total = fixed + ad_hoc * cost[service] * wait
        for comes, chance in feeding:
            if comes <= wait:
                total += chance * cost[service]
        total += priority_cost * min(wait, RATE_WINDOW_MIN)
        mark = waited + wait
        for age, ratio, minutes in others:
            if age + wait >= mark * ratio:
                total += minutes
        for due, minutes in booked:
            if due <= wait:
                total += minutes
        for rate, ratio, minutes in coming:
            total += rate * max(0.0, wait - mark * ratio) * minutes
        return max(0.0, total - tail)

    return work
