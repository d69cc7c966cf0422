"""The one-command local system, made of the processes a building runs.

A private Mosquitto rendered from the bundled inventory, ``mpp hub run``, and
one ``mpp edge --config … --simulate`` process per device of the inventory —
the same entry point systemd runs on each Pi, with simulated hardware. The
demo wires no agent itself. Simulated people act through the devices'
simulated hardware (:mod:`mpp.demo_people`); a monitor logs each call and a
summary every minute (:mod:`mpp.demo_monitor`).

Time: the building runs as if it were 08.00 local time today, whatever the
hour. The hub and every device share that clock through
``MPP_CLOCK_OFFSET_S`` (:mod:`protocol.clock`), so no command looks stale.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware_config.credentials import state_home
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory, load_inventory
from firmware_config.schema import AdminAccount
from hub.booking_codes import default_key_path, load_or_create_key
from hub.site.loader import load_site
from hub.site.schema import Site
from mpp.demo_bookings import finish_push, start_push, todays_bookings, write_bookings_file
from mpp.demo_monitor import Monitor
from mpp.demo_people import People
from mpp.process import DemoStartError, EdgeProcess, HubProcess, MppProcess
from mqtt_broker.local import start_local_broker
from protocol.clock import CLOCK_OFFSET_ENV
from protocol.roles import Role
from protocol.signals import wait_interruptibly

log = logging.getLogger("mpp.demo")
DEMO_COUNTERS = (1, 2, 3, 5, 6, 7, 8, 10)  # staffed today; the other counters stay closed
AGENT_ROLES = (Role.COUNTER, Role.KIOSK, Role.DISPLAY, Role.RUNNING_TEXT, Role.SIGNATURE_PAD)
READY_WITHIN_S = 90.0
KILL_AFTER_S = 10.0  # a stop normally takes well under 2 s; this is for a stuck child


def default_state_dir() -> Path:
    return state_home() / "demo"


def morning_of_today(site: Site) -> datetime:
    zone = ZoneInfo(site.timezone)
    return datetime.combine(datetime.now(zone).date(), clock_time(8, 0), zone)


class SiteTimeFormatter(logging.Formatter):
    """Log times in the site's local time on the demo's clock (``08.03.12``)."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__("%(asctime)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        from protocol.clock import wall_now

        return wall_now().astimezone(self.zone).strftime("%H.%M.%S")


MONITOR_ACCOUNT = "demo-monitor"


def with_monitor_account(inventory: Inventory) -> Inventory:
    """The inventory plus the demo monitor's own account, on the demo's private broker only.

    The broker makes an account's name its client id, so a monitor logged in as
    ``admin`` was bumped off whenever someone ran ``mpp admin`` on the demo
    (and bumped the console in turn). The monitor only listens; the hub never
    hears a command from it, so the hub's own inventory need not know it.
    """
    monitor = AdminAccount(username=MONITOR_ACCOUNT, name="Demo monitor (listens only)")
    return replace(inventory, admins=(*inventory.admins, monitor))


# What one run of the demo leaves behind of its day: the queue (hub store, bookings
# store), the broker's retained states, the devices' screens, tickets, voice and cursors.
# The site's identity (broker accounts, TLS, the booking key) and the voice clip cache
# are kept: they are the building, not the day.
DAY_FILES = ("hub.db", "hub-bookings.db", "bookings-today.json")
DAY_DIRS = ("data", "devices")
KEPT_IN_DEVICES = ("voice-clips",)


def start_fresh_day(directory: Path) -> bool:
    """Clear the previous run's day from ``directory``; True if there was one.

    Every run is 08.00 of today: a second run on the same day found the first
    run's tickets, counters and quotas at a clock that had gone back, and its
    retained states in the broker — counters that would not open, services
    "penuh" at 08.00. The previous run's logs stay, as ``logs-previous``.
    """
    found = False
    for name in DAY_FILES:
        for path in (directory / name, *directory.glob(f"{name}-*")):  # -wal, -shm
            if path.is_file():
                path.unlink()
                found = True
    for name in DAY_DIRS:
        folder = directory / name
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if name == "devices" and path.name in KEPT_IN_DEVICES:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            found = True
    logs, previous = directory / "logs", directory / "logs-previous"
    if found and logs.is_dir():
        shutil.rmtree(previous, ignore_errors=True)
        logs.rename(previous)
    return found


