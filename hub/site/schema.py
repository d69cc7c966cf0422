"""Pydantic schema of a site file (TOML).

Field-level rules live on the fields; rules that relate entries to each other
(a counter naming an unknown service, a prefix used by two agencies) live in
:mod:`hub.site.checks`, so each error can name the entry it is about.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from protocol.models.fields import DeviceId, OfficerId, ServiceCode

AgencyCode = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,15}$", title="Agency code")]
Prefix = Annotated[str, Field(pattern=r"^[A-Z0-9]{1,3}$", title="Ticket prefix")]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class SiteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeRange(SiteModel):
    """A span of local time within one day, e.g. a break."""

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


class DayHours(SiteModel):
    """Service hours of one weekday; breaks stop calls, not ticket issue."""

    open: time = Field(description="First call.")
    close: time = Field(description="Counters stop serving.")
    breaks: list[TimeRange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _inside(self) -> Self:
        if self.close <= self.open:
            raise ValueError(f"close {self.close} must be after open {self.open}")
        for pause in self.breaks:
            if pause.start < self.open or pause.end > self.close:
                raise ValueError(f"break {pause.start}-{pause.end} is outside opening hours")
        return self


class WeeklyHours(SiteModel):
    """Hours per weekday; a missing day is closed."""

    monday: DayHours | None = None
    tuesday: DayHours | None = None
    wednesday: DayHours | None = None
    thursday: DayHours | None = None
    friday: DayHours | None = None
    saturday: DayHours | None = None
    sunday: DayHours | None = None

    def for_weekday(self, weekday: int) -> DayHours | None:
        """Hours of ``weekday`` (Monday = 0), as :meth:`datetime.weekday` counts."""
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        return getattr(self, names[weekday])


class Agency(SiteModel):
    """An instansi with its counters at the MPP."""

    code: AgencyCode
    name: Name
    short_name: Annotated[str, Field(min_length=1, max_length=24)]
    colour: Colour = "#1f4e79"
    waiting_area: str | None = Field(
        default=None,
        max_length=80,
        description="Where its citizens wait, the place alone: the kiosk says it after "
        'printing as "Ruang tunggu: lantai 1, depan loket 1–4." ("lantai 1, depan loket 1–4").',
    )
    booking_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description=(
            "Share of each of its services' counter time kept for online bookings "
            "(a service's own booking_share overrides it); 0: no reserve."
        ),
    )


class Service(SiteModel):
    """A layanan citizens take a ticket for."""

    code: ServiceCode
    name: Name
    agency: AgencyCode
    prefix: Prefix
    target_minutes: int = Field(ge=1, le=480, description="Waiting-time target.")
    mean_service_minutes: float = Field(
        gt=0, le=240, description="Expected time at the counter, until data says otherwise."
    )
    daily_quota: int | None = Field(default=None, ge=0)
    hours: WeeklyHours | None = Field(default=None, description="When different from the site.")
    needs_signature: bool = False
    continues_to: ServiceCode | None = Field(
        default=None, description="Usual next service, e.g. a payment counter."
    )
    short_name: Annotated[str, Field(min_length=1, max_length=24)] | None = Field(
        default=None,
        description="What citizens call it (KTP-el, SIM, SKCK): kiosk tiles and shortcuts.",
    )
    featured: bool = Field(
        default=False, description="A shortcut on the kiosk's first screen (most asked for)."
    )
    booking_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description=(
            "Share of the service's counter time of the day kept for online bookings: "
            "walk-ins are refused (agency_full) rather than take it; released as the day's "
            "slots pass. None: the agency's booking_share."
        ),
    )


class Counter(SiteModel):
    """A loket: which services it calls first, which it helps with."""

    number: int = Field(ge=1, le=999)
    name: Name
    agency: AgencyCode
    device_id: DeviceId | None = Field(default=None, description="Its counter unit.")
    primary: list[ServiceCode] = Field(min_length=1)
    secondary: list[ServiceCode] = Field(default_factory=list)
    zone: str | None = None
    breaks: list[TimeRange] = Field(
        default_factory=list,
        description=(
            "This counter's own breaks (a staggered lunch), besides the site's: admission "
            "and estimates count its minutes without them."
        ),
    )


class CategoryCode(StrEnum):
    REGULAR = "reguler"
    PRIORITY = "prioritas"


class Officer(SiteModel):
    """Someone who may sign in at a counter of their agency (docs/counter-unit.md)."""

    nip: OfficerId
    name: Annotated[str, Field(min_length=1, max_length=60)]
    agency: AgencyCode


class Category(SiteModel):
    code: CategoryCode
    name: Name
    who: str = Field(default="", max_length=200, description="Who qualifies (kiosk text).")


class PriorityRule(StrEnum):
    """How priority citizens are mixed with regular ones at a counter."""

    STRICT = "strict"
    RATIO = "ratio"
    ALTERNATE = "alternate"
    WEIGHTED_AGING = "weighted_aging"
    NONE = "none"


class LateCheckIn(StrEnum):
    """What a booking checked in after its slot (and the late grace) gets."""

    WALK_IN = "walk_in"  # a ticket; the slot is lost and the citizen queues as a walk-in
    REFUSE = "refuse"  # refused `booking_slot_passed`, explained at the kiosk


class DispatchSettings(SiteModel):
    policy: Literal["mpp", "fifo"] = "mpp"
    priority_rule: PriorityRule = PriorityRule.RATIO
    ratio_regular: int = Field(default=2, ge=1, le=20, description="Regular calls per cycle.")
    ratio_priority: int = Field(default=1, ge=1, le=20, description="Priority calls per cycle.")
    priority_weight: float = Field(
        default=2.0, ge=1.0, le=10.0, description="Aging multiplier for weighted_aging."
    )
    overdue_first: bool = Field(
        default=True, description="A ticket past its service's target is served before others."
    )
    overdue_factor: float = Field(default=1.0, gt=0, le=5)
    transfer_keeps_place: bool = True
    priority_max_wait_minutes: int | None = Field(
        default=3,
        ge=1,
        le=120,
        description=(
            "Priority guarantee: a priority ticket that has waited this long is called next "
            "by any counter that can serve it, whatever the priority rule (none: off)."
        ),
    )
    appointment_early_minutes: int = Field(default=15, ge=0, le=240)
    appointment_late_minutes: int = Field(default=15, ge=0, le=240)
    appointment_late_check_in: LateCheckIn = Field(
        default=LateCheckIn.WALK_IN,
        description=(
            "A booking checked in more than appointment_late_minutes after its slot ends: "
            "walk_in (a ticket, no appointment priority) or refuse (booking_slot_passed)."
        ),
    )


class EndOfDay(StrEnum):
    """What happens to tickets still waiting when the counters' day is over."""

    OVERTIME = "overtime"
    RETURN_TICKET = "return_ticket"


