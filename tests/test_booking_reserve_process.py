"""The room kept for bookings, end to end: `mpp hub run` with a site file where
Dukcapil keeps half its counter time for online bookings, on a real Mosquitto.

At 14.00 Dukcapil's four counters have 240 counter-minutes left: without a
reserve about 34 KTP-el walk-ins fit (tests/test_hub_admission.py); with half
of it kept, the kiosk hears "penuh" (``agency_full``) after about half as many,
while a citizen who booked still checks in. `mpp upstream bookings push`
prints the room the hub still keeps per service and day, and `mpp admin
status` shows it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.site.loader import DEFAULT_SITE
from mpp.process import PROJECT_ROOT, HubProcess
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.models import BookingCheckIn, PriorityCategory, TicketPrinted, TicketReserve
from protocol.roles import Role
from tests.device_client import DeviceClient

MONDAY_1400 = "2026-11-23T14:00+07:00"
TODAY = "2026-11-23T{}+07:00"


def _site_with_reserve(path: Path, share: float) -> Path:
    text = DEFAULT_SITE.read_text(encoding="utf-8")
    marker = 'code = "DUKCAPIL"\n'
    assert marker in text
    path.write_text(text.replace(marker, f"{marker}booking_share = {share}\n"), encoding="utf-8")
    return path


def _mpp(broker: LocalBroker, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "220"},
        timeout=60,
        check=False,
    )


def _push(broker: LocalBroker, path: Path, content: dict) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(content), encoding="utf-8")
    secrets = broker.directory / "mqtt-credentials.json"
    return _mpp(
        broker,
        "upstream", "bookings", "push", str(path),
        "--port", str(broker.local_port), "--secrets", str(secrets),
    )  # fmt: skip


@pytest.fixture
def kiosk(fresh_broker: LocalBroker) -> Iterator[DeviceClient]:
    client = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    yield client
    client.stop()


def _walk_ins(kiosk: DeviceClient, limit: int = 60) -> tuple[int, ErrorCode | None]:
    issued = 0
    while issued < limit:
        reply = kiosk.send(TicketReserve, service="DUK-KTP", category=PriorityCategory.REGULAR)
        if not reply.ok:
            assert reply.error is not None
            return issued, reply.error.code
        assert reply.ticket is not None
        kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
        issued += 1
    return issued, None


def test_walk_ins_hear_penuh_while_the_reserve_is_kept_and_a_booking_checks_in(
    fresh_broker: LocalBroker, tmp_path: Path, kiosk: DeviceClient
) -> None:
    site = _site_with_reserve(tmp_path / "site.toml", 0.5)
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db", clock_start=MONDAY_1400, site=site)
    hub.start()
    try:
        booking = {
            "code": "SITIRA",
            "service": "DUK-KK",
            "slot_start": TODAY.format("14:40"),
            "slot_end": TODAY.format("14:50"),
            "name": "Siti Rahma",
        }
        pushed = _push(fresh_broker, tmp_path / "bookings.json", {"bookings": [booking]})
        assert pushed.returncode == 0, pushed.stderr
        code = pushed.stdout.split()[0]
        rows = {
            (line.split()[0], line.split()[1]): line.split()[2:]
            for line in pushed.stdout.splitlines()
            if line.startswith("2026-")
        }
        # today from 14.00: DUK-KK keeps room for a few bookings, one is made
        since, reserved, booked, bookable = rows[("2026-11-23", "DUK-KK")]
        assert since == "14:00" and int(booked) == 1 and int(bookable) == int(reserved) - 1
        assert int(rows[("2026-11-24", "DUK-KTP")][1]) > 10  # a whole day tomorrow
        assert ("2026-11-23", "POL-SIM") not in rows  # no share: never bookable

        issued, refusal = _walk_ins(kiosk)
        assert refusal is ErrorCode.AGENCY_FULL, (issued, refusal)
        assert 12 <= issued <= 20, f"{issued} walk-ins: the reserve was not kept (~34 without)"
        checked_in = kiosk.ok(BookingCheckIn, booking_code=code)
        assert checked_in.ticket is not None and checked_in.ticket.service == "DUK-KK"

        secrets = fresh_broker.directory / "mqtt-credentials.json"
        where = ["--broker", f"{fresh_broker.host}:{fresh_broker.port}", "--secrets", str(secrets)]
        shown = _mpp(fresh_broker, "admin", *where, "status", "--json")
        assert shown.returncode == 0, shown.stderr
        services = {s["service"]: s for s in json.loads(shown.stdout)["services"]}
        kk = services["DUK-KK"]
        assert kk["booking_booked"] == 1 and kk["booking_reserved"] >= 1
        assert kk["admission"] == "capacity"
        assert services["POL-SIM"]["booking_reserved"] is None
        table = _mpp(fresh_broker, "admin", *where, "status")
        kk_line = next(line for line in table.stdout.splitlines() if line.startswith("│ DUK-KK "))
        assert f"{kk['booking_bookable']}/{kk['booking_reserved']} (1 booked)" in kk_line
    finally:
        assert hub.stop() == 0
