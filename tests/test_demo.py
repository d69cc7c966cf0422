"""The one-command demo as a newcomer runs it: a process made of `mpp` processes.

Nothing sleeps: the test waits on the demo's own log lines and its exit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from edge.printer.decode import split_tickets
from mpp.process import MppProcess

STOP_WITHIN_S = 2.0


def _admin_status_leaves_the_monitor_alone(demo: MppProcess) -> None:
    """`mpp admin status` on the running demo, as its log line says to run it: the monitor
    has its own account, so neither bumps the other off the broker."""
    said = next(line for line in demo.lines if "admin console on this demo: mpp " in line)
    args = said.split("admin console on this demo: mpp ", 1)[1].split()
    assert args[0] == "admin" and args[-1] == "status", said
    before = len(demo.lines)
    done = subprocess.run(
        [sys.executable, "-m", "mpp.cli", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "MPP_ADMIN_PASSWORD"},
    )
    answered = time.perf_counter()
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    officers = [c["officer"] for c in status["counters"] if c["officer"]]
    assert officers, "the demo's officers signed in at their units"
    on_duty = {c["counter"]: c["officer"] for c in status["counters"]}
    said_opened = [line for line in demo.lines[:before] if " opened loket " in line]
    assert said_opened
    for line in said_opened:  # "08.00.11 Slamet Siregar opened loket 3"
        name, number = line.split(" ", 1)[1].rstrip().rsplit(" opened loket ", 1)
        if name not in ("officer", "Tanpa nama"):  # no name on the list
            assert on_duty[int(number)] == name, (line, on_duty)
    # The monitor logs the next call after the console's connection: had the console
    # bumped it, its link would have said so (and reconnected) before.
    demo.wait_for("called ", 30, after=answered)
    after = "".join(demo.lines[before:])
    assert "disconnected" not in after and "reconnect" not in after, after


def _previous_run(directory: Path) -> None:
    """What an earlier run of the same day leaves (the reviewer's second run found
    counters that would not open and services full at 08.00): a store the new day
    cannot use, the broker's old retained states, the old screens' cursor and tickets."""
    (directory / "hub.db").write_bytes(b"a previous run's queue" * 100)
    (directory / "data").mkdir()
    (directory / "data" / "mosquitto.db").write_bytes(b"old retained states")
    devices = directory / "devices"
    devices.mkdir()
    (devices / "announced-display-01.json").write_text('{"announced": ["old-1", "old-2"]}')
    (devices / "printer-kiosk-01.bin").write_bytes(b"yesterday's paper")
    (directory / "logs").mkdir()
    (directory / "logs" / "hub.log").write_text("the previous run\n")


def test_demo_is_the_building_as_processes_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    _previous_run(tmp_path)
    demo = MppProcess(
        ["demo", "--state-dir", str(tmp_path), "--pace", "0.05"], "devices running"
    )
    demo.start(timeout=120)
    try:
        assert any("a fresh day: the previous run's" in line for line in demo.lines)
        ready = next(line for line in demo.lines if "devices running" in line)
        assert " 33 devices running as `mpp edge --simulate` processes" in ready, ready
        demo.wait_for("citizen took ", 30)
        # today's bookings, pushed as upstream does, checked in at a kiosk's scanner
        demo.wait_for("upstream: hub stored 40 booking(s), 0 cancellation(s) for today", 1)
        demo.wait_for("citizen checked in with booking ", 60)
        demo.wait_for("called ", 30)
        demo.wait_for(" served", 60)
        _admin_status_leaves_the_monitor_alone(demo)
        demo.wait_for("citizen signed for ", 90)  # a KTP-el, KK or akta handed over
    finally:
        sent = time.perf_counter()
        assert demo.process is not None
        # Ctrl-C in a terminal: SIGINT to the whole foreground process group
        os.killpg(demo.process.pid, signal.SIGINT)
        code = demo.wait(10)
        took = time.perf_counter() - sent
    output = "".join(demo.lines)
    assert code == 0, output[-3000:]
    assert took < STOP_WITHIN_S, f"stopped in {took:.2f} s"
    assert "Traceback" not in output
    assert "clock of" not in output, "hub and devices share the demo's clock"
    logs = tmp_path / "logs"
    for log in logs.glob("*.log"):
        text = log.read_text()
        assert "Traceback" not in text, log.name
        assert "clock of" not in text, log.name
    assert "exit codes [0]" in output
    devices = tmp_path / "devices"
    tickets = split_tickets((devices / "printer-kiosk-01.bin").read_bytes())
    assert tickets and "NOMOR ANTREAN" in tickets[0].text()
    assert (devices / "display-01.png").stat().st_size > 10_000, "the display's screen, saved"
    spoken = list((devices / "voice" / "display-01").glob("announcement-*.wav"))
    assert spoken, "the voice"
    announced = json.loads((devices / "announced-display-01.json").read_text())["announced"]
    assert len(announced) == len(spoken), "every call in the cursor was spoken, once"
    assert not list(devices.glob("*.sock")), "every device removed its control socket"
    assert list((devices / "signatures").glob("*.png")), "the pad's picture of a signature"
    assert (tmp_path / "logs-previous" / "hub.log").read_text() == "the previous run\n"
