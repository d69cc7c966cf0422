"""The report of a period: one pass over its events, no state of the hub needed.

Every figure is derived from the events alone (the same log the hub replays),
so a report of last year's days is as exact as one of today's. A ticket's
life is followed visit by visit: printed (queued) → called → service started
→ finished, transferred on (a new visit at the other service) or no-show
(requeued: a new visit at the same service).

Definitions (also in docs/reports.md):

* wait: queued (printed, transferred or requeued) → first call of the visit;
* walk: first call → service started, where the counter pressed *start*;
* service: service started (else first call) → finished or transferred;
* within target: calls whose wait was at most the service's target;
* walked out: still waiting or called, never served, when the day closed
  (also those sent home when calls ended: ``not_served``, ``return_ticket``);
* turned away: ``ticket.reserve`` refused because the quota was reached or
  the service was closed (as many as the hub kept: 20 a minute per kiosk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub.events import (
    BookingsUnclaimed,
    CancelReason,
    CommandRejected,
    Event,
    OfficerSignedIn,
    SatisfactionRated,
    SurveyAnswered,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketIssued,
    TicketMoved,
    TicketNoShow,
    TicketRequeued,
    TicketReserved,
    TicketServing,
    TicketTransferred,
)
from hub.reports.ikm import ikm, score_band
from hub.reports.stats import DECIMALS, durations
from hub.site.schema import Site
from protocol.clock import wall_now
from protocol.models.reports import DailyPoint, Figures, HeatMap, Ratings, Report

TURNED_AWAY_CODES = frozenset({"quota_full", "closed"})
TURNED_AWAY_COMMANDS = frozenset({"ticket.reserve", "booking.check_in"})
# The day ended before the citizen was served: closed at the roll-over, or sent home
# when calls ended (after the overtime, or with a return ticket) — walked out, not cancelled.
DAY_ENDED = frozenset(
    {CancelReason.DAY_CLOSED, CancelReason.NOT_SERVED, CancelReason.RETURN_TICKET}
)
NOT_CANCELLED = DAY_ENDED | {CancelReason.RESERVATION_EXPIRED}


def _minutes(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)


@dataclass
class _Tally:
    """What one group (total, agency, service or counter) accumulates."""

    issued: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    turned_away: int = 0
    walked_out: int = 0
    transfers_out: int = 0
    transfers_in: int = 0
    bookings_checked_in: int = 0
    bookings_no_show: int = 0
    bookings_unclaimed: int = 0
    calls: int = 0
    within: int = 0
    waits: list[float] = field(default_factory=list)
    walks: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    surveys: list[list[int | None]] = field(default_factory=list)

    def figures(self, key: str, name: str, agency: str | None) -> Figures:
        return Figures(
            key=key,
            name=name,
            agency=agency,
            issued=self.issued,
            called=self.calls,
            served=self.served,
            no_shows=self.no_shows,
            cancelled=self.cancelled,
            turned_away=self.turned_away,
            walked_out=self.walked_out,
            transfers_out=self.transfers_out,
            transfers_in=self.transfers_in,
            wait=durations(self.waits),
            walk=durations(self.walks),
            service=durations(self.services),
            within_target=round(self.within / self.calls, 4) if self.calls else None,
            bookings_checked_in=self.bookings_checked_in,
            bookings_no_show=self.bookings_no_show,
            bookings_unclaimed=self.bookings_unclaimed,
        )

    def rating_figures(self, key: str, name: str) -> Ratings:
        total = sum(self.ratings)
        mean = (
            sum(r * c for r, c in zip((1, 2, 3, 4), self.ratings, strict=True)) / total
            if (total)
            else None
        )
        score = round(mean * 25, DECIMALS) if mean is not None else None
        band = score_band(score)
        return Ratings(
            key=key,
            name=name,
            counts=list(self.ratings),
            total=total,
            mean=round(mean, 4) if mean is not None else None,
            score=score,
            band=band[0] if band else None,
            quality=band[1] if band else None,
        )


@dataclass
class _Visit:
    service: str
    queued_at: datetime
    called_at: datetime | None = None
    serving_at: datetime | None = None
    counter: int | None = None
    officer: str | None = None  # who called it: its wait, and a walk-out, count for them


@dataclass
class _Ticket:
    day: date
    origin: str
    booked: bool
    issued: bool = False
    visit: _Visit | None = None
    service: str | None = None  # the service of the last no-show visit (for a requeue)
    finished_by: dict[int, str] = field(default_factory=dict)  # counter → officer (SKM)


class _Groups:
    """Tallies per group; a fact about (service, counter) lands in every group it belongs to."""

    def __init__(self, site: Site, agency: str | None) -> None:
        self.site = site
        self.only = agency
        self.total = _Tally()
        self.agencies: dict[str, _Tally] = defaultdict(_Tally)
        self.services: dict[str, _Tally] = defaultdict(_Tally)
        self.counters: dict[int, _Tally] = defaultdict(_Tally)
        self.officers: dict[str, _Tally] = defaultdict(_Tally)

    def agency_of(self, service: str) -> str:
        return self.site.service(service).agency if self.site.has_service(service) else "?"

    def add(
        self,
        service: str,
        counter: int | None,
        change: Callable[[_Tally], None],
        officer: str | None = None,
    ) -> None:
        agency = self.agency_of(service)
        if self.only is not None and agency != self.only:
            return
        change(self.total)
        change(self.agencies[agency])
        change(self.services[service])
        if counter is not None:
            change(self.counters[counter])
        if officer is not None:
            change(self.officers[officer])


class _Fold:
    """One pass over the events of the period, in store order."""

    def __init__(self, site: Site, agency: str | None) -> None:
        self.site = site
        self.zone = ZoneInfo(site.timezone)
        self.groups = _Groups(site, agency)
        self.tickets: dict[str, _Ticket] = {}
        self.heat = [[0] * 24 for _ in range(7)]
        self.days: dict[date, _Tally] = defaultdict(_Tally)
        self.officer_names: dict[str, str] = {}  # as signed in (a name the site file dropped)
        self.handlers: dict[type, Callable[[object], None]] = {
            TicketReserved: self._reserved,  # type: ignore[dict-item]
            TicketIssued: self._issued,  # type: ignore[dict-item]
            TicketCancelled: self._cancelled,  # type: ignore[dict-item]
            TicketCalled: self._called,  # type: ignore[dict-item]
            TicketServing: self._serving,  # type: ignore[dict-item]
            TicketDone: self._done,  # type: ignore[dict-item]
            TicketNoShow: self._no_show,  # type: ignore[dict-item]
            TicketRequeued: self._requeued,  # type: ignore[dict-item]
            TicketTransferred: self._transferred,  # type: ignore[dict-item]
            TicketMoved: self._moved,  # type: ignore[dict-item]
            SatisfactionRated: self._rated,  # type: ignore[dict-item]
            SurveyAnswered: self._surveyed,  # type: ignore[dict-item]
            CommandRejected: self._rejected,  # type: ignore[dict-item]
            OfficerSignedIn: self._signed_in,  # type: ignore[dict-item]
            BookingsUnclaimed: self._unclaimed,  # type: ignore[dict-item]
        }

    def apply(self, event: Event) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _in_scope(self, service: str) -> bool:
        return self.groups.only is None or self.groups.agency_of(service) == self.groups.only

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    # -- tickets -------------------------------------------------------------------

    def _reserved(self, event: TicketReserved) -> None:
        self.tickets[event.ticket_id] = _Ticket(
            day=self._local(event.at).date(),
            origin=event.service,
            booked=event.booking_code is not None,
        )

    def _issued(self, event: TicketIssued) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None or ticket.issued:
            return
        ticket.issued = True
        ticket.visit = _Visit(service=ticket.origin, queued_at=event.at)

        def count(tally: _Tally) -> None:
            tally.issued += 1
            tally.bookings_checked_in += ticket.booked

        self.groups.add(ticket.origin, None, count)
        if self._in_scope(ticket.origin):
            local = self._local(event.at)
            self.heat[local.weekday()][local.hour] += 1
            self.days[ticket.day].issued += 1

    def _cancelled(self, event: TicketCancelled) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None:
            return
        visit = ticket.visit
        if event.reason in DAY_ENDED:
            if ticket.issued and visit is not None and visit.serving_at is None:
                self.groups.add(visit.service, visit.counter, _walked_out, visit.officer)
        elif event.reason not in NOT_CANCELLED:
            service = visit.service if visit is not None else ticket.origin
            self.groups.add(
                service,
                visit.counter if visit else None,
                _cancel,
                visit.officer if visit else None,
            )
        ticket.visit = None

    def _called(self, event: TicketCalled) -> None:
        ticket = self.tickets.get(event.ticket_id)
        visit = ticket.visit if ticket else None
        if visit is None or visit.called_at is not None:
            return  # a recall: the visit's wait ended at the first call
        visit.called_at = event.at
        visit.counter = event.counter
        visit.officer = event.officer
        wait = _minutes(visit.queued_at, event.at)
        target = (
            self.site.service(visit.service).target_minutes
            if self.site.has_service(visit.service)
            else None
        )

        def count(tally: _Tally) -> None:
            tally.calls += 1
            tally.waits.append(wait)
            tally.within += target is not None and wait <= target

        self.groups.add(visit.service, event.counter, count, event.officer)
        if ticket is not None and self._in_scope(visit.service):
            self.days[ticket.day].waits.append(wait)

    def _serving(self, event: TicketServing) -> None:
        ticket = self.tickets.get(event.ticket_id)
        visit = ticket.visit if ticket else None
        if visit is None or visit.called_at is None or visit.serving_at is not None:
            return
        visit.serving_at = event.at
        walk = _minutes(visit.called_at, event.at)
        self.groups.add(
            visit.service, event.counter, lambda t: t.walks.append(walk), event.officer
        )

    def _finish(
        self,
        ticket: _Ticket,
        counter: int,
        at: datetime,
        transferred: bool,
        officer: str | None,
    ) -> None:
        """A finished visit counts for the officer who finished it (a shift may change
        between the call and the finish: the service was theirs)."""
        visit = ticket.visit
        if visit is None:
            return
        started = visit.serving_at or visit.called_at
        minutes = _minutes(started, at) if started is not None else None

        def count(tally: _Tally) -> None:
            tally.served += 1
            tally.transfers_out += transferred
            if minutes is not None:
                tally.services.append(minutes)

        self.groups.add(visit.service, counter, count, officer)
        if officer is not None:
            ticket.finished_by[counter] = officer
        if self._in_scope(visit.service):
            self.days[ticket.day].served += 1

    def _done(self, event: TicketDone) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is not None:
            self._finish(ticket, event.counter, event.at, False, event.officer)
            ticket.visit = None

    def _transferred(self, event: TicketTransferred) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None or ticket.visit is None:
            return
        self._finish(ticket, event.counter, event.at, True, event.officer)
        ticket.visit = _Visit(service=event.to_service, queued_at=event.at)
        self.groups.add(event.to_service, None, _transfer_in)

    def _no_show(self, event: TicketNoShow) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None or ticket.visit is None:
            return
        booked = ticket.booked

        def count(tally: _Tally) -> None:
            tally.no_shows += 1
            tally.bookings_no_show += booked

        self.groups.add(ticket.visit.service, event.counter, count, event.officer)
        ticket.service = ticket.visit.service
        ticket.visit = None  # out of the queue: only a requeue puts it back

    def _requeued(self, event: TicketRequeued) -> None:
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None or not ticket.issued:
            return
        ticket.visit = _Visit(service=ticket.service or ticket.origin, queued_at=event.at)

    def _moved(self, event: TicketMoved) -> None:
        """The admin moved a waiting (or called, unserved) ticket to another service's
        queue, keeping its place: its visit continues there, its wait still counts
        from when it was queued."""
        ticket = self.tickets.get(event.ticket_id)
        if ticket is None or ticket.visit is None:
            return
        ticket.visit = _Visit(service=event.to_service, queued_at=ticket.visit.queued_at)

    # -- satisfaction and refusals ------------------------------------------------

    def _rated(self, event: SatisfactionRated) -> None:
        def count(tally: _Tally) -> None:
            tally.ratings[int(event.rating) - 1] += 1

        ticket = self.tickets.get(event.ticket_id)
        officer = ticket.finished_by.get(event.counter) if ticket else None
        self.groups.add(event.service, event.counter, count, officer)

    def _surveyed(self, event: SurveyAnswered) -> None:
        self.groups.add(event.service, event.counter, lambda t: t.surveys.append(event.answers))

    def _signed_in(self, event: OfficerSignedIn) -> None:
        self.officer_names[event.officer] = event.name

    def _unclaimed(self, event: BookingsUnclaimed) -> None:
        missed = len(event.codes)

        def count(tally: _Tally) -> None:
            tally.bookings_unclaimed += missed

        self.groups.add(event.service, None, count)

    def _rejected(self, event: CommandRejected) -> None:
        if (
            event.command_type in TURNED_AWAY_COMMANDS
            and event.code in TURNED_AWAY_CODES
            and event.service is not None
        ):
            self.groups.add(event.service, None, _turned_away)


def _walked_out(tally: _Tally) -> None:
    tally.walked_out += 1


def _cancel(tally: _Tally) -> None:
    tally.cancelled += 1


def _transfer_in(tally: _Tally) -> None:
    tally.transfers_in += 1


def _turned_away(tally: _Tally) -> None:
    tally.turned_away += 1


def _officers(
    site: Site, fold: _Fold, in_scope: set[str]
) -> list[tuple[str, str, str | None, _Tally]]:
    """(NIP, name, agency, tally) of every officer with a visit in the period: the site's
    list first (in its order), then NIPs the events name that the list no longer has."""
    tallies = fold.groups.officers
    rows = [
        (o.nip, o.name, o.agency, tallies[o.nip])
        for o in site.officers
        if o.agency in in_scope and o.nip in tallies
    ]
    listed = {o.nip for o in site.officers}
    rows += [
        (nip, fold.officer_names.get(nip, nip), None, tallies[nip])
        for nip in sorted(tallies)
        if nip not in listed
    ]
    return rows


def compute_report(
    site: Site,
    events: Iterable[Event],
    first_day: date,
    last_day: date,
    agency: str | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """The figures of the events of ``first_day``…``last_day`` (all of them, in store order).

    ``agency`` narrows every figure to that agency's services and counters.
    The caller passes the events of exactly those days (:mod:`hub.reports.source`).
    """
    fold = _Fold(site, agency)
    for event in events:
        fold.apply(event)
    groups = fold.groups
    agencies = [a for a in site.agencies if agency is None or a.code == agency]
    in_scope = {a.code for a in agencies}
    services = [s for s in site.services if s.agency in in_scope]
    counter_numbers = sorted(
        {c.number for c in site.counters if c.agency in in_scope} | set(groups.counters)
    )
    counters = []
    for number in counter_numbers:
        known = next((c for c in site.counters if c.number == number), None)
        counters.append(
            groups.counters[number].figures(
                str(number),
                known.name if known else f"Loket {number}",
                known.agency if known else None,
            )
        )
    officers = _officers(site, fold, in_scope)
    weekdays = [0] * 7
    for day, tally in fold.days.items():
        if tally.issued:
            weekdays[day.weekday()] += 1
    scope_name = site.agency(agency).name if agency and agency in in_scope else site.name
    surveys_by_agency = [(a.code, ikm(groups.agencies[a.code].surveys)) for a in agencies]
    return Report(
        site_id=site.id,
        site_name=site.name,
        timezone=site.timezone,
        first_day=first_day,
        last_day=last_day,
        agency=agency,
        generated_at=generated_at or wall_now(),
        service_days=sum(1 for t in fold.days.values() if t.issued),
        total=groups.total.figures("total", scope_name, agency),
        agencies=[groups.agencies[a.code].figures(a.code, a.name, a.code) for a in agencies],
        services=[groups.services[s.code].figures(s.code, s.name, s.agency) for s in services],
        counters=counters,
        officers=[tally.figures(nip, name, agency) for nip, name, agency, tally in officers],
        busiest=HeatMap(counts=fold.heat, days=weekdays),
        daily=[
            DailyPoint(
                day=day,
                issued=tally.issued,
                served=tally.served,
                mean_wait=durations(tally.waits).mean,
            )
            for day, tally in sorted(fold.days.items())
        ],
        skm_total=groups.total.rating_figures("total", scope_name),
        skm_agencies=[groups.agencies[a.code].rating_figures(a.code, a.name) for a in agencies],
        skm_services=[groups.services[s.code].rating_figures(s.code, s.name) for s in services],
        skm_counters=[groups.counters[int(c.key)].rating_figures(c.key, c.name) for c in counters],
        skm_officers=[tally.rating_figures(nip, name) for nip, name, _agency, tally in officers],
        ikm=ikm(groups.total.surveys),
        ikm_agencies=[(code, value) for code, value in surveys_by_agency if value.respondents],
    )
