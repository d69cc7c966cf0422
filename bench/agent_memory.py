"""Agent memory through a simulated week of calls: resident memory per day, flat or a line.

Each device agent (counter-01, kiosk-01, display-01, runtext-01) runs as it
ships: its own ``mpp edge --config firmware_config/devices/<id>.toml
--simulate`` process, against a private Mosquitto rendered like the hub's.
The bench speaks for the hub account itself (no ``mpp hub run``), with the
contract models, as ``hub/publisher.py`` does after every call: the call
event, the state of every counter serving the called service, the service's
waiting count and estimate, and the latest 20 calls. A day is
``--calls-per-day`` calls at counters 1-22, ticket numbers per prefix from
001 (the hub starts them again each day), advancing ``called_at`` from 08.00
to 15.00, about 4 % recalls; the hub also answers what the agents ask (the
counter unit's sync, the kiosk's tickets). Meanwhile a simulated citizen
takes tickets at the kiosk's touch screen, about one for every two calls but
no faster than one person can (the kiosk shows each ticket for 6 s), so its
screens draw the changing waiting counts and new ticket numbers.

Each night every counter and service closes and the hub goes offline (its
retained ``offline`` status, as when it is restarted); the counter unit, the
kiosk and the display show that only after everything before it, so once
they do (and the display has said every call) the agent has applied the day,
and its VmRSS is read from ``/proc/<pid>/status``. The running text cannot
show it; its handlers run as messages arrive and it is read at the same time.
Then the hub comes back for the next day. "start" is read after a night
without calls, so every reading is taken in the same state.

The display writes one WAV per announcement (~270 KB); they are deleted as
they appear, so disk use stays a few MB. A day is sent at ``--rate`` calls per
second, far faster than a building: the display highlights each call for its
``highlight_s`` (6 s) and the running text scrolls each one twice, so both
fall behind and queue the rest; how far is printed below the table. At
``--rate 0.15`` (a call every 6.7 s) the display highlights every call, as in
a building: ``--days 2 --calls-per-day 120 --rate 0.15`` takes ~27 minutes.

    .venv/bin/python bench/agent_memory.py [--days 6] [--calls-per-day 800] [--rate 20]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_building import clear_voice, print_table, wait_until  # noqa: E402

from edge.display.clips import make_clip_set  # noqa: E402
from edge.running_text.scroller import call_message  # noqa: E402
from edge.simulation.control import ControlClient, socket_path  # noqa: E402
from firmware_config.inventory import load_inventory  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from hub.site.schema import Site  # noqa: E402
from hub.views import catalogue  # noqa: E402
from mpp.process import EdgeProcess  # noqa: E402
from mqtt_broker.local import LocalBroker, start_local_broker  # noqa: E402
from protocol.codec import Decoded  # noqa: E402
from protocol.errors import ErrorCode  # noqa: E402
from protocol.link import LinkSettings, MqttLink  # noqa: E402
from protocol.models import (  # noqa: E402
    Announcements,
    CallEvent,
    CounterState,
    CounterStatus,
    CounterSync,
    CounterView,
    PriorityCategory,
    RecentCalls,
    Reply,
    ServiceStatus,
    TicketPrinted,
    TicketReserve,
    TicketState,
    TicketView,
)
from protocol.models.replies import ReplyError  # noqa: E402
from protocol.presence import hub_presence  # noqa: E402
from protocol.topics import spec  # noqa: E402
from protocol.version import software_version  # noqa: E402

COUNTER, KIOSK, DISPLAY, RUNTEXT = "counter-01", "kiosk-01", "display-01", "runtext-01"
AGENTS = (COUNTER, KIOSK, DISPLAY, RUNTEXT)
FIRST_DAY = date(2026, 11, 23)  # a Monday, as the other benches
SITE_ZONE = ZoneInfo("Asia/Jakarta")
OPENS, CLOSES = 8 * 60, 15 * 60  # minutes after midnight
RECENT_KEPT = 20  # hub/state.py RECENT_CALLS
RECALL_SHARE = 0.04
CHECK_EVERY = 50  # calls between looks at the display (pace, WAV clean-up)...
LOOK_EVERY_S = 1.0  # ...or seconds, whichever comes first (where the screens are)
AHEAD_AT_MOST = 200  # calls sent but not yet said by the display
SEARCH_AHEAD = 40  # a lagging screen moves on by a few calls between two looks
HUB_OFFLINE_TEXT = "Sistem antrean sedang tidak terhubung."
CLOSED_REASON = "Pengambilan antrean ditutup pukul 14.30"
ANNOUNCEMENTS = [
    "Selamat datang di Mal Pelayanan Publik Kabupaten Lampung Timur",
    "Siapkan KTP-el dan Kartu Keluarga asli sebelum dipanggil",
    "Layanan buka Senin-Jumat pukul 08.00-15.00 WIB",
]


def service_days(count: int) -> list[date]:
    """Consecutive weekdays from FIRST_DAY (the site is closed at weekends)."""
    days, day = [], FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class BenchHub:
    """What the hub account publishes and answers, without the hub's queue logic."""

    def __init__(self, broker: LocalBroker, site: Site, seed: int) -> None:
        self.broker, self.site = broker, site
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.link: MqttLink | None = None
        self.last_publish: Any = None
        self.day = FIRST_DAY
        self.now = datetime.combine(FIRST_DAY, datetime.min.time(), SITE_ZONE)
        self.seq = 0
        self.messages = 0
        self.sent: dict[str, int] = {}  # messages per topic key
        self.counter_states: dict[int, int] = {}  # per counter number, sent
        self.counters: dict[int, CounterStatus] = {}
        self.services: dict[str, ServiceStatus] = {}
        self.waiting: dict[str, int] = {}
        self.peaks: dict[str, int] = {}
        self.recent: list[CallEvent] = []
        self.numbers: dict[str, int] = {}  # last number per prefix today (calls)
        self.issued: dict[str, int] = {}  # last number per prefix today (kiosk tickets)

    # -- the hub's presence ----------------------------------------------------------

    def connect(self) -> None:
        """Birth (retained ``online``) on connect, as ``mpp hub run`` starting."""
        link = MqttLink(
            LinkSettings(
                self.broker.host, self.broker.local_port, "hub", self.broker.password("hub")
            )
        )
        link.announce_as(hub_presence(self.site.id, software_version()))
        link.subscribe(
            spec("device.cmd"), lambda decoded, props: self._command(link, decoded, props)
        )
        link.start(wait=10)
        self.link = link

    def disconnect(self) -> None:
        """Retained ``offline``, after everything published before it has been accepted."""
        self.flush()
        assert self.link is not None
        self.link.stop(timeout=5)
        self.link = None

    def flush(self, timeout: float = 30.0) -> None:
        if self.last_publish is not None:
            self.last_publish.wait_for_publish(timeout)

    def publish(self, key: str, message: Any, **params: Any) -> None:
        assert self.link is not None
        self.last_publish = self.link.publish(spec(key), message, **params)
        self.messages += 1
        self.sent[key] = self.sent.get(key, 0) + 1

    # -- a service day ---------------------------------------------------------------

    def open_day(self, day: date) -> None:
        """The hub back in the morning: birth, then everything retained (publish_all)."""
        with self.lock:
            self.day = day
            self.now = datetime.combine(day, datetime.min.time(), SITE_ZONE) + timedelta(
                minutes=OPENS
            )
            self.numbers, self.issued, self.recent = {}, {}, []
            self.waiting = {service.code: 0 for service in self.site.services}
            self.peaks = {service.code: self.rng.randint(8, 37) for service in self.site.services}
            for counter in self.site.counters:
                self.counters[counter.number] = self._counter(counter.number, CounterState.OPEN)
            for service in self.site.services:
                self.services[service.code] = self._service(service.code, accepting=True)
        self.connect()
        self.publish("state.catalogue", catalogue(self.site))
        for number, status in sorted(self.counters.items()):
            self._send_counter(number, status)
        for code, status in self.services.items():
            self.publish("state.service", status, service=code)
        self.publish("state.calls", RecentCalls(calls=[]))
        texts = [*ANNOUNCEMENTS, f"Hari ini: {day:%d-%m-%Y}, layanan prioritas di loket 3"]
        self.publish("state.announcements", Announcements(texts=texts))

    def close_day(self) -> None:
        """Every counter closes and the kiosk stops issuing: the hub's evening state."""
        with self.lock:
            for counter in self.site.counters:
                self.counters[counter.number] = self._counter(counter.number, CounterState.CLOSED)
            for service in self.site.services:
                self.waiting[service.code] = 0
                self.services[service.code] = self._service(service.code, accepting=False)
        for number, status in sorted(self.counters.items()):
            self._send_counter(number, status)
        for code, status in self.services.items():
            self.publish("state.service", status, service=code)

    def call(self, index: int, calls_per_day: int) -> CallEvent:
        """One call at a counter and what the hub publishes after it."""
        with self.lock:
            share = (index + 0.5) / calls_per_day
            self.now = datetime.combine(self.day, datetime.min.time(), SITE_ZONE) + timedelta(
                minutes=OPENS + share * (CLOSES - OPENS)
            )
            event, serving = self._next_call(share)
        self.publish("event.call", event)
        for number in serving:
            self._send_counter(number, self.counters[number])
        self.publish("state.service", self.services[event.service], service=event.service)
        self.publish("state.calls", RecentCalls(calls=list(self.recent)))
        return event

    def _next_call(self, share: float) -> tuple[CallEvent, list[int]]:
        counter = self.rng.choice(self.site.counters)
        current = self.counters[counter.number].current
        self.seq += 1
        if current is not None and self.rng.random() < RECALL_SHARE:
            ticket = current.model_copy(update={"recalls": current.recalls + 1})
        else:
            codes = counter.secondary if counter.secondary and self.rng.random() < 0.2 else None
            code = self.rng.choice(codes or counter.primary)
            service = self.site.service(code)
            self.numbers[service.prefix] = self.numbers.get(service.prefix, 0) + 1
            number = f"{service.prefix}-{self.numbers[service.prefix]:03d}"
            ticket = self._ticket(code, number, TicketState.CALLED, counter.number)
            # Waiting: a peak at midday, different each service and day.
            self.waiting[code] = max(
                0, round(self.peaks[code] * math.sin(math.pi * share) + self.rng.gauss(0, 2))
            )
            self.services[code] = self._service(code, accepting=True)
        event = CallEvent(
            event_id=uuid4(),
            seq=self.seq,
            number=ticket.number,
            counter=counter.number,
            counter_name=counter.name,
            service=ticket.service,
            agency_name=self.site.agency(self.site.service(ticket.service).agency).short_name,
            zone=counter.zone,
            recall=ticket.recalls,
            called_at=self.now,
        )
        self.recent = [event, *self.recent][:RECENT_KEPT]
        serving = sorted(
            c.number
            for c in self.site.counters
            if ticket.service in c.primary + c.secondary or c.number == counter.number
        )
        for number in serving:
            self.counters[number] = self._counter(
                number,
                CounterState.OPEN,
                ticket if number == counter.number else self.counters[number].current,
            )
        return event, serving

    def _ticket(self, code: str, number: str, state: TicketState, at: int | None) -> TicketView:
        service = self.site.service(code)
        return TicketView(
            ticket_id=f"{self.day:%Y%m%d}-{number}",
            number=number,
            service=code,
            service_name=service.name,
            agency_name=self.site.agency(service.agency).name,
            category=PriorityCategory.REGULAR,
            state=state,
            issued_at=self.now - timedelta(minutes=20),
            people_ahead=self.waiting.get(code, 0),
            estimated_wait_min=self._estimate(code),
            counter=at,
        )

    def _estimate(self, code: str) -> int:
        service = self.site.service(code)
        serving = sum(1 for c in self.site.counters if code in c.primary + c.secondary)
        return math.ceil(self.waiting.get(code, 0) * service.mean_service_minutes / max(1, serving))

    def _service(self, code: str, accepting: bool) -> ServiceStatus:
        open_counters = sum(
            1
            for c in self.site.counters
            if code in c.primary + c.secondary
            and self.counters.get(c.number) is not None
            and self.counters[c.number].state is CounterState.OPEN
        )
        return ServiceStatus(
            service=code,
            waiting=self.waiting.get(code, 0),
            estimated_wait_min=self._estimate(code),
            open_counters=open_counters,
            accepting=accepting,
            reason=None if accepting else CLOSED_REASON,
        )

    def _counter(
        self, number: int, state: CounterState, current: TicketView | None = None
    ) -> CounterStatus:
        counter = self.site.counter(number)
        waiting = sum(self.waiting.get(code, 0) for code in counter.primary + counter.secondary)
        return CounterStatus(
            counter=number, name=counter.name, state=state, current=current, waiting=waiting
        )

    def _send_counter(self, number: int, status: CounterStatus) -> None:
        self.counter_states[number] = self.counter_states.get(number, 0) + 1
        self.publish("state.counter", status, counter=number)

    # -- answering devices (the link's worker thread) -----------------------------------

    def _command(self, link: MqttLink, decoded: Decoded, properties: Any) -> None:
        with self.lock:
            reply = self._answer(decoded.message)
        link.answer(spec("device.reply"), reply, properties, **decoded.params)

    def _answer(self, command: Any) -> Reply:
        if isinstance(command, CounterSync):
            counter = next(
                (c for c in self.site.counters if c.device_id == command.device_id), None
            )
            if counter is None:
                return _refused(command, ErrorCode.UNKNOWN_COUNTER, "no counter for this unit")
            status = self.counters[counter.number]
            view = CounterView(
                counter=counter.number,
                state=status.state,
                current=status.current,
                waiting=status.waiting,
            )
            return Reply(command_id=command.command_id, ok=True, counter=view)
        if isinstance(command, TicketReserve):
            if not self.services[command.service].accepting:
                return _refused(command, ErrorCode.CLOSED, CLOSED_REASON)
            prefix = self.site.service(command.service).prefix
            self.issued[prefix] = self.issued.get(prefix, 0) + 1
            number = f"{prefix}-{500 + self.issued[prefix]:03d}"  # beside today's calls
            ticket = self._ticket(command.service, number, TicketState.RESERVED, None)
            return Reply(command_id=command.command_id, ok=True, ticket=ticket)
        if isinstance(command, TicketPrinted):
            return Reply(command_id=command.command_id, ok=True)
        return _refused(command, ErrorCode.INTERNAL, "not simulated by bench/agent_memory.py")


