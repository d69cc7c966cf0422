"""Every role of the inventory as systemd runs it: `mpp edge --config … [--simulate]` as a process.

Against a real Mosquitto and a real `mpp hub run` process, each device comes
online (retained birth), does its job once through its simulated hardware,
and stops on SIGTERM with exit 0 within 2 s leaving a retained `offline`.
Without a broker it stays alive and says so; without `--simulate` on this
machine (no GPIO, I²C, SPI, screen or clips) it exits with one line.
Nothing sleeps: the tests wait on log lines, retained messages, control
socket answers and process exits.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from edge.printer.decode import split_tickets
from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory
from hub.site.loader import load_site
from mpp.process import PROJECT_ROOT, EdgeProcess, HubProcess
from mqtt_broker.local import LocalBroker, start_local_broker
from mqtt_broker.runner import free_port
from protocol.clock import CLOCK_OFFSET_ENV
from protocol.models import (
    CounterFinish,
    CounterNext,
    CounterOpen,
    TicketPrinted,
    TicketReserve,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.mqtt_client import RecordingClient

OUTPUT = Path(__file__).parent / "output"
STOP_WITHIN_S = 2.0
WAITING_WITHIN_S = 5.0
HARDWARE_EXIT = 10
# The building as on a Monday morning, whatever the hour: hub and devices share it.
MONDAY_0800 = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def device_file(device_id: str) -> Path:
    return DEFAULT_INVENTORY / DEVICES_DIR / f"{device_id}.toml"


@pytest.fixture(scope="module")
def building(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> Iterator[tuple[LocalBroker, dict[str, str]]]:
    """A broker and an `mpp hub run` process on a shared Monday-morning clock."""
    directory = tmp_path_factory.mktemp("building")
    broker = start_local_broker(directory, inventory)
    offset = (MONDAY_0800 - datetime.now(MONDAY_0800.tzinfo)).total_seconds()
    env = {CLOCK_OFFSET_ENV: f"{offset:.3f}"}
    hub = HubProcess.on(broker, directory / "hub.db", clock_start=None, env=env)
    hub.start()
    yield broker, env
    hub.stop()
    broker.stop()


@pytest.fixture
def state_dir(tmp_path: Path, clip_dir: Path) -> Path:
    """A device's state directory, with the session's voice clips (made once)."""
    shutil.copytree(clip_dir, tmp_path / "voice-clips")
    return tmp_path


class Watcher:
    """Reads a device's retained status as the admin console would."""

    def __init__(self, broker: LocalBroker, device_id: str) -> None:
        self.topic = f"mpp/device/{device_id}/status"
        self.client = RecordingClient(
            broker.host, broker.port, "admin", broker.password("admin"), tls=broker.tls("admin")
        )
        self.client.connect()
        self.client.subscribe(self.topic)

    def online(self, session: int | None = None) -> int:
        status = self.client.wait_until(self.topic, lambda p: p["state"] == "online", 20)
        return int(status["session"])

    def offline_after(self, session: int) -> None:
        self.client.wait_until(
            self.topic, lambda p: p["state"] == "offline" and p["session"] >= session, 5
        )

    def stop(self) -> None:
        self.client.stop()


def stop_cleanly(device: EdgeProcess) -> float:
    """SIGTERM; asserts exit 0 and returns the seconds it took."""
    sent = time.perf_counter()
    device.send(signal.SIGTERM)
    code = device.wait(10)
    took = time.perf_counter() - sent
    output = "".join(device.lines)
    assert code == 0, output[-2000:]
    assert "Traceback" not in output
    return took


def ticket(broker: LocalBroker, service: str = "DUK-KTP") -> str:
    """A waiting ticket, taken by a kiosk that speaks the contract directly."""
    kiosk = DeviceClient(broker, "kiosk-02", Role.KIOSK)
    try:
        reply = kiosk.ok(TicketReserve, service=service)
        assert reply.ticket is not None
        kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
        return reply.ticket.number
    finally:
        kiosk.stop()


