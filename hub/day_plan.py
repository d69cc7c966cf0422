"""The day as the admin changed it: counter services, quotas, services closed early.

The site file says how the building normally runs; the admin console can
change some of it for the rest of the day (events in the log, cleared when the
next day opens). Everything that asks "which services does counter 3 call?",
"what is DUK-KTP's quota?" or "may a kiosk issue a ticket now?" asks here, so
a change made from the console holds everywhere at once.

:func:`admission` is also the seam for the capacity rule (issue 12): a rule
that turns tickets away because the queue cannot be served before closing
answers :attr:`~protocol.models.Admission.CAPACITY` from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.admission import capacity_full
from hub.bookings import Booking
from hub.site.calendar import SiteCalendar
from hub.site.schema import Site
from hub.state import QueueState
from protocol.errors import ErrorCode
from protocol.models import Admission

DAY_CLOSED_REASON = "Layanan hari ini sudah ditutup"
QUOTA_FULL_REASON = "Kuota hari ini sudah habis"


def counter_services(site: Site, state: QueueState, number: int) -> tuple[list[str], list[str]]:
    """(primary, secondary) services of counter ``number`` today."""
    changed = state.counter_services.get(number)
    if changed is not None:
        return list(changed[0]), list(changed[1])
    counter = site.counter(number)
    return list(counter.primary), list(counter.secondary)


def all_services(site: Site, state: QueueState, number: int) -> set[str]:
    primary, secondary = counter_services(site, state, number)
    return set(primary) | set(secondary)


def daily_quota(site: Site, state: QueueState, code: str) -> int | None:
    """Today's quota of a service: the admin's if set (None: lifted), else the site file's."""
    if code in state.quotas:
        return state.quotas[code]
    return site.service(code).daily_quota


@dataclass(frozen=True)
class AdmissionVerdict:
    """Whether tickets may be issued for a service now; ``reason`` is for the kiosk."""

    state: Admission
    reason: str | None = None
    minutes_until_open: float = 0.0
    reopens_at: datetime | None = None
    """When tickets can be taken again, if known (the kiosk shows "Buka besok pukul 07.30")."""

    @property
    def accepting(self) -> bool:
        return self.state is Admission.OPEN

    @property
    def reason_code(self) -> ErrorCode | None:
        """The code the kiosk words itself; None where the hub's own words say it best
        (a service the admin closed early with a reason, the day closed)."""
        return _REASON_CODES.get(self.state)


_REASON_CODES: dict[Admission, ErrorCode] = {
    Admission.OUT_OF_HOURS: ErrorCode.CLOSED,
    Admission.QUOTA_FULL: ErrorCode.QUOTA_FULL,
    Admission.CAPACITY: ErrorCode.AGENCY_FULL,
}


def admission(
    site: Site,
    state: QueueState,
    code: str,
    now: datetime,
    *,
    walk_in: bool = True,
    bookings: Sequence[Booking] = (),
) -> AdmissionVerdict:
    """The first reason that stops a kiosk issuing a ticket for ``code`` now, if any.

    A walk-in shares the quota with the bookings still to come today and must
    pass the capacity rule (:mod:`hub.admission`); a booking checking in was
    admitted when it was made, so only the day and the hours apply to it.
    """
    service = site.service(code)
    calendar = SiteCalendar(site)
    availability = calendar.availability(service, now)
    if state.day_closed:
        return AdmissionVerdict(Admission.DAY_CLOSED, DAY_CLOSED_REASON)
    if code in state.closed_services:
        return AdmissionVerdict(Admission.CLOSED_EARLY, state.closed_services[code])
    if not availability.accepting:
        return AdmissionVerdict(
            Admission.OUT_OF_HOURS, availability.reason, reopens_at=availability.reopens_at
        )
    if not walk_in:
        return AdmissionVerdict(Admission.OPEN, None, availability.minutes_until_open)
    promised = sum(1 for b in bookings if b.service == code and b.code not in state.bookings_used)
    quota = daily_quota(site, state, code)
    if quota is not None and state.issued_count(code) + promised >= quota:
        return AdmissionVerdict(
            Admission.QUOTA_FULL,
            QUOTA_FULL_REASON,
            availability.minutes_until_open,
            reopens_at=calendar.next_opening(service, now),
        )
    full = capacity_full(site, state, service, now, bookings)
    if full is not None:
        return AdmissionVerdict(
            Admission.CAPACITY,
            full.reason,
            availability.minutes_until_open,
            reopens_at=full.next_open_at,
        )
    return AdmissionVerdict(Admission.OPEN, None, availability.minutes_until_open)
