"""The hand-over's signature request as a building lives it, against a real Mosquitto and a
real `mpp hub run` process, with the pad as `mpp edge --config sigpad-01.toml --simulate`:
the request is stored with the finish, survives a hub restart and reaches a pad that
comes online later; storing a signature is a `signature.stored` event `mpp admin tail`
shows; the officer finishes without a signature from the counter unit or the console
with a reason recorded; OK / Ulangi come from the counter's buttons and the pad's keys.
Nothing sleeps: the tests wait on log lines, retained state and process exits.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory
from mpp.process import PROJECT_ROOT, EdgeProcess, HubProcess
from protocol.errors import ErrorCode
from protocol.models import (
    CounterFinish,
    CounterNext,
    CounterOpen,
    SignaturePress,
    SignatureWaive,
    TicketView,
    WaiveReason,
)
from protocol.roles import Role
from tests.admin_fixtures import Building, shared_clock, start_building
from tests.test_admin_live import Lines

PAD = "sigpad-01"


@pytest.fixture
def building(tmp_path: Path, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path, inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


def _pad(building: Building, state_dir: Path) -> EdgeProcess:
    device = EdgeProcess.on(
        building.broker,
        DEFAULT_INVENTORY / DEVICES_DIR / f"{PAD}.toml",
        state_dir,
        env=building.env,
    )
    device.start()
    device.wait_for(f"connected as {PAD}", 20)
    return device


def _stop(device: EdgeProcess) -> None:
    device.send(signal.SIGTERM)
    assert device.wait(10) == 0
    assert "Traceback" not in "".join(device.lines)


def _finish_ktp(building: Building) -> TicketView:
    """A KTP-el ticket (needs a signature) served and finished at counter 1."""
    building.issue("DUK-KTP")
    counter = building.device("counter-01", Role.COUNTER)
    counter.send(CounterOpen)
    served = counter.ok(CounterNext).ticket
    assert served is not None and served.service == "DUK-KTP"
    counter.ok(CounterFinish)
    return served


def _events(db: Path, kind: str) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT body FROM events WHERE kind = ? ORDER BY seq", (kind,))
        return [json.loads(body) for (body,) in rows]


def _wave(n: int = 60) -> list[list[float]]:
    return [
        [0.15 + 0.7 * i / n, 0.5 + 0.25 * math.sin(i / 5), 0.3 + 0.5 * (i % 7) / 7]
        for i in range(n)
    ]


def _counter_state(building: Building, number: int, until: Any) -> Any:
    """The counter's retained state once ``until(state)`` holds."""
    watcher = building.watcher()
    try:
        return watcher.wait_until(f"mpp/state/counter/{number}", until, 20)
    finally:
        watcher.stop()


def test_a_request_survives_a_hub_restart_and_reaches_the_pad_when_it_comes_online(
    building: Building, tmp_path: Path
) -> None:
    tail = subprocess.Popen(
        building.admin_args("tail", "--counter", "1"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **building.env},
    )
    try:
        out, err = Lines(tail.stdout), Lines(tail.stderr)
        err.wait_for("following the hub's event log")
        served = _finish_ktp(building)  # the pad is not running: nobody hears the request
        out.wait_for(f"{served.number}: signature asked of {PAD} at counter 1")
        (requested,) = _events(building.db, "signature.requested")
        assert requested["ticket_id"] == served.ticket_id and requested["pad"] == PAD

        # Durable: a hub restarted meanwhile still asks, and says so in the counter's state.
        building.hub.stop()
        building.hub = HubProcess.on(building.broker, building.db, None, env=building.env)
        building.hub.start()
        shown = _counter_state(building, 1, lambda p: p["signature"] is not None)["signature"]
        assert shown["number"] == served.number and shown["pad"] == PAD

        pad = _pad(building, tmp_path / "pad")
        try:
            pad.wait_for(f"signature asked for {served.number}", 20)
            with ControlClient(socket_path(tmp_path / "pad", PAD)) as citizen:
                assert citizen.ask("status")["asked"] == served.ticket_id
                citizen.ask("sign", strokes=[_wave(), _wave(20)])
                citizen.ask("key", key="ok")  # the tablet's own OK key (BTN_0)
            pad.wait_for(f"signature for {served.ticket_id}: tersimpan", 20)
        finally:
            _stop(pad)
        line = out.wait_for(f"{served.number}: signature stored from {PAD} at counter 1")
        assert "sha256" in line
    finally:
        tail.send_signal(signal.SIGINT)
        assert tail.wait(15) == 0

    (stored,) = _events(building.db, "signature.stored")
    assert {k: stored[k] for k in ("ticket_id", "counter", "service", "device_id")} == {
        "ticket_id": served.ticket_id,
        "counter": 1,
        "service": "DUK-KTP",
        "device_id": PAD,
    }
    assert stored["agency"] and stored["signed_at"]
    with sqlite3.connect(building.db) as conn:
        (sha,) = conn.execute(
            "SELECT sha256 FROM signatures WHERE ticket_id = ?", (served.ticket_id,)
        ).fetchone()
    assert stored["sha256"] == sha
    _counter_state(building, 1, lambda p: p["signature"] is None)  # no longer asked


