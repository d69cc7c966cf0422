"""The hub's own copy of the coming days' online bookings, in SQLite.

Upstream sends bookings while the link is up; they are kept here so check-in
works with no internet. Every booking is verified against the site key when it
arrives and again when its code is looked up (:mod:`hub.booking_codes`), so
neither a forged push nor an edited row turns into a ticket. A cancellation
keeps the row, marked, so the kiosk can say the booking was cancelled.

A separate file from the event store: bookings are a cache of upstream's
truth (re-sent whole when they change), not events of this building.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from hub.booking_codes import serial_of, verifies
from hub.bookings import Booking, CancelledBookingError, ForgedBookingError

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    serial TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    appointment_at TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_by_slot ON bookings (appointment_at);
"""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class SqliteBookings:
    """A :class:`hub.bookings.BookingSource` over a SQLite file; thread-safe."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.key = key
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._day_cache: list[Booking] | None = None  # every verified live booking, by slot

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def store(self, bookings: list[Booking], cancelled: list[str], now: datetime) -> list[str]:
        """Keep ``bookings`` (new or changed) and mark ``cancelled`` codes, in one
        transaction; durable when this returns. Returns the codes refused because
        they do not verify (forged or altered on the way)."""
        refused = [b.code for b in bookings if not verifies(self.key, b)]
        good = [b for b in bookings if b.code not in refused]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO bookings (serial, body, appointment_at, cancelled, received_at)"
                    " VALUES (?, ?, ?, 0, ?) ON CONFLICT (serial) DO UPDATE SET"
                    " body = excluded.body, appointment_at = excluded.appointment_at,"
                    " cancelled = 0, received_at = excluded.received_at",
                    [
                        (serial_of(b.code), b.model_dump_json(), _utc(b.appointment_at), _utc(now))
                        for b in good
                    ],
                )
                self._db.executemany(
                    "UPDATE bookings SET cancelled = 1 WHERE serial = ?",
                    [(serial_of(code),) for code in cancelled],
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite ends it itself on a full disk
                    self._db.execute("ROLLBACK")
                raise
            finally:
                self._day_cache = None
        return refused

    def forget_before(self, moment: datetime) -> int:
        """Drop bookings whose slot began before ``moment`` (days gone by)."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM bookings WHERE appointment_at < ?", (_utc(moment),)
            )
            self._day_cache = None
        return cursor.rowcount

    def lookup(self, code: str) -> Booking | None:
        """The booking of ``code``; None when unknown. Raises
        :class:`ForgedBookingError` when the code or the stored row does not verify,
        :class:`CancelledBookingError` when upstream cancelled it."""
        with self._lock:
            row = self._db.execute(
                "SELECT body, cancelled FROM bookings WHERE serial = ?", (serial_of(code),)
            ).fetchone()
        if row is None:
            return None
        booking = Booking.model_validate_json(row[0])
        if not verifies(self.key, booking) or not verifies(self.key, booking, code):
            raise ForgedBookingError(code)
        if row[1]:
            raise CancelledBookingError(code)
        return booking

    def between(self, start: datetime, end: datetime) -> list[Booking]:
        """Live bookings with a slot in [start, end). Every walk-in asks (admission), so
        the verified bookings are kept in memory until the next push changes them
        (bench/bookings.py: 6 ms a walk-in for 500 bookings without it)."""
        with self._lock:
            if self._day_cache is None:
                rows = self._db.execute(
                    "SELECT body FROM bookings WHERE cancelled = 0 ORDER BY appointment_at"
                ).fetchall()
                bookings = [Booking.model_validate_json(body) for (body,) in rows]
                self._day_cache = [b for b in bookings if verifies(self.key, b)]
            cached = self._day_cache
        return [b for b in cached if start <= b.appointment_at < end]
