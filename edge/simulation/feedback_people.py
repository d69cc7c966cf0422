"""A citizen at the kiosk's complaint and survey screens, as control-socket actions.

Every step is a finger tap on the simulated touch screen (the same path as
``take``): the keyboard's group keys, letters, *Spasi*, *Hapus*, *Lanjut*,
*Kirim*, an answer per question. ``tap`` is one tap on any target drawn, for
tests that walk a screen themselves; ``complain`` and ``survey`` walk a whole
journey and answer with what the citizen then sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edge.kiosk.feedback import PHONE_KEYS, QUESTIONS, TEXT_KEYS
from edge.kiosk.model import KEYPAD, TIMED, View
from edge.simulation.control import Action, Answer

if TYPE_CHECKING:
    from edge.kiosk.agent import KioskAgent

SETTLE_S = 8.0
_ENDS = (View.COMPLAINT_DONE, View.SURVEY_DONE, View.ERROR, View.WELCOME)


def feedback_actions(agent: KioskAgent) -> dict[str, Action]:
    def seen() -> Answer:
        model = agent.model
        form = model.feedback
        return {
            "view": model.shown().value,
            "message": model.message,
            "notice": form.notice,
            "complaint_id": form.complaint_id or None,
            "slip_printed": form.slip_printed,
            "text": form.text,
            "question": form.question + 1 if model.view is View.SURVEY_QUESTION else None,
        }

    def tap(*target: str) -> None:
        """One tap, returning once a frame after it was drawn (so the next tap is
        aimed at what this one led to)."""
        agent.reveal(*target, timeout=SETTLE_S)
        with agent.changed:
            frame = agent.frames
        agent.touch(*target)
        agent.wait_for(lambda _m: agent.frames >= frame + 2, SETTLE_S)

    def settle(views: tuple[View, ...]) -> None:
        if not agent.wait_for(lambda m: m.shown() in views, SETTLE_S * 2):
            raise TimeoutError(f"the kiosk stayed on {agent.model.shown().value}")

    def one_tap(request: dict[str, Any]) -> Answer:
        tap(*[str(part) for part in request["target"]])
        return seen()

    def type_text(text: str) -> None:
        for char in text:
            if char == " ":
                tap("space")
                continue
            key = char.upper()
            group = next((g for g, keys in TEXT_KEYS.items() if key in keys), None)
            if group is None:
                raise ValueError(f"no key for {char!r} on the keyboard")
            if agent.model.feedback.keys != group:
                tap("textkeys", group)
            tap("char", key)

    def type_code(code: str, kind: str = "key") -> None:
        for char in code:
            group = next((g for g, keys in KEYPAD.items() if char in keys), None)
            if group is None:
                raise ValueError(f"no key for {char!r} on the keypad")
            if agent.model.keypad != group:
                tap("keypad", group)
            tap(kind, char)

    def start(entry: str) -> None:
        if agent.model.shown() in TIMED:  # the last citizen's thanks: tapped away
            tap("home")
        if not agent.wait_for(lambda m: m.shown() is View.WELCOME, SETTLE_S):
            raise LookupError(f"kiosk not ready: {agent.model.unavailable_reason()}")
        if any(t == ("feedback",) for _, t in agent.targets):  # a 7" panel's one tile
            tap("feedback")
        tap(entry)

    def complain(request: dict[str, Any]) -> Answer:
        """Category, text, optional phone and ticket number, then Kirim."""
        start("complaint")
        tap("complaint-category", str(request.get("category", "pengaduan")))
        type_text(str(request["text"]))
        tap("next")
        for digit in str(request.get("contact") or ""):
            if digit not in PHONE_KEYS:
                raise ValueError(f"no key for {digit!r} on the phone keypad")
            tap("key", digit)
        tap("next")
        type_code(str(request.get("ticket") or ""))
        tap("send")
        settle((*_ENDS, View.COMPLAINT_TICKET))
        return seen()

    def survey(request: dict[str, Any]) -> Answer:
        """Ticket number, then one answer (1–4, or null to skip) per question."""
        answers = list(request["answers"])
        if len(answers) != len(QUESTIONS):
            raise ValueError(f"a survey has {len(QUESTIONS)} answers")
        start("survey")
        type_code(str(request["ticket"]))
        tap("next")
        settle((*_ENDS, View.SURVEY_QUESTION, View.SURVEY_TICKET))
        if agent.model.shown() is not View.SURVEY_QUESTION:
            return seen()
        for answer in answers:
            if answer is None:
                tap("skip")
            else:
                tap("answer", str(int(answer)))
        settle(_ENDS)
        return seen()

    def settled(_request: dict[str, Any]) -> Answer:
        """What the citizen sees once the kiosk has its answer (no longer *Mengirim…*)."""
        if not agent.wait_for(lambda m: m.shown() is not View.SENDING, SETTLE_S * 2):
            raise TimeoutError("still sending")
        return seen()

    return {
        "tap": one_tap,
        "complain": complain,
        "survey": survey,
        "seen": lambda _r: seen(),
        "settle": settled,
    }
