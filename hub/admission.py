"""Capacity-aware admission: no ticket the building cannot serve today.

A kiosk may issue a ticket for a service when the service is open, its daily
quota (an upper limit set by the agency) is not reached, and — the capacity
rule — the agency's counters can still start it before closing plus the
site's grace: the work already queued at those counters (in counter-minutes
from recent service times, :mod:`hub.dispatch.capacity`) fits in the
counter-minutes left today (open counters, breaks, the grace). Otherwise the
agency is full for today and the kiosk says so before printing, with the
alternatives: book online for another day, or come back at the next opening.

:func:`hub.day_plan.admission` asks here after the hours and the quota; its
verdict ``capacity`` is what the kiosk hears as ``agency_full`` and what the
admin console shows per service.
Bookings are promises made earlier: room is kept for those still to come
(less the expected no-shows), and their check-in is never refused for
capacity (``hub.decide``). Room is also kept for bookings not yet made: the
service's ``booking_share`` of its counter time from now to closing, less the
bookings already made for that time (:mod:`hub.dispatch.booking_reserve`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.bookings import Booking
from hub.dispatch.booking_reserve import reserve_held
from hub.dispatch.capacity import (
    agency_services,
    booked_work,
    counters_serving,
    day_windows,
    expected_minutes,
    incoming_work,
    minutes_between,
    present,
    queued_work,
)
from hub.site.calendar import SiteCalendar
from hub.site.schema import Service, Site
from hub.state import QueueState
from protocol.indonesian_calendar import DAYS

LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class CapacityFull:
    """The agency cannot serve one more citizen today, with the figures that say so."""

    agency: str
    reason: str  # Bahasa Indonesia, for the kiosk's grey button and the console
    queued_minutes: float  # counter-minutes already queued at the agency
    capacity_minutes: float  # counter-minutes left before closing plus the grace
    next_open_at: datetime | None


def capacity_full(
    site: Site,
    state: QueueState,
    service: Service,
    now: datetime,
    bookings: Sequence[Booking] = (),
) -> CapacityFull | None:
    """The capacity rule for a walk-in ticket of ``service`` now (None: it fits)."""
    if not site.closing.admission:
        return None
    calendar = SiteCalendar(site)
    if not counters_serving(site, state, [service.code]):  # the admin moved them all away
        agency = site.agency(service.agency).short_name
        reopens = next_opening(site, service, calendar.service_day(now))
        reason = f"Tidak ada loket {agency} yang melayani layanan ini hari ini"
        return CapacityFull(agency, reason, 0.0, 0.0, reopens)
    queued, by_close, left = agency_load(site, state, service, now, bookings)
    own = expected_minutes(site, state, service.code, now)
    if not (queued > by_close or queued + own > left):
        return None
    agency = site.agency(service.agency).short_name
    reopens = next_opening(site, service, calendar.service_day(now))
    again = f", buka kembali {DAYS[reopens.weekday()]} pukul {reopens:%H.%M}" if reopens else ""
    return CapacityFull(
        agency, f"{agency} sudah penuh untuk hari ini{again}", queued, left, reopens
    )


def agency_load(
    site: Site, state: QueueState, service: Service, now: datetime, bookings: Sequence[Booking] = ()
) -> tuple[float, float, float]:
    """Work queued at the service's agency (the room still kept for bookings included),
    and the counter-minutes left until closing and until closing plus the grace."""
    calendar = SiteCalendar(site)
    day = calendar.service_day(now)
    hours = calendar.hours(service, day)
    counters = counters_serving(site, state, agency_services(site, service.agency))
    if hours is None or not counters:
        return 0.0, 0.0, 0.0
    windows = day_windows(site, hours, counters, day, calendar.zone)
    serving = present(state, counters, windows, now)
    close = datetime.combine(day, hours.close, calendar.zone)
    end = max(w[-1][1] for w in windows.values() if w)
    by_close = sum(minutes_between(windows[c.number], now, close) for c in serving)
    left = sum(minutes_between(windows[c.number], now, end) for c in serving)
    own = [s for s in site.services if s.agency == service.agency]
    queued = (
        queued_work(site, state, serving, now)
        + incoming_work(site, state, serving, now)
        + booked_work(site, state, bookings, serving, now, close)
        + reserve_held(site, state, own, bookings, serving, windows, now, close)
    )
    return queued, by_close, left


def next_opening(site: Site, service: Service, today: date) -> datetime | None:
    """The first call time of the next service day after ``today`` (None within two weeks)."""
    calendar = SiteCalendar(site)
    for offset in range(1, LOOK_AHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        hours = calendar.hours(service, day)
        if hours is not None:
            return datetime.combine(day, hours.open, calendar.zone)
    return None
