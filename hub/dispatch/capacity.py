"""Counter-minutes: when each counter can call today, and the work already queued for it.

Both admission (:mod:`hub.admission`) and the wait estimate
(:mod:`hub.dispatch.estimate`) reason in the same unit — minutes of counter
time — so that what the kiosk promises and what it refuses agree. A counter
calls from the opening time until closing plus the site's grace (and the
overtime, where the site allows it), minus the site's breaks of the day and
its own (a staggered lunch declared on the counter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hub.bookings import Booking
from hub.site.schema import CategoryCode, Counter, DayHours, Site, TimeRange
from hub.state import QueueState, TicketRecord
from protocol.models import CounterState, TicketState

Window = tuple[datetime, datetime]
SECONDARY_SHARE = 0.5  # a counter helps with a secondary service about half as much
IN_SERVICE = frozenset({TicketState.CALLED, TicketState.SERVING})
OPEN_QUEUE = frozenset({TicketState.WAITING, TicketState.CALLED, TicketState.SERVING})
ABSENT_PRIOR = 0.04  # share of citizens not there when called, until today says otherwise
TRANSFER_PRIOR = 0.3  # share of citizens who continue to payment, until today says otherwise
PRIOR_WEIGHT = 5  # ... worth this many citizens
SERVICE_CV_PRIOR = 0.6  # spread of service times (load profile) until today's samples show theirs


def day_counters(site: Site, state: QueueState) -> list[Counter]:
    """The site's counters with today's skills: the admin's ``counters services`` changes
    of the day replace the site file's primary/secondary lists (as dispatch applies them,
    :func:`hub.day_plan.counter_services`), so admission and estimates count the
    counters that will really call a service."""
    memo = state.memo()
    cached = memo.get("day_counters")
    if isinstance(cached, list):
        return cached
    result = []
    for counter in site.counters:
        changed = state.counter_services.get(counter.number)
        if changed is not None:
            counter = counter.model_copy(
                update={"primary": list(changed[0]), "secondary": list(changed[1])}
            )
        result.append(counter)
    memo["day_counters"] = result
    return result


def counters_serving(site: Site, state: QueueState, services: Iterable[str]) -> list[Counter]:
    """Today's counters that call at least one of ``services`` (primary or secondary)."""
    wanted = set(services)
    return [c for c in day_counters(site, state) if wanted & set(c.primary + c.secondary)]


def agency_services(site: Site, agency: str) -> list[str]:
    return [s.code for s in site.services if s.agency == agency]


def counter_windows(
    hours: DayHours, counter: Counter, day: date, zone: ZoneInfo, until: time | None = None
) -> list[Window]:
    """When ``counter`` calls on ``day``: open → ``until`` (default: closing), minus breaks."""
    end_time = until or hours.close
    start = datetime.combine(day, hours.open, zone)
    end = datetime.combine(day, end_time, zone)
    if end < start:  # grace past midnight is not a thing at an MPP; keep it sane
        end = start
    pauses = sorted([*hours.breaks, *counter.breaks], key=lambda b: b.start)
    windows: list[Window] = [(start, end)]
    for pause in pauses:
        windows = _minus(windows, _at(day, pause, zone))
    return windows


def _at(day: date, pause: TimeRange, zone: ZoneInfo) -> Window:
    return datetime.combine(day, pause.start, zone), datetime.combine(day, pause.end, zone)


def _minus(windows: list[Window], cut: Window) -> list[Window]:
    result: list[Window] = []
    for start, end in windows:
        if cut[1] <= start or cut[0] >= end:
            result.append((start, end))
            continue
        if start < cut[0]:
            result.append((start, cut[0]))
        if cut[1] < end:
            result.append((cut[1], end))
    return result


def minutes_between(windows: Sequence[Window], start: datetime, end: datetime) -> float:
    total = 0.0
    for a, b in windows:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def in_window(windows: Sequence[Window], moment: datetime) -> bool:
    return any(a <= moment < b for a, b in windows)


