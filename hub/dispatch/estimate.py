"""People ahead and estimated wait for a new ticket.

The estimate divides the work ahead (people ahead × recent mean service time
of the service at this hour) by the counters that serve it: a counter for
which it is primary counts fully, one for which it is secondary counts half.
Before opening, the time until opening is added. It is an honest rough
figure for the ticket, not a promise.
"""

from __future__ import annotations

import math
from datetime import datetime

from hub.site.schema import CategoryCode, Site
from hub.state import QueueState, TicketRecord
from protocol.models import CounterState, TicketState

SECONDARY_SHARE = 0.5


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


def serving_capacity(site: Site, state: QueueState, service: str) -> float:
    """Counters serving ``service``: open ones, else all that could open."""
    from hub.day_plan import counter_services

    open_share = configured_share = 0.0
    for counter in site.counters:
        primary, secondary = counter_services(site, state, counter.number)
        share = 1.0 if service in primary else (SECONDARY_SHARE if service in secondary else 0.0)
        configured_share += share
        if state.counter(counter.number).state is not CounterState.CLOSED:
            open_share += share
    return open_share or configured_share or 1.0


def mean_service_minutes(site: Site, state: QueueState, service: str, hour: int) -> float:
    recent = state.service_minutes_at(service, hour)
    return recent if recent is not None else site.service(service).mean_service_minutes


def estimated_wait_minutes(
    site: Site,
    state: QueueState,
    service: str,
    ahead: int,
    now: datetime,
    minutes_until_open: float = 0.0,
) -> int:
    per_ticket = mean_service_minutes(site, state, service, now.hour)
    capacity = serving_capacity(site, state, service)
    return math.ceil(minutes_until_open + ahead * per_ticket / capacity)
