"""Turning hub state into contract payloads (replies, retained state, call events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from hub.bookings import Booking
from hub.signature_requests import counter_ask
from hub.site.schema import Site
from hub.state import CallRecord, QueueState, TicketRecord
from protocol.models import (
    CallEvent,
    Catalogue,
    CatalogueAgency,
    CatalogueCategory,
    CatalogueOfficer,
    CatalogueService,
    CounterStatus,
    CounterView,
    PriorityCategory,
    RecentCalls,
    ServiceStatus,
    TicketView,
)
from protocol.models.replies import CounterState


def ticket_view(site: Site, ticket: TicketRecord) -> TicketView:
    service = site.service(ticket.service)
    return TicketView(
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        service=service.code,
        service_name=service.name,
        agency_name=site.agency(service.agency).name,
        category=PriorityCategory(ticket.category.value),
        state=ticket.state,
        issued_at=ticket.issued_at or ticket.reserved_at,
        people_ahead=ticket.people_ahead,
        estimated_wait_min=ticket.estimated_wait_min,
        counter=ticket.counter,
        recalls=ticket.recalls,
    )


def waiting_for_counter(site: Site, state: QueueState, number: int) -> int:
    from hub.day_plan import all_services

    return sum(1 for _ in state.waiting(all_services(site, state, number)))


def counter_view(site: Site, state: QueueState, number: int) -> CounterView:
    record = state.counter(number)
    current = state.tickets.get(record.current) if record.current else None
    return CounterView(
        counter=number,
        state=record.state,
        current=ticket_view(site, current) if current else None,
        waiting=waiting_for_counter(site, state, number),
        agency=site.counter(number).agency if number in site.counters_by_number else None,
        officer_id=record.officer,
        signature=counter_ask(site, state, number),
    )


def counter_status(site: Site, state: QueueState, number: int) -> CounterStatus:
    view = counter_view(site, state, number)
    served = sum(1 for t in state.tickets.values() for v in t.visits if v.counter == number)
    return CounterStatus(
        counter=number,
        name=site.counter(number).name,
        state=view.state,
        current=view.current,
        waiting=view.waiting,
        served_today=served,
        reason=state.counter(number).reason,
        officer_id=view.officer_id,
        officer=state.counter(number).officer_name,
        signature=view.signature,
    )


def service_status(
    site: Site,
    state: QueueState,
    code: str,
    now: datetime,
    bookings: Sequence[Booking] = (),
) -> ServiceStatus:
    """The retained state of a service; ``bookings`` (today's) so that the kiosk's grey
    button agrees with what a tap would get (the bookings' room and the reserve)."""
    from hub.day_plan import admission, all_services
    from hub.dispatch.estimate import estimated_wait_minutes, people_ahead
    from hub.site.schema import CategoryCode

    availability = admission(site, state, code, now, bookings=bookings)
    accepting, reason = availability.accepting, availability.reason
    ahead = people_ahead(state, code, CategoryCode.REGULAR)
    open_counters = sum(
        1
        for counter in site.counters
        if code in all_services(site, state, counter.number)
        and state.counter(counter.number).state is CounterState.OPEN
    )
    from hub.day_plan import daily_quota

    waiting = list(state.waiting({code}))
    issued = state.issued_count(code)
    quota = daily_quota(site, state, code)
    return ServiceStatus(
        service=code,
        waiting=ahead,
        estimated_wait_min=estimated_wait_minutes(site, state, code, now),
        open_counters=open_counters,
        accepting=accepting,
        reason=reason,
        reason_code=availability.reason_code,
        reopens_at=availability.reopens_at,
        oldest_waiting_since=min((t.queued_at or t.reserved_at for t in waiting), default=None),
        issued_today=issued,
        served_today=sum(1 for t in state.tickets.values() for v in t.visits if v.service == code),
        quota_left=max(0, quota - issued) if quota is not None else None,
        admission=availability.state,
    )


def catalogue(site: Site) -> Catalogue:
    return Catalogue(
        site_id=site.id,
        site_name=site.name,
        timezone=site.timezone,
        ticket_url=site.tickets.qr_url,
        agencies=[
            CatalogueAgency(
                code=a.code,
                name=a.name,
                short_name=a.short_name,
                colour=a.colour,
                waiting_area=a.waiting_area,
            )
            for a in site.agencies
        ],
        services=[
            CatalogueService(
                code=s.code,
                name=s.name,
                agency=s.agency,
                short_name=s.short_name,
                featured=s.featured,
            )
            for s in site.services
        ],
        categories=[
            CatalogueCategory(code=PriorityCategory(c.code.value), name=c.name, who=c.who)
            for c in site.categories
        ],
        officers=[CatalogueOfficer(nip=o.nip, name=o.name, agency=o.agency) for o in site.officers],
    )


def call_event(site: Site, call: CallRecord) -> CallEvent:
    counter = site.counter(call.counter)
    service = site.service(call.service)
    return CallEvent(
        event_id=UUID(call.event_id),
        seq=call.seq,
        number=call.number,
        counter=call.counter,
        counter_name=counter.name,
        service=service.code,
        agency_name=site.agency(service.agency).short_name,
        zone=counter.zone,
        recall=call.recall,
        called_at=call.at,
    )


def recent_calls(site: Site, state: QueueState) -> RecentCalls:
    return RecentCalls(calls=[call_event(site, call) for call in state.recent_calls])