def present(
    state: QueueState, counters: Sequence[Counter], windows: dict[int, list[Window]], now: datetime
) -> list[Counter]:
    """The counters that will serve: those not closed, else (before anyone opened) all.

    A closed counter whose break is on counts as present (an officer who
    closes for lunch comes back); one closed outside its windows does not —
    also when all of them are closed after serving today (the admin closed the
    agency's counters for the rest of the day), while counters that have not
    called anyone yet are taken as opening late, not as away.
    """
    not_closed = [c for c in counters if state.counter(c.number).state is not CounterState.CLOSED]
    if not not_closed and not _served_today(state, {c.number for c in counters}):
        return list(counters)
    first_open = min((w[0][0] for w in windows.values() if w), default=now)
    if now < first_open:
        return list(counters)
    result = []
    for counter in counters:
        if state.counter(counter.number).state is not CounterState.CLOSED:
            result.append(counter)
            continue
        own = windows.get(counter.number, [])
        on_break = own and not in_window(own, now) and own[0][0] <= now < own[-1][1]
        if on_break:
            result.append(counter)
    return result


def _served_today(state: QueueState, numbers: set[int]) -> bool:
    return any(
        t.counter in numbers or any(v.counter in numbers for v in t.visits)
        for t in state.tickets.values()
    )


def expected_minutes(site: Site, state: QueueState, service: str, now: datetime) -> float:
    """Expected time at the counter: the site's figure, moved towards today's running mean
    of recent services as far as today's services show the site's figures to be off.

    Each service's recent mean is noisy (a lognormal time with CV 0.6 over 20
    citizens is ± 13 %), and most of a busy day's estimate is the sum of the
    services ahead: taking the noise for a change in pace mis-estimated every
    citizen of a Polres morning the same way. So the running mean is shrunk
    towards the site's figure by empirical Bayes (:func:`service_pace`), which
    asks how far the services' means lie from the site's figures beyond what
    their noise explains; never less than the site's figure worth
    :data:`PRIOR_WEIGHT` samples, so one slow citizen early in the day does
    not swing every estimate.
    """
    configured = site.service(service).mean_service_minutes
    return configured * service_pace(site, state).get(service, 1.0)


def service_pace(site: Site, state: QueueState) -> dict[str, float]:
    """Per service with samples today, its expected time as a multiple of the site's figure.

    Empirical Bayes (James–Stein, method of moments): each service's relative
    deviation d = recent mean ÷ site figure − 1 has sampling variance
    CV² / n (CV pooled over all services, as one service has few samples);
    the spread of the true deviations is τ² = mean(d² − CV²/n) (weighted by n,
    at least 0); each d is kept in the share τ² ÷ (τ² + CV²/n). Where the site's
    figures are right, τ² ≈ 0 and the estimate keeps them; where a service is
    really slower, its d stands out of the noise and is followed. Computed once
    per applied event.
    """
    memo = state.memo()
    cached = memo.get("service_pace")
    if isinstance(cached, dict):
        return cached
    rows: list[tuple[str, int, float]] = []
    spread = spread_weight = 0.0
    for code in state.service_mean:
        recent = state.recent_service_minutes(code)
        if recent is None or not site.has_service(code):
            continue
        mean, samples = recent
        configured = site.service(code).mean_service_minutes
        if samples < 1 or mean <= 0 or configured <= 0:
            continue
        rows.append((code, samples, mean / configured - 1))
        variance = state.recent_service_spread(code)
        if variance is not None:
            spread += (samples - 1) * variance / (mean * mean)
            spread_weight += samples - 1
    cv2 = spread / spread_weight if spread_weight >= PRIOR_WEIGHT else SERVICE_CV_PRIOR**2
    total = sum(n for _, n, _ in rows)
    tau2 = max(0.0, sum(n * (d * d - cv2 / n) for _, n, d in rows) / total) if total else 0.0
    pace: dict[str, float] = {}
    for code, samples, deviation in rows:
        noise = cv2 / samples
        kept = tau2 / (tau2 + noise) if tau2 + noise > 0 else 0.0
        kept = min(kept, samples / (samples + PRIOR_WEIGHT))
        pace[code] = 1 + kept * deviation
    memo["service_pace"] = pace
    return pace


def remaining_minutes(site: Site, state: QueueState, ticket: TicketRecord, now: datetime) -> float:
    """What is left of a ticket at a counter now (at least a minute)."""
    started = ticket.serving_at or ticket.called_at or now
    spent = (now - started).total_seconds() / 60
    return max(1.0, expected_minutes(site, state, ticket.service, now) - spent)


