"""The uplink end to end, every part a process: site Mosquittos bridged to a regional
Mosquitto, ``mpp hub run``, ``mpp upstream run``. The clock only bounds the waits."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from protocol.models import BookingCheckIn
from protocol.roles import Role
from tests.uplink_fixtures import (
    Site,
    received,
    regional,
    start_receiver,
    start_site,
    wait_until,
)
from upstream.regional_broker import RECEIVER_ACCOUNT, RegionalBroker

SITE = "mpp-lampung-timur"
DELIVERY_S = 60.0


def test_ratings_reach_the_receiver_through_the_bridge(tmp_path: Path) -> None:
    upstream = regional(tmp_path / "regional", [SITE])
    receiver = start_receiver(tmp_path, upstream)
    site = start_site(tmp_path / "site", SITE, upstream)
    try:
        tickets = site.serve_and_rate(3)
        wait_until(
            lambda: len(received(tmp_path / "upstream.db", SITE, "ratings")) == 3,
            DELIVERY_S,
            "3 ratings upstream",
        )
        wait_until(lambda: site.waiting() == 0, DELIVERY_S, "the outbox to empty")
        items = received(tmp_path / "upstream.db", SITE, "ratings")
        assert [seq for seq, _, _ in items] == [1, 2, 3]
        assert [payload["ticket_id"] for _, _, payload in items] == tickets
    finally:
        site.stop()
        receiver.stop()
        upstream.stop()


def _push_bookings_upstream(
    tmp_path: Path, site: Site, upstream: RegionalBroker, bookings: list[dict[str, str]]
) -> dict[str, str]:
    """``mpp upstream bookings push --site-id`` on the regional broker: through the bridge
    into the hub. serial → full code."""
    path = tmp_path / "bookings.json"
    path.write_text(json.dumps({"bookings": bookings}), encoding="utf-8")
    pushed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "upstream",
            "bookings",
            "push",
            str(path),
            "--port",
            str(upstream.port),
            "--site-id",
            site.site_id,
            "--secrets",
            str(site.directory / "mqtt-credentials.json"),  # the site's booking key beside it
            "--timeout",
            "30",
            "--ca",
            str(upstream.ca_file),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "MPP_UPSTREAM_PASSWORD": upstream.passwords[RECEIVER_ACCOUNT]},
    )
    assert pushed.returncode == 0, pushed.stderr
    assert f"hub stored {len(bookings)} booking(s)" in pushed.stdout
    codes = [line.split()[0] for line in pushed.stdout.splitlines() if "  " in line]
    return {code.split("-")[0]: code for code in codes}


def _booking(serial: str, start: str, end: str) -> dict[str, str]:
    return {
        "code": serial,
        "service": "DUK-KTP",
        "slot_start": f"2026-11-23T{start}+07:00",
        "slot_end": f"2026-11-23T{end}+07:00",
        "name": "Siti Rahma",
        "masked_nik": "1807**********12",
        "phone": "081234567890",
    }


def _exactly_once_in_order(db: Path, site: str, stream: str, count: int) -> list[str]:
    items = received(db, site, stream)
    assert [seq for seq, _, _ in items] == list(range(1, count + 1)), stream
    return [str(payload["ticket_id"]) for _, _, payload in items]


def _numbered(site: Site, stream: str) -> int:
    """How many items the hub's outbox has numbered in ``stream``."""
    with sqlite3.connect(f"file:{site.db}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT last_seq FROM outbox_streams WHERE stream = ?", (stream,)
        ).fetchone()
    return 0 if row is None else int(row[0])