def call_at_counter(broker: LocalBroker, counter_id: str, service: str) -> str:
    """Issue a ticket and call it at a counter (a counter unit speaking the contract)."""
    number = ticket(broker, service)
    counter = DeviceClient(broker, counter_id, Role.COUNTER)
    try:
        counter.send(CounterOpen)
        reply = counter.ok(CounterNext)
        assert reply.ticket is not None and reply.ticket.number == number
        return number
    finally:
        counter.stop()


def run_device(
    broker: LocalBroker, env: dict[str, str], device_id: str, state_dir: Path
) -> EdgeProcess:
    device = EdgeProcess.on(broker, device_file(device_id), state_dir, env=env)
    device.start(timeout=60)
    return device


@contextlib.contextmanager
def online(
    building: tuple[LocalBroker, dict[str, str]], device_id: str, state_dir: Path
) -> Iterator[EdgeProcess]:
    """The device as a process: online (retained birth) inside, and on leaving,
    stopped by SIGTERM with exit 0 within 2 s and a retained ``offline``."""
    broker, env = building
    watcher = Watcher(broker, device_id)
    try:  # the watcher is the admin account: a leftover one would fight the next test's
        device = run_device(broker, env, device_id, state_dir)
        try:
            session = watcher.online()
            device.wait_for(f"connected as {device_id}", 10)
            yield device
        finally:
            took = stop_cleanly(device)
        assert took < STOP_WITHIN_S, f"stopped in {took:.2f} s"
        watcher.offline_after(session)
    finally:
        watcher.stop()


def test_kiosk_prints_a_ticket_and_stops_cleanly(
    building: tuple[LocalBroker, dict[str, str]], state_dir: Path
) -> None:
    with online(building, "kiosk-01", state_dir):
        with ControlClient(socket_path(state_dir, "kiosk-01")) as citizen:
            answer = citizen.ask("take", service="DUK-KTP", category="prioritas")
        assert answer["ok"] and answer["ticket"], answer
        number = answer["ticket"]["number"]
        printed = split_tickets((state_dir / "printer-kiosk-01.bin").read_bytes())
        assert [number in t.text() for t in printed] == [True]
        assert "PRIORITAS" in printed[0].text()
        assert (state_dir / "kiosk-01.png").stat().st_size > 10_000, "the screen, saved"


def test_counter_unit_calls_a_ticket_and_stops_cleanly(
    building: tuple[LocalBroker, dict[str, str]], state_dir: Path
) -> None:
    number = ticket(building[0], "PTSP-NIB")
    with online(building, "counter-10", state_dir):
        with ControlClient(socket_path(state_dir, "counter-10")) as officer:
            picking = officer.ask("hold", button="next")
            first = next(o for o in load_site().officers if o.agency == "DPMPTSP")
            assert picking["signing_in"] == first.name, picking
            assert picking["screen"][1] == first.name, "the OLED shows the name to pick"
            opened = officer.ask("press", button="finish")
            assert opened["state"] == "open" and opened["officer"] == first.nip, opened
            called = officer.ask("press", button="next")
        assert called["current"] == number, called
        assert called["screen"][1] == number, "the OLED shows the number being served"


def test_display_draws_and_says_a_call_and_stops_cleanly(
    building: tuple[LocalBroker, dict[str, str]], state_dir: Path
) -> None:
    broker = building[0]
    with online(building, "display-01", state_dir) as device:
        number = call_at_counter(broker, "counter-07", "BL-BAYAR")
        device.wait_for(f"announced {number}: Nomor antrean", 20)
        with ControlClient(socket_path(state_dir, "display-01")) as passer_by:
            seen = passer_by.ask("status")
        assert seen["now_calling"] == number, seen
        assert seen["linked"], "no 'Tidak terhubung' banner while linked"
        assert (state_dir / "display-01.png").stat().st_size > 10_000
        wavs = list((state_dir / "voice" / "display-01").glob("*.wav"))
        assert len(wavs) == seen["announced"] >= 1, "one WAV per announcement"


