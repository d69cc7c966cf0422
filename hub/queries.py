"""Reads of the queue state: answered from memory, never written.

A query changes nothing, so it produces no event and its reply is not stored
for de-duplication: a repeat (a retry with the same command id) is answered
afresh from the current state, which is what the asker wants, and a kiosk
asking often cannot fill the store. A refused query is logged, not recorded.
"""

from __future__ import annotations

from datetime import datetime

from hub.decide import Refusal
from hub.dispatch.estimate import estimated_wait_minutes, people_ahead_of
from hub.site.schema import Site
from hub.state import QueueState
from hub.views import ticket_view
from protocol.errors import ErrorCode
from protocol.models import TicketState, TicketView


def ticket_status(site: Site, state: QueueState, ticket_id: str, now: datetime) -> TicketView:
    """A ticket's view with people ahead and estimated wait as of ``now``.

    Both are computed only for a waiting ticket; in any other state they are
    0 (a called ticket is at its counter, a finished one is out of the queue).
    """
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise Refusal(
            ErrorCode.UNKNOWN_TICKET,
            f"unknown ticket {ticket_id}: the hub holds only the tickets of {state.day}",
        )
    ahead = wait = 0
    if ticket.state is TicketState.WAITING:
        ahead = people_ahead_of(state, ticket)
        wait = estimated_wait_minutes(
            site,
            state,
            ticket.service,
            now,
            category=ticket.category,
            before_order=ticket.order,
            joined_at=ticket.joined_at,
        )
    return ticket_view(site, ticket).model_copy(
        update={"people_ahead": ahead, "estimated_wait_min": wait}
    )
