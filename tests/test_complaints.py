"""Complaints (SP4N-LAPOR) at the hub, as processes: a kiosk's `complaint.submit`,
`mpp admin complaints add|list|show`, and status updates published by
`mpp upstream complaints status` into a real `mpp hub run` on a real Mosquitto."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from firmware_config.inventory import Inventory
from mpp.process import PROJECT_ROOT, HubProcess
from protocol.errors import ErrorCode
from protocol.models import ComplaintCategory, ComplaintSubmit, CounterNext, CounterOpen
from protocol.roles import Role
from tests.admin_fixtures import COMMAND_TIMEOUT_S, Building, shared_clock, start_building

EVENT_FIELDS = {
    "complaint_id", "category", "text", "contact", "ticket_id", "service", "agency",
    "source", "recorded_at",
}  # fmt: skip  (the uplink forwards these: issue 16's outbox depends on them)


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path_factory.mktemp("complaints"), inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


def _events(building: Building, kind: str) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{building.db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT body FROM events WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(body) for (body,) in rows]


def _upstream(building: Building, *args: str) -> subprocess.CompletedProcess[str]:
    where = ["--port", str(building.broker.local_port), "--secrets", str(building.secrets)]
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", "upstream", "complaints", "status", *args, *where],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str], code: int, word: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(("mpp:", "usage:"))]
    assert len(lines) == 1 and word in lines[-1], result.stderr


def test_kiosk_and_console_record_complaints_and_upstream_status_comes_back(
    building: Building,
) -> None:
    kiosk = building.device("kiosk-01", Role.KIOSK)
    ticket = building.issue("DUK-KTP").ticket
    assert ticket is not None
    counter = building.device("counter-01", Role.COUNTER)
    counter.ok(CounterOpen)
    counter.ok(CounterNext, expires_in=30)

    command = kiosk.command(
        ComplaintSubmit,
        category=ComplaintCategory.PENGADUAN,
        text="Antrean terlalu lama, loket KTP hanya satu yang buka.",
        contact="081234567890",
        ticket=ticket.number,
    )
    reply = kiosk.request(command)
    assert reply.ok, reply.error
    complaint = reply.complaint
    assert complaint is not None and complaint.complaint_id == "PGD-20261123-001"
    assert (complaint.ticket_id, complaint.service) == (ticket.ticket_id, "DUK-KTP")
    assert complaint.agency == "DUKCAPIL" and complaint.source.value == "kiosk"
    again = kiosk.request(command)  # a retry after a lost reply: the same answer, no second one
    assert again.complaint is not None and again.complaint.complaint_id == "PGD-20261123-001"

    unknown = kiosk.send(
        ComplaintSubmit, category=ComplaintCategory.SARAN, text="Tambah kursi.", ticket="Z-999"
    )
    assert unknown.error is not None and unknown.error.code is ErrorCode.UNKNOWN_TICKET

    added = building.admin_ok(
        "complaints", "add", "--category", "saran",
        "--text", "Mohon disediakan ruang laktasi di lantai 2.", "--service", "BPJSKES-DAFTAR",
    )  # fmt: skip
    assert "PGD-20261123-002 recorded" in added

    recorded = _events(building, "complaint.recorded")
    assert [e["complaint_id"] for e in recorded] == ["PGD-20261123-001", "PGD-20261123-002"]
    for event in recorded:
        assert set(event) - {"at", "kind"} == EVENT_FIELDS
    assert recorded[1]["source"] == "admin" and recorded[1]["agency"] == "BPJS-KES"

    stored = _upstream(
        building, "PGD-20261123-001", "in_progress", "--note", "Diteruskan ke Dukcapil",
        "--reference", "LAPOR-4471",
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert "PGD-20261123-001 in_progress" in stored.stdout
    _one_line(_upstream(building, "PGD-20261123-099", "resolved"), 8, "no complaint")
    _one_line(_upstream(building, "NOT-AN-ID", "resolved"), 2, "complaint_id")

    shown = building.admin_json("complaints", "show", "PGD-20261123-001")
    assert shown["status"] == "in_progress" and shown["reference"] == "LAPOR-4471"
    assert shown["history"][0]["note"] == "Diteruskan ke Dukcapil"
    listed = building.admin_json("complaints", "list")
    assert [c["complaint_id"] for c in listed] == ["PGD-20261123-002", "PGD-20261123-001"]
    open_ones = building.admin_json("complaints", "list", "--status", "recorded")
    assert [c["complaint_id"] for c in open_ones] == ["PGD-20261123-002"]
    table = building.admin_ok("complaints", "list")
    assert "in progress" in table and "ruang laktasi" in table
    assert len(_events(building, "complaint.status_changed")) == 1

    too_short = building.admin("complaints", "add", "--category", "saran", "--text", "Oke")
    _one_line(too_short, 1, "text")
    _one_line(building.admin("complaints", "show", "PGD-20261123-777"), 3, "no complaint")


def test_complaints_survive_a_hub_restart(building: Building) -> None:
    """Durable before acknowledged: a restarted hub lists them and numbers on."""
    building.admin_ok(
        "complaints", "add", "--category", "pertanyaan", "--text", "Apakah SIM bisa diperpanjang?"
    )
    before = building.admin_json("complaints", "list")
    building.hub.stop()
    building.hub = HubProcess.on(building.broker, building.db, clock_start=None, env=building.env)
    building.hub.start()
    assert building.admin_json("complaints", "list") == before
    next_one = building.admin_ok("complaints", "add", "--category", "saran", "--text", "x" * 12)
    assert f"PGD-20261123-{len(before) + 1:03d} recorded" in next_one