def test_running_text_shows_a_call_and_stops_cleanly(
    building: tuple[LocalBroker, dict[str, str]], state_dir: Path
) -> None:
    broker = building[0]
    with online(building, "runtext-01", state_dir) as device:
        number = call_at_counter(broker, "counter-05", "POL-SKCK")
        device.wait_for(f"panel shows '{number} KE LOKET 5'", 15)
        with ControlClient(socket_path(state_dir, "runtext-01")) as passer_by:
            assert passer_by.ask("status")["text"] == f"{number} KE LOKET 5"


def _wave(n: int = 60) -> list[list[float]]:
    return [
        [0.15 + 0.7 * i / n, 0.5 + 0.25 * math.sin(i / 5), 0.3 + 0.5 * (i % 7) / 7]
        for i in range(n)
    ]


def test_signature_pad_signs_a_ticket_and_stops_cleanly(
    building: tuple[LocalBroker, dict[str, str]], state_dir: Path
) -> None:
    """Counter 1 finishes a KTP-el ticket (needs a signature): the hub asks `sigpad-01`,
    a dot is refused on the pad, a signature drawn with the simulated pen is stored
    by the hub with its hash, and the pad writes its SVG and PNG."""
    broker = building[0]
    ticket(broker, "DUK-KTP")
    with online(building, "sigpad-01", state_dir) as device:
        unit = DeviceClient(broker, "counter-01", Role.COUNTER)
        try:
            unit.send(CounterOpen)
            served = unit.ok(CounterNext).ticket
            assert served is not None and served.service == "DUK-KTP"
            unit.ok(CounterFinish)
        finally:
            unit.stop()
        device.wait_for(f"signature asked for {served.number} ({served.service_name})", 10)
        with ControlClient(socket_path(state_dir, "sigpad-01")) as citizen:
            assert citizen.ask("status")["asked"] == served.ticket_id
            citizen.ask("sign", strokes=[[[0.5, 0.5, 0.4], [0.501, 0.5, 0.4]]])
            dot = citizen.ask("ok")
            assert dot["signed"] is False and "too short" in dot["message"], dot
            assert citizen.ask("again")["points"] == 0
            drawn = citizen.ask("sign", strokes=[_wave(), _wave(20)])
            assert drawn["strokes"] == 2 and drawn["points"] > 40, drawn
            signed = citizen.ask("ok")
            assert signed["signed"] is True and signed["ticket_id"] == served.ticket_id, signed
            assert citizen.ask("status")["asked"] is None, "asked once, answered"
        device.wait_for(f"signature for {served.ticket_id}: tersimpan", 5)
    svg = (state_dir / "signatures" / f"{served.ticket_id}.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<line") > 40
    assert (state_dir / "signatures" / f"{served.ticket_id}.png").stat().st_size > 1000
    with sqlite3.connect(broker.directory / "hub.db") as db:
        row = db.execute(
            "SELECT sha256, counter, device_id, request_id FROM signatures WHERE ticket_id = ?",
            (served.ticket_id,),
        ).fetchone()
    assert row is not None and row[:3] == (signed["sha256"], 1, "sigpad-01")
    assert row[3] is not None, "linked to the hub's request"

    # The hand-over receipt, through `mpp admin receipt` as a process, as PDF and PNG.
    receipts = {suffix: state_dir / f"receipt{suffix}" for suffix in (".pdf", ".png")}
    for out in receipts.values():
        result = admin(building, "receipt", served.ticket_id, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert f"receipt of {served.number} written to {out} (sha256 {row[0]})" in result.stdout
    assert receipts[".pdf"].read_bytes().startswith(b"%PDF")
    by_number = state_dir / "receipt-by-number.pdf"  # today's number, as `ticket find` takes
    result = admin(building, "receipt", served.number.lower(), "--out", str(by_number))
    assert result.returncode == 0, result.stderr
    assert f"receipt of {served.number} written to {by_number} (sha256 {row[0]})" in result.stdout
    OUTPUT.mkdir(exist_ok=True)
    shutil.copy(receipts[".png"], OUTPUT / "receipt.png")  # look at it
    missing = admin(building, "receipt", "20261123-Z-999", "--out", str(receipts[".png"]))
    assert missing.returncode != 0
    lines = [line for line in missing.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no signature is stored for 20261123-Z-999" in lines[0], lines


def admin(
    building: tuple[LocalBroker, dict[str, str]], *args: str
) -> subprocess.CompletedProcess[str]:
    """``mpp admin …`` as a process against the building's hub."""
    broker, env = building
    command = [
        sys.executable, "-m", "mpp.cli", "admin",
        "--broker", f"{broker.host}:{broker.port}",
        "--secrets", str(broker.directory / "mqtt-credentials.json"),
        *args,
    ]  # fmt: skip
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.parametrize("device_id", ["kiosk-01", "counter-01", "display-01", "runtext-01"])
def test_without_a_broker_a_device_keeps_trying_and_says_so(
    device_id: str, state_dir: Path, broker: LocalBroker
) -> None:
    port = free_port()
    device = EdgeProcess(
        device_file(device_id),
        "127.0.0.1",
        port,
        broker.directory / "mqtt-credentials.json",
        state_dir,
        tls_dir=broker.tls_dir,
    )
    device.start(timeout=60)
    try:
        waited = device.wait_for(f"waiting for broker at 127.0.0.1:{port} (attempt", 10)
        assert waited < WAITING_WITHIN_S + 1.0
        assert device.process is not None and device.process.poll() is None, "alive"
        if device_id == "display-01":
            with ControlClient(socket_path(state_dir, device_id)) as passer_by:
                assert passer_by.ask("status")["linked"] is False, "the banner is up"
        if device_id == "kiosk-01":
            with ControlClient(socket_path(state_dir, device_id)) as citizen:
                assert citizen.ask("status")["unavailable"], "the kiosk says it cannot serve"
    finally:
        took = stop_cleanly(device)
    assert took < STOP_WITHIN_S, f"stopped in {took:.2f} s"


@pytest.mark.parametrize(
    ("device_id", "code", "says"),
    [
        ("kiosk-01", HARDWARE_EXIT, "kiosk-01: no screen"),
        ("counter-01", HARDWARE_EXIT, "counter-01: no OLED at /dev/i2c-1"),
        ("display-01", HARDWARE_EXIT, "display-01: no voice clips in /var/lib/mpp/voice"),
        ("runtext-01", HARDWARE_EXIT, "runtext-01: no LED panel at /dev/spidev0.0"),
    ],
)
def test_without_simulate_missing_hardware_is_one_line(
    device_id: str, code: int, says: str, broker: LocalBroker, tmp_path: Path
) -> None:
    """This machine has no GPIO, I²C, SPI, screen or clips: one line and the fix, no traceback."""
    for node in ("/dev/i2c-1", "/dev/spidev0.0", "/var/lib/mpp/voice"):
        if Path(node).exists():
            pytest.skip(f"{node} exists here; this test needs a machine without it")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "edge",
            "--config",
            str(device_file(device_id)),
            "--host",
            broker.host,
            "--port",
            str(broker.port),
            "--secrets",
            str(broker.directory / "mqtt-credentials.json"),
            "--tls-dir",
            str(broker.tls_dir),
            "--state-dir",
            str(tmp_path),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith(f"mpp: error: {says}"), result.stderr
    assert "or run with --simulate" in lines[0] or code == 2
    assert result.stdout == ""