def test_a_morning_without_internet_arrives_exactly_once_and_in_order(tmp_path: Path) -> None:
    db = tmp_path / "upstream.db"
    upstream = regional(tmp_path / "regional", [SITE])
    receiver = start_receiver(tmp_path, upstream)
    site = start_site(tmp_path / "site", SITE, upstream)
    try:
        codes = _push_bookings_upstream(
            tmp_path, site, upstream, [_booking("SITIRA", "09:00", "09:30")]
        )
        before = site.serve_and_rate(3)
        wait_until(lambda: site.waiting() == 0, DELIVERY_S, "the first ratings upstream")

        upstream.stop()  # the internet is gone for the morning
        kiosk = site.device("kiosk-01", Role.KIOSK)
        checked_in = kiosk.ok(BookingCheckIn, booking_code=codes["SITIRA"])
        assert checked_in.ticket is not None  # a booking received before the cut
        during = site.serve_and_rate(24, counter=2)
        assert site.waiting() == 24 + 8, "the morning's ratings and surveys wait in the outbox"
        shown = site.admin("status")
        assert shown.returncode == 0, shown.stderr
        assert "Uplink: 32 waiting (ratings 24, surveys 8)" in shown.stdout
        assert "32 items waiting to go upstream" in shown.stdout  # the alert (over 20)
        status = json.loads(site.admin("status", "--json").stdout)
        assert status["uplink"]["waiting"] == 32
        site.hub.wait_for("uplink backlog: ", DELIVERY_S)  # a warning in the hub's log
        assert site.hub_status()["degraded"] == []  # devices are not told: nothing for them

        # The site broker dies too (power cut): whatever its bridge had queued is gone;
        # the outbox still has it all.
        os.kill(site.broker.process.pid, signal.SIGKILL)  # type: ignore[arg-type]
        site.broker.process.stop()
        site.broker.start()
        wait_until(
            lambda: sum("connected as hub" in line for line in site.hub.lines) >= 2,
            DELIVERY_S,
            "the hub back on its broker",
        )

        upstream.start()  # back, on the same address
        wait_until(lambda: site.waiting() == 0, DELIVERY_S, "the backlog upstream")
        ratings = _exactly_once_in_order(db, SITE, "ratings", 27)
        assert ratings == before + during
        site.hub.wait_for("uplink backlog back to normal", DELIVERY_S)
        surveys = _exactly_once_in_order(db, SITE, "surveys", _numbered(site, "surveys"))
        assert surveys == [t for i, t in enumerate(before) if i % 3 == 0] + [
            t for i, t in enumerate(during) if i % 3 == 0
        ]
    finally:
        site.stop()
        receiver.stop()
        upstream.stop()


def _count(db: Path, site: str, stream: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT COUNT(*) FROM items WHERE site_id = ? AND stream = ?", (site, stream)
        ).fetchone()
    return int(row[0])


def test_a_hub_killed_in_the_middle_of_a_resend_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "upstream.db"
    upstream = regional(tmp_path / "regional", [SITE])
    receiver = start_receiver(tmp_path, upstream)
    site = start_site(tmp_path / "site", SITE, upstream)
    try:
        upstream.stop()
        served = site.serve_and_rate(60)  # 60 ratings, 20 surveys: more than one window
        backlog = site.waiting()
        assert backlog == 80
        upstream.start()
        deadline = time.monotonic() + DELIVERY_S
        while _count(db, SITE, "ratings") < 1:  # polled tightly: the drain takes ~0.1 s
            assert time.monotonic() < deadline, "the resend never began"
        site.hub.kill()  # SIGKILL: no clean stop, no last words
        # In the middle: upstream holds some items the hub has not yet seen acknowledged.
        held, left = _count(db, SITE, "ratings"), site.waiting()
        assert held >= 1 and left > 0, f"killed with {held} held upstream, {left} waiting"
        print(f"killed with {held} ratings held upstream, {left} items waiting")
        site.hub.start()  # the same store: the outbox resumes where its acks left it
        wait_until(lambda: site.waiting() == 0, DELIVERY_S, "the rest upstream")
        assert _exactly_once_in_order(db, SITE, "ratings", 60) == served
        assert _exactly_once_in_order(db, SITE, "surveys", 20) == served[::3]
    finally:
        site.stop()
        receiver.stop()
        upstream.stop()


def test_three_sites_on_one_regional_broker_arrive_apart_and_complete(tmp_path: Path) -> None:
    sites_ids = ["mpp-lampung-timur", "mpp-badung", "mpp-kota-bandung"]
    db = tmp_path / "upstream.db"
    upstream = regional(tmp_path / "regional", sites_ids)
    receiver = start_receiver(tmp_path, upstream)
    sites = [start_site(tmp_path / name, name, upstream) for name in sites_ids]
    try:
        served = {site.site_id: site.serve_and_rate(4 + index) for index, site in enumerate(sites)}
        for site in sites:
            wait_until(lambda site=site: site.waiting() == 0, DELIVERY_S, site.site_id)
        for site in sites:
            count = len(served[site.site_id])
            assert (
                _exactly_once_in_order(db, site.site_id, "ratings", count) == (served[site.site_id])
            )
        listing = subprocess.run(
            [sys.executable, "-m", "mpp.cli", "upstream", "received", "--db", str(db), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        tally = {(row["site_id"], row["stream"]): row for row in json.loads(listing.stdout)}
        assert {site for site, _ in tally} == set(sites_ids)
        for index, name in enumerate(sites_ids):
            assert tally[(name, "ratings")]["items"] == 4 + index
            assert tally[(name, "ratings")]["declared_gaps"] == 0
        assert receiver.stop() == 0  # SIGTERM: a clean stop
        assert "upstream receiver stopped:" in "".join(receiver.lines)
    finally:
        for site in sites:
            site.stop()
        receiver.stop()
        upstream.stop()
