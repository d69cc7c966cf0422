"""Soak: a busy 8-hour day of the whole building at high speed; memory and descriptors.

Every part runs as it ships, as its own process: a private Mosquitto rendered
like the hub's, ``mpp hub run`` (its SQLite store in a temporary directory) and
one ``mpp edge --config firmware_config/devices/<id>.toml --simulate`` per
device — the staffed counter units of ``mpp demo`` (counters 1, 2, 3, 5, 6, 7,
8, 10), both kiosks, the call display and the running text — all on one
Monday-morning clock (``MPP_CLOCK_OFFSET_S``). The demo's simulated people
(:mod:`mpp.demo_people`) do the day through the devices' control sockets:
citizens ``take`` tickets at the kiosks' touch screens (tapping the previous
ticket's screen away instead of waiting its 6 s), officers ``press`` next,
finish, recall, no-show, transfer and the SKM buttons. Nothing speaks MQTT for
a device: every call goes kiosk → hub → counter unit → display and running text.

The day is ``--tickets`` tickets (800: a busy day), taken no more than
``--backlog`` ahead of those handled, at ``--pace`` of the demo's human pauses
(0.01: a few seconds of a person become tens of milliseconds). A simulated hour
is an eighth of the tickets; every quarter-hour (1/32 of them) VmRSS and the
count of ``/proc/<pid>/fd`` of every process, the hub's included, are read.
The last reading ("end") is taken once every counter is idle and nobody waits.

Printed per process: start, peak and end, and the least-squares slope over the
second half of the day (MB and descriptors per simulated hour; a bounded cache
fills in the morning and is flat after, a leak is a line), and each role's peak
against its goal on a Raspberry Pi. The figures are not assertions: the bench
exits 0 whatever they are.

The display writes one WAV per announcement (~270 KB); they are deleted at
every reading. At this speed the display (6 s highlight per call) and the
running text (each call scrolled twice) cannot show every call; both keep a
bounded few waiting (a counter's next call replaces its waiting one) and the
voice says every call: what they show at the end is printed below the tables.

    .venv/bin/python bench/soak.py [--tickets 800] [--pace 0.01] [--backlog 30] [--counters 8]

A small day (``--tickets 32 --counters 2``) runs in about a minute: the test
suite runs it so the bench keeps working (tests/test_soak.py).
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_building import clear_voice, print_table, wait_until  # noqa: E402

from edge.display.clips import make_clip_set  # noqa: E402
from edge.simulation.control import ControlClient, socket_path  # noqa: E402
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, load_inventory  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from mpp.demo import DEMO_COUNTERS  # noqa: E402
from mpp.demo_people import POPULAR, Day, People  # noqa: E402
from mpp.process import EdgeProcess, HubProcess, MppProcess, clock_env  # noqa: E402
from mqtt_broker.local import start_local_broker  # noqa: E402
from protocol.roles import Role  # noqa: E402

DAY_HOURS = 8
READINGS = 32  # a reading every simulated quarter of an hour
DISPLAY, RUNTEXT = "display-01", "runtext-01"
KIOSKS = ("kiosk-01", "kiosk-02")
GOALS_MB = {  # peak VmRSS on a Raspberry Pi, per role
    Role.DISPLAY: 150,
    Role.KIOSK: 120,
    Role.COUNTER: 45,
    Role.RUNNING_TEXT: 60,
    "hub": 150,
}
# Flat within noise: over the second half the line may rise less than this (RSS
# moves by a few hundred kB as the allocator takes and returns pages).
FLAT_MB = 1.0
READY_WITHIN_S = 90.0
IDLE_WITHIN_S = 180.0


@dataclass
class Watched:
    """One process and its readings: (simulated hour, VmRSS MB, open descriptors)."""

    name: str
    role: Role | str
    process: MppProcess
    readings: list[tuple[float, float, int]] = field(default_factory=list)

    def read(self, hour: float) -> None:
        if self.process.process is not None and self.process.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{''.join(self.process.lines[-20:])}")
        self.readings.append((hour, self.process.rss_mb(), self.process.open_fds()))


def late_growth(watched: Watched) -> tuple[float, float]:
    """MB gained over the second half of the day by its least-squares line, and the
    noise of that figure (two standard errors of the slope, over the same hours).

    A screen's readings jump by a few MB between quarter-hours (a frame's
    surfaces, an announcement's audio), so a line through them tilts a little
    either way even when nothing grows: "flat" is a growth within that noise.
    """
    late = [(h, r) for h, r, _ in watched.readings if h >= DAY_HOURS / 2]
    rate = slope(late)
    n = len(late)
    if n < 3:
        return rate * DAY_HOURS / 2, 0.0
    mean_x = sum(x for x, _ in late) / n
    mean_y = sum(y for _, y in late) / n
    spread = sum((x - mean_x) ** 2 for x, _ in late)
    residual = sum((y - mean_y - rate * (x - mean_x)) ** 2 for x, y in late)
    error = math.sqrt(residual / (n - 2) / spread) if spread else 0.0
    return rate * DAY_HOURS / 2, 2 * error * DAY_HOURS / 2


def is_flat(growth: float, noise: float) -> bool:
    return growth < max(FLAT_MB, noise)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``(x, y)`` points (0 for fewer than two)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


class Building:
    """Broker, hub and device processes on one clock, and the people who use them."""

    def __init__(self, args: argparse.Namespace, directory: Path) -> None:
        self.args = args
        self.directory = directory
        self.devices_dir = directory / "devices"
        self.voice = self.devices_dir / "voice" / DISPLAY
        self.inventory = load_inventory()
        self.site = load_site()
        self.broker = start_local_broker(directory, self.inventory)
        env = clock_env()
        logs = directory / "logs"
        logs.mkdir()
        self.watched = [
            Watched(
                "hub",
                "hub",
                HubProcess.on(
                    self.broker, directory / "hub.db", None, log=logs / "hub.log", env=env
                ),
            )
        ]
        staffed = [self.site.counter(n) for n in DEMO_COUNTERS[: args.counters]]
        self.counters = {c.number: c.device_id for c in staffed if c.device_id is not None}
        for device_id in [*self.counters.values(), *KIOSKS, DISPLAY, RUNTEXT]:
            config = DEFAULT_INVENTORY / DEVICES_DIR / f"{device_id}.toml"
            process = EdgeProcess.on(
                self.broker, config, self.devices_dir, log=logs / f"{device_id}.log", env=env
            )
            role = self.inventory.device(device_id).role
            self.watched.append(Watched(device_id, role, process))
        served = {code for c in staffed for code in c.primary + c.secondary}
        self.people = People(
            self.site,
            self.devices_dir,
            list(KIOSKS),
            self.counters,
            args.seed,
            args.pace,
            Day(
                tickets=args.tickets,
                backlog=args.backlog,
                hurry=True,
                services=tuple(code for code in POPULAR if code in served),
            ),
        )

    def start(self) -> None:
        make_clip_set(self.devices_dir / "voice-clips")  # once, as `mpp edge --simulate` would
        for watched in self.watched:
            watched.process.spawn()
        for watched in self.watched:
            watched.process.wait_for(watched.process.ready_line, READY_WITHIN_S)
        with ControlClient(socket_path(self.devices_dir, DISPLAY)) as display:
            wait_until("display linked", lambda: display.ask("status")["linked"])

    def stop(self) -> None:
        self.people.stop()
        for watched in reversed(self.watched):
            if watched.process.process is not None:
                watched.process.stop()
        self.broker.stop()

    def read_all(self, hour: float) -> None:
        clear_voice(self.voice)
        for watched in self.watched:
            watched.read(hour)

    def day(self) -> None:
        """The readings: start, every quarter-hour of tickets taken, end once all is idle."""
        tickets = self.args.tickets
        self.read_all(0.0)
        self.people.start()
        for reading in range(1, READINGS):
            mark = tickets * reading / READINGS
            wait_until(f"{mark:.0f} tickets taken", lambda m=mark: self.people.taken >= m, 300)
            self.read_all(DAY_HOURS * reading / READINGS)
            print(
                f"{DAY_HOURS * reading / READINGS:5.2f} h: {self.people.taken} taken, "
                f"{self.people.handled} handled",
                file=sys.stderr,
                flush=True,
            )
        wait_until("every ticket taken", lambda: self.people.taken >= tickets, 300)
        wait_until("every counter idle", self.idle, IDLE_WITHIN_S)
        self.read_all(float(DAY_HOURS))

    def idle(self) -> bool:
        """Nobody waits and no counter serves anyone (the officers keep polling)."""
        for device_id in self.counters.values():
            with ControlClient(socket_path(self.devices_dir, device_id)) as unit:
                status = unit.ask("status")
            if status.get("current") is not None or status.get("waiting", 1) > 0:
                return False
        return True

    def queued(self) -> tuple[dict[str, object], dict[str, object]]:
        with ControlClient(socket_path(self.devices_dir, DISPLAY)) as display:
            shown = display.ask("status")
        with ControlClient(socket_path(self.devices_dir, RUNTEXT)) as runtext:
            text = runtext.ask("status")
        return shown, text


def report(building: Building, took: float) -> None:
    args, people = building.args, building.people
    print(
        f"soak: a {DAY_HOURS}-hour day of {args.tickets} tickets in {took / 60:.1f} min "
        f"({people.taken} taken at {len(KIOSKS)} kiosks, {people.served} served and "
        f"{people.no_shows} no-shows at {len(building.counters)} counters; pace {args.pace:g})"
    )
    print(
        "VmRSS (MB) and open descriptors, read every simulated 15 min; slope = least squares "
        f"over hours {DAY_HOURS // 2}-{DAY_HOURS}, per simulated hour\n"
    )
    heads = ["process", "start", "peak", "end", "MB/h", "fd start", "fd peak", "fd end", "fd/h"]
    rows = []
    for watched in building.watched:
        hours = [h for h, _, _ in watched.readings]
        rss = [r for _, r, _ in watched.readings]
        fds = [f for _, _, f in watched.readings]
        late = [i for i, h in enumerate(hours) if h >= DAY_HOURS / 2]
        rows.append(
            [
                watched.name,
                f"{rss[0]:.1f}",
                f"{max(rss):.1f}",
                f"{rss[-1]:.1f}",
                f"{slope([(hours[i], rss[i]) for i in late]):+.2f}",
                str(fds[0]),
                str(max(fds)),
                str(fds[-1]),
                f"{slope([(hours[i], float(fds[i])) for i in late]):+.2f}",
            ]
        )
    print_table(heads, rows)
    print("\nVmRSS (MB) at each simulated hour\n")
    heads = ["process", *[f"{hour} h" for hour in range(DAY_HOURS + 1)]]
    rows = [
        [w.name, *[f"{r:.1f}" for h, r, _ in w.readings if h == int(h)]] for w in building.watched
    ]
    print_table(heads, rows)
    print()
    print(
        f"Goals: peak VmRSS under the role's goal, and flat over hours {DAY_HOURS // 2}-"
        f"{DAY_HOURS}: growth by the slope under {FLAT_MB:g} MB or within its noise "
        "(± two standard errors)"
    )
    for role, goal in GOALS_MB.items():
        group = [w for w in building.watched if w.role == role]
        peak = max(max(r for _, r, _ in w.readings) for w in group)
        growth, noise = max(
            (late_growth(w) for w in group), key=lambda figures: figures[0] - figures[1]
        )
        flat = is_flat(growth, noise)
        label = role if isinstance(role, str) else role.value
        verdict = "PASS" if peak < goal and flat else "FAIL"
        print(
            f"{verdict}  {label}: peak {peak:.1f} MB = {peak / goal:.0%} of the goal "
            f"(< {goal} MB); second half {growth:+.1f} ± {noise:.1f} MB "
            f"({'flat' if flat else 'growing'}; {len(group)} process)"
        )
    shown, text = building.queued()
    print()
    print(
        f"{DISPLAY}: said {shown['announced']} calls; highlighting {shown['now_calling']} "
        f"at the end (latest calls listed: {', '.join(shown['recent'])})"
    )
    print(f"{RUNTEXT}: scrolling {text['text']!r} at the end")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=800, help="tickets in the day")
    parser.add_argument("--pace", type=float, default=0.01, help="share of the demo's pauses")
    parser.add_argument("--backlog", type=int, default=30, help="tickets waiting at most")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--counters",
        type=int,
        default=len(DEMO_COUNTERS),
        choices=range(1, len(DEMO_COUNTERS) + 1),
        metavar=f"1-{len(DEMO_COUNTERS)}",
        help="staffed counter units (the demo's, in order)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    # Stopped by a signal (even started in the background, where SIGINT is ignored), the
    # bench still stops its broker, hub and devices (the ``finally`` below).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mpp-soak-") as name:
        building = Building(args, Path(name))
        try:
            building.start()
            building.day()
            report(building, time.monotonic() - started)
        finally:
            building.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
