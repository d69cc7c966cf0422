"""The hub's booking intake: upstream's pushes into the hub's SQLite copy.

A push is verified code by code (a booking whose tag does not verify under the
site key is refused, named in the answer and logged), stored in one
transaction, and only then answered on ``upstream.reply`` with the push's
Correlation Data: an answer means the bookings are on disk.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import timedelta

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.booking_store import SqliteBookings
from hub.bookings import Booking
from hub.clock import Clock
from hub.dispatch.booking_reserve import BookingRoom as ReservedRoom
from hub.site.schema import CategoryCode
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    BookingRecord,
    BookingRoom,
    BookingsPush,
    BookingsStored,
    PriorityCategory,
)
from protocol.models.upstream import MAX_ROOM_ROWS
from protocol.topics import spec

log = logging.getLogger(__name__)
KEEP_PAST = timedelta(days=2)  # past days' bookings are dropped on the next push


def booking_of(record: BookingRecord) -> Booking:
    return Booking(
        code=record.code.upper(),
        service=record.service,
        category=CategoryCode(record.category.value),
        appointment_at=record.slot_start,
        slot_end=record.slot_end,
        name=record.name,
        masked_nik=record.masked_nik,
        phone=record.phone,
    )


def record_of(booking: Booking) -> BookingRecord:
    return BookingRecord(
        code=booking.code,
        service=booking.service,
        category=PriorityCategory(booking.category.value),
        slot_start=booking.appointment_at,
        slot_end=booking.ends_at,
        name=booking.name,
        masked_nik=booking.masked_nik,
        phone=booking.phone,
    )


def room_records(rooms: list[ReservedRoom]) -> list[BookingRoom]:
    """The room for bookings as the contract tells it upstream."""
    return [
        BookingRoom(
            service=room.service,
            day=room.day,
            since=room.since,
            reserved=room.reserved,
            booked=room.booked,
            bookable=room.bookable,
        )
        for room in rooms
    ]


class BookingIntake:
    """Handles ``upstream.bookings`` on the hub's link worker."""

    def __init__(
        self,
        store: SqliteBookings,
        link: MqttLink,
        clock: Clock,
        changed: Callable[[], None],
        room: Callable[[], list[BookingRoom]] | None = None,
    ) -> None:
        self.store = store
        self.link = link
        self.clock = clock
        self.changed = changed  # admission counts bookings: republish the services
        self.room = room or list  # the room left for bookings, told in every answer

    def on_push(self, decoded: Decoded, properties: Properties | None) -> None:
        push = decoded.message
        assert isinstance(push, BookingsPush)
        bookings = [booking_of(record) for record in push.bookings]
        now = self.clock.now()
        try:
            refused = self.store.store(bookings, [c.upper() for c in push.cancelled], now)
            self.store.forget_before(now - KEEP_PAST)
        except sqlite3.Error as error:
            # One transaction: nothing of the push is stored. Say so, so the upstream
            # sends it again, instead of leaving it to time out.
            log.error("upstream push %s: not stored: bookings store: %s", push.command_id, error)
            self._answer(
                BookingsStored(
                    command_id=push.command_id,
                    stored=0,
                    cancelled=0,
                    error=f"the hub could not write its bookings store: {error}",
                ),
                properties,
            )
            return
        if refused:
            log.warning(
                "upstream push %s: %d booking(s) refused, their codes do not verify: %s",
                push.command_id,
                len(refused),
                ", ".join(refused[:10]),
            )
        log.info(
            "upstream push %s: %d booking(s) stored, %d cancelled",
            push.command_id,
            len(bookings) - len(refused),
            len(push.cancelled),
        )
        answer = BookingsStored(
            command_id=push.command_id,
            stored=len(bookings) - len(refused),
            cancelled=len(push.cancelled),
            refused=refused,
            room=self.room()[:MAX_ROOM_ROWS],
        )
        self._answer(answer, properties)
        self.changed()

    def _answer(self, answer: BookingsStored, properties: Properties | None) -> None:
        reply_properties: Properties | None = None
        correlation = getattr(properties, "CorrelationData", None)
        if correlation:
            reply_properties = Properties(PacketTypes.PUBLISH)
            reply_properties.CorrelationData = correlation
        self.link.publish(spec("upstream.reply"), answer, properties=reply_properties)
