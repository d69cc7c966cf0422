"""Taps on the complaint and survey screens: which screen comes next, and what to send.

The rest of the kiosk's taps are :meth:`edge.kiosk.model.KioskModel.tap`'s;
it hands every tap on these screens (and the two ways in from the welcome
screen) to :func:`tap` here, so the two journeys live in their own modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.kiosk.feedback import (
    COMPLAINT_DONE_S,
    NOT_A_TICKET,
    PHONE_KEYS,
    PHONE_MAX,
    QUESTIONS,
    SURVEY_DONE_S,
    TEXT_KEYS,
    TEXT_MAX,
    CheckSurveyTicket,
    Feedback,
    FeedbackIntent,
    SendSurvey,
    ticket_number,
    typed,
)
from edge.kiosk.model import KEYPAD, View
from protocol.models import ComplaintCategory, TicketView

if TYPE_CHECKING:
    from edge.kiosk.model import KioskModel, Target

FEEDBACK_VIEWS = frozenset(
    {
        View.FEEDBACK_MENU,
        View.COMPLAINT_CATEGORY,
        View.COMPLAINT_TEXT,
        View.COMPLAINT_CONTACT,
        View.COMPLAINT_TICKET,
        View.COMPLAINT_DONE,
        View.SURVEY_TICKET,
        View.SURVEY_QUESTION,
        View.SURVEY_DONE,
    }
)
TICKET_MAX = 24  # a typed number, or the id a scanned QR carries
BACK = {
    View.COMPLAINT_CATEGORY: View.WELCOME,
    View.COMPLAINT_TEXT: View.COMPLAINT_CATEGORY,
    View.COMPLAINT_CONTACT: View.COMPLAINT_TEXT,
    View.COMPLAINT_TICKET: View.COMPLAINT_CONTACT,
    View.SURVEY_TICKET: View.WELCOME,
}


def handles(model: KioskModel, kind: str) -> bool:
    return kind in ("feedback", "complaint", "survey") or model.view in FEEDBACK_VIEWS


def tap(model: KioskModel, target: Target, now: float) -> FeedbackIntent | None:
    kind, form = target[0], model.feedback
    view = model.view
    menu = view is View.FEEDBACK_MENU
    if kind == "feedback":
        model.view = View.FEEDBACK_MENU
    elif kind == "complaint":
        model.feedback = Feedback(menu=menu)
        model.view = View.COMPLAINT_CATEGORY
    elif kind == "survey":
        model.feedback = Feedback(menu=menu)
        model.keypad = "123"
        model.view = View.SURVEY_TICKET
    elif kind == "home":
        model.reset()
    elif kind == "back":
        _back(model)
    elif view is View.COMPLAINT_CATEGORY and kind == "complaint-category":
        form.category = ComplaintCategory(target[1])
        model.view = View.COMPLAINT_TEXT
    elif view is View.COMPLAINT_TEXT:
        _text_key(form, target)
        if kind == "next" and form.text_ready():
            model.view = View.COMPLAINT_CONTACT
    elif view is View.COMPLAINT_CONTACT:
        if kind == "key" and target[1] in PHONE_KEYS and len(form.contact) < PHONE_MAX:
            form.contact += target[1]
        elif kind == "delete":
            form.contact = form.contact[:-1]
        elif kind == "next" and form.contact_ready():
            model.keypad = "123"
            model.view = View.COMPLAINT_TICKET
    elif view in (View.COMPLAINT_TICKET, View.SURVEY_TICKET):
        return _ticket_key(model, form, target)
    elif view is View.SURVEY_QUESTION and kind in ("answer", "skip"):
        form.answers[form.question] = int(target[1]) if kind == "answer" else None
        if form.question + 1 < len(QUESTIONS):
            form.question += 1
        elif any(answer is not None for answer in form.answers):
            model.view = View.SENDING
            return SendSurvey(form.survey_ticket, tuple(form.answers))
        else:
            model.reset()  # nothing answered: nothing to send
    return None


def _text_key(form: Feedback, target: Target) -> None:
    kind = target[0]
    if kind == "textkeys" and target[1] in TEXT_KEYS:
        form.keys = target[1]
    elif kind == "char" and len(form.text) < TEXT_MAX:
        form.text = typed(form.text, target[1])
    elif kind == "space" and len(form.text) < TEXT_MAX:
        form.text = typed(form.text, " ")
    elif kind == "delete":
        form.text = form.text[:-1]


def _ticket_key(model: KioskModel, form: Feedback, target: Target) -> FeedbackIntent | None:
    kind = target[0]
    survey = model.view is View.SURVEY_TICKET
    if kind == "keypad" and target[1] in KEYPAD:
        model.keypad = target[1]
    elif kind == "key" and len(form.ticket) < TICKET_MAX:
        form.ticket += target[1]
        form.notice = ""
    elif kind == "delete":
        form.ticket = form.ticket[:-1]
        form.notice = ""
    elif kind == "send" and not survey and form.ticket_ready():
        model.view = View.SENDING
        return form.complaint()
    elif kind == "next" and survey and form.ticket_ready(required=True):
        model.view = View.SENDING
        return CheckSurveyTicket(ticket_number(form.ticket) or form.ticket)
    return None


def _back(model: KioskModel) -> None:
    form = model.feedback
    if model.view is View.SURVEY_QUESTION and form.question > 0:
        form.question -= 1
    elif model.view is View.SURVEY_QUESTION:
        model.view = View.SURVEY_TICKET
    elif model.view in (View.COMPLAINT_CATEGORY, View.SURVEY_TICKET) and form.menu:
        model.view = View.FEEDBACK_MENU
    else:
        model.view = BACK.get(model.view, View.WELCOME)
    form.notice = ""


def scanned(model: KioskModel, code: str) -> bool:
    """A scan on a ticket-number screen is the ticket's QR: it fills the number in.
    False when this screen does not take one (the scan is a booking code)."""
    if model.view not in (View.COMPLAINT_TICKET, View.SURVEY_TICKET):
        return False
    number = ticket_number(code)
    model.feedback.ticket = number or ""
    model.feedback.notice = "" if number else NOT_A_TICKET
    return True


# -- the agent's results (UI thread) --------------------------------------------------


def complaint_recorded(model: KioskModel, complaint_id: str, printed: bool, now: float) -> None:
    model.feedback.complaint_id = complaint_id
    model.feedback.slip_printed = printed
    model.view, model.until = View.COMPLAINT_DONE, now + COMPLAINT_DONE_S


def survey_ticket_ready(model: KioskModel, ticket: TicketView) -> None:
    model.feedback.survey_ticket = ticket.ticket_id
    model.feedback.service_name = ticket.service_name
    model.feedback.question = 0
    model.view = View.SURVEY_QUESTION


def survey_sent(model: KioskModel, now: float) -> None:
    model.view, model.until = View.SURVEY_DONE, now + SURVEY_DONE_S


def correct_ticket(model: KioskModel, survey: bool, notice: str) -> None:
    """Back to the ticket-number step with what to correct (the rest is kept)."""
    model.view = View.SURVEY_TICKET if survey else View.COMPLAINT_TICKET
    model.feedback.notice = notice
