"""The bookings of a finished service day that nobody checked in.

Decided once, when the next day opens, while the booking store still holds
the day's bookings (it forgets old ones), and logged as events so the reports
count "booked, did not come" for archived days as for yesterday.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from hub.bookings import BookingSource
from hub.events import BookingsUnclaimed
from hub.site.calendar import SiteCalendar
from hub.state import QueueState


def unclaimed_bookings(
    bookings: BookingSource, state: QueueState, calendar: SiteCalendar, now: datetime
) -> list[BookingsUnclaimed]:
    """One event per service with the codes of the ending day's unused, live bookings."""
    if state.day is None:
        return []
    start = datetime.combine(state.day, time(0), calendar.zone)
    codes: dict[str, list[str]] = defaultdict(list)
    for booking in bookings.between(start, start + timedelta(days=1)):
        if booking.code not in state.bookings_used:
            codes[booking.service].append(booking.code)
    return [
        BookingsUnclaimed(at=now, day=state.day, service=service, codes=sorted(found))
        for service, found in sorted(codes.items())
    ]
