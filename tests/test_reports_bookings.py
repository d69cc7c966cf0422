"""Online bookings nobody checked in: decided when the next day opens, counted in the report.

The booking store forgets old bookings, so the hub logs the unclaimed ones at
the day's roll-over (``bookings.unclaimed``); ``mpp report`` then counts them
for that day from the log alone, as it does for an archived quarter.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from hub.bookings import Booking, StaticBookings
from hub.events import BookingsUnclaimed
from hub.store import EventStore
from protocol.models import BookingCheckIn, TicketPrinted
from tests.hub_harness import MONDAY_0800, Harness

ROOT = Path(__file__).resolve().parent.parent


def _bookings() -> StaticBookings:
    slot = MONDAY_0800 + timedelta(hours=1)
    return StaticBookings(
        [
            Booking(code="BK-2001", service="DUK-KTP", appointment_at=slot),
            Booking(code="BK-2002", service="DUK-KTP", appointment_at=slot),
            Booking(code="BK-2003", service="DUK-KTP", appointment_at=slot),
            Booking(code="BK-2004", service="DUK-KK", appointment_at=slot),
            # Tuesday's booking is not Monday's no-show.
            Booking(code="BK-2005", service="DUK-KK", appointment_at=slot + timedelta(days=1)),
        ]
    )


def _monday_then_tuesday(tmp_path: Path) -> Harness:
    hub = Harness(tmp_path, bookings=_bookings())
    hub.issue("DUK-KTP")  # Monday opens
    reply = hub.ok(BookingCheckIn, "kiosk-01", booking_code="BK-2001")
    assert reply.ticket is not None
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    hub.clock.advance(hours=24)
    hub.issue("DUK-KTP")  # the first command of Tuesday rolls the day over
    return hub


def _unclaimed(store: EventStore) -> list[BookingsUnclaimed]:
    return [e for _, e in store.events_after(0) if isinstance(e, BookingsUnclaimed)]


def test_the_day_roll_over_logs_the_bookings_nobody_checked_in(tmp_path: Path) -> None:
    hub = _monday_then_tuesday(tmp_path)
    unclaimed = _unclaimed(hub.service.store)
    assert [(e.service, e.codes) for e in unclaimed] == [
        ("DUK-KK", ["BK-2004"]),
        ("DUK-KTP", ["BK-2002", "BK-2003"]),
    ]
    assert {e.day for e in unclaimed} == {MONDAY_0800.date()}
    hub.restart()  # replayed, not decided again
    assert len(_unclaimed(hub.service.store)) == 2


def test_mpp_report_counts_them_for_their_day(tmp_path: Path) -> None:
    hub = _monday_then_tuesday(tmp_path)
    hub.service.store.close()
    out = tmp_path / "monday.csv"
    monday = MONDAY_0800.date().isoformat()
    args = ["report", "--from", monday, "--to", monday, "--db", str(tmp_path / "hub.db")]
    done = subprocess.run(
        [sys.executable, "-m", "mpp.cli", *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    value = {(r["section"], r["key"], r["figure"]): r["value"] for r in rows}
    assert value[("service", "DUK-KTP", "bookings_checked_in")] == "1"
    assert value[("service", "DUK-KTP", "bookings_unclaimed")] == "2"
    assert value[("service", "DUK-KK", "bookings_unclaimed")] == "1"
    assert value[("total", "total", "bookings_unclaimed")] == "3"
