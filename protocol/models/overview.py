"""What the hub tells the admin console: the building now, advice, the event log.

``admin.status`` answers with a :class:`HubOverview`; ``mpp admin top`` starts
from one and keeps it current from retained state, births, heartbeats and the
:class:`LogEntry` stream on ``mpp/event/log`` (no polling). ``admin.advise``
answers with :class:`AgencyAdvice` per agency.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from protocol.models.base import Envelope, WireModel
from protocol.models.fields import (
    CounterNumber,
    DeviceId,
    OfficerId,
    ServiceCode,
    ShortText,
    TicketNumber,
    Timestamp,
)
from protocol.models.presence import ComponentState
from protocol.models.replies import CounterState, TicketState, TicketView
from protocol.roles import Role


class Admission(StrEnum):
    """Whether a kiosk may issue tickets for a service now, and if not, why."""

    OPEN = "open"
    QUOTA_FULL = "quota_full"
    CLOSED_EARLY = "closed_early"  # closed by the admin with a reason
    OUT_OF_HOURS = "out_of_hours"  # the site's or the service's hours
    DAY_CLOSED = "day_closed"
    CAPACITY = "capacity"  # the capacity rule: the queue cannot be served before closing


class CounterOverview(WireModel):
    counter: CounterNumber
    name: ShortText
    agency: ShortText
    state: CounterState
    reason: ShortText | None = Field(default=None, description="Why paused, when given.")
    officer: ShortText | None = Field(
        default=None, description="The name of the officer signed in at the counter."
    )
    officer_id: OfficerId | None = Field(
        default=None, description="The NIP of the officer signed in. Since 1.3."
    )
    current: TicketNumber | None = None
    current_state: TicketState | None = None
    served_today: int = Field(ge=0)
    primary: list[ServiceCode]
    secondary: list[ServiceCode] = Field(default_factory=list)
    services_changed: bool = Field(
        default=False, description="The admin changed its services for the day."
    )
    device_id: DeviceId | None = None


class ServiceOverview(WireModel):
    service: ServiceCode
    name: ShortText
    agency: ShortText
    waiting: int = Field(ge=0)
    oldest_waiting_since: Timestamp | None = Field(
        default=None, description="Queued-at of the longest-waiting ticket; the console ages it."
    )
    estimated_wait_min: int = Field(ge=0)
    target_minutes: int = Field(ge=1)
    open_counters: int = Field(ge=0)
    issued_today: int = Field(ge=0)
    served_today: int = Field(ge=0)
    quota: int | None = Field(default=None, ge=0, description="Today's quota; null: none.")
    quota_left: int | None = Field(default=None, ge=0)
    admission: Admission
    reason: ShortText | None = None
    booking_reserved: int | None = Field(
        default=None,
        ge=0,
        description="Bookings the service's booking share keeps room for from now to "
        "closing; null: no share. Since 1.5.",
    )
    booking_booked: int | None = Field(
        default=None, ge=0, description="Bookings already made for that time. Since 1.5."
    )
    booking_bookable: int | None = Field(
        default=None, ge=0, description="Bookings upstream may still take today. Since 1.5."
    )


class DeviceOverview(WireModel):
    device_id: DeviceId
    role: Role
    online: bool
    known: bool = Field(description="False until the hub has heard a birth from it.")
    last_seen: Timestamp | None = Field(
        default=None, description="Its latest birth, heartbeat or command as received."
    )
    software_version: ShortText | None = None
    hardware: dict[ShortText, ComponentState] = Field(default_factory=dict, max_length=32)
    cpu_temp_c: float | None = None
    clock_offset_s: float | None = Field(
        default=None, description="Device clock minus hub clock, as learned from its messages."
    )


class UplinkStream(WireModel):
    """One stream of the hub's outbox."""

    stream: ShortText
    waiting: int = Field(ge=0, description="Items not yet acknowledged upstream.")
    sent: int = Field(ge=0, description="Items numbered so far (the last sequence number).")
    acknowledged: int = Field(ge=0, description="Highest sequence number upstream holds.")
    dropped: int = Field(ge=0, description="Items dropped unsent at the outbox's bound.")
    oldest_at: Timestamp | None = None


class UplinkOverview(WireModel):
    """What the hub owes upstream (hub/uplink/outbox.py)."""

    configured: bool = Field(
        default=True, description="False: no [upstream] in hub.toml; items are kept for later."
    )
    waiting: int = Field(ge=0)
    streams: list[UplinkStream] = Field(default_factory=list, max_length=32)
    alert: str | None = Field(
        default=None, max_length=500, description="Why the backlog needs attention, if it does."
    )
    last_ack_at: Timestamp | None = Field(
        default=None, description="When upstream last acknowledged anything (since start)."
    )


class HubOverview(WireModel):
    site_name: ShortText
    timezone: ShortText = "Asia/Jakarta"
    day: date | None
    at: Timestamp
    day_closed: bool = False
    counters: list[CounterOverview] = Field(max_length=300)
    services: list[ServiceOverview] = Field(max_length=300)
    devices: list[DeviceOverview] = Field(max_length=300)
    announcements: list[ShortText] = Field(default_factory=list, max_length=20)
    announcements_until: Timestamp | None = None
    uplink: UplinkOverview | None = None


class HourAdvice(WireModel):
    """One hour ahead for one agency."""

    starts_at: Timestamp
    arrivals_per_hour: float = Field(ge=0)
    counters_needed: int = Field(ge=0)
    expected_wait_min: float | None = Field(
        default=None, ge=0, description="Mean wait with that many counters (M/M/c)."
    )


class AgencyAdvice(WireModel):
    agency: ShortText
    agency_name: ShortText
    open_counters: int = Field(ge=0)
    available_counters: int = Field(ge=0, description="Counters of the agency at the site.")
    waiting: int = Field(ge=0)
    target_minutes: int = Field(ge=1)
    service_minutes: float = Field(ge=0, description="Recent mean service time.")
    hours: list[HourAdvice] = Field(max_length=12)
    advice: str = Field(max_length=500, description="One sentence in Bahasa Indonesia.")


class LogEntry(Envelope):
    """One event of the hub's log, as ``mpp admin tail`` shows it (not retained).

    Published after the event is committed. ``text`` is a readable line; the
    other fields let the console filter by agency, counter or device.
    """

    summary = "An event of the hub's log"
    type: Literal["event.log"] = "event.log"
    seq: int = Field(ge=0, description="The event's sequence number in the hub's store.")
    at: Timestamp
    kind: ShortText
    text: str = Field(min_length=1, max_length=500)
    agency: ShortText | None = None
    service: ServiceCode | None = None
    counter: CounterNumber | None = None
    device: DeviceId | None = None
    account: DeviceId | None = Field(default=None, description="The admin who did it, if any.")
    ticket: TicketNumber | None = None


class DeviceControl(Envelope):
    """Hub to one device: identify yourself, restart your agent, report your hardware.

    Sent on the device's own control topic when an admin asks; the device obeys
    once per ``command_id`` and answers through its birth (``report``,
    ``restart``) or a visible signal (``identify``).
    """

    summary = "An admin's request to one device"
    type: Literal["device.control"] = "device.control"
    command_id: str = Field(min_length=1, max_length=64)
    action: Literal["identify", "restart", "report", "reprint"]
    account: DeviceId
    seconds: int = Field(default=10, ge=1, le=120, description="How long to identify.")
    ticket: TicketView | None = Field(default=None, description="The ticket to reprint (kiosk).")
