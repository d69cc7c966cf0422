"""The bookings file ``mpp upstream bookings push`` reads, and how its codes are made.

JSON, as a booking system would export it::

    {"bookings": [{"service": "DUK-KTP", "slot_start": "2026-11-23T08:30+07:00",
                   "slot_end": "2026-11-23T09:00+07:00", "name": "Siti Rahma",
                   "masked_nik": "1807**********12", "phone": "081234567890",
                   "code": "K7F3AZ"}],
     "cancelled": ["K7F3AZ-ABCDEFGH"]}

A booking with a full ``SERIAL-TAG`` code is sent as it is (a booking system
that signs its own codes); one with only a serial, or none, gets its tag (and
serial) here, with the site key: this is what upstream does when it books.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from hub.booking_codes import sign
from hub.booking_intake import record_of
from hub.bookings import Booking
from hub.site.schema import CategoryCode
from protocol.models import BookingRecord


class BookingsFileError(ValueError):
    """The bookings file cannot be read or is not what the command expects."""


class FileBooking(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(default="", pattern=r"^$|^[A-Za-z2-7]{4,16}(-[A-Za-z2-7]{4,16})?$")
    service: str
    category: CategoryCode = CategoryCode.REGULAR
    slot_start: AwareDatetime
    slot_end: AwareDatetime
    name: str = ""
    masked_nik: str = ""
    phone: str = ""


class BookingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bookings: list[FileBooking] = Field(default_factory=list)
    cancelled: list[str] = Field(default_factory=list)


def read_bookings_file(path: Path) -> BookingsFile:
    try:
        return BookingsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else None
        where = ".".join(str(part) for part in first["loc"]) if first else ""
        why = first["msg"] if first else str(error)
        raise BookingsFileError(f"{path}: {where + ': ' if where else ''}{why}") from None


def records(key: bytes, given: BookingsFile) -> list[BookingRecord]:
    """Each booking as upstream sends it: signed here unless it came with a tag."""
    made: list[BookingRecord] = []
    for item in given.bookings:
        booking = Booking(
            code=item.code.upper(),
            service=item.service,
            category=item.category,
            appointment_at=item.slot_start,
            slot_end=item.slot_end,
            name=item.name,
            masked_nik=item.masked_nik,
            phone=item.phone,
        )
        if "-" not in item.code:
            booking = sign(key, booking, item.code.upper() or None)
        try:
            made.append(record_of(booking))
        except ValidationError as error:
            raise BookingsFileError(
                f"booking {item.code or item.name!r}: {error.errors()[0]['msg']}"
            ) from None
    return made
