"""The kiosk agent: composition root of one ticket kiosk.

The UI thread owns pygame and the screen model; MQTT messages, printer
health, hot-plug and scanner codes only put events on its queue. Issuing a
ticket runs on a worker thread so the screen keeps drawing:

1. reserve the number at the hub (``ticket.reserve`` / ``booking.check_in``);
2. render the ticket and hand the bytes to the printer;
3. confirm (``ticket.printed``) — only now is the ticket in the queue — or,
   if printing failed, cancel (``ticket.print_failed``): never a number in
   the queue that no citizen holds. A confirmation the hub does not answer
   is retried in the background (the hub accepts a late one).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame

from edge import identify as identify_overlay
from edge.command_client import CommandClient
from edge.hardware.snapshot import save_png
from edge.kiosk.feedback import CheckSurveyTicket, SendComplaint, SendSurvey
from edge.kiosk.feedback_agent import FeedbackSender
from edge.kiosk.model import CheckIn, Intent, Issue, KioskModel, Target, View
from edge.kiosk.reasons import NO_ANSWER, PRINT_FAILED, hint, refusal, retypable
from edge.kiosk.screens import KioskScreens
from edge.liveness import LoopBeat
from edge.printer.ticket import PROFILES, TicketContent, render_ticket
from edge.printer.transport import PrinterError, PrinterStatus, Transport
from firmware_config.schema import DeviceConfig
from protocol.clock import wall_now
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    BookingCheckIn,
    Catalogue,
    ComponentState,
    HardwareHealth,
    HubStatus,
    PriorityCategory,
    Reply,
    ServiceStatus,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketView,
)
from protocol.models.fields import is_ticket_id
from protocol.presence import HubWatch, device_presence
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)
FRAME_S = 1 / 30
ANSWER_S = 6.0
CONFIRM_FOR_S = 300.0

PRINTER_HEALTH = {
    PrinterStatus.OK: (HardwareHealth.OK, None),
    PrinterStatus.PAPER_NEAR_END: (HardwareHealth.WARNING, "kertas hampir habis"),
    PrinterStatus.PAPER_OUT: (HardwareHealth.FAULT, "kertas habis"),
    PrinterStatus.OFFLINE: (HardwareHealth.FAULT, "printer tidak terhubung"),
    PrinterStatus.UNKNOWN: (HardwareHealth.UNKNOWN, "status tidak terbaca"),
}


class KioskAgent:
    def __init__(
        self,
        config: DeviceConfig,
        link: MqttLink,
        transport: Transport,
        surface: pygame.Surface,
        clock: Callable[[], float] = time.monotonic,
        scanner_present: bool = False,
    ) -> None:
        self.config = config
        self.unit = config.kiosk_unit()
        self.transport = transport
        self.profile = PROFILES[self.unit.printer.paper]
        self.surface = surface
        self.screens = KioskScreens(surface, self.unit.width_mm)
        self.clock = clock
        self.model = KioskModel()
        self.targets: list[tuple[pygame.Rect, Target]] = []
        self.drawn: tuple[View, int] | None = None  # what the targets belong to
        self.frames = 0
        self.scanner_present = scanner_present
        self._events: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self.beat = LoopBeat()  # systemd's watchdog follows the UI loop
        self.changed = threading.Condition()
        self._hub = HubWatch()  # the newest hub session wins
        self.link = link
        link.announce_as(
            device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["ticket", "booking"],
                self._hardware,
            )
        )
        self.commands = CommandClient(self.link, config.device_id)
        self.feedback = FeedbackSender(  # the complaint and survey screens' commands
            self.commands,
            lambda outcome: self._events.put(("feedback", outcome)),
            transport,
            self.profile,
            lambda: self.model.catalogue.site_name if self.model.catalogue else "",
            self._local_now,
        )
        self.link.subscribe(spec("hub.status"), self._incoming)
        self.link.subscribe(spec("state.catalogue"), self._incoming)
        self.link.subscribe(spec("state.service"), self._incoming)
        self._threads = [
            threading.Thread(target=self._health, name="kiosk-printer-health", daemon=True),
        ]
        self._parts: list[Any] = []  # scanner, hot-plug watcher: started/stopped with us
        self.screenshot_path: Path | None = None  # simulated hardware: the screen, saved
        self._shot_view: View | None = None
        self.identifying = identify_overlay.Identify(config.device_id, "Kios tiket antrean")
        self._identified = False

    # -- lifecycle ------------------------------------------------------------------

    def attach(self, part: Any) -> None:
        """A part that feeds the UI queue (scanner, printer hot-plug): runs with the agent."""
        self._parts.append(part)

    def start(self, wait: float | None = None) -> None:
        self.check_printer()
        self.link.start(wait=wait)
        for thread in self._threads:
            thread.start()
        for part in self._parts:
            part.start()

    def stop(self) -> None:
        """Say offline and close the printer; bounded, so a service stop takes under 2 s."""
        self._stop.set()
        self.commands.abandon()
        for part in self._parts:
            (getattr(part, "stop", None) or part.close)()
        for thread in self._threads:
            thread.join(1)
        self.link.stop()
        self.transport.close()

    def request_stop(self) -> None:
        """Ask the UI loop to return (signal handlers, the demo)."""
        self._stop.set()

    def identify(self, seconds: int) -> None:
        """The admin asked which kiosk this is: frame and banner for ``seconds`` (any thread)."""
        self._events.put(("identify", seconds))

    def run(self) -> None:
        """The UI loop (main thread on the kiosk); returns when stopped."""
        while not self._stop.is_set():
            self.beat.beat()
            started = self.clock()
            self.step()
            self._stop.wait(max(0.0, FRAME_S - (self.clock() - started)))

    # -- inputs from other threads ----------------------------------------------------

    def _incoming(self, decoded: Decoded, _properties: Any) -> None:
        self._events.put(decoded.message)

    def scanned(self, code: str) -> None:
        self._events.put(("scan", code))

    def printer_changed(self, *_args: object) -> None:
        self._events.put("printer")

    def _health(self) -> None:
        while not self._stop.wait(self.unit.health_check_s):
            self._events.put("printer")

    # -- the UI thread -------------------------------------------------------------

    def step(self) -> None:
        now = self.clock()
        for event in pygame.event.get():
            self._pygame_event(event, now)
        while True:
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                break
            self._event(item, now)
        self.model.connected = self.link.connected.is_set()
        self.model.tick(now)
        with self.changed:
            self.targets = self.screens.draw(self.model, self._local_now())
            identified = identify_overlay.draw(self.surface, self.identifying, now) is not None
            self.drawn = (self.model.shown(), self.model.page)
            self.frames += 1  # a tap posted before frame n is handled by frame n + 1
            if pygame.display.get_surface() is self.surface:
                pygame.display.flip()
            self.changed.notify_all()
        shown = self.model.shown()
        banner = identified != self._identified  # the identify banner came or went
        self._identified = identified
        if self.screenshot_path is not None and (shown is not self._shot_view or banner):
            self._shot_view = shown  # once per screen the citizen sees, not every frame
            save_png(self.surface, self.screenshot_path)
        if banner:  # after the screenshot: a reader of this line finds the banner saved
            log.info(
                "identify: %s", " · ".join(self.identifying.lines()) if identified else "ended"
            )

    def _pygame_event(self, event: pygame.event.Event, now: float) -> None:
        if event.type == pygame.FINGERUP:
            width, height = self.surface.get_size()
            self._tap((int(event.x * width), int(event.y * height)), now)
        elif event.type == pygame.MOUSEBUTTONUP and not getattr(event, "touch", False):
            self._tap(event.pos, now)  # a mouse on a desktop; touches come as FINGER events
        elif event.type == pygame.QUIT:
            self._stop.set()

    def _tap(self, position: tuple[int, int], now: float) -> None:
        for rect, target in self.targets:
            if rect.collidepoint(position):
                self._intent(self.model.tap(target, now))
                return

    def _event(self, item: object, now: float) -> None:
        if isinstance(item, HubStatus):
            self.model.hub_online = self._hub.update(item)
            if self._hub.restarted:
                self.link.update_presence()  # a live birth: the new hub learns our clock
        elif isinstance(item, Catalogue):
            self.model.catalogue = item
        elif isinstance(item, ServiceStatus):
            self.model.services[item.service] = item
        elif item == "printer":
            self.check_printer()
        elif isinstance(item, tuple) and item[0] == "scan":
            self._intent(self.model.scanned(item[1], now))
        elif isinstance(item, tuple) and item[0] == "printed":
            self.model.printed(item[1], now)
        elif isinstance(item, tuple) and item[0] == "failed":
            self.model.failed(item[1], now, *item[2:])
        elif isinstance(item, tuple) and item[0] == "identify":
            self.identifying.start(float(item[1]), now)
        elif isinstance(item, tuple) and item[0] == "feedback":
            item[1](self.model, now)  # a complaint's or survey's outcome (feedback_agent.py)

    def check_printer(self) -> None:
        status = self.transport.status()
        if status is not self.model.printer:
            log.info("printer %s: %s", self.transport.name, status.value)
            self.model.printer = status
            self.link.update_presence()

    def _intent(self, intent: Intent | None) -> None:
        if isinstance(intent, SendComplaint | CheckSurveyTicket | SendSurvey):
            threading.Thread(
                target=self.feedback.run, args=(intent,), name="kiosk-feedback", daemon=True
            ).start()
        elif intent is not None:
            threading.Thread(
                target=self._issue, args=(intent,), name="kiosk-issue", daemon=True
            ).start()

    # -- issuing (worker thread) ---------------------------------------------------

    def _issue(self, intent: Intent) -> None:
        if isinstance(intent, Issue):
            command = self.commands.build(
                TicketReserve, expires_in=5, service=intent.service, category=intent.category
            )
        else:
            assert isinstance(intent, CheckIn)
            command = self.commands.build(BookingCheckIn, expires_in=5, booking_code=intent.code)
        reply = self.commands.request_until(command, time.monotonic() + ANSWER_S)
        if reply is None:
            self._events.put(("failed", NO_ANSWER))
            return
        if not reply.ok or reply.ticket is None:
            code = reply.error.code if reply.error else None
            checked_in = isinstance(intent, CheckIn)
            sentence = refusal(
                code,
                checked_in,
                reply.error,
                now=self._local_now(),
                returning=isinstance(intent, CheckIn) and is_ticket_id(intent.code),
            )
            self._events.put(
                ("failed", sentence, hint(code, checked_in), retypable(code, checked_in))
            )
            return
        ticket = reply.ticket
        try:
            data = render_ticket(self._content(ticket, intent), self.profile)
            self.transport.write(data)
        except PrinterError as error:
            log.warning("ticket %s not printed: %s", ticket.number, error)
            self._events.put("printer")
            self._confirm(TicketPrintFailed, ticket, reason=str(error)[:200])
            self._events.put(("failed", PRINT_FAILED))
            return
        self._events.put(("printed", ticket))
        self._confirm(TicketPrinted, ticket)

    def _confirm(
        self,
        model: type[TicketPrinted] | type[TicketPrintFailed],
        ticket: TicketView,
        **fields: str,
    ) -> Reply | None:
        command = self.commands.build(model, ticket_id=ticket.ticket_id, **fields)
        deadline = time.monotonic() + CONFIRM_FOR_S
        reply = self.commands.request_until(command, deadline)
        if reply is None:
            log.error("%s for %s never answered", model.message_type(), ticket.number)
        return reply

    def reprint(self, ticket: TicketView) -> None:
        """Print a ticket again, as the admin asked (a citizen lost theirs); any thread."""
        try:
            self.transport.write(render_ticket(self._content(ticket, None), self.profile))
        except PrinterError as error:
            log.warning("reprint of %s failed: %s", ticket.number, error)
            self._events.put("printer")
            return
        log.info("ticket %s reprinted", ticket.number)

    def _content(self, ticket: TicketView, intent: Intent | None) -> TicketContent:
        catalogue = self.model.catalogue
        zone = ZoneInfo(catalogue.timezone if catalogue else "Asia/Jakarta")
        return TicketContent(
            site_name=catalogue.site_name if catalogue else "Mal Pelayanan Publik",
            agency_name=ticket.agency_name,
            number=ticket.number,
            service_name=ticket.service_name,
            priority=ticket.category is PriorityCategory.PRIORITY,
            issued_at=ticket.issued_at.astimezone(zone).replace(tzinfo=None),
            people_ahead=ticket.people_ahead,
            estimated_wait_min=ticket.estimated_wait_min,
            ticket_id=ticket.ticket_id,
            booking_code=intent.code if isinstance(intent, CheckIn) else None,
            waiting_area=self._waiting_area(ticket.service),
            qr_url=catalogue.ticket_url if catalogue else None,
        )

    def _waiting_area(self, service_code: str) -> str | None:
        catalogue = self.model.catalogue
        if catalogue is None:
            return None
        service = next((s for s in catalogue.services if s.code == service_code), None)
        agency = next((a for a in catalogue.agencies if service and a.code == service.agency), None)
        return agency.waiting_area if agency else None

    def _local_now(self) -> datetime:
        zone = ZoneInfo(self.model.catalogue.timezone if self.model.catalogue else "Asia/Jakarta")
        return wall_now().astimezone(zone)

    def _hardware(self) -> dict[str, ComponentState]:
        health, detail = PRINTER_HEALTH[self.model.printer]
        return {
            "printer": ComponentState(health=health, detail=detail),
            "screen": ComponentState(health=HardwareHealth.OK),
            "scanner": ComponentState(
                health=HardwareHealth.OK if self.scanner_present else HardwareHealth.ABSENT
            ),
        }

    # -- for tests and the demo ------------------------------------------------------

    def wait_for(self, predicate: Callable[[KioskModel], bool], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.model), timeout)

    def target(self, *target: str) -> pygame.Rect:
        with self.changed:
            for rect, candidate in self.targets:
                if candidate == target:
                    return rect
        raise LookupError(f"no {target} on screen")

    def reveal(self, *target: str, timeout: float = 10.0) -> None:
        """Wait until ``target`` is drawn, paging forward through a list as a person would.

        LookupError if it never appears (not on this screen, or not tappable).
        """
        deadline = time.monotonic() + timeout
        next_page = ("page", "next")

        def shown(wanted: tuple[str, ...]) -> bool:
            return any(candidate == wanted for _, candidate in self.targets)

        def settled() -> bool:  # the frame drawn is the model's screen and page
            return self.drawn == (self.model.shown(), self.model.page)

        with self.changed:
            while True:
                left = deadline - time.monotonic()
                if not self.changed.wait_for(lambda: shown(target) or settled(), max(0.0, left)):
                    raise LookupError(f"no {target} on screen")
                if shown(target):
                    return
                if not shown(next_page):
                    raise LookupError(f"no {target} on screen")
                page = self.model.page
                self.touch(*next_page)
                self.changed.wait_for(
                    lambda page=page: self.drawn is not None and self.drawn[1] != page,
                    max(0.0, deadline - time.monotonic()),
                )

    def touch(self, *target: str) -> None:
        """Post a finger tap on ``target`` as the touch screen would."""
        rect = self.target(*target)
        width, height = self.surface.get_size()
        x, y = rect.centerx / width, rect.centery / height
        for kind in (pygame.FINGERDOWN, pygame.FINGERUP):
            pygame.event.post(
                pygame.event.Event(
                    kind, x=x, y=y, dx=0.0, dy=0.0, touch_id=1, finger_id=0, pressure=1.0
                )
            )
