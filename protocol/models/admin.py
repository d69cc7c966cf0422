"""Admin console commands (the console itself comes with its own issue).

Admin commands share the command envelope of devices but travel on the admin
topics, so only accounts with the ``admin`` role can send them.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from protocol.models.base import Envelope
from protocol.models.fields import AccountName, ShortText, TicketId, Timestamp


class AdminCommand(Envelope):
    """Fields shared by every admin command."""

    command_id: UUID
    account: AccountName
    issued_at: Timestamp


class AdminAnnounce(AdminCommand):
    """Set the running-text announcements shown on displays and LED panels."""

    summary = "Set announcements"
    type: Literal["admin.announce"] = "admin.announce"
    texts: list[ShortText] = Field(max_length=20)


class AdminPing(AdminCommand):
    """Check that the hub answers; replies ok with no data."""

    summary = "Ping the hub"
    type: Literal["admin.ping"] = "admin.ping"


class AdminTicketStatus(AdminCommand):
    """Ask where a ticket stands now, as ``ticket.status`` of a device does.

    A read: no event, reply not stored, a repeat answered afresh. A ticket id
    the hub does not hold today is refused `unknown_ticket`.
    """

    summary = "Ask a ticket's state, people ahead and estimated wait"
    type: Literal["ticket.status"] = "ticket.status"
    ticket_id: TicketId


ADMIN_COMMANDS: tuple[type[AdminCommand], ...] = (AdminAnnounce, AdminPing, AdminTicketStatus)
