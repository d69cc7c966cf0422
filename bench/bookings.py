"""Online bookings at the hub: what signing, storing and reading them costs.

The hub reads the day's bookings on every walk-in (quota and capacity rule:
``between``) and one booking per check-in (``lookup``), each verified with the
site key. Prints, for a day of ``--bookings`` bookings:

* sign (upstream side) per booking; store a push of them (one transaction);
* ``lookup`` (check-in) and ``between`` (one walk-in's admission) medians;
* ``ticket.reserve`` at the hub's service with that day booked vs none.

    .venv/bin/python bench/bookings.py [--bookings 500] [--rounds 200]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.booking_codes import sign  # noqa: E402
from hub.booking_store import SqliteBookings  # noqa: E402
from hub.bookings import Booking  # noqa: E402
from protocol.models import TicketReserve  # noqa: E402
from tests.hub_harness import MONDAY_0800, Harness  # noqa: E402

KEY = bytes(range(32))
SERVICES = ("DUK-KTP", "DUK-KK", "DUK-AKTA")


def _day(count: int) -> list[Booking]:
    made = []
    for index in range(count):
        at = MONDAY_0800 + timedelta(minutes=30 * (index % 14))
        booking = Booking(
            code="",
            service=SERVICES[index % len(SERVICES)],
            appointment_at=at + timedelta(hours=2),
            slot_end=at + timedelta(hours=2, minutes=30),
            name=f"Warga {index}",
        )
        made.append(booking)
    return made


def _median_ms(job, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the hub's flood guard says the refusals
    plain = _day(args.bookings)
    start = time.perf_counter()
    signed = [sign(KEY, booking) for booking in plain]
    sign_us = (time.perf_counter() - start) / len(signed) * 1e6
    with tempfile.TemporaryDirectory() as scratch:
        store = SqliteBookings(Path(scratch) / "bookings.db", KEY)
        start = time.perf_counter()
        store.store(signed, [], MONDAY_0800)
        store_ms = (time.perf_counter() - start) * 1000
        code = signed[len(signed) // 2].code
        lookup_ms = _median_ms(lambda: store.lookup(code), args.rounds)
        day = (MONDAY_0800 - timedelta(hours=1), MONDAY_0800 + timedelta(hours=23))
        between_ms = _median_ms(lambda: store.between(*day), args.rounds)
        reserve = {}
        for label, source in (("none", None), ("booked", store)):
            hub = Harness(Path(scratch) / label, bookings=source)
            reserve[label] = _median_ms(
                lambda hub=hub: hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP"),
                min(args.rounds, 100),
            )
    print(f"bookings in the day          {args.bookings}")
    print(f"sign, per booking            {sign_us:.1f} µs")
    print(f"store the push               {store_ms:.1f} ms")
    print(f"lookup (check-in), median    {lookup_ms:.3f} ms")
    print(f"between (a day), median      {between_ms:.2f} ms")
    print(f"ticket.reserve, no bookings  {reserve['none']:.2f} ms")
    print(f"ticket.reserve, day booked   {reserve['booked']:.2f} ms")


if __name__ == "__main__":
    main()
