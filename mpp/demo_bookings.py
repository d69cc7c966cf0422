"""The demo's online bookings: today's, signed with the demo site's key, pushed as upstream.

At start the demo writes a bookings file for today — slots through the day
for services its staffed counters call, codes made with the site's booking
key as a booking system would — and publishes it with ``mpp upstream bookings
push`` as a process, the reference publisher a site without a booking system
uses. Some booked citizens come a little early, some late, some not at all
(no-shows); those who come check in at a kiosk with their code through the
kiosk's simulated scanner (:mod:`mpp.demo_people`), so the hub's appointment
rule runs in the demo.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hub.booking_codes import sign
from hub.bookings import Booking
from mpp.process import PROJECT_ROOT

BOOKED_SERVICES = ("DUK-KTP", "DUK-KK", "PTSP-NIB", "BPJSKES-DAFTAR", "POL-SKCK")
SLOT_MINUTES = 15
NO_SHOW_SHARE = 0.15  # shared/design/load-profile.md
LATE_SHARE = 0.10  # more than the late allowance after the slot: queued as walk-ins
NAMES = (
    "Siti Rahma", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Wati", "Made Wirawan",
    "Nur Aini", "Joko Susilo", "Putri Ayu", "Hendra Gunawan", "Yuli Astuti", "Andi Pratama",
)  # fmt: skip
PUSH_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class DemoBooking:
    """A booking and how its citizen behaves: ``arrives`` at the kiosk (None: never)."""

    code: str
    service: str
    slot: datetime
    name: str
    arrives: datetime | None


def todays_bookings(
    key: bytes, morning: datetime, seed: int, count: int = 40
) -> list[DemoBooking]:
    """``count`` bookings from ``morning`` (opening) on, one slot every few minutes.

    The first citizens booked the opening slots and wait at the door, so bookings
    check in from the demo's first seconds; later ones arrive up to 15 minutes
    before their slot, a few late, some never.
    """
    rng = random.Random(seed * 7919)  # noqa: S311 - a simulation, not a secret
    made = []
    for index in range(count):
        slot = morning + timedelta(minutes=SLOT_MINUTES * (index // 2) + 5 * (index % 2))
        service = BOOKED_SERVICES[index % len(BOOKED_SERVICES)]
        booking = sign(
            key,
            Booking(
                code="",
                service=service,
                appointment_at=slot,
                slot_end=slot + timedelta(minutes=SLOT_MINUTES),
                name=NAMES[index % len(NAMES)],
                masked_nik=f"1807**********{index % 100:02d}",
            ),
        )
        roll = rng.random()
        if index < 2:
            arrives: datetime | None = morning - timedelta(minutes=5)
        elif roll < NO_SHOW_SHARE:
            arrives = None
        elif roll < NO_SHOW_SHARE + LATE_SHARE:
            arrives = slot + timedelta(minutes=rng.uniform(20, 40))
        else:
            arrives = slot - timedelta(minutes=rng.uniform(0, 15))
        made.append(DemoBooking(booking.code, service, slot, booking.name, arrives))
    return made


def write_bookings_file(path: Path, bookings: list[DemoBooking]) -> Path:
    """The file as a booking system would export it (docs/uplink.md)."""
    rows = [
        {
            "code": b.code,
            "service": b.service,
            "slot_start": b.slot.isoformat(),
            "slot_end": (b.slot + timedelta(minutes=SLOT_MINUTES)).isoformat(),
            "name": b.name,
        }
        for b in bookings
    ]
    path.write_text(json.dumps({"bookings": rows}, indent=1), encoding="utf-8")
    return path


def start_push(path: Path, port: int, secrets: Path, log: Path) -> subprocess.Popen[bytes]:
    """``mpp upstream bookings push FILE`` on the demo broker's loopback listener."""
    args = ["upstream", "bookings", "push", str(path), "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mpp.cli", *args, "--secrets", str(secrets)],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=False,
        )


def finish_push(process: subprocess.Popen[bytes], log: Path) -> str:
    """Wait for the push; its summary line (or why it failed, in one line)."""
    try:
        code = process.wait(PUSH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f"bookings push did not finish within {PUSH_TIMEOUT_S:.0f} s (log: {log})"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    said = next((line for line in lines if line.startswith("hub stored ")), None)
    if code != 0 or said is None:
        last = lines[-1] if lines else "no output"
        return f"bookings push failed (exit {code}): {last} (log: {log})"
    return said
