"""A push the hub cannot write is answered with the reason, not left to time out.

The disk fills up through ``PRAGMA max_page_count`` on the real bookings file
(SQLite reports it exactly as a full disk); the upstream learns that nothing of
the push was stored, and the same push goes through once there is room again.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from hub.booking_codes import sign
from hub.booking_intake import BookingIntake, record_of
from hub.booking_store import SqliteBookings
from hub.bookings import Booking
from hub.clock import ManualClock
from protocol.codec import Decoded
from protocol.models import BookingsPush, BookingsStored
from protocol.topics import spec
from tests.hub_harness import MONDAY_0800

KEY = b"k" * 32


class RecordingLink:
    """Stands in for the hub's MQTT link: keeps what the intake publishes."""

    def __init__(self) -> None:
        self.published: list[Any] = []

    def publish(self, _spec: object, message: object, **_kwargs: object) -> None:
        self.published.append(message)


def _push(count: int) -> BookingsPush:
    slot = {"appointment_at": MONDAY_0800, "slot_end": MONDAY_0800 + timedelta(minutes=30)}
    bookings = [
        sign(KEY, Booking(code="", service="DUK-KTP", name=f"Warga {i}", **slot))
        for i in range(count)
    ]
    return BookingsPush(command_id=uuid.uuid4(), bookings=[record_of(b) for b in bookings])


def test_a_full_disk_is_answered_with_the_reason_and_nothing_half_stored(tmp_path: Path) -> None:
    store = SqliteBookings(tmp_path / "hub-bookings.db", KEY)
    link = RecordingLink()
    changed: list[bool] = []
    intake = BookingIntake(store, link, ManualClock(MONDAY_0800), lambda: changed.append(True))  # type: ignore[arg-type]
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full

    push = _push(60)
    intake.on_push(Decoded(spec=spec("upstream.bookings"), params={}, message=push), None)
    [answer] = link.published
    assert isinstance(answer, BookingsStored)
    assert answer.command_id == push.command_id
    assert (answer.stored, answer.cancelled) == (0, 0)
    assert answer.error is not None and "full" in answer.error
    assert store.between(MONDAY_0800, MONDAY_0800.replace(hour=23)) == []
    assert changed == []

    store._db.execute("PRAGMA max_page_count = 1000000")  # room again: the resend lands
    intake.on_push(Decoded(spec=spec("upstream.bookings"), params={}, message=push), None)
    again = link.published[-1]
    assert again.error is None and again.stored == 60
    assert len(store.between(MONDAY_0800, MONDAY_0800.replace(hour=23))) == 60
    store.close()