def _refused(command: Any, code: ErrorCode, message: str) -> Reply:
    return Reply(
        command_id=command.command_id, ok=False, error=ReplyError(code=code, message=message)
    )


class Citizen(threading.Thread):
    """Takes tickets at the kiosk's touch screen: as many as ``owed()`` says, as fast as
    the kiosk lets a person (it shows each ticket for 6 s before its welcome screen)."""

    def __init__(self, path: Path, services: list[str], seed: int, owed: Callable[[], int]) -> None:
        super().__init__(name="citizen", daemon=True)
        self.path, self.services, self.rng = path, services, random.Random(seed)
        self.owed = owed
        self.stopping = threading.Event()
        self.tickets = 0
        self.refusals: list[str] = []

    def run(self) -> None:
        with ControlClient(self.path, timeout=60) as kiosk:
            while not self.stopping.is_set():
                if self.tickets + len(self.refusals) >= self.owed():
                    self.stopping.wait(0.1)  # no one at the kiosk yet
                    continue
                answer = kiosk.ask("take", service=self.rng.choice(self.services))
                if answer.get("ok") and answer.get("ticket"):
                    self.tickets += 1
                else:
                    self.refusals.append(str(answer.get("error") or answer.get("message")))

    def finish(self) -> None:
        self.stopping.set()
        self.join(60)