class ClosingRules(SiteModel):
    """Closing time as citizens live it: nobody is given a ticket the building cannot serve."""

    admission: bool = Field(
        default=True,
        description=(
            "Refuse a ticket (agency_full) when the agency's counters cannot start it "
            "before closing plus the grace, from the work already queued."
        ),
    )
    grace_minutes: int = Field(
        default=15, ge=0, le=120, description="Calls continue this long after closing."
    )
    end_of_day: EndOfDay = Field(
        default=EndOfDay.OVERTIME,
        description=(
            "overtime: counters keep calling up to overtime_minutes after the grace; "
            "return_ticket: whoever still waits after the grace gets a priority return "
            "ticket for the next morning."
        ),
    )
    overtime_minutes: int = Field(default=30, ge=0, le=240)
    booking_no_show_share: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="Share of online bookings that do not come: room is kept for the rest.",
    )

    @property
    def calls_end_minutes(self) -> int:
        """Minutes after closing until which counters may still call a ticket."""
        extra = self.overtime_minutes if self.end_of_day is EndOfDay.OVERTIME else 0
        return self.grace_minutes + extra


class TicketRules(SiteModel):
    kiosk_opens: time = Field(default=time(7, 30), description="First ticket of the day.")
    cutoff_minutes_before_close: int = Field(default=30, ge=0, le=240)
    reservation_timeout_s: int = Field(default=60, ge=5, le=600)
    recalls_before_no_show: int = Field(default=1, ge=0, le=10)
    max_recalls: int = Field(default=3, ge=0, le=10)
    no_show_grace_minutes: int = Field(default=30, ge=0, le=480)
    requeue_keeps_place: bool = True
    skm_window_s: int = Field(default=120, ge=10, le=3600)
    qr_url: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^https?://\S*\{ticket_id\}\S*$",
        description="The ticket's QR: this URL with {ticket_id} filled in, for checking the "
        "queue on a phone (the ticket id alone when absent).",
    )