def shares(counters: Sequence[Counter]) -> dict[str, float]:
    """Counter capacity per service within ``counters`` (primary 1, secondary ½)."""
    result: dict[str, float] = {}
    for counter in counters:
        for code in counter.primary:
            result[code] = result.get(code, 0.0) + 1.0
        for code in counter.secondary:
            result[code] = result.get(code, 0.0) + SECONDARY_SHARE
    return result


@dataclass(frozen=True)
class DayFigures:
    """What today taught about citizens, for the estimate: who is absent when called,
    how long a counter spends on them, and the share of priority citizens."""

    absent_share: float
    absent_minutes: float
    priority_share: dict[str, float]


def day_figures(state: QueueState) -> DayFigures:
    """Today's figures, computed once per applied event."""
    memo = state.memo()
    figures = memo.get("day_figures")
    if not isinstance(figures, DayFigures):
        figures = memo["day_figures"] = _day_figures(state)
    return figures


def _day_figures(state: QueueState) -> DayFigures:
    called = absent = 0
    absent_minutes = 0.0
    issued: dict[str, int] = {}
    priority: dict[str, int] = {}
    for ticket in state.tickets.values():
        if ticket.issued_at is not None:
            issued[ticket.origin_service] = issued.get(ticket.origin_service, 0) + 1
            if ticket.category is CategoryCode.PRIORITY:
                priority[ticket.origin_service] = priority.get(ticket.origin_service, 0) + 1
        if ticket.visits or ticket.state in (TicketState.DONE, TicketState.NO_SHOW):
            called += 1
        if ticket.state is TicketState.NO_SHOW and ticket.no_show_at and ticket.called_at:
            absent += 1
            absent_minutes += (ticket.no_show_at - ticket.called_at).total_seconds() / 60
    share = (absent + ABSENT_PRIOR * PRIOR_WEIGHT) / (called + PRIOR_WEIGHT)
    minutes = absent_minutes / absent if absent else 2.0
    return DayFigures(
        absent_share=share,
        absent_minutes=minutes,
        priority_share={code: priority.get(code, 0) / n for code, n in issued.items()},
    )


def reserved(state: QueueState, services: set[str]) -> list[TicketRecord]:
    """Tickets reserved at a kiosk and not yet printed: queued work within seconds."""
    memo = state.memo()
    everything = memo.get("reserved")
    if not isinstance(everything, list):
        everything = memo["reserved"] = [
            t for t in state.tickets.values() if t.state is TicketState.RESERVED
        ]
    return [t for t in everything if t.service in services]


def queued_work(
    site: Site,
    state: QueueState,
    counters: Sequence[Counter],
    now: datetime,
    *,
    priority_only: bool = False,
    before_order: int | None = None,
    figures: DayFigures | None = None,
) -> float:
    """Counter-minutes the set ``counters`` must work before a new ticket is reached.

    Waiting tickets of every service these counters serve count, each for
    the part of its service's capacity that lies in this set (a service also
    served elsewhere is partly someone else's work), plus what is left of the
    tickets at these counters now.
    """
    mine = shares(counters)
    numbers = {c.number for c in counters}
    everyone = shares(  # the capacity that will serve each service: open counters elsewhere
        [
            c
            for c in day_counters(site, state)
            if c.number in numbers or state.counter(c.number).state is not CounterState.CLOSED
        ]
    )
    work = 0.0
    for ticket in [*reserved(state, set(mine)), *state.waiting(set(mine))]:
        if before_order is not None and ticket.order >= before_order:
            continue
        if priority_only and ticket.category is not CategoryCode.PRIORITY:
            continue
        share = mine[ticket.service] / everyone[ticket.service]
        minutes = expected_minutes(site, state, ticket.service, now)
        if figures is not None:  # some will not be there when called: a recall, not a service
            minutes = (1 - figures.absent_share) * minutes + (
                figures.absent_share * figures.absent_minutes
            )
        work += share * minutes
    for number in numbers:
        current = state.counter(number).current
        if current is None:
            continue
        ticket = state.tickets.get(current)
        if ticket is not None and ticket.state in IN_SERVICE:
            work += remaining_minutes(site, state, ticket, now)
    return work


