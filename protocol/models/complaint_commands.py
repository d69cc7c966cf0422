"""The commands that record and read complaints (see :mod:`protocol.models.complaints`).

Kept apart from the views so that :class:`~protocol.models.replies.Reply` can carry a
:class:`~protocol.models.complaints.ComplaintView` without an import cycle.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from protocol.models.admin import AdminCommand
from protocol.models.commands import Command
from protocol.models.complaints import (
    ComplaintCategory,
    ComplaintId,
    ComplaintStatus,
    ComplaintText,
    Contact,
)
from protocol.models.fields import ServiceCode, TicketRef
from protocol.roles import Role


class ComplaintSubmit(Command):
    """A complaint or suggestion from the kiosk's *Pengaduan dan saran* screen.

    ``ticket`` links it to a visit (a ticket id, or a number of today); the hub
    then files it under that ticket's service and agency. A ticket the hub does
    not know is refused ``unknown_ticket`` (the citizen can correct or clear it).
    """

    summary = "Record a complaint or suggestion (kiosk)"
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.KIOSK})
    type: Literal["complaint.submit"] = "complaint.submit"
    category: ComplaintCategory
    text: ComplaintText
    contact: Contact | None = None
    ticket: TicketRef | None = None


class AdminComplaintAdd(AdminCommand):
    """A complaint an officer records for a citizen (at the information desk, by phone)."""

    summary = "Record a complaint or suggestion (console)"
    type: Literal["admin.complaint.add"] = "admin.complaint.add"
    category: ComplaintCategory
    text: ComplaintText
    contact: Contact | None = None
    ticket: TicketRef | None = None
    service: ServiceCode | None = Field(
        default=None, description="The service it is about, when no ticket says so."
    )


class AdminComplaintList(AdminCommand):
    """The complaints, newest first (a read)."""

    summary = "List complaints"
    type: Literal["admin.complaint.list"] = "admin.complaint.list"
    reads_only = True
    status: ComplaintStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)


class AdminComplaintShow(AdminCommand):
    """One complaint with its status history (a read)."""

    summary = "Show one complaint"
    type: Literal["admin.complaint.show"] = "admin.complaint.show"
    reads_only = True
    complaint_id: ComplaintId
