"""What each agency's counters can serve in a day, against the quotas the site sets.

Capacity per agency per day ≈ counter-minutes of its counters (opening to
closing, minus the site's breaks and each counter's own) ÷ the mean time at
the counter of its services. A daily quota above that sells tickets the
building cannot serve: the hub's admission refuses before the quota is
reached anyway, but the number on the wall should be honest. ``mpp hub run``
logs these warnings at start and ``mpp config validate --site`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.site.schema import Counter, DayHours, Site

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class AgencyCapacity:
    agency: str
    weekday: str
    counters: int
    counter_minutes: float
    mean_minutes: float
    quota_total: int | None  # None when a service of the agency has no quota
    quota_minutes: float

    @property
    def tickets(self) -> int:
        return int(self.counter_minutes / self.mean_minutes) if self.mean_minutes else 0


def agency_capacities(site: Site) -> list[AgencyCapacity]:
    """Each agency's day on its longest service day of the week (a quota is per day:
    if even that day cannot serve it, no day can)."""
    result = []
    for agency in site.agencies:
        services = [s for s in site.services if s.agency == agency.code]
        codes = {s.code for s in services}
        counters = [c for c in site.counters if codes & set(c.primary + c.secondary)]
        if not services or not counters:
            continue
        days = [
            (name, hours) for name in WEEKDAYS if (hours := getattr(site.hours, name)) is not None
        ]
        if not days:
            continue
        weekday, minutes = max(
            ((name, _counter_minutes(hours, counters)) for name, hours in days),
            key=lambda pair: pair[1],
        )
        mean = sum(s.mean_service_minutes for s in services) / len(services)
        quotas = [s.daily_quota for s in services]
        total = None if any(q is None for q in quotas) else sum(q or 0 for q in quotas)
        quota_minutes = sum((s.daily_quota or 0) * s.mean_service_minutes for s in services)
        result.append(
            AgencyCapacity(agency.code, weekday, len(counters), minutes, mean, total, quota_minutes)
        )
    return result


def _counter_minutes(hours: DayHours, counters: list[Counter]) -> float:
    def minutes(start: time, end: time) -> float:
        day = date(2000, 1, 3)
        return (datetime.combine(day, end) - datetime.combine(day, start)) / timedelta(minutes=1)

    total = 0.0
    for counter in counters:
        left = minutes(hours.open, hours.close)
        for pause in [*hours.breaks, *counter.breaks]:
            left -= minutes(pause.start, pause.end)
        total += max(0.0, left)
    return total


def quota_warnings(site: Site) -> list[tuple[str, str]]:
    """(where, message) for every agency whose daily quotas exceed its counters' day."""
    warnings = []
    for cap in agency_capacities(site):
        if cap.quota_minutes <= cap.counter_minutes:
            continue
        warnings.append(
            (
                f"agencies ({cap.agency})",
                f"daily quotas need {cap.quota_minutes:,.0f} counter-minutes"
                + (f" ({cap.quota_total} tickets)" if cap.quota_total is not None else "")
                + f" but its {cap.counters} counter{'s' if cap.counters != 1 else ''} have "
                f"{cap.counter_minutes:,.0f} on a {cap.weekday} "
                f"(about {cap.tickets} tickets at {cap.mean_minutes:.1f} min); "
                "the hub refuses tickets as 'agency full' before the quota is reached — "
                "lower the quotas or add counters",
            )
        )
    return warnings


def booking_warnings(site: Site) -> list[tuple[str, str]]:
    """(where, message) for booking reserves that leave walk-ins nothing, hold more
    bookings than the service's quota, or have no counter to keep time on."""
    from hub.dispatch.booking_reserve import service_weight

    warnings = []
    days = [hours for name in WEEKDAYS if (hours := getattr(site.hours, name)) is not None]
    for service in site.services:
        share = site.booking_share(service.code)
        if share <= 0:
            continue
        where = f"services ({service.code})"
        counters = [c for c in site.counters if service_weight(c, service.code) > 0]
        if not counters:
            warnings.append((where, f"booking_share {share:g} but no counter calls it"))
            continue
        if share >= 1:
            warnings.append(
                (where, "booking_share 1: all its counter time is kept for bookings, "
                 "walk-ins are refused 'agency full' all day")
            )
        minutes = max(
            (
                sum(
                    service_weight(c, service.code) * _counter_minutes(hours, [c])
                    for c in counters
                )
                for hours in days
            ),
            default=0.0,
        )
        reserved = int(share * minutes / service.mean_service_minutes)
        if service.daily_quota is not None and reserved > service.daily_quota:
            warnings.append(
                (
                    where,
                    f"booking_share {share:g} keeps room for about {reserved} bookings a day "
                    f"({share * minutes:,.0f} of its {minutes:,.0f} counter-minutes), more "
                    f"than its daily quota of {service.daily_quota}: walk-ins get none and "
                    "bookings past the quota cannot be served — lower the share or raise "
                    "the quota",
                )
            )
    return warnings
