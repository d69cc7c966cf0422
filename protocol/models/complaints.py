"""Complaints and suggestions (pengaduan dan saran) for SP4N-LAPOR, and their status.

A citizen records one at the kiosk (``complaint.submit``) or an officer types
one in for them at the admin console (``admin.complaint.add``). The hub stores
it durably with an id of its own (``PGD-20261124-003``: the citizen keeps it to
ask after it) and writes the event ``complaint.recorded``, which the uplink
forwards to the national channel. Status updates come back from upstream
(``complaint.status`` on ``upstream.complaints``) and are stored as events too;
the console lists and shows them (``admin.complaint.list``/``show``).

Categories follow SP4N-LAPOR's classification: *pengaduan* (a complaint,
LAPOR "Pengaduan"), *saran* (a suggestion, LAPOR "Aspirasi"), *pertanyaan*
(a request for information, LAPOR "Permintaan Informasi").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from protocol.models.base import Envelope, WireModel

MAX_COMPLAINT_TEXT = 2000  # characters; a kiosk keyboard stops at 500
MIN_COMPLAINT_TEXT = 10
COMPLAINT_ID_PATTERN = r"^PGD-[0-9]{8}-[0-9]{3,5}$"
_PRINTABLE = r"^[^\x00-\x09\x0b-\x1f\x7f]*$"  # no control characters but the line break


class ComplaintCategory(StrEnum):
    """What the citizen brings, in SP4N-LAPOR's classification."""

    PENGADUAN = "pengaduan"  # LAPOR: Pengaduan
    SARAN = "saran"  # LAPOR: Aspirasi
    PERTANYAAN = "pertanyaan"  # LAPOR: Permintaan Informasi


class ComplaintSource(StrEnum):
    KIOSK = "kiosk"
    ADMIN = "admin"


class ComplaintStatus(StrEnum):
    """Where a complaint stands: ``recorded`` at the hub, then what upstream reports.

    The upstream values follow the SP4N-LAPOR flow: received into the channel,
    verified, being followed up by the agency, resolved; or rejected (archived
    as not a complaint, a duplicate, outside the agency's authority).
    """

    RECORDED = "recorded"
    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"


ComplaintId = Annotated[
    str,
    StringConstraints(pattern=COMPLAINT_ID_PATTERN),
    Field(title="Complaint id", description="The hub's id, e.g. `PGD-20261124-003`."),
]
ComplaintText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=MIN_COMPLAINT_TEXT,
        max_length=MAX_COMPLAINT_TEXT,
        pattern=_PRINTABLE,
    ),
]
Contact = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=100, pattern=_PRINTABLE),
    Field(description="A telephone number or e-mail address the citizen gave, if any."),
]
Note = Annotated[str, StringConstraints(max_length=500, pattern=_PRINTABLE)]


class ComplaintStatusEntry(WireModel):
    status: ComplaintStatus
    at: AwareDatetime
    note: str = ""
    reference: str | None = None


class ComplaintView(WireModel):
    """A complaint as the console shows it, with its latest status and history."""

    complaint_id: ComplaintId
    category: ComplaintCategory
    text: str
    contact: str | None = None
    ticket_id: str | None = None
    service: str | None = None
    agency: str | None = None
    source: ComplaintSource
    recorded_at: AwareDatetime
    status: ComplaintStatus = ComplaintStatus.RECORDED
    reference: str | None = Field(
        default=None, description="The national channel's own tracking number, once known."
    )
    history: list[ComplaintStatusEntry] = Field(default_factory=list, max_length=100)


class ComplaintStatusUpdate(Envelope):
    """Upstream reports a complaint's new status; the hub stores it as an event and
    answers :class:`ComplaintStatusStored`. A repeat (same ``command_id``) is answered
    with the stored answer and changes nothing."""

    summary = "A complaint's status from upstream"
    type: Literal["complaint.status"] = "complaint.status"
    command_id: UUID
    complaint_id: ComplaintId
    status: ComplaintStatus
    note: Note = ""
    reference: Annotated[str, StringConstraints(max_length=64, pattern=_PRINTABLE)] | None = None


class ComplaintStatusStored(Envelope):
    """The hub's answer to a status update, once it is on disk (or why not)."""

    summary = "Complaint status stored by the hub"
    type: Literal["complaint.status_stored"] = "complaint.status_stored"
    command_id: UUID
    complaint_id: str
    ok: bool
    error: str | None = Field(default=None, max_length=300)
