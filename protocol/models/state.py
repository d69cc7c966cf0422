"""Retained state and events the hub publishes for displays, kiosks and counters.

Retained topics let a device that restarts show the current state at once,
instead of a blank screen until the next change.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from protocol.errors import ErrorCode
from protocol.models.base import Envelope, WireModel
from protocol.models.commands import PriorityCategory
from protocol.models.fields import (
    CounterNumber,
    OfficerId,
    ServiceCode,
    ShortText,
    TicketNumber,
    Timestamp,
)
from protocol.models.overview import Admission
from protocol.models.replies import CounterState, SignatureAsk, TicketView


class CounterStatus(Envelope):
    """Retained state of one loket."""

    summary = "Counter state (retained)"
    type: Literal["state.counter"] = "state.counter"
    counter: CounterNumber
    name: ShortText
    state: CounterState
    current: TicketView | None = None
    waiting: int = Field(ge=0)
    served_today: int | None = Field(
        default=None, ge=0, description="Tickets finished here today (admin console). Since 1.2."
    )
    reason: ShortText | None = Field(default=None, description="Why paused, when given. Since 1.2.")
    officer_id: OfficerId | None = Field(
        default=None, description="The NIP of the officer signed in. Since 1.3."
    )
    officer: ShortText | None = Field(
        default=None, description="The name of the officer signed in. Since 1.3."
    )
    signature: SignatureAsk | None = Field(
        default=None, description="The signature this counter's hand-over waits for."
    )


class ServiceStatus(Envelope):
    """Retained state of one layanan, as the kiosk shows it."""

    summary = "Service state (retained)"
    type: Literal["state.service"] = "state.service"
    service: ServiceCode
    waiting: int = Field(ge=0)
    estimated_wait_min: int = Field(ge=0)
    open_counters: int = Field(ge=0)
    accepting: bool = Field(description="Whether the kiosk may issue tickets for it now.")
    reason: ShortText | None = Field(
        default=None, description="Why not accepting, in Bahasa Indonesia (shown greyed)."
    )
    reason_code: ErrorCode | None = Field(
        default=None,
        description="Why not accepting, for the kiosk's own wording "
        "(`closed`, `quota_full`); since 1.2.",
    )
    reopens_at: Timestamp | None = Field(
        default=None,
        description="When not accepting: the next time a ticket can be taken, if known; since 1.2.",
    )
    oldest_waiting_since: Timestamp | None = Field(
        default=None,
        description="Queued-at of its longest-waiting ticket (admin console). Since 1.2.",
    )
    issued_today: int | None = Field(default=None, ge=0, description="Since 1.2.")
    served_today: int | None = Field(default=None, ge=0, description="Since 1.2.")
    quota_left: int | None = Field(
        default=None, ge=0, description="Left under today's quota; null: no quota. Since 1.2."
    )
    admission: Admission | None = Field(
        default=None, description="Why accepting or not, as a code (admin console). Since 1.2."
    )


class CallEvent(Envelope):
    """A ticket called (or recalled) to a counter; displays announce each exactly once."""

    summary = "Ticket called to a counter"
    type: Literal["event.call"] = "event.call"
    event_id: UUID = Field(description="Unique per call; displays keep a cursor of these.")
    seq: int = Field(ge=0, description="Hub-wide call sequence, for ordering and resume.")
    number: TicketNumber
    counter: CounterNumber
    counter_name: ShortText
    service: ServiceCode
    agency_name: ShortText
    zone: ShortText | None = None
    recall: int = Field(ge=0, description="0 for the first call, then 1, 2, ...")
    called_at: Timestamp


class RecentCalls(Envelope):
    """Retained list of the latest calls, newest first, for a display that restarts."""

    summary = "Latest calls (retained)"
    type: Literal["state.calls"] = "state.calls"
    calls: list[CallEvent] = Field(max_length=50)


class Announcements(Envelope):
    """Retained running-text announcements set by the admin."""

    summary = "Running-text announcements (retained)"
    type: Literal["state.announcements"] = "state.announcements"
    texts: list[ShortText] = Field(max_length=20)


class Resync(Envelope):
    """Hub to devices: republish your birth and fetch your state (Sparkplug rebirth)."""

    summary = "Ask devices to republish their state"
    type: Literal["control.resync"] = "control.resync"


class CatalogueAgency(WireModel):
    code: ShortText
    name: ShortText
    short_name: ShortText
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    waiting_area: str | None = Field(
        default=None, max_length=80, description="Where its citizens wait; since 1.2."
    )


class CatalogueService(WireModel):
    code: ServiceCode
    name: ShortText
    agency: ShortText
    short_name: str | None = Field(
        default=None,
        max_length=24,
        description="What citizens call it (KTP-el, SIM, SKCK), for kiosk tiles; since 1.2.",
    )
    featured: bool = Field(
        default=False, description="A shortcut on the kiosk's first screen; since 1.2."
    )


class CatalogueCategory(WireModel):
    code: PriorityCategory
    name: ShortText
    who: str = Field(default="", max_length=200)


class CatalogueOfficer(WireModel):
    """An officer who may sign in at a counter of ``agency`` (the unit's picker)."""

    nip: OfficerId
    name: ShortText
    agency: ShortText


class Catalogue(Envelope):
    """Retained site catalogue: what the kiosk offers and the displays name."""

    summary = "Site catalogue (retained)"
    type: Literal["state.catalogue"] = "state.catalogue"
    site_id: ShortText
    site_name: ShortText
    timezone: ShortText
    ticket_url: str | None = Field(
        default=None,
        max_length=200,
        description="QR on the ticket: this URL with `{ticket_id}` filled in "
        "(the id alone when absent); since 1.2.",
    )
    agencies: list[CatalogueAgency] = Field(max_length=60)
    services: list[CatalogueService] = Field(max_length=300)
    categories: list[CatalogueCategory] = Field(max_length=5)
    officers: list[CatalogueOfficer] = Field(
        default_factory=list,
        max_length=1000,
        description="Who may sign in at the counters, per agency. Since 1.3.",
    )