def run_demo(state_dir: Path | None, duration: float, seed: int = 1, pace: float = 1.0) -> int:
    """Run until SIGTERM, Ctrl-C or ``duration`` seconds; stop everything within ~2 s."""
    directory = state_dir or default_state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    fresh = start_fresh_day(directory)
    logs, devices_dir = directory / "logs", directory / "devices"
    logs.mkdir(exist_ok=True)
    inventory = load_inventory()
    site = load_site()
    offset = (morning_of_today(site) - datetime.now(ZoneInfo(site.timezone))).total_seconds()
    os.environ[CLOCK_OFFSET_ENV] = f"{offset:.3f}"  # this process (logs, monitor) too
    from protocol.clock import clock_offset

    clock_offset.cache_clear()
    env = {CLOCK_OFFSET_ENV: f"{offset:.3f}"}
    _site_time_logs(ZoneInfo(site.timezone))
    if fresh:
        log.info("a fresh day: the previous run's queue, screens and tickets cleared")

    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    broker = start_local_broker(directory, with_monitor_account(inventory))
    secrets = directory / "mqtt-credentials.json"
    # The site's booking key before the hub starts (it would make one too): today's
    # bookings are signed with it, as the booking system does upstream.
    key = load_or_create_key(default_key_path(secrets))
    bookings = todays_bookings(key, morning_of_today(site), seed)
    bookings_file = write_bookings_file(directory / "bookings-today.json", bookings)
    log.info(
        "broker on %s:%d (TLS, site CA %s); state and logs in %s",
        broker.host,
        broker.port,
        broker.rendered.ca_file,
        directory,
    )
    hub = HubProcess.on(
        broker, directory / "hub.db", clock_start=None, log=logs / "hub.log", env=env
    )
    devices: list[EdgeProcess] = []
    for device in inventory.devices:
        if device.role not in AGENT_ROLES:
            log.info(
                "%s: %s not in the demo yet (run it alone: mpp edge --config … --simulate)",
                device.device_id,
                device.role.value,
            )
            continue
        if device.role is Role.SIGNATURE_PAD and (
            device.signature_pad_unit().counter not in DEMO_COUNTERS
        ):
            # A pad only acts when its counter hands a document over: the pads of
            # counters nobody staffs today would be processes doing nothing (and
            # slowing the demo's start and stop on a small machine).
            log.debug("%s: its counter is not staffed in the demo", device.device_id)
            continue
        devices.append(
            EdgeProcess.on(
                broker,
                DEFAULT_INVENTORY / DEVICES_DIR / f"{device.device_id}.toml",
                devices_dir,
                log=logs / f"{device.device_id}.log",
                env=env,
            )
        )
    processes: list[MppProcess] = [hub, *devices]
    staffed = [site.counter(n) for n in DEMO_COUNTERS]
    counters = {c.number: c.device_id for c in staffed if c.device_id is not None}
    kiosks = [d.device_id for d in inventory.devices if d.role is Role.KIOSK]
    pads = {  # the pads started above: their citizens sign when asked
        d.device_id: d.signature_pad_unit().counter
        for d in inventory.devices
        if d.role is Role.SIGNATURE_PAD and d.signature_pad_unit().counter in counters
    }
    people = People(
        site, devices_dir, kiosks, counters, seed, pace, pads=pads, bookings=bookings
    )
    monitor = Monitor(
        site,
        broker.link_settings(MONITOR_ACCOUNT),
        lambda: people.served,
    )
    try:
        started = time.monotonic()
        for process in processes:
            process.spawn()
        _wait_ready(hub)
        push_log = logs / "bookings-push.log"
        push = start_push(bookings_file, broker.local_port, secrets, push_log)
        for process in devices:
            _wait_ready(process)
        log.info(
            "upstream: %s for today (%s), pushed with mpp upstream bookings push",
            finish_push(push, push_log),
            bookings_file,
        )
        log.info(
            "hub ready: %s; %d devices running as `mpp edge --simulate` processes in %.1f s",
            site.name,
            len(devices),
            time.monotonic() - started,
        )
        log.info(
            "the display's screen: %s; its voice: %s; tickets: mpp tickets %s",
            devices_dir / "display-01.png",
            devices_dir / "voice" / "display-01",
            devices_dir / "printer-kiosk-01.bin",
        )
        log.info(
            "admin console on this demo: mpp admin --broker %s:%d --plain --secrets %s status",
            broker.host,
            broker.local_port,
            directory / "mqtt-credentials.json",
        )
        monitor.start()
        people.start()
        wait_interruptibly(stop, duration if duration > 0 else None)
    finally:
        stopping = time.monotonic()
        people.stop()
        log.info(
            "stopping: %s; %d booking(s) checked in", monitor.summary(), people.checked_in
        )
        monitor.stop()
        log.debug("people and monitor stopped in %.2f s", time.monotonic() - stopping)
        # Devices first (their offline status reaches the hub), then the hub, then
        # the broker: the order a building is shut down in.
        codes = _stop_all(devices) + _stop_all([hub])
        broker.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        log.info(
            "stopped %d processes in %.2f s (exit codes %s)",
            len(codes),
            time.monotonic() - stopping,
            sorted(set(codes)),
        )
    return 0


def _wait_ready(process: MppProcess) -> None:
    try:
        process.wait_for(process.ready_line, READY_WITHIN_S)
    except (RuntimeError, TimeoutError) as error:
        lines = [line.strip() for line in process.lines if line.strip()]
        said = next((line for line in reversed(lines) if "error" in line), None)
        first = str(error).splitlines()[0].rstrip(":")
        where = f" (log: {process.log})" if process.log is not None else ""
        raise DemoStartError(f"{first}: {said or 'no error line'}{where}") from None


def _stop_all(processes: Sequence[MppProcess]) -> list[int]:
    """SIGTERM to every running one at once, then their exit codes."""
    started = [p for p in processes if p.process is not None]
    for process in started:
        if process.process is not None and process.process.poll() is None:
            process.send(signal.SIGTERM)
    return [_reap(process) for process in started]


def _reap(process: MppProcess) -> int:
    """The exit code; a child that ignores SIGTERM for long is killed (and said)."""
    try:
        return process.wait(KILL_AFTER_S)
    except subprocess.TimeoutExpired:
        log.warning("%s did not stop within %.0f s; killed", process.name, KILL_AFTER_S)
        process.kill()
        return -9


def _site_time_logs(zone: ZoneInfo) -> None:
    for handler in logging.getLogger().handlers:
        handler.setFormatter(SiteTimeFormatter(zone))


__all__ = ["run_demo"]
