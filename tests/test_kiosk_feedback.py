"""The kiosk's *Pengaduan dan saran* and survey screens as a citizen meets them:
`mpp edge --config firmware_config/devices/kiosk-01.toml --simulate` as a process,
the citizen's taps through its control socket, against a real Mosquitto and a
real `mpp hub run`; then `mpp admin complaints` as a process sees the complaint.
Nothing sleeps: every step waits on a frame, an answer or a process."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.kiosk.feedback import COMPLAINT_TICKET_UNKNOWN
from edge.printer.decode import split_tickets
from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory
from mpp.process import EdgeProcess
from protocol.models import CounterFinish, CounterNext, CounterOpen
from protocol.roles import Role
from tests.admin_fixtures import Building, shared_clock, start_building

KIOSK = DEFAULT_INVENTORY / DEVICES_DIR / "kiosk-01.toml"


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path_factory.mktemp("feedback"), inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


@pytest.fixture(scope="module")
def kiosk(
    building: Building, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ControlClient, Path]]:
    state = tmp_path_factory.mktemp("kiosk-01")
    device = EdgeProcess.on(building.broker, KIOSK, state, env=building.env)
    device.start(timeout=60)
    citizen = ControlClient(socket_path(state, "kiosk-01"))
    try:
        yield citizen, state
    finally:
        citizen.close()
        device.stop()


def _events(building: Building, kind: str) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{building.db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT body FROM events WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(body) for (body,) in rows]


def _served(building: Building) -> str:
    """A ticket of today, served and finished at counter 1: its number."""
    ticket = building.issue("DUK-KTP", kiosk="kiosk-02").ticket
    assert ticket is not None
    counter = building.device("counter-01", Role.COUNTER)
    counter.send(CounterOpen)
    called = counter.ok(CounterNext)
    assert called.ticket is not None and called.ticket.number == ticket.number
    counter.ok(CounterFinish)
    return ticket.number


def test_a_citizen_types_a_complaint_and_takes_the_slip_with_its_id(
    building: Building, kiosk: tuple[ControlClient, Path]
) -> None:
    citizen, state = kiosk
    number = _served(building)
    wrong = citizen.ask(
        "complain", category="pengaduan", text="Loket KTP lama sekali", ticket="Z-999"
    )
    assert wrong["ok"] and wrong["view"] == "complaint-ticket", wrong
    assert wrong["notice"] == COMPLAINT_TICKET_UNKNOWN, "may be corrected or left empty"
    for _ in "Z-999":  # the citizen corrects the number and sends again
        citizen.ask("tap", target=["delete"])
    for key in number:
        group = "123" if key.isdigit() or key == "-" else ("A–M" if key <= "M" else "N–Z")
        citizen.ask("tap", target=["keypad", group])
        citizen.ask("tap", target=["key", key])
    sent = citizen.ask("tap", target=["send"])
    assert sent["ok"], sent
    seen = citizen.ask("settle")
    assert seen["view"] == "complaint-done", seen
    complaint_id = seen["complaint_id"]
    assert complaint_id and complaint_id.startswith("PGD-20261123-"), seen
    assert seen["slip_printed"]

    recorded = [
        e for e in _events(building, "complaint.recorded") if e["complaint_id"] == complaint_id
    ]
    assert len(recorded) == 1
    event = recorded[0]
    assert (
        event["text"] == "Loket ktp lama sekali"
    )  # sentence case, as typed and event["source"] == "kiosk"
    assert event["service"] == "DUK-KTP" and event["agency"] == "DUKCAPIL"
    assert event["ticket_id"].endswith(number)

    slips = [
        "\n".join(p.text()) for p in split_tickets((state / "printer-kiosk-01.bin").read_bytes())
    ]
    assert any(complaint_id in text and "BUKTI PENGADUAN" in text for text in slips), slips

    listed = building.admin_json("complaints", "list")
    assert complaint_id in [c["complaint_id"] for c in listed]


def test_a_citizen_rates_the_nine_elements_after_service(
    building: Building, kiosk: tuple[ControlClient, Path]
) -> None:
    citizen, _state = kiosk
    waiting = building.issue("DUK-KK", kiosk="kiosk-02").ticket
    assert waiting is not None
    early = citizen.ask("survey", ticket=waiting.number, answers=[4] * 9)
    assert early["ok"] and early["view"] == "survey-ticket", early
    assert early["notice"].startswith("Tiket ini belum selesai dilayani"), early
    citizen.ask("tap", target=["back"])

    number = _served(building)
    answers = [4, 3, None, 4, 3, 4, 4, 2, 3]
    done = citizen.ask("survey", ticket=number, answers=answers)
    assert done["ok"] and done["view"] == "survey-done", done
    surveys = _events(building, "survey.answered")
    assert [s["answers"] for s in surveys if s["ticket_id"].endswith(number)] == [answers]
