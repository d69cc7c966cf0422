"""The complaint and survey journeys as pure logic (edge/kiosk/feedback*.py): what each
tap leads to and what the kiosk then sends."""

from __future__ import annotations

from edge.kiosk.feedback import (
    QUESTIONS,
    TEXT_MAX,
    CheckSurveyTicket,
    SendComplaint,
    SendSurvey,
    ticket_number,
    typed,
)
from edge.kiosk.feedback_flow import complaint_recorded, correct_ticket, survey_ticket_ready
from edge.kiosk.model import KioskModel, View
from edge.printer.transport import PrinterStatus
from protocol.models import ComplaintCategory, PriorityCategory, TicketState, TicketView
from tests.kiosk_fixtures import service_states, site_catalogue
from tests.kiosk_render import NOW


def _kiosk() -> KioskModel:
    catalogue = site_catalogue()
    return KioskModel(
        catalogue=catalogue,
        services=service_states(catalogue),
        connected=True,
        hub_online=True,
        printer=PrinterStatus.OK,
    )


def _type(model: KioskModel, text: str) -> None:
    for char in text:
        if char == " ":
            model.tap(("space",), 0.0)
        else:
            model.tap(("char", char.upper()), 0.0)


def test_sentence_case_and_single_spaces() -> None:
    text = ""
    for key in "ANTREAN LAMA.  MOHON DITAMBAH":
        text = typed(text, key)
    assert text == "Antrean lama. Mohon ditambah"


def test_ticket_numbers_are_read_as_the_hub_writes_them() -> None:
    assert ticket_number("a012") == "A-012"
    assert ticket_number("A-0123") == "A-0123"
    assert (
        ticket_number("https://mpp.lampungtimurkab.go.id/antrean/20261123-A-012")
        == "20261123-A-012"
    )
    assert ticket_number("012") is None and ticket_number("A-1") is None


def test_a_complaint_from_category_to_what_is_sent() -> None:
    model = _kiosk()
    model.tap(("complaint",), 0.0)
    assert model.view is View.COMPLAINT_CATEGORY
    model.tap(("complaint-category", "saran"), 0.0)
    _type(model, "Tambah")
    model.tap(("next",), 0.0)
    assert model.view is View.COMPLAINT_TEXT, "too short to go on"
    _type(model, " kursi")
    model.tap(("delete",), 0.0)
    model.tap(("next",), 0.0)
    assert model.view is View.COMPLAINT_CONTACT
    for digit in "0812":
        model.tap(("key", digit), 0.0)
    model.tap(("next",), 0.0)
    assert model.view is View.COMPLAINT_CONTACT, "a phone number of 4 digits is no number"
    for digit in "34567890":
        model.tap(("key", digit), 0.0)
    model.tap(("next",), 0.0)
    assert model.view is View.COMPLAINT_TICKET
    model.tap(("back",), 0.0)
    assert model.view is View.COMPLAINT_CONTACT and model.feedback.contact == "081234567890"
    model.tap(("next",), 0.0)
    for key in "B012":
        model.tap(("key", key), 0.0)
    intent = model.tap(("send",), 0.0)
    assert intent == SendComplaint(ComplaintCategory.SARAN, "Tambah kurs", "081234567890", "B-012")
    assert model.shown() is View.SENDING
    assert model.tap(("back",), 0.0) is None and model.view is View.SENDING, "nothing to tap"
    correct_ticket(model, False, "Nomor tiket tidak ditemukan.")
    assert model.view is View.COMPLAINT_TICKET and model.feedback.text == "Tambah kurs"
    model.tap(("send",), 0.0)
    complaint_recorded(model, "PGD-20261123-004", True, 10.0)
    assert model.view is View.COMPLAINT_DONE
    model.tick(10.0 + 31)
    assert model.view is View.WELCOME and model.feedback.text == "", (
        "forgotten for the next citizen"
    )


def test_the_text_stops_at_its_limit() -> None:
    model = _kiosk()
    model.tap(("complaint",), 0.0)
    model.tap(("complaint-category", "pengaduan"), 0.0)
    _type(model, "A" * (TEXT_MAX + 20))
    assert len(model.feedback.text) == TEXT_MAX


def test_a_scanned_ticket_fills_the_number_and_a_booking_code_does_not() -> None:
    model = _kiosk()
    model.tap(("survey",), 0.0)
    assert model.scanned("https://mpp.lampungtimurkab.go.id/antrean/20261123-A-012", 0.0) is None
    assert model.feedback.ticket == "20261123-A-012"
    assert model.tap(("next",), 0.0) == CheckSurveyTicket("20261123-A-012")


def test_a_survey_with_skipped_questions_and_a_change_of_mind() -> None:
    model = _kiosk()
    model.tap(("survey",), 0.0)
    for key in "A012":
        model.tap(("key", key), 0.0)
    model.tap(("next",), 0.0)
    ticket = TicketView(
        ticket_id="20261123-A-012",
        number="A-012",
        service="DUK-KTP",
        service_name="Perekaman KTP-el",
        agency_name="Disdukcapil",
        category=PriorityCategory.REGULAR,
        state=TicketState.DONE,
        issued_at=NOW,
        people_ahead=0,
        estimated_wait_min=0,
    )
    survey_ticket_ready(model, ticket)
    assert model.view is View.SURVEY_QUESTION
    model.tap(("answer", "1"), 0.0)
    model.tap(("back",), 0.0)  # the citizen meant better
    model.tap(("answer", "3"), 0.0)
    intent = None
    for index in range(1, len(QUESTIONS)):
        intent = model.tap(("skip",) if index == 2 else ("answer", "4"), 0.0)
    assert intent == SendSurvey("20261123-A-012", (3, 4, None, 4, 4, 4, 4, 4, 4))


def test_a_survey_with_nothing_answered_sends_nothing() -> None:
    model = _kiosk()
    model.tap(("survey",), 0.0)
    model.feedback.ticket = "A-012"
    model.tap(("next",), 0.0)
    survey_ticket_ready(
        model, TicketView.model_construct(ticket_id="20261123-A-012", service_name="x")
    )
    results = [model.tap(("skip",), 0.0) for _ in QUESTIONS]
    assert results == [None] * len(QUESTIONS) and model.view is View.WELCOME


def test_on_a_7_inch_panel_kembali_returns_to_the_menu() -> None:
    model = _kiosk()
    model.tap(("feedback",), 0.0)
    assert model.view is View.FEEDBACK_MENU
    model.tap(("complaint",), 0.0)
    model.tap(("back",), 0.0)
    assert model.view is View.FEEDBACK_MENU
    model.tap(("back",), 0.0)
    assert model.view is View.WELCOME


def test_with_the_paper_out_complaints_and_the_survey_go_on_but_not_without_the_hub() -> None:
    model = _kiosk()
    model.printer = PrinterStatus.PAPER_OUT
    assert model.shown() is View.UNAVAILABLE
    model.tap(("complaint",), 0.0)
    assert model.shown() is View.COMPLAINT_CATEGORY
    model.tap(("back",), 0.0)
    assert model.shown() is View.UNAVAILABLE
    model.hub_online = False
    model.tap(("survey",), 0.0)
    assert model.shown() is View.UNAVAILABLE and model.view is View.WELCOME
