"""Online bookings end to end: `mpp upstream bookings push` into a real `mpp hub run`
on a real Mosquitto, checked in by a kiosk, kept by the hub across a restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mpp.process import HubProcess
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.models import BookingCheckIn
from protocol.roles import Role
from tests.device_client import DeviceClient

TODAY = "2026-11-23T{}+07:00"  # the hub runs from Monday 08.00 WIB
TOMORROW = "2026-11-24T{}+07:00"


def _push(
    broker: LocalBroker, path: Path, content: dict, *extra: str
) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(content), encoding="utf-8")
    secrets = broker.directory / "mqtt-credentials.json"
    where = ["--port", str(broker.local_port), "--secrets", str(secrets)]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "upstream",
            "bookings",
            "push",
            str(path),
            *where,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _booking(serial: str, day: str, start: str, end: str, name: str) -> dict[str, str]:
    return {
        "code": serial,
        "service": "DUK-KTP",
        "slot_start": day.format(start),
        "slot_end": day.format(end),
        "name": name,
        "masked_nik": "1807**********12",
        "phone": "081234567890",
    }


def _codes(stdout: str) -> dict[str, str]:
    """serial -> full code, from the push's listing."""
    codes = [line.split()[0] for line in stdout.splitlines() if line and "  " in line]
    return {code.split("-")[0]: code for code in codes}


@pytest.fixture
def kiosk(fresh_broker: LocalBroker) -> Iterator[DeviceClient]:
    client = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    yield client
    client.stop()


def _error(kiosk: DeviceClient, code: str) -> ErrorCode | None:
    reply = kiosk.send(BookingCheckIn, booking_code=code)
    return reply.error.code if reply.error is not None else None


def test_pushed_bookings_check_in_and_survive_a_restart(
    fresh_broker: LocalBroker, tmp_path: Path, kiosk: DeviceClient
) -> None:
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    hub.start()
    try:
        pushed = _push(
            fresh_broker,
            tmp_path / "bookings.json",
            {
                "bookings": [
                    _booking("SITIRA", TODAY, "08:30", "09:00", "Siti Rahma"),
                    _booking("BUDISA", TODAY, "09:00", "09:30", "Budi Santoso"),
                    _booking("LATEAG", TODAY, "07:00", "07:30", "Agus Salim"),
                    _booking("BESOKD", TOMORROW, "08:30", "09:00", "Dewi Lestari"),
                    _booking("BATALR", TODAY, "10:00", "10:30", "Rina Wati"),
                ]
            },
        )
        assert pushed.returncode == 0, pushed.stderr
        assert "hub stored 5 booking(s), 0 cancellation(s)" in pushed.stdout
        codes = _codes(pushed.stdout)
        assert set(codes) == {"SITIRA", "BUDISA", "LATEAG", "BESOKD", "BATALR"}

        cancel = _push(fresh_broker, tmp_path / "cancel.json", {"cancelled": [codes["BATALR"]]})
        assert cancel.returncode == 0, cancel.stderr
        assert "1 cancellation(s)" in cancel.stdout

        siti = codes["SITIRA"]
        altered = siti[:-1] + ("A" if siti[-1] != "A" else "B")
        assert _error(kiosk, altered) is ErrorCode.FORGED_BOOKING
        assert _error(kiosk, "ZZZZ99-ABCDEFGH") is ErrorCode.UNKNOWN_BOOKING
        assert _error(kiosk, codes["BESOKD"]) is ErrorCode.EXPIRED
        # the site's default rule: past its slot a booking queues as a walk-in
        assert kiosk.ok(BookingCheckIn, booking_code=codes["LATEAG"]).ticket is not None
        assert _error(kiosk, codes["BATALR"]) is ErrorCode.CANCELLED_BOOKING
        reply = kiosk.ok(BookingCheckIn, booking_code=siti)
        assert reply.ticket is not None and reply.ticket.service == "DUK-KTP"
    finally:
        assert hub.stop() == 0

    # No upstream any more: the hub's own copy is enough.
    again = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    again.start()
    try:
        assert kiosk.ok(BookingCheckIn, booking_code=codes["BUDISA"]).ticket is not None
        assert _error(kiosk, siti) is ErrorCode.INVALID_STATE
        assert _error(kiosk, codes["BATALR"]) is ErrorCode.CANCELLED_BOOKING
    finally:
        assert again.stop() == 0


