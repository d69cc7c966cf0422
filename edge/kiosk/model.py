"""The kiosk's screens as a state machine: pure logic, no pygame, no MQTT.

Text is in Bahasa Indonesia. A tap returns an *intent* (issue a ticket,
check in a booking) for the agent to carry out; everything else is a screen
change. The kiosk issues nothing while the hub is unreachable or the printer
cannot print: it says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from edge.kiosk.feedback import Feedback, FeedbackIntent
from edge.kiosk.reasons import RETRY_HINT
from edge.printer.transport import PrinterStatus
from protocol.models import Catalogue, PriorityCategory, ServiceStatus, TicketView
from protocol.models.fields import ticket_id_in

IDLE_TIMEOUT_S = 30.0
DONE_S = 6.0
ERROR_S = 8.0
# The code keypad in three groups, each small enough for keys of at least 15 mm
# on a 7" screen; the digits stay together, in telephone order.
KEYPAD = {
    "123": tuple("123456789-0"),
    "A–M": tuple("ABCDEFGHIJKLM"),
    "N–Z": tuple("NOPQRSTUVWXYZ"),
}
BOOKING_KEYS = tuple(key for keys in KEYPAD.values() for key in keys)


class View(StrEnum):
    WELCOME = "welcome"
    AGENCIES = "agencies"
    SERVICES = "services"
    CATEGORY = "category"
    BOOKING = "booking"
    PRINTING = "printing"
    DONE = "done"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    # complaints and the survey (edge/kiosk/feedback_flow.py)
    FEEDBACK_MENU = "feedback"  # a 7" panel: complaint or survey
    COMPLAINT_CATEGORY = "complaint-category"
    COMPLAINT_TEXT = "complaint-text"
    COMPLAINT_CONTACT = "complaint-contact"
    COMPLAINT_TICKET = "complaint-ticket"
    COMPLAINT_DONE = "complaint-done"
    SURVEY_TICKET = "survey-ticket"
    SURVEY_QUESTION = "survey-question"
    SURVEY_DONE = "survey-done"
    SENDING = "sending"


Target = tuple[str, ...]


@dataclass(frozen=True)
class Issue:
    service: str
    category: PriorityCategory


@dataclass(frozen=True)
class CheckIn:
    code: str


Intent = Issue | CheckIn | FeedbackIntent
PRINTER_FREE = frozenset(  # complaints and the survey go on while the printer is out
    {
        View.COMPLAINT_CATEGORY,
        View.COMPLAINT_TEXT,
        View.COMPLAINT_CONTACT,
        View.COMPLAINT_TICKET,
        View.SURVEY_TICKET,
        View.SURVEY_QUESTION,
    }
)
BUSY = (View.PRINTING, View.SENDING)  # nothing to tap while the hub is asked
TIMED = (View.DONE, View.ERROR, View.COMPLAINT_DONE, View.SURVEY_DONE)  # go home by themselves


@dataclass
class KioskModel:
    view: View = View.WELCOME
    agency: str | None = None
    service: str | None = None
    code: str = ""
    message: str = ""
    hint: str = RETRY_HINT  # the error screen's second line (reasons.hint)
    retype: bool = False  # the error screen offers the keypad again with the code (reasons)
    ticket: TicketView | None = None
    until: float = 0.0
    last_touch: float = 0.0
    catalogue: Catalogue | None = None
    services: dict[str, ServiceStatus] = field(default_factory=dict)
    connected: bool = False
    hub_online: bool = False
    printer: PrinterStatus = PrinterStatus.UNKNOWN
    page: int = 0  # of a list longer than the screen (agencies, services)
    pages_left: dict[View, int] = field(default_factory=dict)  # Kembali returns to the page
    keypad: str = "123"  # the group of keys shown on the code keypad
    feedback: Feedback = field(default_factory=Feedback)  # complaint or survey being entered

    def unavailable_reason(self) -> str | None:
        """Why no ticket can be issued now, in words for the citizen; None when ready."""
        if not (self.connected and self.hub_online):
            return "Sistem antrean sedang tidak terhubung."
        if not self.printer.can_print:
            return (
                "Kertas tiket habis."
                if self.printer is PrinterStatus.PAPER_OUT
                else "Printer tiket sedang bermasalah."
            )
        if self.catalogue is None:
            return "Menyiapkan daftar layanan…"
        return None

    def shown(self) -> View:
        """The view on screen: UNAVAILABLE overrides the idle screens — but not a
        complaint or survey while only the printer is out (they need the hub alone)."""
        busy = self.view in (*BUSY, *TIMED)
        if not busy and self.unavailable_reason() is not None:
            if self.view in PRINTER_FREE and self.hub_reachable():
                return self.view
            return View.UNAVAILABLE
        return self.view

    def hub_reachable(self) -> bool:
        return self.connected and self.hub_online and self.catalogue is not None

    def service_status(self, code: str) -> ServiceStatus | None:
        return self.services.get(code)

    def accepting(self, code: str) -> bool:
        """Whether a ticket for ``code`` can be taken now (closed services are not tappable)."""
        status = self.services.get(code)
        return status is not None and status.accepting

    def tap(self, target: Target, now: float) -> Intent | None:
        self.last_touch = now
        kind = target[0]
        view = self.shown()
        printer_free = kind in ("complaint", "survey") and self.hub_reachable()
        if (view is View.UNAVAILABLE and not printer_free) or view in BUSY:
            return None
        before = self.view
        from edge.kiosk import feedback_flow  # its screens' taps (it imports this module)

        if feedback_flow.handles(self, kind):
            return feedback_flow.tap(self, target, now)
        if kind == "back":
            self._back()
        elif kind == "start":
            self.view = View.AGENCIES
        elif kind == "booking":
            self.view, self.code, self.keypad = View.BOOKING, "", "123"
        elif kind == "agency":
            self.view, self.agency = View.SERVICES, target[1]
        elif kind in ("service", "shortcut"):
            if self.accepting(target[1]):
                self.view, self.service = View.CATEGORY, target[1]
                if kind == "shortcut" and self.catalogue is not None:
                    self.agency = next(
                        (s.agency for s in self.catalogue.services if s.code == target[1]), None
                    )
        elif kind == "page":
            self.page = max(0, self.page + (1 if target[1] == "next" else -1))
        elif kind == "keypad" and target[1] in KEYPAD:
            self.keypad = target[1]
        elif kind == "category" and self.service is not None:
            self.view = View.PRINTING
            return Issue(self.service, PriorityCategory(target[1]))
        elif kind == "key" and len(self.code) < 20:
            self.code += target[1]
        elif kind == "delete":
            self.code = self.code[:-1]
        elif kind == "ok" and len(self.code) >= 4:
            self.view = View.PRINTING
            return CheckIn(self.code)
        elif kind == "retype" and self.view is View.ERROR and self.retype:
            self.view, self.keypad = View.BOOKING, "123"  # the code as typed, to correct
        elif kind == "home":
            self.reset()
        if self.view is not before:
            self.pages_left[before] = self.page
            self.page = self.pages_left.get(self.view, 0) if kind == "back" else 0
        return None

    def scanned(self, code: str, now: float) -> Intent | None:
        """A booking code from the scanner: checked in from any idle screen. A ticket's own
        QR (a return ticket brought back the next morning) checks in by its ticket id."""
        self.last_touch = now
        if self.shown() in (View.UNAVAILABLE, *BUSY):
            return None
        from edge.kiosk import feedback_flow

        if feedback_flow.scanned(self, code):  # a ticket's QR on a ticket-number screen
            return None
        self.code = ticket_id_in(code) or code
        self.view = View.PRINTING
        return CheckIn(code)

    def printed(self, ticket: TicketView, now: float) -> None:
        self.view, self.ticket, self.until = View.DONE, ticket, now + DONE_S

    def failed(
        self, message: str, now: float, hint: str = RETRY_HINT, retype: bool = False
    ) -> None:
        self.view, self.message, self.until = View.ERROR, message, now + ERROR_S
        self.hint, self.retype = hint, retype

    def tick(self, now: float) -> None:
        if (self.view in TIMED and now >= self.until) or (
            self.view not in (View.WELCOME, *BUSY) and (now - self.last_touch >= IDLE_TIMEOUT_S)
        ):
            self.reset()

    def reset(self) -> None:
        self.view, self.agency, self.service, self.code = View.WELCOME, None, None, ""
        self.ticket, self.page, self.keypad, self.retype = None, 0, "123", False
        self.feedback = Feedback()
        self.pages_left.clear()

    def _back(self) -> None:
        back = {
            View.AGENCIES: View.WELCOME,
            View.SERVICES: View.AGENCIES,
            View.CATEGORY: View.SERVICES,
            View.BOOKING: View.WELCOME,
        }
        self.view = back.get(self.view, View.WELCOME)
