"""The kiosk agent's side of the complaint and survey screens (worker thread).

Sends ``complaint.submit``, ``ticket.status`` and ``survey.submit`` and hands
each outcome to the UI thread as a function of the model (the agent's queue
runs it on the UI thread: the model is touched by one thread only). A
complaint's slip is printed when the printer can; the complaint is recorded
whether or not it could (the screen shows the id either way).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from edge.command_client import CommandClient
from edge.kiosk import feedback_flow
from edge.kiosk.feedback import (
    CATEGORY_NAMES,
    COMPLAINT_TICKET_UNKNOWN,
    NOT_SERVED,
    TICKET_UNKNOWN,
    CheckSurveyTicket,
    FeedbackIntent,
    SendComplaint,
)
from edge.kiosk.model import KioskModel
from edge.kiosk.reasons import NO_ANSWER
from edge.printer.complaint_slip import render_complaint_slip
from edge.printer.ticket import PrinterProfile
from edge.printer.transport import PrinterError, Transport
from protocol.errors import ErrorCode
from protocol.models import ComplaintSubmit, Reply, SurveySubmit, TicketState, TicketStatusQuery

log = logging.getLogger(__name__)
ANSWER_S = 6.0
ALREADY = "Survei untuk tiket ini sudah diisi. Terima kasih."
NOT_SENT = "Maaf, belum dapat dikirim."

Outcome = Callable[[KioskModel, float], None]


class FeedbackSender:
    def __init__(
        self,
        commands: CommandClient,
        post: Callable[[Outcome], None],
        transport: Transport,
        profile: PrinterProfile,
        site_name: Callable[[], str],
        local_now: Callable[[], datetime],
    ) -> None:
        self.commands = commands
        self.post = post  # onto the UI thread's queue
        self.transport = transport
        self.profile = profile
        self.site_name = site_name
        self.local_now = local_now

    def run(self, intent: FeedbackIntent) -> None:
        """Carry out one intent; whatever happens, the kiosk leaves *Mengirim…*."""
        try:
            self._run(intent)
        except Exception:
            log.exception("%s failed", type(intent).__name__)
            self.post(lambda model, now: model.failed(NOT_SENT, now))

    def _run(self, intent: FeedbackIntent) -> None:
        if isinstance(intent, SendComplaint):
            self._complaint(intent)
        elif isinstance(intent, CheckSurveyTicket):
            self._survey_ticket(intent)
        else:
            command = self.commands.build(
                SurveySubmit, ticket_id=intent.ticket_id, answers=list(intent.answers)
            )
            reply = self._ask(command)
            if reply is not None and reply.ok:
                self.post(lambda model, now: feedback_flow.survey_sent(model, now))
            elif reply is not None:
                code = reply.error.code if reply.error else None
                message = ALREADY if code is ErrorCode.INVALID_STATE else NOT_SENT
                self.post(lambda model, now: model.failed(message, now))

    def _ask(self, command: object) -> Reply | None:
        reply = self.commands.request_until(command, time.monotonic() + ANSWER_S)  # type: ignore[arg-type]
        if reply is None:
            self.post(lambda model, now: model.failed(NO_ANSWER, now))
        return reply

    def _complaint(self, intent: SendComplaint) -> None:
        command = self.commands.build(
            ComplaintSubmit,
            category=intent.category,
            text=intent.text,
            contact=intent.contact,
            ticket=intent.ticket,
        )
        reply = self._ask(command)
        if reply is None:
            return
        if not reply.ok or reply.complaint is None:
            code = reply.error.code if reply.error else None
            if code is ErrorCode.UNKNOWN_TICKET:
                self.post(
                    lambda model, _now: feedback_flow.correct_ticket(
                        model, False, COMPLAINT_TICKET_UNKNOWN
                    )
                )
            else:
                log.warning("complaint refused: %s", reply.error)
                self.post(lambda model, now: model.failed(NOT_SENT, now))
            return
        complaint_id = reply.complaint.complaint_id
        printed = self._slip(complaint_id, CATEGORY_NAMES[intent.category])
        log.info("complaint %s recorded%s", complaint_id, ", slip printed" if printed else "")
        self.post(
            lambda model, now: feedback_flow.complaint_recorded(model, complaint_id, printed, now)
        )

    def _slip(self, complaint_id: str, category: str) -> bool:
        try:
            slip = render_complaint_slip(
                self.site_name(),
                complaint_id,
                category,
                self.local_now().replace(tzinfo=None),
                self.profile,
            )
            self.transport.write(slip)
        except PrinterError as error:
            log.warning("complaint slip %s not printed: %s", complaint_id, error)
            return False
        return True

    def _survey_ticket(self, intent: CheckSurveyTicket) -> None:
        ticket_id = intent.ticket
        if len(ticket_id) < 13:  # a number of today: the id names today's date
            ticket_id = f"{self.local_now():%Y%m%d}-{ticket_id}"
        reply = self._ask(self.commands.build(TicketStatusQuery, ticket_id=ticket_id))
        if reply is None:
            return
        ticket = reply.ticket
        if not reply.ok or ticket is None:
            self.post(lambda model, _now: feedback_flow.correct_ticket(model, True, TICKET_UNKNOWN))
        elif ticket.state is not TicketState.DONE:
            self.post(lambda model, _now: feedback_flow.correct_ticket(model, True, NOT_SERVED))
        else:
            self.post(lambda model, _now: feedback_flow.survey_ticket_ready(model, ticket))