def test_the_officer_hands_over_without_a_signature_from_the_unit_or_the_console(
    building: Building, tmp_path: Path
) -> None:
    pad = _pad(building, tmp_path / "pad")
    counter = building.device("counter-01", Role.COUNTER)
    try:
        first = _finish_ktp(building)
        pad.wait_for(f"signature asked for {first.number}", 20)
        with ControlClient(socket_path(tmp_path / "pad", PAD)) as citizen:
            assert citizen.ask("sign", strokes=[_wave()])["points"] > 20
            # Ulangi on the counter unit reaches the pad through the hub.
            assert counter.ok(SignaturePress, ticket_id=first.ticket_id, button="again").ok
            pad.wait_for("pad cleared (Ulangi)", 10)
            assert citizen.ask("status")["points"] == 0
        # Lewati: the citizen cannot write; the unit's reply no longer shows the request.
        waived = counter.ok(SignatureWaive, ticket_id=first.ticket_id, reason=WaiveReason.UNABLE)
        assert waived.counter is not None and waived.counter.signature is None
        pad.wait_for(f"signature for {first.ticket_id} no longer asked (waived)", 10)
        again = counter.send(SignatureWaive, ticket_id=first.ticket_id, reason=WaiveReason.LEFT)
        assert again.error is not None and again.error.code is ErrorCode.INVALID_STATE

        second = _finish_ktp(building)
        pad.wait_for(f"signature asked for {second.number}", 20)
        result = building.admin(
            "signature", "waive", second.number, "--reason", "device_fault",
            "--detail", "pena patah",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        pad.wait_for(f"signature for {second.ticket_id} no longer asked (waived)", 10)
        twice = building.admin("signature", "waive", second.number, "--reason", "refused")
        lines = [line for line in twice.stderr.splitlines() if line.strip()]
        assert twice.returncode == 3 and len(lines) == 1, twice.stderr
        assert f"no signature is being asked for {second.number}" in lines[0]
    finally:
        _stop(pad)

    # Retention at the console's request: nothing is a year old yet, and the purge says so.
    purged = building.admin("signature", "purge")
    assert purged.returncode == 0, purged.stderr
    assert "0 signature(s) past retention purged; their hashes are kept" in purged.stdout
    (purge,) = _events(building.db, "signature.purged")
    assert (purge["count"], purge["account"]) == (0, "admin")

    by_unit, by_admin = _events(building.db, "signature.waived")
    assert (by_unit["ticket_id"], by_unit["reason"], by_unit["device_id"]) == (
        first.ticket_id,
        "unable",
        "counter-01",
    )
    assert (by_admin["reason"], by_admin["detail"], by_admin["account"]) == (
        "device_fault",
        "pena patah",
        "admin",
    )
    assert not _events(building.db, "signature.stored")