@dataclass
class Device:
    device_id: str
    process: EdgeProcess
    control: ControlClient
    rss: list[float] = field(default_factory=list)

    def status(self) -> dict[str, Any]:
        if self.process.process is not None and self.process.process.poll() is not None:
            tail = "".join(self.process.lines[-20:])
            raise RuntimeError(f"{self.device_id} exited:\n{tail}")
        answer = self.control.ask("status")
        if not answer.get("ok"):
            raise RuntimeError(f"{self.device_id} status: {answer}")
        return answer

    def sample(self) -> None:
        self.rss.append(self.process.rss_mb())


class Progress:
    """Where the display and the running text are in the stream of calls (they lag)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (number, running-text message) in order
        self.shown = 0  # calls highlighted by the display so far
        self.scrolled = 0  # calls the running text has reached

    def add(self, event: CallEvent) -> None:
        self.calls.append((event.number, call_message(event.number, event.counter)))

    def display(self, now_calling: str | None) -> None:
        self.shown = self._advance(self.shown, now_calling, 0)

    def running_text(self, text: str) -> None:
        if not any(text == message for _, message in self.calls[max(0, self.scrolled - 1) :]):
            self.scrolled = len(self.calls)  # an announcement: no call waits
            return
        self.scrolled = self._advance(self.scrolled, text, 1)

    def _advance(self, position: int, seen: str | None, part: int) -> int:
        """FIFO: the first match at or after the call last seen (numbers recur each day)."""
        for index in range(max(0, position - 1), min(len(self.calls), position + SEARCH_AHEAD)):
            if self.calls[index][part] == seen:
                return index + 1
        return position


class Week:
    def __init__(self, args: argparse.Namespace, directory: Path) -> None:
        self.args = args
        self.state_dir = directory / "sim"
        self.voice = self.state_dir / "voice" / DISPLAY
        self.site = load_site()
        self.broker = start_local_broker(directory, load_inventory())
        self.hub = BenchHub(self.broker, self.site, args.seed)
        self.devices: dict[str, Device] = {}
        self.progress = Progress()
        self.announced = 0  # calls sent, each said once by the display
        self.citizen: Citizen | None = None
        self.looked = 0.0  # when keep_pace last looked at the screens
        self.tickets = 0
        self.refusals: list[str] = []

    # -- set-up and tear-down ------------------------------------------------------------

    def start(self) -> None:
        make_clip_set(self.state_dir / "voice-clips")  # once, as `mpp edge --simulate` would
        self.hub.open_day(FIRST_DAY)
        processes = {
            device_id: EdgeProcess.on(
                self.broker,
                ROOT / "firmware_config" / "devices" / f"{device_id}.toml",
                self.state_dir,
            )
            for device_id in AGENTS
        }
        for process in processes.values():
            process.spawn()
        for device_id, process in processes.items():
            process.wait_for(process.ready_line, 90)
            control = ControlClient(socket_path(self.state_dir, device_id), timeout=30)
            self.devices[device_id] = Device(device_id, process, control)
        self.morning()
        self.night()  # "start": a night like every other reading, before any call

    def stop(self) -> None:
        if self.citizen is not None:
            self.citizen.finish()
        for device in self.devices.values():
            device.control.close()
            device.process.stop()
        if self.hub.link is not None:
            self.hub.disconnect()
        self.broker.stop()

    # -- a day ---------------------------------------------------------------------------

    def morning(self) -> None:
        counter, kiosk, display = (self.devices[d] for d in (COUNTER, KIOSK, DISPLAY))
        wait_until("display linked", lambda: display.status()["linked"])
        wait_until("kiosk ready", lambda: kiosk.status()["unavailable"] is None)
        wait_until(
            "counter unit open and online",
            lambda: (s := counter.status())["online"] and s["state"] == "open",
        )

    def day(self, day: date) -> None:
        self.hub.open_day(day)
        self.morning()
        self.citizen = Citizen(
            socket_path(self.state_dir, KIOSK),
            [s.code for s in self.site.services],
            self.args.seed + day.toordinal(),
            # kiosk-01 issues about half the tickets (kiosk-02 the rest), one per call
            lambda: self.announced // 2 - self.tickets - len(self.refusals),
        )
        self.citizen.start()
        started = time.monotonic()
        per_day = self.args.calls_per_day
        for index in range(per_day):
            due = started + index / self.args.rate
            if (ahead := due - time.monotonic()) > 0:
                time.sleep(ahead)  # the pace of the stream, not a wait for an agent
            self.progress.add(self.hub.call(index, per_day))
            self.announced += 1
            if (index + 1) % CHECK_EVERY == 0 or time.monotonic() - self.looked >= LOOK_EVERY_S:
                self.keep_pace()
        self.citizen.finish()
        self.tickets += self.citizen.tickets
        self.refusals += self.citizen.refusals
        self.citizen = None
        self.night()

    def keep_pace(self) -> None:
        """Never more than AHEAD_AT_MOST calls ahead of the display; its WAVs deleted."""
        display = self.devices[DISPLAY]
        self.looked = time.monotonic()
        wait_until(
            "display keeping up",
            lambda: self.announced - self._display(display) <= AHEAD_AT_MOST,
        )
        clear_voice(self.voice)
        self.progress.running_text(self.devices[RUNTEXT].status()["text"])

    def _display(self, display: Device) -> int:
        status = display.status()
        self.progress.display(status["now_calling"])
        return int(status["announced"])

    def night(self) -> None:
        """Closed, hub offline; once the agents show it they have applied the day: read RSS."""
        counter, kiosk, display = (self.devices[d] for d in (COUNTER, KIOSK, DISPLAY))
        self.hub.close_day()
        wait_until("display said every call", lambda: self._display(display) == self.announced, 120)
        self.hub.disconnect()
        wait_until("display shows the hub offline", lambda: not display.status()["linked"])
        wait_until(
            "kiosk shows the hub offline",
            lambda: kiosk.status()["unavailable"] == HUB_OFFLINE_TEXT,
        )
        wait_until(
            "counter unit closed and offline",
            lambda: not (s := counter.status())["online"] and s["state"] == "closed",
        )
        self.progress.running_text(self.devices[RUNTEXT].status()["text"])
        clear_voice(self.voice)
        for device in self.devices.values():
            device.sample()


def report(week: Week, days: list[date], took: float) -> None:
    args, hub, progress = week.args, week.hub, week.progress
    calls = len(progress.calls)
    print(
        f"agent memory through {len(days)} service days ({days[0]:%a %d %b} - "
        f"{days[-1]:%a %d %b %Y}) of {args.calls_per_day} calls: {calls:,} calls, "
        f"{hub.messages:,} hub messages, {args.rate:g} calls/s, {took / 60:.1f} min"
    )
    print("VmRSS in MB, read each night once the agent had applied the day (last = end)\n")
    heads = ["agent", "start", *[f"day {n}" for n in range(1, len(days) + 1)]]
    heads += ["growth", "end/start", f"day 1->{len(days)}/day"]
    rows = []
    for device in week.devices.values():
        start, daily = device.rss[0], device.rss[1:]
        slope = f"{(daily[-1] - daily[0]) / (len(daily) - 1):+.2f}" if len(daily) > 1 else "-"
        rows.append(
            [
                device.device_id,
                f"{start:.1f}",
                *[f"{value:.1f}" for value in daily],
                f"{daily[-1] - start:+.1f}",
                f"{daily[-1] / start:.2f}x",
                slope,
            ]
        )
    print_table(heads, rows)
    highlight = load_inventory().device(DISPLAY).display_unit().highlight_s
    distinct = len({number for number, _ in progress.calls})
    owed = calls // 2
    print()
    print(
        f"{COUNTER}: {hub.counter_states.get(1, 0):,} states of its counter (a call of its "
        "services at any counter changes its waiting count)"
    )
    print(
        f"{KIOSK}: {hub.sent.get('state.service', 0):,} service states; {week.tickets:,} of "
        f"the ~{owed:,} tickets it would issue taken at its touch screen (one person at a "
        "time, each ticket on screen 6 s)"
        + (f"; {len(week.refusals)} refused: {week.refusals[-1]}" if week.refusals else "")
    )
    print(
        f"{DISPLAY}: said all {calls:,} calls ({distinct:,} distinct numbers, from 001 again "
        f"each day) and listed them as they came; highlighted {progress.shown:,} at "
        f"{highlight:g} s each, {calls - progress.shown:,} still queued for the highlight "
        "(a building, slower than this bench, highlights every call)"
    )
    print(
        f"{RUNTEXT}: reached call {progress.scrolled:,} of {calls:,} (each scrolled twice); "
        "the rest queued as text"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--calls-per-day", type=int, default=800)
    parser.add_argument("--rate", type=float, default=20.0, help="calls sent per second")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    days = service_days(args.days)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mpp-memory-") as name:
        week = Week(args, Path(name))
        try:
            week.start()
            for number, day in enumerate(days):
                week.day(day)
                done = week.devices
                print(
                    f"day {number + 1} ({day:%a %d %b}): "
                    + ", ".join(f"{d} {done[d].rss[-1]:.1f} MB" for d in AGENTS),
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            week.stop()
    report(week, days, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
