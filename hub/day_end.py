"""What happens to the tickets still waiting when a service's calls end.

The site decides (``[closing] end_of_day``): served in overtime and then
cancelled ``not_served``, or sent home with a priority return ticket for the
next service day (``return_ticket``). Never a silent drop: each ticket gets a
cancel event saying which, the day's summary counts them, and a return ticket
is announced on the running text and the display footer until that day's
opening.

Normally the hub's ticker sees the calls end (:meth:`DayEnd.due`). When it
did not — the hub was off at closing (a power cut in the afternoon, a
restart at 15.30, started again the next morning) or its clock jumped past
midnight — the roll-over to the new day applies the previous day's end first
(:meth:`DayEnd.missed`), in the same transaction as the new day's
``day.opened``: the same events for the same tickets, so a second start
finds the day already rolled over and issues nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from hub.admission import next_opening
from hub.events import AnnouncementsSet, CancelReason, DayOpened, Event, TicketCancelled
from hub.return_notice import return_notice
from hub.site.calendar import SiteCalendar
from hub.site.schema import EndOfDay, Service, Site
from hub.state import QueueState, TicketRecord
from protocol.models import TicketState

ENDED = (CancelReason.NOT_SERVED, CancelReason.RETURN_TICKET)


class DayEnd:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.calendar = SiteCalendar(site)

    def due(self, state: QueueState, now: datetime) -> list[Event]:
        """Today's waiting tickets whose service's calls have ended by ``now``."""
        if not any(t.state is TicketState.WAITING for t in state.tickets.values()):
            return []
        day = self.calendar.service_day(now)
        ended: list[TicketCancelled] = []
        for ticket in state.waiting():
            service = self.site.service(ticket.service)
            end = self.calendar.calls_end(service, day)
            if end is None or now < end:
                continue
            ended.append(self._ended(ticket, service, day, end, now, late=False))
        return [*ended, *self._notice(state, now, ended, day)]

    def missed(self, state: QueueState, now: datetime) -> list[Event]:
        """The end of ``state.day`` that the hub did not see, applied at the roll-over.

        Every ticket still waiting then gets the outcome it would have had when
        its calls ended; a return ticket is for the next service day of the
        site calendar on which the kiosk can still honour it (not a day the hub
        slept through: Friday's tickets with the hub back on Tuesday return on
        Tuesday), and the notice shows only if that day's opening is still ahead.
        """
        day = state.day
        if day is None or day >= self.calendar.service_day(now):
            return []
        ended: list[TicketCancelled] = []
        for ticket in state.waiting():
            service = self.site.service(ticket.service)
            end = self.calendar.calls_end(service, day)
            ended.append(self._ended(ticket, service, day, end, now, late=True))
        return [*ended, *self._notice(state, now, ended, day)]

    def closed_early(self, state: QueueState, now: datetime, account: str) -> list[Event]:
        """The admin closed the day (``mpp admin day close``) while citizens still wait.

        They are sent home as the site decides for its closing — a return ticket for the
        next service day, or ``not_served`` at the time of the close — with the admin's
        account on each event, never a bare ``day_closed``: an early close (a power cut
        in the building, an evacuation) is exactly when citizens need their place kept.
        """
        day = state.day
        if day is None:
            return []
        ended = [
            self._ended(
                ticket, self.site.service(ticket.service), day, now, now, late=False
            ).model_copy(update={"account": account})
            for ticket in state.waiting()
        ]
        return [*ended, *self._notice(state, now, ended, day)]

    # -- one ticket -------------------------------------------------------------------

    def _ended(
        self,
        ticket: TicketRecord,
        service: Service,
        day: date,
        end: datetime | None,
        now: datetime,
        *,
        late: bool,
    ) -> TicketCancelled:
        if self.site.closing.end_of_day is EndOfDay.RETURN_TICKET:
            opening = (
                self._return_opening(service, day, now)
                if late
                else next_opening(self.site, service, day)
            )
            when = f"{opening:%d-%m-%Y %H.%M}" if opening else "hari layanan berikutnya"
            return TicketCancelled(
                at=now,
                ticket_id=ticket.ticket_id,
                reason=CancelReason.RETURN_TICKET,
                detail=f"tiket kembali prioritas untuk {when}",
                return_on=opening.date() if opening else None,
            )
        until = f"pukul {self.calendar.local(end):%H.%M}" if end else f"pada {day:%d-%m-%Y}"
        return TicketCancelled(
            at=now,
            ticket_id=ticket.ticket_id,
            reason=CancelReason.NOT_SERVED,
            detail=f"belum terlayani {until}",
        )

    def _return_opening(self, service: Service, day: date, now: datetime) -> datetime | None:
        """The first service day after ``day`` whose kiosk still takes tickets at ``now``
        or later (the day the hub came back, if its ticket window is still open)."""
        opening = next_opening(self.site, service, day)
        today = self.calendar.service_day(now)
        while opening is not None and (
            opening.date() < today or (opening.date() == today and self._window_over(service, now))
        ):
            opening = next_opening(self.site, service, opening.date())
        return opening

    def _window_over(self, service: Service, now: datetime) -> bool:
        hours = self.calendar.hours(service, self.calendar.service_day(now))
        if hours is None:
            return True
        close = datetime.combine(self.calendar.service_day(now), hours.close, self.calendar.zone)
        cutoff = close - timedelta(minutes=self.site.tickets.cutoff_minutes_before_close)
        return now >= cutoff

    # -- the notice -------------------------------------------------------------------

    def _notice(
        self, state: QueueState, now: datetime, cancelled: list[TicketCancelled], day: date
    ) -> list[Event]:
        """The running text and the display's footer say it: whoever was not served keeps
        their ticket and scans it at a kiosk on the next service day for a priority
        number. Shown until that day's opening (if still ahead), beside the admin's texts
        still in force."""
        days = [e.return_on for e in cancelled if e.return_on]
        if not days:
            return []
        first = min(days)
        hours = self.calendar.hours(None, first)
        opens = datetime.combine(first, hours.open if hours else time(8), self.calendar.zone)
        if opens <= now:
            return []
        local = self.calendar.local(now)
        text = return_notice(opens, local, closed_on=None if day == local.date() else day)
        if text in state.announcements:
            return []
        until = state.announcements_until
        kept = state.announcements if until is None or until > now else []
        return [AnnouncementsSet(at=now, texts=[*kept, text], expires_at=opens)]


def missed_summary(events: Iterable[Event]) -> str | None:
    """A log line when a roll-over applied a day's end the hub had not seen, else None."""
    events = list(events)
    opened = next((e for e in events if isinstance(e, DayOpened)), None)
    if opened is None:
        return None
    late = Counter(
        e.reason.value for e in events if isinstance(e, TicketCancelled) and e.reason in ENDED
    )
    if not late:
        return None
    counts = ", ".join(f"{count} {reason}" for reason, count in sorted(late.items()))
    return f"end of the previous day applied late at the roll-over to {opened.day}: {counts}"
