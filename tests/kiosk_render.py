"""Every kiosk screen drawn headless, with a record of each text drawn and what lies under it.

Shared by the screen tests (sizes, contrast, touch targets, reference
screenshots) and the glossary test (the words citizens actually see).
Before each text is drawn, the colours under its lines are sampled from the
surface, so contrast is measured against the real background (tiles,
buttons, greyed rows), not against what a screen intended to draw.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pygame

import edge.kiosk.screens as screens_module
from edge.kiosk.feedback import COMPLAINT_TICKET_UNKNOWN
from edge.kiosk.metrics import Metrics
from edge.kiosk.model import KioskModel, View
from edge.kiosk.reasons import PRINT_FAILED, hint, refusal, retypable
from edge.kiosk.screens import KioskScreens
from edge.printer.transport import PrinterStatus
from edge.text_fit import Fitted
from protocol.errors import ErrorCode
from protocol.models import (
    ComplaintCategory,
    PriorityCategory,
    ReplyError,
    TicketState,
    TicketView,
)
from tests.kiosk_fixtures import RESOLUTIONS, TOMORROW_0730, service_states, site_catalogue

NOW = datetime(2026, 11, 23, 8, 15, tzinfo=ZoneInfo("Asia/Jakarta"))  # local, as the agent draws
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Drawn:
    """One text as drawn: its words, the lines and size it got, its ink, what is under it."""

    text: str
    box: pygame.Rect
    fitted: Fitted
    ink: RGB
    under: frozenset[RGB]
    lines: tuple[pygame.Rect, ...]  # where each line landed

    def shortened(self) -> bool:
        return " ".join(" ".join(self.fitted.lines).split()) != " ".join(self.text.split())


@dataclass
class Rendered:
    surface: pygame.Surface
    targets: list[tuple[pygame.Rect, tuple[str, ...]]]
    drawn: list[Drawn]
    titles: list[str]
    metrics: Metrics


def _ticket(people_ahead: int = 4, wait: int = 18) -> TicketView:
    return TicketView(
        ticket_id="20261123-L-012",
        number="L-012",
        service="PA-PRODUK",
        service_name="Informasi dan Pengambilan Produk Pengadilan (Akta Cerai, Salinan Putusan)",
        agency_name="Pengadilan Agama Kabupaten Lampung Timur",
        category=PriorityCategory.REGULAR,
        state=TicketState.RESERVED,
        issued_at=NOW,
        people_ahead=people_ahead,
        estimated_wait_min=wait,
    )


def model_for(case: str) -> KioskModel:
    """The model behind each screen a citizen can meet (the longest real names included)."""
    cat = site_catalogue()
    model = KioskModel(
        catalogue=cat,
        services=service_states(cat),
        connected=True,
        hub_online=True,
        printer=PrinterStatus.OK,
        agency="DUKCAPIL",
        service="DUK-KK",
        code="BK-7F3A9",
    )
    model.ticket = _ticket()
    views = {
        "welcome": View.WELCOME,
        "agencies": View.AGENCIES,
        "agencies-last-page": View.AGENCIES,
        "services": View.SERVICES,
        "services-longest-names": View.SERVICES,
        "services-quiet-and-busy": View.SERVICES,
        "category": View.CATEGORY,
        "booking": View.BOOKING,
        "booking-letters": View.BOOKING,
        "printing": View.PRINTING,
        "done": View.DONE,
        "done-nobody-ahead": View.DONE,
        "print-failed": View.ERROR,
        "refused": View.ERROR,
        "booking-forged": View.ERROR,
        "booking-slot-passed": View.ERROR,
        "booking-other-day": View.ERROR,
        "offline": View.WELCOME,
        "paper-out": View.SERVICES,
        "feedback-menu": View.FEEDBACK_MENU,
        "complaint-category": View.COMPLAINT_CATEGORY,
        "complaint-text": View.COMPLAINT_TEXT,
        "complaint-text-long": View.COMPLAINT_TEXT,
        "complaint-text-empty": View.COMPLAINT_TEXT,
        "complaint-contact": View.COMPLAINT_CONTACT,
        "complaint-ticket": View.COMPLAINT_TICKET,
        "complaint-ticket-unknown": View.COMPLAINT_TICKET,
        "complaint-done": View.COMPLAINT_DONE,
        "survey-ticket": View.SURVEY_TICKET,
        "survey-question": View.SURVEY_QUESTION,
        "survey-question-longest": View.SURVEY_QUESTION,
        "survey-done": View.SURVEY_DONE,
        "sending": View.SENDING,
    }
    model.view = views[case]
    if case == "agencies-last-page":
        model.page = 99  # clamped to the last page by the screen
    elif case == "services-longest-names":
        model.agency = "PA"
    elif case == "services-quiet-and-busy":  # every way of saying people ahead and the wait
        for code, waiting, minutes in (
            ("DUK-KTP", 0, 0),
            ("DUK-KK", 1, 3),
            ("DUK-AKTA", 0, 12),
            ("DUK-PINDAH", 124, 245),
            ("DUK-KIA", 1, 5),
        ):
            model.services[code] = model.services[code].model_copy(
                update={
                    "waiting": waiting,
                    "estimated_wait_min": minutes,
                    "accepting": True,
                    "reason": None,
                    "reason_code": None,
                    "reopens_at": None,
                }
            )
    elif case == "booking-letters":
        model.keypad = "N–Z"
    elif case == "done-nobody-ahead":
        model.ticket = _ticket(people_ahead=0, wait=2)
    elif case == "print-failed":
        model.message = PRINT_FAILED
    elif case == "refused":
        full = ReplyError(code=ErrorCode.QUOTA_FULL, message="full", next_open_at=TOMORROW_0730)
        model.message = refusal(ErrorCode.QUOTA_FULL, error=full, now=NOW)
        model.hint = hint(ErrorCode.QUOTA_FULL)
    elif case == "booking-forged":  # a made-up or altered booking code
        model.failed(refusal(ErrorCode.FORGED_BOOKING, booking=True), 0.0,
                     hint(ErrorCode.FORGED_BOOKING, booking=True),
                     retypable(ErrorCode.FORGED_BOOKING, booking=True))  # fmt: skip
    elif case == "booking-slot-passed":  # slot 07.30, the late allowance past at 07.45
        model.hint = hint(ErrorCode.BOOKING_SLOT_PASSED, booking=True)
        model.message = refusal(
            ErrorCode.BOOKING_SLOT_PASSED,
            booking=True,
            error=_booking_error(ErrorCode.BOOKING_SLOT_PASSED, NOW.replace(hour=7, minute=30)),
            now=NOW,
        )
    elif case == "booking-other-day":  # a Wednesday booking brought on Monday
        wednesday = NOW.replace(day=25, hour=9, minute=30)
        model.hint = hint(ErrorCode.EXPIRED, booking=True)
        model.message = refusal(
            ErrorCode.EXPIRED,
            booking=True,
            error=_booking_error(ErrorCode.EXPIRED, wednesday),
            now=NOW,
        )
    elif case == "offline":
        model.hub_online = False
    elif case == "paper-out":
        model.printer = PrinterStatus.PAPER_OUT
    _feedback(case, model)
    return model


def _booking_error(code: ErrorCode, slot: datetime) -> ReplyError:
    return ReplyError(code=code, message="refused", booking_slot_at=slot)


def _feedback(case: str, model: KioskModel) -> None:
    """The complaint and survey screens, with what a citizen would have entered."""
    form = model.feedback
    form.category = ComplaintCategory.PENGADUAN
    form.text = "Antrean KTP-el lama sekali, hanya satu loket yang buka. Mohon ditambah"
    form.contact = "081234567890"
    form.ticket = "A-012"
    if case == "complaint-text-long":  # more than the field shows: its end, after "…"
        form.category, form.keys = ComplaintCategory.SARAN, "N–Z"
        form.text = " ".join(["Mohon disediakan ruang laktasi dan kursi roda di lantai dua."] * 6)
    elif case == "complaint-text-empty":
        form.text, form.keys = "", "123"
    elif case == "complaint-ticket":
        model.keypad = "A–M"
    elif case == "complaint-ticket-unknown":
        form.ticket, form.notice = "Z-999", COMPLAINT_TICKET_UNKNOWN
    elif case == "complaint-done":
        form.complaint_id, form.slip_printed = "PGD-20261123-004", True
    elif case == "survey-ticket":
        form.ticket = "L-01"
    elif case == "survey-question":
        form.question, form.service_name = 0, "Perekaman KTP-el"
    elif case == "survey-question-longest":  # the longest question and answers
        form.question, form.answers[7] = 7, 3


CASES = (
    "welcome",
    "agencies",
    "agencies-last-page",
    "services",
    "services-longest-names",
    "services-quiet-and-busy",
    "category",
    "booking",
    "booking-letters",
    "printing",
    "done",
    "done-nobody-ahead",
    "print-failed",
    "refused",
    "booking-forged",
    "booking-slot-passed",
    "booking-other-day",
    "offline",
    "paper-out",
    "feedback-menu",
    "complaint-category",
    "complaint-text",
    "complaint-text-long",
    "complaint-text-empty",
    "complaint-contact",
    "complaint-ticket",
    "complaint-ticket-unknown",
    "complaint-done",
    "survey-ticket",
    "survey-question",
    "survey-question-longest",
    "survey-done",
    "sending",
)


def _line_boxes(fitted: Fitted, box: pygame.Rect, align: str) -> list[pygame.Rect]:
    """Where :func:`edge.text_fit.draw` puts each line (same arithmetic)."""
    face = fitted.font
    line_height = face.get_linesize()
    top = box.top + (box.height - fitted.height()) // 2
    boxes = []
    for index, line in enumerate(fitted.lines):
        width = face.size(line)[0]
        x = box.left if align == "left" else box.centerx - width // 2
        boxes.append(pygame.Rect(x, top + index * line_height, width, line_height))
    return boxes


def _under(surface: pygame.Surface, lines: list[pygame.Rect]) -> frozenset[RGB]:
    bounds = surface.get_rect()
    colours = set()
    for line in lines:
        for fx in (0.02, 0.25, 0.5, 0.75, 0.98):
            for fy in (0.2, 0.5, 0.8):
                point = (line.left + int(line.width * fx), line.top + int(line.height * fy))
                if bounds.collidepoint(point):
                    colours.add(tuple(surface.get_at(point))[:3])
    return frozenset(colours)  # type: ignore[arg-type]


@contextlib.contextmanager
def recording() -> Iterator[list[Drawn]]:
    """Record every text the kiosk screens draw while the block runs."""
    drawn: list[Drawn] = []
    real = screens_module.draw_text

    def draw_text(
        surface: pygame.Surface,
        text: str,
        box: pygame.Rect,
        size: int,
        colour: RGB,
        bold: bool = False,
        align: str = "center",
        minimum: int = 12,
    ) -> Fitted:
        from edge.text_fit import fit

        fitted = fit(text, box, size, bold, minimum)
        lines = _line_boxes(fitted, box, align)
        under = _under(surface, lines)
        real(surface, text, box, size, colour, bold, align, minimum)
        drawn.append(Drawn(text, box.copy(), fitted, colour, under, tuple(lines)))
        return fitted

    screens_module.draw_text = draw_text  # type: ignore[assignment]
    try:
        yield drawn
    finally:
        screens_module.draw_text = real


@functools.cache
def render(case: str, resolution: str) -> Rendered:
    """Drawn once per test session (the checks only read it)."""
    size = RESOLUTIONS[resolution]
    surface = pygame.Surface(size)
    screens = KioskScreens(surface)
    with recording() as drawn:
        targets = screens.draw(model_for(case), NOW)
    return Rendered(surface, targets, drawn, list(screens.titles), screens.m)