def test_a_push_of_forged_codes_is_refused_in_one_line(
    fresh_broker: LocalBroker, tmp_path: Path, kiosk: DeviceClient
) -> None:
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    hub.start()
    try:
        forged = _booking("FAKEAA", TODAY, "08:30", "09:00", "Penipu")
        forged["code"] = "FAKEAA-ABCDEFGH"
        result = _push(fresh_broker, tmp_path / "forged.json", {"bookings": [forged]})
        assert result.returncode == 8
        errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
        assert "Traceback" not in result.stderr
        assert errors == [
            "mpp: error: the hub refused 1 booking(s) whose code does not verify under the "
            "site key: FAKEAA-ABCDEFGH"
        ]
        assert _error(kiosk, "FAKEAA-ABCDEFGH") is ErrorCode.UNKNOWN_BOOKING
    finally:
        assert hub.stop() == 0


def test_mpp_upstream_key_makes_the_key_once_owner_only(tmp_path: Path) -> None:
    secrets = tmp_path / "state" / "mqtt-credentials.json"

    def key(*extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "mpp.cli", "upstream", "key", "--secrets", str(secrets), *extra],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    path = tmp_path / "state" / "booking-key"
    assert key() == f"booking key: {path}"
    assert path.stat().st_mode & 0o777 == 0o600
    shown = key("--show")
    assert len(bytes.fromhex(shown)) == 32 and key("--show") == shown


def test_push_without_a_hub_or_with_a_bad_file_says_so_in_one_line(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    booking = _booking("SITIRA", TODAY, "08:30", "09:00", "Siti Rahma")
    nobody = _push(fresh_broker, tmp_path / "b.json", {"bookings": [booking]}, "--timeout", "1")
    assert nobody.returncode == 4 and "Traceback" not in nobody.stderr
    (error,) = [line for line in nobody.stderr.splitlines() if "mpp: error" in line]
    assert error.endswith(
        "the hub did not answer the push within 1.0 s (is `mpp hub run` running on this broker?)"
    )
    del booking["slot_end"]
    bad = _push(fresh_broker, tmp_path / "bad.json", {"bookings": [booking]})
    assert bad.returncode == 8 and "Traceback" not in bad.stderr
    assert "bookings.0.slot_end: Field required" in bad.stderr


def test_a_large_day_goes_in_pushes_that_fit_the_topic(
    fresh_broker: LocalBroker, tmp_path: Path, kiosk: DeviceClient
) -> None:
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    hub.start()
    try:
        day = [
            _booking("", TOMORROW, f"{8 + i % 8:02d}:00", f"{8 + i % 8:02d}:30", "Warga " * 13)
            for i in range(230)
        ]
        result = _push(fresh_broker, tmp_path / "day.json", {"bookings": day})
        assert result.returncode == 0, result.stderr
        assert "hub stored 230 booking(s), 0 cancellation(s)" in result.stdout
        codes = [line.split()[0] for line in result.stdout.splitlines() if "  " in line]
        cancel = _push(fresh_broker, tmp_path / "cancel.json", {"cancelled": codes[:120]})
        assert cancel.returncode == 0, cancel.stderr
        assert "hub stored 0 booking(s), 120 cancellation(s)" in cancel.stdout
        assert _error(kiosk, codes[0]) is ErrorCode.CANCELLED_BOOKING
        assert _error(kiosk, codes[-1]) is ErrorCode.EXPIRED  # tomorrow's, alive
    finally:
        assert hub.stop() == 0


def test_a_push_across_the_lan_goes_over_tls_against_the_site_ca(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """Off the hub's loopback the upstream password crosses the LAN: TLS, hub verified."""
    from mqtt_broker.site_ca import make_authority, write_certificate

    site_ca = fresh_broker.tls("upstream")
    assert site_ca is not None
    lan = ["--port", str(fresh_broker.port)]
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    hub.start()
    try:
        booking = _booking("SITIRA", TODAY, "08:30", "09:00", "Siti Rahma")
        pushed = _push(
            fresh_broker,
            tmp_path / "b.json",
            {"bookings": [booking]},
            *lan,
            "--ca",
            site_ca.ca_file,
        )
        assert pushed.returncode == 0, pushed.stderr
        assert "hub stored 1 booking(s)" in pushed.stdout
        other = tmp_path / "other-ca.crt"
        write_certificate(other, make_authority("mpp-elsewhere").certificate)
        refused = _push(
            fresh_broker, tmp_path / "c.json", {"bookings": [booking]}, *lan, "--ca", str(other)
        )
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "TLS: wrong CA" in refused.stderr, refused.stderr
    finally:
        hub.stop()
