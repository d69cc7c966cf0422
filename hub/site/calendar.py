"""Local time at the site: service days, opening hours and whether tickets may be issued.

Reasons are in Bahasa Indonesia: the kiosk shows them next to a greyed service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.site.schema import DayHours, Service, Site


@dataclass(frozen=True)
class Availability:
    accepting: bool
    reason: str | None = None
    minutes_until_open: float = 0.0
    reopens_at: datetime | None = None  # when not accepting: the next first ticket, if known


LOOKAHEAD_DAYS = 31  # a service closed longer than this shows no reopening time


class SiteCalendar:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.zone = ZoneInfo(site.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def service_day(self, moment: datetime) -> date:
        """The local calendar day; numbering restarts when it changes."""
        return self.local(moment).date()

    def hours(self, service: Service | None, day: date) -> DayHours | None:
        if day in self.site.holidays:
            return None
        weekly = service.hours if service is not None and service.hours else self.site.hours
        return weekly.for_weekday(day.weekday())

    def calls_end(self, service: Service, day: date) -> datetime | None:
        """Until when counters may call a ticket of ``service`` on ``day`` (None: not open).

        Closing plus the site's grace, plus its overtime where the site serves
        in overtime (:class:`~hub.site.schema.ClosingRules`).
        """
        hours = self.hours(service, day)
        if hours is None:
            return None
        close = datetime.combine(day, hours.close, self.zone)
        return close + timedelta(minutes=self.site.closing.calls_end_minutes)

    def availability(self, service: Service, moment: datetime) -> Availability:
        """Whether a kiosk may issue a ticket for ``service`` at ``moment``."""
        local = self.local(moment)
        day = local.date()
        if day in self.site.holidays:
            return Availability(
                False, "Hari libur, layanan tutup", reopens_at=self.next_opening(service, moment)
            )
        hours = self.hours(service, day)
        if hours is None:
            return Availability(
                False, "Layanan tidak buka hari ini", reopens_at=self.next_opening(service, moment)
            )
        opens = datetime.combine(day, self.site.tickets.kiosk_opens, self.zone)
        first_call = datetime.combine(day, hours.open, self.zone)
        close = datetime.combine(day, hours.close, self.zone)
        cutoff = close - timedelta(minutes=self.site.tickets.cutoff_minutes_before_close)
        if local < opens:
            return Availability(
                False, f"Belum buka, antrean mulai pukul {_hm(opens)}", reopens_at=opens
            )
        if local >= cutoff:
            return Availability(
                False,
                f"Pengambilan antrean ditutup pukul {_hm(cutoff)}",
                reopens_at=self.next_opening(service, moment),
            )
        until_open = max(0.0, (first_call - local).total_seconds() / 60)
        for pause in hours.breaks:
            if pause.contains(local.time()):
                end = datetime.combine(day, pause.end, self.zone)
                until_open = max(until_open, (end - local).total_seconds() / 60)
        return Availability(True, None, until_open)

    def next_opening(self, service: Service, moment: datetime) -> datetime | None:
        """The first ticket time of the next service day after ``moment``'s day."""
        day = self.local(moment).date()
        for ahead in range(1, LOOKAHEAD_DAYS + 1):
            candidate = day + timedelta(days=ahead)
            if self.hours(service, candidate) is not None:
                return datetime.combine(candidate, self.site.tickets.kiosk_opens, self.zone)
        return None


def _hm(moment: datetime) -> str:
    return moment.strftime("%H.%M")
