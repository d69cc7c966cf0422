"""`mpp admin …` as a process against a real broker and a real `mpp hub run`:
each command's effect on the hub, its refusals, and the audit trail."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware_config.inventory import Inventory
from hub.site.loader import load_site
from mpp.process import PROJECT_ROOT, EdgeProcess
from mqtt_broker.site_ca import make_authority, write_certificate
from protocol.errors import ErrorCode
from protocol.models import (
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterRecall,
    DeviceControl,
    TicketReserve,
)
from protocol.roles import Role
from protocol.topics import spec
from tests.admin_fixtures import Building, shared_clock, start_building, status_of

DEVICES = Path(__file__).resolve().parent.parent / "firmware_config" / "devices"


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path_factory.mktemp("admin"), inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _audit(building: Building, kind: str) -> list[dict[str, Any]]:
    """Events of ``kind`` in the hub's store (read-only, beside the running hub)."""
    with sqlite3.connect(f"file:{building.db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT body FROM events WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(body) for (body,) in rows]


def test_status_shows_counters_queues_and_devices(building: Building) -> None:
    first = building.issue("BPJSKES-DAFTAR")
    building.issue("BPJSKES-DAFTAR")
    counter = building.device("counter-08", Role.COUNTER)
    counter.ok(CounterOpen)
    called = counter.ok(CounterNext)
    assert called.ticket is not None and called.ticket.number == first.ticket.number  # type: ignore[union-attr]

    status = building.status()
    row = status_of(status, "counters", "counter", 8)
    assert row["state"] == "open"
    assert row["current"] == first.ticket.number  # type: ignore[union-attr]
    assert row["current_state"] == "called"
    queue = status_of(status, "services", "service", "BPJSKES-DAFTAR")
    assert queue["waiting"] == 1 and queue["issued_today"] == 2
    assert queue["admission"] == "open" and queue["oldest_waiting_since"] is not None
    device = status_of(status, "devices", "device_id", "counter-08")
    assert device["online"] and device["software_version"] == "test"
    assert device["last_seen"] is not None
    assert status_of(status, "devices", "device_id", "counter-19")["online"] is False

    table = building.admin_ok("status", "--busy")
    assert "BPJSKES-DAFTAR" in table and "Loket 8" in table and "counter-08" in table


def test_counter_open_pause_close_and_services_for_the_day(building: Building) -> None:
    watcher = building.watcher()
    try:
        assert "counter 12 is open" in building.admin_ok("counter", "open", "12")
        watcher.wait_until("mpp/state/counter/12", lambda p: p["state"] == "open")
        building.admin_ok("counter", "pause", "12", "--reason", "rapat")
        watcher.wait_until(
            "mpp/state/counter/12", lambda p: p["state"] == "paused" and p["reason"] == "rapat"
        )
        building.admin_ok("counter", "resume", "12")
        building.admin_ok("counter", "close", "12")
        watcher.wait_until("mpp/state/counter/12", lambda p: p["state"] == "closed", live=True)
    finally:
        watcher.stop()
    building.admin_ok(
        "counter", "services", "12", "--primary", "KMG-HAJI", "--secondary", "PA-PRODUK"
    )
    row = status_of(building.status(), "counters", "counter", 12)
    assert row["primary"] == ["KMG-HAJI"] and row["secondary"] == ["PA-PRODUK"]
    assert row["services_changed"] is True
    changes = _audit(building, "counter.changed")
    assert [c["state"] for c in changes if c["counter"] == 12] == [
        "open",
        "paused",
        "open",
        "closed",
    ]
    assert all(c["account"] == "admin" for c in changes if c["counter"] == 12)
    assert _audit(building, "counter.services_set")[-1]["account"] == "admin"


def test_officers_sign_in_show_in_status_and_are_audited(building: Building) -> None:
    site = load_site()
    kejari = next(o for o in site.officers if o.agency == "KEJARI")
    dukcapil = next(o for o in site.officers if o.agency == "DUKCAPIL")
    said = building.admin_ok("counters", "officer", "14", kejari.nip)
    assert f"{kejari.nip} on duty" in said
    row = status_of(building.status(), "counters", "counter", 14)
    assert row["officer"] == kejari.name and row["officer_id"] == kejari.nip
    assert kejari.name.split()[0] in building.admin_ok("status"), "the table names them"
    building.issue("KEJ-HUKUM")
    counter = building.device("counter-14", Role.COUNTER)
    counter.ok(CounterOpen)  # opened at the unit without a pick: the admin's officer stays
    counter.ok(CounterNext)
    called = [c for c in _audit(building, "ticket.called") if c["counter"] == 14]
    assert [c["officer"] for c in called] == [kejari.nip]
    before = building.status()
    _one_line_error(
        building.admin("counter", "officer", "14", dukcapil.nip), 3, "not_authorised", "KEJARI"
    )
    _one_line_error(
        building.admin("counter", "officer", "14", "199901012020011999"), 3, "unknown_officer"
    )
    assert building.status()["counters"] == before["counters"]
    assert "nobody on duty" in building.admin_ok("counter", "officer", "14", "--out")
    assert status_of(building.status(), "counters", "counter", 14)["officer"] is None
    signed_in = [e for e in _audit(building, "officer.signed_in") if e["counter"] == 14]
    signed_out = [e for e in _audit(building, "officer.signed_out") if e["counter"] == 14]
    assert [(e["officer"], e["account"]) for e in signed_in] == [(kejari.nip, "admin")]
    assert [(e["officer"], e["reason"]) for e in signed_out] == [(kejari.nip, "admin")]


def test_a_refused_command_changes_nothing(building: Building) -> None:
    building.issue("PA-PERKARA")
    counter = building.device("counter-13", Role.COUNTER)
    counter.ok(CounterOpen)
    counter.ok(CounterNext)
    before = building.status()
    line = _one_line_error(
        building.admin("counter", "close", "13"), 3, "invalid_state", "finish or transfer"
    )
    assert line.startswith("mpp: error: refused")
    after = building.status()
    for part in ("counters", "services"):
        assert before[part] == after[part]
    refused = _audit(building, "command.rejected")
    assert any(
        r["sender"] == "admin" and r["command_type"] == "admin.counter.state" for r in refused
    )
    _one_line_error(building.admin("counter", "open", "99"), 3, "unknown_counter", "counter 99")
    _one_line_error(
        building.admin("service", "close", "NOPE", "--reason", "x"), 3, "unknown_service"
    )


def test_ticket_find_cancel_transfer_reprint_requeue(building: Building) -> None:
    t1, t2, t3 = (building.issue("KES-SIP").ticket for _ in range(3))
    assert t1 and t2 and t3
    found = building.admin_json("ticket", "find", t2.number)
    assert found["ticket_id"] == t2.ticket_id and found["state"] == "waiting"
    assert found["people_ahead"] == 1
    assert "waiting" in building.admin_ok("ticket", "find", t1.ticket_id)

    building.admin_ok("ticket", "cancel", t1.number, "--reason", "double ticket")
    assert building.admin_json("ticket", "find", t1.number)["state"] == "cancelled"
    again = building.admin("ticket", "cancel", t1.number, "--reason", "again")
    _one_line_error(again, 3, "cancelled")

    building.admin_ok("ticket", "transfer", t2.number, "KES-SLHS")
    assert building.admin_json("ticket", "find", t2.number)["service"] == "KES-SLHS"

    kiosk = building.device("kiosk-02", Role.KIOSK)
    controls: list[DeviceControl] = []
    arrived = threading.Event()

    def on_control(decoded: Any, _properties: Any) -> None:
        controls.append(decoded.message)
        arrived.set()

    kiosk.link.subscribe(spec("device.control"), on_control, device_id="kiosk-02")
    building.admin_ok("ticket", "reprint", t3.number, "--kiosk", "kiosk-02")
    assert arrived.wait(10), "the kiosk got no reprint request"
    assert controls[0].action == "reprint" and controls[0].ticket is not None
    assert controls[0].ticket.number == t3.number
    _one_line_error(
        building.admin("ticket", "reprint", t3.number, "--kiosk", "counter-01"), 3, "not a kiosk"
    )

    counter = building.device("counter-16", Role.COUNTER)
    counter.ok(CounterOpen)
    called = counter.ok(CounterNext).ticket
    assert called is not None
    counter.ok(CounterRecall)
    counter.ok(CounterNoShow)
    assert building.admin_json("ticket", "find", called.number)["state"] == "no_show"
    building.admin_ok("ticket", "requeue", called.number)
    assert building.admin_json("ticket", "find", called.number)["state"] == "waiting"
    for kind in ("ticket.cancelled", "ticket.moved", "ticket.reprinted", "ticket.requeued"):
        assert any(e.get("account") == "admin" for e in _audit(building, kind)), kind


def test_service_close_early_reopen_and_quota(building: Building) -> None:
    kiosk = building.device("kiosk-01", Role.KIOSK)
    watcher = building.watcher()
    try:
        building.admin_ok("service", "close", "SOS-DTKS", "--reason", "Petugas sedang dinas luar")
        refused = kiosk.send(TicketReserve, service="SOS-DTKS")
        assert refused.error is not None and refused.error.code is ErrorCode.CLOSED
        assert refused.error.message == "Petugas sedang dinas luar"
        watcher.wait_until(
            "mpp/state/service/SOS-DTKS",
            lambda p: not p["accepting"] and p["reason"] == "Petugas sedang dinas luar",
        )
        building.admin_ok("service", "reopen", "SOS-DTKS")
        watcher.wait_until("mpp/state/service/SOS-DTKS", lambda p: p["accepting"], live=True)
        assert kiosk.send(TicketReserve, service="SOS-DTKS").ok
    finally:
        watcher.stop()

    building.admin_ok("service", "quota", "KB-LAYANAN", "0")
    full = kiosk.send(TicketReserve, service="KB-LAYANAN")
    assert full.error is not None and full.error.code is ErrorCode.QUOTA_FULL
    assert status_of(building.status(), "services", "service", "KB-LAYANAN")["admission"] == (
        "quota_full"
    )
    building.admin_ok("service", "quota", "KB-LAYANAN", "none")
    assert kiosk.send(TicketReserve, service="KB-LAYANAN").ok
    assert [e["quota"] for e in _audit(building, "service.quota_set")] == [0, None]
    assert _audit(building, "service.closed")[0]["account"] == "admin"


def test_announcements_expire_by_themselves(building: Building) -> None:
    watcher = building.watcher()
    try:
        building.admin_ok("announce", "Layanan SIM pindah ke lantai 2", "--for", "3s")
        watcher.wait_until(
            "mpp/state/announcements", lambda p: p["texts"] == ["Layanan SIM pindah ke lantai 2"]
        )
        watcher.wait_until("mpp/state/announcements", lambda p: p["texts"] == [], live=True)
    finally:
        watcher.stop()
    sets = _audit(building, "announcements.set")
    assert sets[-2]["account"] == "admin" and sets[-2]["expires_at"] is not None
    assert sets[-1]["texts"] == [] and sets[-1]["account"] is None  # cleared by the hub
    _one_line_error(building.admin("announce", "x", "--for", "soon"), 1, "--for")


def test_devices_identify_report_and_restart_a_real_agent(
    building: Building, tmp_path: Path
) -> None:
    agent = EdgeProcess.on(building.broker, DEVICES / "counter-20.toml", tmp_path, env=building.env)
    agent.start()
    try:
        status_of(building.status(), "devices", "device_id", "counter-20")  # known
        building.admin_ok("device", "identify", "counter-20")
        agent.wait_for("identify requested by admin")
        hardware = building.admin_json("device", "hardware", "counter-20")
        assert hardware["fresh"] is True and hardware["hardware"]["buttons"]["health"] == "ok"
        building.admin_ok("device", "restart", "counter-20")
        agent.wait_for("restart requested by admin")
        assert agent.wait(15) == 0  # systemd's Restart=always starts it again
    finally:
        agent.stop()
    _one_line_error(building.admin("device", "identify", "counter-19"), 3, "offline")
    _one_line_error(building.admin("device", "restart", "nobody-01"), 3, "unknown_device")


def test_advise_asks_for_counters_when_the_queue_outgrows_them(building: Building) -> None:
    for _ in range(12):
        building.issue("POL-SKCK")
    building.device("counter-05", Role.COUNTER).ok(CounterOpen)
    advice = {a["agency"]: a for a in building.admin_json("advise", "--hours", "2")}
    polres = advice["POLRES"]
    assert polres["waiting"] == 12 and polres["open_counters"] == 1
    need = polres["hours"][0]["counters_needed"]
    assert need > 1
    assert polres["advice"].startswith("Polres: buka ")
    assert "loket lagi sekarang" in polres["advice"] and "tunggu ≤ 30 menit" in polres["advice"]
    if need > polres["available_counters"]:
        assert "pertimbangkan kuota" in polres["advice"]
    assert "Polres: buka" in building.admin_ok("advise")


def test_refusals_are_one_line(building: Building) -> None:
    _one_line_error(
        building.admin("status", env={"MPP_ADMIN_PASSWORD": "wrong"}),
        4,
        "refused admin",
        "password",
    )
    _one_line_error(building.admin("--account", "counter-03", "status"), 5, "not an admin account")
    _one_line_error(building.admin("--account", "ghost", "status"), 5, "no password for ghost")
    closed = building.admin("--broker", "127.0.0.1:1", "status")
    _one_line_error(closed, 4, "cannot reach the broker")
    _one_line_error(building.admin("--broker", "hub:port", "status"), 1, "must be a number")


def test_the_console_reaches_the_lan_over_tls_and_says_why_it_cannot(
    building: Building, tmp_path: Path
) -> None:
    """Off the hub's loopback the console is a LAN client: TLS against the site CA, so
    the admin's password never crosses the LAN in clear; a wrong CA, a plain attempt on
    the TLS port, or no CA at all is one line."""
    assert building.admin_json("status")["counters"], "TLS with the CA beside the store"
    other = tmp_path / "other-ca.crt"
    write_certificate(other, make_authority("mpp-elsewhere").certificate)
    _one_line_error(building.admin("--ca", str(other), "status"), 4, "TLS: wrong CA")
    plain = building.admin("--plain", "status")
    assert plain.returncode == 4, plain.stderr
    assert "Traceback" not in plain.stderr
    no_ca = building.admin(
        "--secrets",
        str(tmp_path / "elsewhere.json"),
        "status",
        env={"MPP_ADMIN_PASSWORD": building.broker.password("admin")},
    )
    _one_line_error(no_ca, 1, "no site CA", "--ca FILE")


def test_status_on_the_hub_warns_30_days_before_a_site_certificate_expires(
    building: Building, tmp_path: Path
) -> None:
    """An expired hub certificate takes every device off the LAN at once: the admin
    hears of it a month ahead, from the site TLS directory beside the store."""
    import datetime as dt
    import shutil

    from mqtt_broker.site_ca import CERT_VALID_DAYS, ensure_site_tls, utc_now

    store = tmp_path / "mqtt-credentials.json"
    shutil.copy(building.secrets, store)
    made = utc_now() - dt.timedelta(days=CERT_VALID_DAYS - 20)
    ensure_site_tls(tmp_path / "tls", "mpp-test", ["mpp-hub.local"], now=made)
    ca = building.broker.tls("admin").ca_file
    shown = building.admin_ok("--secrets", str(store), "--ca", ca, "status")
    assert "Certificate:" in shown and "hub certificate" in shown, shown
    assert "expires in 20 days" in shown or "expires in 19 days" in shown, shown
    data = building.admin_json("--secrets", str(store), "--ca", ca, "status")
    assert len(data["certificate_warnings"]) == 1
    assert building.admin_json("status")["certificate_warnings"] == []


def test_status_says_until_when_the_hub_certificate_is_valid(
    building: Building, tmp_path: Path
) -> None:
    """No warning is not silence: one line with the hub certificate's expiry, from the
    certificate the broker presented over TLS, else from the site TLS directory on the
    hub (its loopback listener is plain)."""
    import datetime as dt
    import shutil

    from mqtt_broker.site_ca import CERT_VALID_DAYS, ensure_site_tls, utc_now

    presented = building.admin_ok("status")
    line = next(x for x in presented.splitlines() if x.startswith("TLS: hub certificate"))
    assert re.fullmatch(r"TLS: hub certificate valid until \d\d-\d\d-\d{4} \(\d+ days\)", line)
    data = building.admin_json("status")
    assert data["certificate_warnings"] == [] and data["hub_certificate_valid_until"]

    store = tmp_path / "mqtt-credentials.json"  # on the hub: a plain connection, the files
    shutil.copy(building.secrets, store)
    ensure_site_tls(tmp_path / "tls", "mpp-test", ["mpp-hub.local"], now=utc_now())
    loopback = f"{building.broker.host}:{building.broker.local_port}"
    shown = building.admin_ok("--secrets", str(store), "--broker", loopback, "--plain", "status")
    expected = (utc_now() + dt.timedelta(days=CERT_VALID_DAYS)).strftime("%d-%m-%Y")
    assert f"TLS: hub certificate valid until {expected}" in shown, shown


MALFORMED: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("receipt", "A-14X", "--out", "t2.pdf"), ("ticket 'A-14X'", "20261123-A-012", "A-012")),
    (("complaints", "show", "1"), ("ID '1'", "PGD-20261124-003")),
    (("ticket", "find", "12"), ("ticket '12'", "A-012")),
    (("ticket", "cancel", "A_001", "--reason", "x"), ("ticket 'A_001'",)),
    (("ticket", "transfer", "A-001", "duk ktp"), ("service 'DUK KTP'", "DUK-KTP")),
    (("ticket", "reprint", "A-001", "--kiosk", "Kiosk 1"), ("--kiosk 'Kiosk 1'", "kiosk-01")),
    (("counter", "open", "0"), ("counter '0'", "1–999")),
    (("counter", "pause", "x"), ("counter pause", "argument number", "'x'")),
    (("counter", "services", "3", "--primary", "duk_ktp"), ("--primary 'DUK_KTP'",)),
    (("counter", "officer", "3", "ab"), ("NIP 'ab'", "NIP")),
    (("service", "close", "DUK KTP", "--reason", "habis"), ("service 'DUK KTP'",)),
    (("device", "identify", "Counter_01"), ("device 'Counter_01'", "counter-03")),
    (("device", "hardware", "kiosk/#"), ("device 'kiosk/#'",)),
    (("service", "quota", "DUK-KTP", "99999"), ("quota '99999'", "0–9999")),
    (("signature", "waive", "A12", "--reason", "refused"), ("ticket 'A12'",)),
    (("complaints", "add", "--category", "saran", "--text", "Antrean lama sekali",
      "--ticket", "A1"), ("ticket 'A1'",)),
    (("report", "--from", "2026-13-01", "--to", "2026-12-31", "--out", "r.html"),
     ("--from", "'2026-13-01'", "YYYY-MM-DD")),
    (("report", "--from", "2025-01-01", "--to", "2026-06-30", "--out", "r.html"),
     ("at most 400 days",)),
]  # fmt: skip


def test_malformed_arguments_are_one_line_each(building: Building, tmp_path: Path) -> None:
    """An id, number, code or day the command cannot take: one line naming the argument
    and its form, exit 1 (wrong use), no traceback, nothing sent to the hub."""
    before = building.status()
    for args, words in MALFORMED:
        files = [str(tmp_path / a) if a.endswith((".pdf", ".html")) else a for a in args]
        result = subprocess.run(
            building.admin_args(*files),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **building.env},
            check=False,
        )
        line = _one_line_error(result, 1, "mpp: error: ", *words)
        assert line.count("mpp: error:") == 1, line
    assert not list(tmp_path.iterdir())
    assert building.status()["counters"] == before["counters"]
