"""Booking codes verified offline with the site key, and the hub's SQLite copy of bookings."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

from hub.booking_codes import load_or_create_key, sign, verifies
from hub.booking_store import SqliteBookings
from hub.bookings import Booking, CancelledBookingError, ForgedBookingError
from hub.site.schema import LateCheckIn, Site
from protocol.errors import ErrorCode
from protocol.models import BookingCheckIn
from tests.hub_harness import MONDAY_0800, Harness

KEY = bytes(range(32))
SLOT = MONDAY_0800 + timedelta(minutes=30)  # 08.30 WIB


def _booking(serial: str = "KOBIA9", at=SLOT, **fields: object) -> Booking:
    base = Booking(
        code=serial,
        service="DUK-KTP",
        appointment_at=at,
        slot_end=at + timedelta(minutes=30),
        name="Siti Rahma",
        **fields,  # type: ignore[arg-type]
    )
    return sign(KEY, base, serial)


def _alter(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("A" if last != "A" else "B")


def test_key_is_made_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "booking-key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_code_verifies_only_with_its_fields_and_key() -> None:
    booking = _booking()
    assert booking.code.startswith("KOBIA9-") and len(booking.code) == 15
    assert verifies(KEY, booking)
    assert verifies(KEY, booking, booking.code.lower())  # typed in lower case
    assert verifies(KEY, booking, booking.code.replace("-", ""))  # hyphen left out
    typed = booking.code.replace("O", "0").replace("I", "1").replace("B", "8")
    assert verifies(KEY, booking, typed)  # look-alike digits for letters
    assert not verifies(KEY, booking, _alter(booking.code))
    assert not verifies(bytes(32), booking)
    moved = booking.model_copy(update={"appointment_at": SLOT + timedelta(days=1)})
    assert not verifies(KEY, moved)
    other = booking.model_copy(update={"service": "DUK-KK"})
    assert not verifies(KEY, other)


def test_store_refuses_forged_pushes_and_edited_rows(tmp_path: Path) -> None:
    store = SqliteBookings(tmp_path / "bookings.db", KEY)
    good = _booking()
    forged = _booking("ZZZZZZ").model_copy(update={"code": "ZZZZZZ-AAAAAAAA"})
    assert store.store([good, forged], [], MONDAY_0800) == [forged.code]
    assert store.lookup(good.code) == good
    assert store.lookup(forged.code) is None
    with pytest.raises(ForgedBookingError):
        store.lookup(_alter(good.code))
    store.close()
    # someone edits the row on disk: the code no longer verifies the stored booking
    import sqlite3

    with sqlite3.connect(tmp_path / "bookings.db") as db:
        db.execute("UPDATE bookings SET body = replace(body, 'DUK-KTP', 'DUK-KK')")
    reopened = SqliteBookings(tmp_path / "bookings.db", KEY)
    with pytest.raises(ForgedBookingError):
        reopened.lookup(good.code)
    assert reopened.between(SLOT - timedelta(hours=1), SLOT + timedelta(hours=1)) == []


def test_cancellation_and_days(tmp_path: Path) -> None:
    store = SqliteBookings(tmp_path / "bookings.db", KEY)
    today, tomorrow = _booking("AAAAAA"), _booking("BBBBBB", SLOT + timedelta(days=1))
    store.store([today, tomorrow], [], MONDAY_0800)
    day = (MONDAY_0800 - timedelta(hours=1), MONDAY_0800 + timedelta(hours=23))
    assert store.between(*day) == [today]
    store.store([], [today.code], MONDAY_0800)
    with pytest.raises(CancelledBookingError):
        store.lookup(today.code)
    assert store.between(*day) == []
    assert store.forget_before(MONDAY_0800 + timedelta(hours=23)) == 1
    assert store.lookup(today.code) is None and store.lookup(tomorrow.code) == tomorrow


def _error(hub: Harness, code: str) -> ErrorCode:
    reply = hub.cmd(BookingCheckIn, "kiosk-01", booking_code=code)
    assert not reply.ok and reply.error is not None
    return reply.error.code


def _refusing_late(hub: Harness) -> Site:
    dispatch = hub.site.dispatch.model_copy(
        update={"appointment_late_check_in": LateCheckIn.REFUSE}
    )
    return hub.site.model_copy(update={"dispatch": dispatch})


def test_check_in_refusals_are_told_apart(tmp_path: Path) -> None:
    store = SqliteBookings(tmp_path / "bookings.db", KEY)
    on_time = _booking("AAAAAA")
    early_slot = _booking("CCCCCC", MONDAY_0800 - timedelta(minutes=60))  # 07.00-07.30
    tomorrow = _booking("BBBBBB", SLOT + timedelta(days=1))
    cancelled = _booking("DDDDDD")
    store.store([on_time, early_slot, tomorrow, cancelled], [cancelled.code], MONDAY_0800)
    plain = Harness(tmp_path / "plain")
    hub = Harness(tmp_path, site=_refusing_late(plain), bookings=store)

    assert _error(hub, _alter(on_time.code)) is ErrorCode.FORGED_BOOKING
    assert _error(hub, "QQQQQQ-ABCDEFGH") is ErrorCode.UNKNOWN_BOOKING
    assert _error(hub, tomorrow.code) is ErrorCode.EXPIRED
    assert _error(hub, early_slot.code) is ErrorCode.BOOKING_SLOT_PASSED
    for booking in (tomorrow, early_slot):  # the kiosk names the day or the time (1.5)
        said = hub.cmd(BookingCheckIn, "kiosk-01", booking_code=booking.code).error
        assert said is not None and said.booking_slot_at == booking.appointment_at
    assert _error(hub, cancelled.code) is ErrorCode.CANCELLED_BOOKING
    reply = hub.ok(BookingCheckIn, "kiosk-01", booking_code=on_time.code.lower())
    assert reply.ticket is not None
    assert _error(hub, on_time.code) is ErrorCode.INVALID_STATE


def test_by_default_a_late_booking_is_served_as_a_walk_in(tmp_path: Path) -> None:
    store = SqliteBookings(tmp_path / "bookings.db", KEY)
    late = _booking("CCCCCC", MONDAY_0800 - timedelta(minutes=60))  # 07.00-07.30
    store.store([late], [], MONDAY_0800)
    hub = Harness(tmp_path, bookings=store)
    reply = hub.ok(BookingCheckIn, "kiosk-01", booking_code=late.code)
    assert reply.ticket is not None


def test_kiosk_words_for_each_refusal() -> None:
    from edge.kiosk.reasons import refusal

    sentences = {
        code: refusal(code, booking=True)
        for code in (
            ErrorCode.FORGED_BOOKING,
            ErrorCode.UNKNOWN_BOOKING,
            ErrorCode.EXPIRED,
            ErrorCode.BOOKING_SLOT_PASSED,
            ErrorCode.CANCELLED_BOOKING,
        )
    }
    assert len(set(sentences.values())) == len(sentences)
    assert "tidak sah" in sentences[ErrorCode.FORGED_BOOKING]
    assert "sudah lewat" in sentences[ErrorCode.BOOKING_SLOT_PASSED]