class SignatureRules(SiteModel):
    """How long a pad asks, and how long the strokes of a signature are kept.

    Strokes are personal data (UU 27/2022 on personal data protection: kept no
    longer than their purpose needs). Their purpose is settling a dispute about
    a hand-over, which in practice surfaces within months (a document reported
    never received, a complaint to the agency or the Ombudsman); a year covers
    that and the yearly evaluation. After it the strokes are deleted and only
    their SHA-256 stays, enough to check a printed receipt's hash.
    """

    request_timeout_s: int = Field(
        default=180,
        ge=30,
        le=1800,
        description="How long the pad asks before the request expires (recorded as an event).",
    )
    retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Strokes older than this are purged; the hash is kept.",
    )


class Site(SiteModel):
    """One MPP: everything the hub needs to run its queues."""

    id: DeviceId
    name: Name
    address: str = ""
    timezone: str = "Asia/Jakarta"
    hours: WeeklyHours
    holidays: list[date] = Field(default_factory=list)
    agencies: list[Agency] = Field(min_length=1)
    services: list[Service] = Field(min_length=1)
    counters: list[Counter] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    officers: list[Officer] = Field(
        default_factory=list, description="Who may sign in at the agencies' counters."
    )
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    tickets: TicketRules = Field(default_factory=TicketRules)
    closing: ClosingRules = Field(default_factory=ClosingRules)
    signatures: SignatureRules = Field(default_factory=SignatureRules)

    # Indexes built once (cached on the instance): dispatch looks a service up
    # for every waiting ticket on every call.
    @cached_property
    def services_by_code(self) -> dict[str, Service]:
        return {service.code: service for service in self.services}

    @cached_property
    def counters_by_number(self) -> dict[int, Counter]:
        return {counter.number: counter for counter in self.counters}

    @cached_property
    def agencies_by_code(self) -> dict[str, Agency]:
        return {agency.code: agency for agency in self.agencies}

    @cached_property
    def counters_by_device(self) -> dict[str, Counter]:
        return {c.device_id: c for c in self.counters if c.device_id}

    @cached_property
    def officers_by_nip(self) -> dict[str, Officer]:
        return {officer.nip: officer for officer in self.officers}

    def officer(self, nip: str) -> Officer | None:
        return self.officers_by_nip.get(nip)

    def service(self, code: str) -> Service:
        return self.services_by_code[code]

    def counter(self, number: int) -> Counter:
        return self.counters_by_number[number]

    def agency(self, code: str) -> Agency:
        return self.agencies_by_code[code]

    def has_service(self, code: str) -> bool:
        return code in self.services_by_code

    def counter_of_device(self, device_id: str) -> Counter | None:
        return self.counters_by_device.get(device_id)

    def booking_share(self, code: str) -> float:
        """The share of ``code``'s counter time kept for online bookings."""
        service = self.service(code)
        if service.booking_share is not None:
            return service.booking_share
        return self.agency(service.agency).booking_share

    def capacity_warnings(self) -> list[tuple[str, str]]:
        """(where, message) for quotas above what the counters can serve in a day, and
        booking reserves that leave walk-ins nothing."""
        from hub.site.capacity import booking_warnings, quota_warnings

        return quota_warnings(self) + booking_warnings(self)