def incoming_work(
    site: Site, state: QueueState, counters: Sequence[Counter], now: datetime
) -> float:
    """Counter-minutes expected to arrive by transfer (a payment after a service elsewhere).

    Tickets still waiting or being served at a service that usually continues
    to one of these counters' services count for the share of today's
    citizens of that service who did continue (before any did, a prior of
    :data:`TRANSFER_PRIOR` that today's figures soon replace).
    """
    mine = shares(counters)
    feeding = {s.code: s.continues_to for s in site.services if s.continues_to in mine}
    if not feeding:
        return 0.0
    finished: dict[str, int] = {}
    moved: dict[str, int] = {}
    work = 0.0
    for ticket in state.tickets.values():
        first = ticket.visits[0].service if ticket.visits else None
        if first in feeding:
            finished[first] = finished.get(first, 0) + 1
            if ticket.service == feeding[first]:
                moved[first] = moved.get(first, 0) + 1
    for ticket in state.tickets.values():
        target = feeding.get(ticket.service)
        if target is None or ticket.state not in OPEN_QUEUE:
            continue
        seen = finished.get(ticket.service, 0)
        share = (moved.get(ticket.service, 0) + TRANSFER_PRIOR * PRIOR_WEIGHT) / (
            seen + PRIOR_WEIGHT
        )
        work += share * expected_minutes(site, state, target, now)
    return work


def appointment_work(
    site: Site, state: QueueState, counters: Sequence[Counter], now: datetime, slot: datetime
) -> float:
    """Counter-minutes before a booking's turn: the checked-in appointments due no later
    than its slot, and what is left of the citizens at these counters now."""
    mine = shares(counters)
    work = 0.0
    for ticket in state.waiting(set(mine)):
        if ticket.appointment_at is not None and ticket.appointment_at <= slot:
            work += expected_minutes(site, state, ticket.service, now)
    for counter in counters:
        current = state.counter(counter.number).current
        ticket = state.tickets.get(current) if current else None
        if ticket is not None and ticket.state in IN_SERVICE:
            work += remaining_minutes(site, state, ticket, now)
    return work


def booked_work(
    site: Site,
    state: QueueState,
    bookings: Sequence[Booking],
    counters: Sequence[Counter],
    now: datetime,
    until: datetime,
) -> float:
    """Counter-minutes for bookings not yet checked in whose slot is before ``until``.

    Each counts for the share that comes (the site's booking no-show share
    aside) and that lies at these counters; a slot already missed by more
    than the late allowance no longer counts.
    """
    mine = shares(counters)
    everyone = shares(day_counters(site, state))
    since = now - timedelta(minutes=site.dispatch.appointment_late_minutes)
    comes = 1 - site.closing.booking_no_show_share
    work = 0.0
    for booking in bookings:
        if booking.service not in mine or booking.code in state.bookings_used:
            continue
        if since <= booking.appointment_at < until:
            share = mine[booking.service] / everyone[booking.service]
            work += comes * share * expected_minutes(site, state, booking.service, now)
    return work


def minutes_to_finish(
    windows: Sequence[Sequence[Window]], start: datetime, work: float
) -> float | None:
    """Minutes from ``start`` until the counters, each in its windows, have done ``work``.

    ``None`` when the windows end first (the work does not fit today).
    """
    if work <= 0:
        first = min((a for ws in windows for a, b in ws if b > start), default=None)
        return 0.0 if first is None else max(0.0, (first - start).total_seconds() / 60)
    edges = sorted({start, *(t for ws in windows for a, b in ws for t in (a, b) if t > start)})
    done = 0.0
    for lo, hi in pairwise(edges):
        mid = lo + (hi - lo) / 2
        rate = sum(1 for ws in windows if in_window(ws, mid))
        if rate == 0:
            continue
        length = (hi - lo).total_seconds() / 60
        if done + rate * length >= work:
            return (lo - start).total_seconds() / 60 + (work - done) / rate
        done += rate * length
    return None


def day_windows(
    site: Site, hours: DayHours, counters: Sequence[Counter], day: date, zone: ZoneInfo
) -> dict[int, list[Window]]:
    """Each counter's calling windows on ``day``, up to closing plus the grace."""
    close = datetime.combine(day, hours.close, zone)
    until = (close + timedelta(minutes=site.closing.grace_minutes)).time()
    if until < hours.close:
        until = time(23, 59)
    return {c.number: counter_windows(hours, c, day, zone, until) for c in counters}
