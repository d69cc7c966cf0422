"""The share of a service's day kept for online bookings, in counter-minutes.

A site sets ``booking_share`` per service (or per agency): that share of the
counter time the agency's counters give the service is kept for citizens who
book online. The capacity rule (:mod:`hub.admission`) counts what is still
kept as work already queued, so walk-ins are refused ``agency_full`` before
they eat into it, while a booked citizen always checks in.

What is kept is measured from *now* to closing: the room of slots already
past — not booked, or booked by someone who did not come within the late
allowance — goes back to walk-ins as the day goes by. Bookings already made
count against the reserve (their own work is counted once: as a booking still
to come, or as a ticket once checked in), so a reserve full of bookings keeps
nothing more. A service with share 0 keeps nothing.

How a counter's time splits between its services: each primary service
weighs 1, each secondary ½ (as :func:`hub.dispatch.capacity.shares` counts
them), and the counter's minutes are shared in those proportions. Within an
agency whose services all have the same share, the split does not matter.

The same arithmetic tells the upstream booking system how many more bookings
it may take per service and day (:func:`booking_room`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.bookings import Booking
from hub.dispatch.capacity import (
    SECONDARY_SHARE,
    Window,
    counters_serving,
    day_windows,
    expected_minutes,
    minutes_between,
    present,
)
from hub.site.calendar import SiteCalendar
from hub.site.schema import Counter, Service, Site
from hub.state import QueueState

ROOM_DAYS = 7  # today and the coming six days: what a booking system offers ahead


def service_weight(counter: Counter, code: str) -> float:
    """The part of ``counter``'s time that goes to service ``code`` (0 when it does not call it)."""
    total = len(counter.primary) + SECONDARY_SHARE * len(counter.secondary)
    if code in counter.primary:
        return 1.0 / total
    if code in counter.secondary:
        return SECONDARY_SHARE / total
    return 0.0


def service_minutes(
    code: str,
    counters: Sequence[Counter],
    windows: dict[int, list[Window]],
    start: datetime,
    end: datetime,
) -> float:
    """Counter-minutes ``counters`` give service ``code`` between ``start`` and ``end``."""
    return sum(
        service_weight(c, code) * minutes_between(windows.get(c.number, []), start, end)
        for c in counters
    )


def booked_minutes(
    site: Site,
    state: QueueState,
    code: str,
    bookings: Sequence[Booking],
    start: datetime,
    end: datetime,
    now: datetime,
) -> float:
    """Counter-minutes of the bookings of ``code`` with a slot in [start, end), checked in
    or not: what already fills the reserve of that period."""
    count = sum(1 for b in bookings if b.service == code and start <= b.appointment_at < end)
    return count * expected_minutes(site, state, code, now)


def reserve_held(
    site: Site,
    state: QueueState,
    services: Sequence[Service],
    bookings: Sequence[Booking],
    counters: Sequence[Counter],
    windows: dict[int, list[Window]],
    now: datetime,
    close: datetime,
) -> float:
    """Counter-minutes still kept for bookings not yet made, over ``services``: per service,
    its share of what ``counters`` give it from now to ``close``, less the bookings already
    made for that time."""
    held = 0.0
    for service in services:
        share = site.booking_share(service.code)
        if share <= 0:
            continue
        kept = share * service_minutes(service.code, counters, windows, now, close)
        made = booked_minutes(site, state, service.code, bookings, now, close, now)
        held += max(0.0, kept - made)
    return held


@dataclass(frozen=True)
class BookingRoom:
    """How many bookings a service keeps room for on a day, from ``since`` to closing."""

    service: str
    day: date
    since: datetime  # today: now; a coming day: its opening
    reserved: int  # bookings the reserve holds from ``since``
    booked: int  # bookings already made for that time
    reserved_minutes: float
    booked_minutes: float

    @property
    def bookable(self) -> int:
        """Bookings the upstream may still take for this service and day."""
        return max(0, self.reserved - self.booked)


def booking_room(
    site: Site,
    state: QueueState,
    bookings: Sequence[Booking],
    now: datetime,
    *,
    days: int = ROOM_DAYS,
) -> list[BookingRoom]:
    """The room for bookings per service with a share, today (from now, with today's
    counters) and on the coming service days (the site file's counters, all day)."""
    calendar = SiteCalendar(site)
    today = calendar.service_day(now)
    result: list[BookingRoom] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for service in site.services:
            share = site.booking_share(service.code)
            if share <= 0:
                continue
            room = _room(site, state, calendar, service, share, bookings, day, now, offset == 0)
            if room is not None:
                result.append(room)
    return result


def _room(
    site: Site,
    state: QueueState,
    calendar: SiteCalendar,
    service: Service,
    share: float,
    bookings: Sequence[Booking],
    day: date,
    now: datetime,
    today: bool,
) -> BookingRoom | None:
    hours = calendar.hours(service, day)
    if hours is None:
        return None
    zone = calendar.zone
    opening = datetime.combine(day, hours.open, zone)
    close = datetime.combine(day, hours.close, zone)
    if today:
        counters = counters_serving(site, state, [service.code])
        windows = day_windows(site, hours, counters, day, zone)
        counters = present(state, counters, windows, now)
        since = max(now, opening).astimezone(zone)  # site time: what upstream shows
        minutes = expected_minutes(site, state, service.code, now)
    else:
        counters = [c for c in site.counters if service_weight(c, service.code) > 0]
        windows = day_windows(site, hours, counters, day, zone)
        since = opening
        minutes = service.mean_service_minutes
    kept = share * service_minutes(service.code, counters, windows, since, close)
    end = datetime.combine(day, time(23, 59, 59), zone)
    mine = [b for b in bookings if b.service == service.code and since <= b.appointment_at < end]
    return BookingRoom(
        service=service.code,
        day=day,
        since=since,
        reserved=math.floor(kept / minutes + 1e-9) if minutes > 0 else 0,
        booked=len(mine),
        reserved_minutes=kept,
        booked_minutes=len(mine) * minutes,
    )
