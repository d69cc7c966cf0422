"""Where the hub looks up online bookings at check-in.

The uplink issue brings the real source (bookings synced from upstream into
SQLite); until then the hub runs with :class:`NoBookings`, and tests and the
simulation use :class:`StaticBookings`, the same interface over a dict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from hub.site.schema import CategoryCode


class Booking(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    service: str
    category: CategoryCode = CategoryCode.REGULAR
    appointment_at: AwareDatetime
    slot_end: AwareDatetime | None = None  # the slot's end; none: appointment_at
    name: str = ""
    masked_nik: str = ""  # e.g. 1807************ : enough for the officer to compare
    phone: str = ""

    @property
    def ends_at(self) -> datetime:
        return self.slot_end or self.appointment_at


class ForgedBookingError(ValueError):
    """A code that names a stored booking but does not verify against the site key:
    altered, made up, or the stored booking was changed."""


class CancelledBookingError(ValueError):
    """A booking upstream has cancelled: explained at the kiosk, never a ticket."""


class BookingSource(Protocol):
    def lookup(self, code: str) -> Booking | None: ...

    def between(self, start: datetime, end: datetime) -> list[Booking]:
        """Bookings whose slot is in [start, end): admission keeps room for them and
        the estimate counts those due before a walk-in's turn."""
        ...


class NoBookings:
    def lookup(self, code: str) -> Booking | None:
        return None

    def between(self, start: datetime, end: datetime) -> list[Booking]:
        return []


class StaticBookings:
    def __init__(self, bookings: Iterable[Booking] = ()) -> None:
        self._bookings = {booking.code.upper(): booking for booking in bookings}

    def add(self, booking: Booking) -> None:
        self._bookings[booking.code.upper()] = booking

    def lookup(self, code: str) -> Booking | None:
        return self._bookings.get(code.upper())

    def between(self, start: datetime, end: datetime) -> list[Booking]:
        return [b for b in self._bookings.values() if same_day(b, start, end)]


def same_day(booking: Booking, day_start: datetime, day_end: datetime) -> bool:
    return day_start <= booking.appointment_at < day_end
