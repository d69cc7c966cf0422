"""Commands that follow the bus until Ctrl-C: ``tail`` (the event log) and ``top``.

Both only listen: retained state, births, heartbeats and ``mpp/event/log``;
the hub is never polled (``top`` asks for one ``admin.status`` to start from).
The broker ties the MQTT client id to the account, so a second console of the
same account (a one-off ``mpp admin counter open 3`` in another terminal)
takes the connection over; these commands then reconnect and carry on.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from admin.client import AdminClient, ConsoleError
from protocol.codec import Decoded
from protocol.models import (
    Admission,
    Catalogue,
    CounterStatus,
    DeviceStatus,
    Heartbeat,
    HubOverview,
    HubStatus,
    LogEntry,
    Presence,
    ServiceStatus,
)
from protocol.topics import spec

if TYPE_CHECKING:  # rich is imported when top runs, not when `mpp --help` parses
    from rich.console import Console, Group

    from admin.session import Session

RECONNECT_WAIT_S = 1.0
RECENT_EVENTS = 12


def register_follow(commands: argparse._SubParsersAction) -> None:
    tail = commands.add_parser("tail", help="the hub's event log, live, one line per event")
    tail.add_argument("--agency", help="only this agency (code or short name)")
    tail.add_argument("--counter", type=int, help="only this counter")
    tail.add_argument("--device", help="only this device id")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.set_defaults(action=_tail)
    top = commands.add_parser("top", help="status, live, until Ctrl-C")
    top.add_argument("--all", action="store_true", help="every service, not only busy ones")
    top.set_defaults(action=_top)


# -- tail -------------------------------------------------------------------------------


class LogFilter:
    def __init__(self, agency: str | None, counter: int | None, device: str | None) -> None:
        self.agency = agency.upper() if agency else None
        self.counter = counter
        self.device = device
        self.agency_codes: dict[str, str] = {}  # short name (upper) → code, from the catalogue

    def learn(self, catalogue: Catalogue) -> None:
        self.agency_codes = {a.short_name.upper(): a.code for a in catalogue.agencies}

    def keeps(self, entry: LogEntry) -> bool:
        if self.agency is not None:
            wanted = self.agency_codes.get(self.agency, self.agency)
            if (entry.agency or "").upper() != wanted.upper():
                return False
        if self.counter is not None and entry.counter != self.counter:
            return False
        return self.device is None or entry.device == self.device


def log_line(entry: LogEntry, zone: str) -> str:
    """``08.15.03  A-012 called to counter 3  [DUKCAPIL]``."""
    at = entry.at.astimezone(ZoneInfo(zone)).strftime("%H.%M.%S")
    tags = [tag for tag in (entry.agency, entry.device) if tag]
    suffix = f"  [{' · '.join(tags)}]" if tags else ""
    return f"{at}  {entry.text}{suffix}"


def _follow(
    session: Session,
    specs: list[str],
    ready: str,
    handle: Callable[[Decoded], None],
    stop: threading.Event,
    idle: Callable[[], None] | None = None,
    on_ready: Callable[[], None] | None = None,
    after_batch: Callable[[], None] | None = None,
) -> None:
    """Subscribe ``specs``, say ``ready`` on stderr, hand each message to ``handle`` until
    ``stop``; reconnect when another console of the account took the connection."""
    inbox: queue.Queue[Decoded] = queue.Queue()
    client = session.client
    for key in specs:
        client.subscribe(spec(key), inbox.put)
    print(ready, file=sys.stderr, flush=True)
    if on_ready is not None:
        on_ready()
    while not stop.is_set():
        try:
            decoded = inbox.get(timeout=RECONNECT_WAIT_S)
        except queue.Empty:
            decoded = None
        if decoded is not None:
            handle(decoded)
            if after_batch is not None and inbox.empty():
                after_batch()  # e.g. draw once for a burst of retained state
        elif client.lost.is_set():
            _reconnect(client, stop)
        elif idle is not None:
            idle()  # nothing new for a second: clocks and ages move on


def _reconnect(client: AdminClient, stop: threading.Event) -> None:
    print(
        f"connection lost (another console of {client.account}?); reconnecting",
        file=sys.stderr,
        flush=True,
    )
    while not stop.is_set():
        try:
            client.reconnect()
            return
        except ConsoleError as error:
            print(f"{error}; trying again", file=sys.stderr, flush=True)
            stop.wait(RECONNECT_WAIT_S)


def _tail(session: Session, args: argparse.Namespace) -> int:
    chosen = LogFilter(args.agency, args.counter, args.device)
    zone = [session.timezone]

    def handle(decoded: Decoded) -> None:
        message = decoded.message
        if isinstance(message, Catalogue):
            zone[0] = message.timezone
            chosen.learn(message)
        elif isinstance(message, LogEntry) and chosen.keeps(message):
            if args.json:
                line = json.dumps(message.model_dump(mode="json"), ensure_ascii=False)
            else:
                line = log_line(message, zone[0])
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    stop = threading.Event()
    try:
        _follow(session, ["state.catalogue", "event.log"], "following the hub's event log "
                "(Ctrl-C to stop)", handle, stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


# -- top --------------------------------------------------------------------------------


class HubClock:
    """The hub's "now": the time of its overview, advanced by this machine's
    monotonic clock since the overview was heard.

    The console's own wall clock may be hours off the hub's (a laptop set wrong, the
    demo's building running "as if it were 08.00"); taking ages and "last seen" from
    it made ``top`` disagree with ``status``. The monotonic clock cannot jump, so the
    view ages at the right pace from the hub's time.
    """

    def __init__(self, hub_at: datetime, heard: float | None = None) -> None:
        self.hub_at = hub_at
        self.heard = time.monotonic() if heard is None else heard

    def now(self) -> datetime:
        return self.hub_at + timedelta(seconds=time.monotonic() - self.heard)


class LiveModel:
    """The overview kept current from what the bus says."""

    def __init__(self, overview: HubOverview) -> None:
        self.overview = overview
        self.hub_online = True
        self.recent: deque[str] = deque(maxlen=RECENT_EVENTS)

    def apply(self, decoded: Decoded, now: datetime) -> None:
        message = decoded.message
        view = self.overview
        if isinstance(message, CounterStatus):
            rows = [
                row.model_copy(
                    update={
                        "state": message.state,
                        "current": message.current.number if message.current else None,
                        "current_state": message.current.state if message.current else None,
                        "served_today": message.served_today
                        if message.served_today is not None
                        else row.served_today,
                        "reason": message.reason,
                        "officer": message.officer,
                        "officer_id": message.officer_id,
                    }
                )
                if row.counter == message.counter
                else row
                for row in view.counters
            ]
            self.overview = view.model_copy(update={"counters": rows})
        elif isinstance(message, ServiceStatus):
            self.overview = view.model_copy(
                update={"services": [self._service(row, message) for row in view.services]}
            )
        elif isinstance(message, DeviceStatus):
            online = message.state is Presence.ONLINE
            devices = [
                row.model_copy(
                    update={
                        "online": online,
                        "known": True,
                        "software_version": message.software_version,
                        "hardware": dict(message.hardware),
                        "last_seen": now if online and not decoded.retained else row.last_seen,
                    }
                )
                if row.device_id == message.device_id
                else row
                for row in view.devices
            ]
            self.overview = view.model_copy(update={"devices": devices})
        elif isinstance(message, Heartbeat):
            devices = [
                row.model_copy(update={"cpu_temp_c": message.cpu_temp_c, "last_seen": now})
                if row.device_id == message.device_id
                else row
                for row in view.devices
            ]
            self.overview = view.model_copy(update={"devices": devices})
        elif isinstance(message, HubStatus):
            self.hub_online = message.state is Presence.ONLINE
        elif isinstance(message, LogEntry):
            self.recent.appendleft(log_line(message, view.timezone))

    @staticmethod
    def _service(row: object, message: ServiceStatus) -> object:
        from protocol.models import ServiceOverview

        assert isinstance(row, ServiceOverview)
        if row.service != message.service:
            return row
        admission = message.admission or (
            Admission.OPEN if message.accepting else row.admission
        )
        update: dict[str, object] = {
            "waiting": message.waiting,
            "estimated_wait_min": message.estimated_wait_min,
            "open_counters": message.open_counters,
            "admission": admission,
            "reason": message.reason,
            "oldest_waiting_since": message.oldest_waiting_since,
        }
        for name in ("issued_today", "served_today"):
            value = getattr(message, name)
            if value is not None:
                update[name] = value
        if message.quota_left is not None or row.quota is None:
            update["quota_left"] = message.quota_left
        return row.model_copy(update=update)

    def render(self, now: datetime, all_services: bool) -> Group:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from admin.render import counters_table, devices_table, hhmm, services_table

        view = self.overview
        zone = view.timezone
        header = Text(f"{view.site_name} · {hhmm(now, zone)} · ", style="bold")
        header.append(
            "hub online" if self.hub_online else "HUB OFFLINE",
            style="green" if self.hub_online else "bold red",
        )
        waiting = sum(s.waiting for s in view.services)
        open_counters = sum(1 for c in view.counters if c.state.value == "open")
        header.append(f" · {waiting} waiting · {open_counters} counters open")
        events = Table(title="Latest events", title_justify="left", show_header=False)
        events.add_column("event")
        for line in self.recent:
            events.add_row(line)
        return Group(
            header,
            counters_table(view.counters),
            services_table(view.services, now, busy_only=not all_services),
            devices_table(view.devices, zone, now),
            events,
        )


def run_top(
    session: Session,
    stop: threading.Event,
    console: Console | None = None,
    all_services: bool = False,
    on_update: Callable[[LiveModel], None] | None = None,
) -> LiveModel:
    """Show the building live on ``console`` until ``stop``; returns the final model.

    ``on_update`` is called whenever the view is drawn: once every subscription is
    in place, then after each burst of changes (tests wait on it).
    """
    from rich.live import Live

    model = LiveModel(session.overview())
    clock = HubClock(model.overview.at)
    console = console or session.console
    with Live(
        model.render(clock.now(), all_services), console=console, auto_refresh=False
    ) as live:

        def draw() -> None:
            live.update(model.render(clock.now(), all_services), refresh=True)
            if on_update is not None:
                on_update(model)

        _follow(
            session,
            [
                "hub.status",
                "state.counter",
                "state.service",
                "device.status",
                "device.heartbeat",
                "event.log",
            ],
            "top: live (Ctrl-C to stop)",
            lambda decoded: model.apply(decoded, clock.now()),
            stop,
            idle=draw,
            on_ready=draw,
            after_batch=draw,
        )
    return model


def _top(session: Session, args: argparse.Namespace) -> int:
    stop = threading.Event()
    try:
        run_top(session, stop, all_services=args.all)
    except KeyboardInterrupt:
        stop.set()
    return 0
