"""The uplink's outbox: how fast items go in, and how fast a backlog drains upstream.

* ``enqueue``: ratings appended the way the hub does (one command, one
  transaction, WAL fsync) with their outbox items, items/s; and the same
  without the outbox, to show its cost per command.
* ``drain``: a hub whose outbox holds ``--backlog`` items (a long outage) is
  started against its site broker bridged over TLS to a regional broker with
  ``mpp upstream run``: every part a process, as in the tests. Prints the
  seconds from "hub ready" until the outbox is empty and the receiver holds
  every item once, and items/s.

    .venv/bin/python bench/uplink.py [--items 2000] [--backlog 3000]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.events import ComplaintRecorded, SatisfactionRated  # noqa: E402
from hub.store import EventStore  # noqa: E402
from protocol.models import SatisfactionRating  # noqa: E402
from tests.hub_harness import MONDAY_0800  # noqa: E402
from tests.uplink_fixtures import regional, start_receiver, start_site  # noqa: E402

SITE = "mpp-lampung-timur"


def _rating(number: int) -> SatisfactionRated:
    return SatisfactionRated(
        at=MONDAY_0800 + timedelta(seconds=number),
        ticket_id=f"20261123-A-{number % 1000:03d}",
        counter=1 + number % 20,
        service="DUK-KTP",
        agency="DUKCAPIL",
        rating=SatisfactionRating.PUAS,
    )


def _complaint(number: int) -> ComplaintRecorded:
    return ComplaintRecorded(
        at=MONDAY_0800,
        complaint_id=f"C-{number:05d}",
        category="pengaduan",
        text="Antrean di loket Dukcapil terlalu lama, mohon tambah petugas pada jam sibuk.",
        source="kiosk",
        recorded_at=MONDAY_0800,
    )


def enqueue(directory: Path, items: int) -> None:
    for with_outbox in (True, False):
        store = EventStore(directory / f"enqueue-{with_outbox}.db")
        if not with_outbox:  # the same events, nothing owed upstream
            store.outbox.add = lambda entry: 0  # type: ignore[method-assign]
        started = time.perf_counter()
        for number in range(items):
            with store.transaction():
                store.append([_rating(number)], MONDAY_0800.date())
        took = time.perf_counter() - started
        store.close()
        label = "with outbox   " if with_outbox else "without outbox"
        print(
            f"enqueue {label}: {items} commits in {took:.2f} s: {items / took:,.0f} items/s, "
            f"{took / items * 1000:.2f} ms per command"
        )


def drain(directory: Path, backlog: int) -> None:
    site_dir = directory / "site"
    site_dir.mkdir(parents=True)
    store = EventStore(site_dir / "hub.db")
    with store.transaction():
        store.append(
            [_rating(n) if n % 4 else _complaint(n) for n in range(backlog)], MONDAY_0800.date()
        )
    store.close()
    upstream = regional(directory / "regional", [SITE])
    receiver = start_receiver(directory, upstream)
    site = None
    try:
        started = time.perf_counter()
        site = start_site(site_dir, SITE, upstream)
        ready = time.perf_counter()
        while site.waiting() > 0:
            time.sleep(0.05)
            if time.perf_counter() - ready > 600:
                raise SystemExit(f"not drained in 10 min: {site.waiting()} waiting")
        took = time.perf_counter() - ready
        print(
            f"drain: {backlog} items (ratings, complaints) through the bridge (TLS) and "
            f"mpp upstream run in {took:.2f} s after hub ready "
            f"({ready - started:.2f} s to start): {backlog / took:,.0f} items/s"
        )
    finally:
        if site is not None:
            site.stop()
        receiver.stop()
        upstream.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000, help="commits for enqueue")
    parser.add_argument("--backlog", type=int, default=3000, help="items waiting for drain")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as name:
        enqueue(Path(name), args.items)
        drain(Path(name), args.backlog)


if __name__ == "__main__":
    main()
