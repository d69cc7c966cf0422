"""People ahead and estimated wait for a ticket.

The estimate is the work ahead — in counter-minutes, from recent service
times — at all the counters that can serve the service, shared as the
dispatch policy shares it (a service also served elsewhere counts for the
part of its capacity that lies at these counters), then laid over those
counters' calling time today: the opening time, the site's breaks and each
counter's own break (:mod:`hub.dispatch.capacity`). A priority ticket is
ahead of every regular one, so only priority work and what is at the
counters now count for it. It is an honest figure for the ticket, not a
promise; ``bench/dispatch_sim.py`` reports how often it is right.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from hub.bookings import Booking
from hub.dispatch.capacity import (
    IN_SERVICE,
    Window,
    agency_services,
    appointment_work,
    booked_work,
    counters_serving,
    day_figures,
    day_windows,
    expected_minutes,
    in_window,
    minutes_between,
    minutes_to_finish,
    present,
    queued_work,
    shares,
)
from hub.dispatch.sharing import shared_work
from hub.site.calendar import SiteCalendar
from hub.site.schema import CategoryCode, Counter, Site
from hub.state import QueueState, TicketRecord
from protocol.models import CounterState, TicketState

SOLVE_STEPS = 30  # steps of the fixed-point search (each one pass over the queue)
SOLVE_PRECISION_MIN = 0.25


def people_ahead(state: QueueState, service: str, category: CategoryCode) -> int:
    """Waiting tickets of the service that a new ticket would queue behind."""
    waiting = list(state.waiting({service}))
    if category is CategoryCode.PRIORITY:
        return sum(1 for t in waiting if t.category is CategoryCode.PRIORITY)
    return len(waiting)


def people_ahead_of(state: QueueState, ticket: TicketRecord) -> int:
    """Waiting tickets of its service queued before ``ticket`` (for prioritas: priority ones).

    The figure :func:`people_ahead` gives a new ticket, kept current as the
    queue moves; a ticket that is not waiting has nobody ahead of it.
    """
    if ticket.state is not TicketState.WAITING:
        return 0
    priority_only = ticket.category is CategoryCode.PRIORITY
    return sum(
        1
        for other in state.waiting({ticket.service})
        if other.order < ticket.order
        and (not priority_only or other.category is CategoryCode.PRIORITY)
    )


def mean_service_minutes(site: Site, state: QueueState, service: str, now: datetime) -> float:
    return expected_minutes(site, state, service, now)


def estimated_wait_minutes(
    site: Site,
    state: QueueState,
    service: str,
    now: datetime,
    *,
    category: CategoryCode = CategoryCode.REGULAR,
    before_order: int | None = None,
    bookings: Sequence[Booking] = (),
    appointment_at: datetime | None = None,
    joined_at: datetime | None = None,
) -> int:
    """Minutes until a ticket of ``service`` is called (new, or the one at ``before_order``)."""
    calendar = SiteCalendar(site)
    day = calendar.service_day(now)
    hours = calendar.hours(site.service(service), day)
    counters = counters_serving(site, state, agency_services(site, site.service(service).agency))
    if hours is None or not counters_serving(site, state, [service]):
        return 0  # no counter calls it today (the admin moved them): admission refuses it
    windows = day_windows(site, hours, counters, day, calendar.zone)
    serving = present(state, counters, windows, now)
    if service not in shares(serving):  # none of the open counters calls it; those that do may open
        serving = counters
    own = [windows[c.number] for c in serving]
    if before_order is None and _idle_counter(state, serving, service, now, windows):
        return 0  # a counter that calls it is free with nobody it serves waiting: next
    late = timedelta(minutes=site.dispatch.appointment_late_minutes)
    line = _line_wait(
        site, state, service, now, serving, own, category, before_order, bookings, joined_at
    )
    last_call = calendar.calls_end(site.service(service), day)
    if last_call is not None:
        # Nobody is called after the day's last call (closing, grace, overtime): a queue
        # whose overtaking arrivals outrun its counters (a burst of payments ahead of an
        # account opening) solved to millions of minutes; admission already stops them.
        line = min(line, max(0.0, (last_call - now).total_seconds() / 60))
    if appointment_at is not None and now <= appointment_at + late:
        # On time for its slot: called when the slot comes (the appointment rule), after
        # the appointments due before it and what is at the counters now — or sooner,
        # when its turn in line comes first: until its window opens it is also an
        # ordinary candidate of the policy (on the busy day the slot-only figure was
        # within range for 68 % of the checked-in citizens, this one for 78 %).
        window = appointment_at - timedelta(minutes=site.dispatch.appointment_early_minutes)
        ahead = appointment_work(site, state, serving, now, appointment_at)
        # As in line (hub.dispatch.sharing): when its turn comes one counter frees up
        # while the others are half-way through a citizen — that half is not ahead.
        ahead -= max(0, len(serving) - 1) * expected_minutes(site, state, service, now) / 2
        ahead = max(0.0, ahead)
        until_window = max(0.0, (window - now).total_seconds() / 60)
        slot = max(until_window, _finish(own, now, ahead))
        return max(0, math.ceil(min(slot, line)))
    return max(0, math.ceil(line))


def _line_wait(
    site: Site,
    state: QueueState,
    service: str,
    now: datetime,
    serving: Sequence[Counter],
    own: list[list[Window]],
    category: CategoryCode,
    before_order: int | None,
    bookings: Sequence[Booking],
    joined_at: datetime | None,
) -> float:
    """Minutes until the ticket's turn in line comes (the dispatch policy's order)."""
    priority = category is CategoryCode.PRIORITY
    figures = day_figures(state)
    if not priority and site.dispatch.policy == "mpp":
        work_at = shared_work(
            site, state, serving, service, now, figures, before_order, joined_at, bookings
        )
        return _solve(own, now, work_at)
    # Priority (ahead of every regular citizen), or plain FIFO: the pooled queue.
    work = queued_work(
        site,
        state,
        serving,
        now,
        priority_only=priority,
        before_order=before_order,
        figures=figures,
    )
    if priority and work > 0:
        # when its turn comes one counter frees up while the others are half-way through
        # a citizen (as in line, hub.dispatch.sharing): that half is not ahead of it
        half = expected_minutes(site, state, service, now) / 2
        work = max(work - max(0, len(serving) - 1) * half, half / len(serving))
    elif not priority:  # priority citizens who come meanwhile go first
        work /= 1 - min(figures.priority_share.get(service, 0.0), 0.5)
    minutes = _finish(own, now, work)
    if bookings and not priority:  # appointments due before its turn are called first
        due = now + timedelta(minutes=minutes)
        extra = booked_work(site, state, bookings, serving, now, due)
        minutes = _finish(own, now, work + extra)
    return minutes


def _solve(own: list[list[Window]], now: datetime, work_at: Callable[[float], float]) -> float:
    """The first wait W at which the counters have done the work ahead: W = finish(work(W)).

    The work ahead grows with W (bookings whose slot comes first, others' arrivals
    that overtake) or shrinks (tickets of a longer-target service that this one
    overtakes). Iterating from W = 0 climbs to the first such W — the ticket is
    called the first time a counter is free and nobody is due before it; where
    a step overshoots (the shrinking part), bisection narrows the bracket.
    """
    low, wait = 0.0, _finish(own, now, work_at(0.0))
    if wait <= 0:
        return 0.0
    for _ in range(SOLVE_STEPS):
        then = _finish(own, now, work_at(wait))
        if abs(then - wait) < SOLVE_PRECISION_MIN:
            return then
        if then > wait:  # more is due before it by then: still climbing
            low, wait = wait, then
            continue
        high = wait  # past the fixed point: it lies in [low, high]
        for _ in range(SOLVE_STEPS):
            middle = (low + high) / 2
            if _finish(own, now, work_at(middle)) > middle:
                low = middle
            else:
                high = middle
            if high - low < SOLVE_PRECISION_MIN:
                break
        return high
    return wait


def _finish(own: list[list[Window]], now: datetime, work: float) -> float:
    minutes = minutes_to_finish(own, now, work)
    if minutes is None:  # more work than calling time left today: past closing
        end = max((w[-1][1] for w in own if w), default=now)
        left = work - sum(minutes_between(w, now, end) for w in own)
        minutes = max(0.0, (end - now).total_seconds() / 60) + left / len(own)
    return minutes


def _idle_counter(
    state: QueueState,
    counters: Sequence[Counter],
    service: str,
    now: datetime,
    windows: dict[int, list[Window]],
) -> bool:
    """Whether an open counter that calls ``service`` sits free in its calling time with
    nobody it may call waiting: a new ticket is the next one it calls, at once
    (without this, a new ticket at a quiet counter was promised a whole service time:
    one in ten on the busy day was called at once against a printed 6 minutes or more)."""
    for counter in counters:
        status = state.counter(counter.number)
        if status.state is not CounterState.OPEN or service not in (
            *counter.primary,
            *counter.secondary,
        ):
            continue
        current = state.tickets.get(status.current) if status.current else None
        if current is not None and current.state in IN_SERVICE:
            continue
        if not in_window(windows.get(counter.number, []), now):
            continue
        if next(state.waiting({*counter.primary, *counter.secondary}), None) is None:
            return True
    return False
