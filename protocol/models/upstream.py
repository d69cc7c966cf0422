"""What the upstream booking system sends the hub, and the hub's answer.

First step of the uplink: upstream publishes straight into the hub's booking
intake on the site broker, with its own ``upstream`` account (ACL: this topic
only). A regional broker bridged to the site broker carries the same payloads
on the same topics later, so nothing here changes then.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from protocol.models.base import Envelope, WireModel
from protocol.models.commands import PriorityCategory
from protocol.models.fields import ServiceCode

BOOKING_CODE_PATTERN = r"^[A-Za-z2-7]{4,16}-[A-Za-z2-7]{4,16}$"  # base32: no 0, 1, 8, 9
MAX_BOOKINGS_PER_PUSH = 100  # a push at its longest stays within the topic's 64 KiB


class BookingRecord(WireModel):
    """One online booking as upstream made it; ``code`` carries its HMAC tag."""

    code: str = Field(
        pattern=BOOKING_CODE_PATTERN,
        description="`SERIAL-TAG`: the tag is an HMAC of the fields under the site's key.",
    )
    service: ServiceCode
    category: PriorityCategory = PriorityCategory.REGULAR
    slot_start: AwareDatetime
    slot_end: AwareDatetime
    name: str = Field(default="", max_length=80, description="Citizen's name.")
    masked_nik: str = Field(
        default="",
        pattern=r"^$|^[0-9]{4,6}\*{6,12}[0-9]{0,4}$",
        description="NIK with its middle masked, e.g. `1807**********12`; never the full NIK.",
    )
    phone: str = Field(default="", max_length=20, pattern=r"^$|^\+?[0-9]{6,16}$")


class BookingsPush(Envelope):
    """Bookings for the coming days, new or changed, and cancelled codes.

    Stored durably by the hub before it answers with :class:`BookingsStored`.
    """

    summary = "Online bookings from upstream"
    type: Literal["bookings.push"] = "bookings.push"
    command_id: UUID
    bookings: list[BookingRecord] = Field(default_factory=list, max_length=MAX_BOOKINGS_PER_PUSH)
    cancelled: list[str] = Field(
        default_factory=list,
        max_length=MAX_BOOKINGS_PER_PUSH,
        description="Codes upstream has cancelled: refused at check-in from now on.",
    )


MAX_ROOM_ROWS = 400  # services with a booking share × the coming days, within 64 KiB


class BookingRoom(WireModel):
    """How many more bookings the hub keeps room for, for one service on one day.

    The room is the service's ``booking_share`` of its counters' time from
    ``since`` (today: now; a coming day: its opening) to closing, in citizens at
    the service's mean time at the counter; bookings already made for that time
    fill it. Since 1.5.
    """

    service: ServiceCode
    day: date
    since: AwareDatetime = Field(description="The room counts slots from here to closing.")
    reserved: int = Field(ge=0, description="Bookings the reserve holds from `since`.")
    booked: int = Field(ge=0, description="Bookings already made for that time.")
    bookable: int = Field(ge=0, description="Bookings the booking system may still take.")


class BookingsStored(Envelope):
    """The hub's answer to a push, once it is on disk."""

    summary = "Bookings stored by the hub"
    type: Literal["bookings.stored"] = "bookings.stored"
    command_id: UUID
    stored: int = Field(ge=0)
    cancelled: int = Field(ge=0)
    refused: list[str] = Field(
        default_factory=list, description="Codes whose tag does not verify: not stored."
    )
    error: str | None = Field(
        default=None,
        max_length=300,
        description="Why nothing of this push was stored (the hub could not write its "
        "bookings store, e.g. a full disk); send it again later. Since 1.4.",
    )
    room: list[BookingRoom] = Field(
        default_factory=list,
        max_length=MAX_ROOM_ROWS,
        description="Per service with a booking share and per service day (today and the "
        "coming six), the bookings the hub still keeps room for, after this push. An "
        "empty push asks for it alone. Since 1.5.",
    )
