"""What a simulated person can do at each kind of device, as control-socket actions.

Every action goes through the device's real input path: an officer's press
drives a MockFactory pin low and high again (the agent's debounce and hold
logic decide what it means), a citizen's tap is a pygame FINGERUP on the
kiosk's touch screen. Answers carry what that person would then see.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from edge.simulation.control import Action, Answer
from protocol.roles import Role

if TYPE_CHECKING:
    from edge.counter.agent import CounterAgent
    from edge.display.agent import DisplayAgent
    from edge.kiosk.agent import KioskAgent

PRESS_S = 0.15  # a finger on the button
SETTLE_S = 8.0  # a command's answer (with retries) arrives within this


def actions_for(role: Role, agent: Any) -> dict[str, Action]:
    """The actions of a person at a device of ``role`` (no other role's code is imported)."""
    if role is Role.COUNTER:
        return _counter(agent)
    if role is Role.KIOSK:
        return _kiosk(agent)
    if role is Role.DISPLAY:
        return _display(agent)
    if role is Role.SIGNATURE_PAD:
        from edge.simulation.signing import signing_actions

        return signing_actions(agent)
    if role is Role.RUNNING_TEXT:
        return {"status": lambda _r: {"text": agent.text, "online": agent.link.connected.is_set()}}
    return {}


# -- counter unit: an officer's fingers ------------------------------------------------


def _counter(agent: CounterAgent) -> dict[str, Action]:
    factory: Any = agent.pin_factory
    unit = agent.unit_config

    def status(_request: dict[str, Any] | None = None) -> Answer:
        state = agent.unit
        current = state.current
        return {
            "counter": state.counter,
            "state": state.state.value,
            "online": state.online,
            "waiting": state.waiting,
            "current": current.number if current else None,
            "service": current.service if current else None,
            "message": state.message,
            "transfer_to": agent.targets[state.menu] if state.menu is not None else None,
            "signing_in": (
                state.choices()[state.picker].name if state.picker is not None else None
            ),
            "officer": state.officer_id,
            "signature": state.signature.number if state.signature else None,
            "targets": list(agent.targets),
            "screen": _frame_text(agent),
        }

    def finger(pin: int, seconds: float) -> Answer:
        device_pin = factory.pin(pin)
        device_pin.drive_low()
        time.sleep(seconds)  # a finger on the button, in real time
        device_pin.drive_high()
        if not agent.settled(SETTLE_S):
            raise TimeoutError("the unit did not settle after the press")
        return status()

    def press(request: dict[str, Any]) -> Answer:
        button = str(request["button"])
        if button not in unit.buttons.model_fields:
            raise LookupError(f"no button {button!r}")
        return finger(getattr(unit.buttons, button), float(request.get("seconds", PRESS_S)))

    def hold(request: dict[str, Any]) -> Answer:
        return finger(getattr(unit.buttons, str(request["button"])), unit.hold_s + 0.3)

    def skm(request: dict[str, Any]) -> Answer:
        rating = int(request["rating"])
        if not unit.skm.enabled or not 1 <= rating <= 4:
            raise ValueError("the SKM box takes ratings 1-4")
        return finger(unit.skm.buttons[rating - 1], PRESS_S)

    return {"status": status, "press": press, "hold": hold, "skm": skm}


def _frame_text(agent: CounterAgent) -> list[str] | None:
    frame = agent.frame
    return frame.lines() if frame else None


# -- kiosk: a citizen's finger on the touch screen -------------------------------------


def _kiosk(agent: KioskAgent) -> dict[str, Action]:
    from edge.kiosk.model import View

    def status(_request: dict[str, Any] | None = None) -> Answer:
        model = agent.model
        return {
            "view": model.shown().value,
            "unavailable": model.unavailable_reason(),
            "message": model.message,
            "identifying": _identifying(agent),
        }

    def step(target: tuple[str, ...], expected: View | None) -> None:
        _touch_when_drawn(agent, *target)
        if expected is not None and not agent.wait_for(lambda m: m.shown() is expected, SETTLE_S):
            raise LookupError(f"{'/'.join(target)} did not lead to {expected.value}")

    def take(request: dict[str, Any]) -> Answer:
        """Walk up, tap start → agency → service → category; answer with the ticket.

        ``hurry``: a citizen who does not wait for the previous ticket's screen to
        time out (6 s) but taps it away, as its "home" target allows (bench/soak.py).
        """
        code, category = str(request["service"]), str(request.get("category", "reguler"))
        if request.get("hurry") and agent.model.shown() in (View.DONE, View.ERROR):
            _try_touch(agent, "home")
        if not agent.wait_for(lambda m: m.shown() is View.WELCOME, SETTLE_S):
            raise LookupError(f"kiosk not ready: {agent.model.unavailable_reason()}")
        catalogue = agent.model.catalogue
        service = (
            next((s for s in catalogue.services if s.code == code), None) if catalogue else None
        )
        if service is None:
            raise LookupError(f"no service {code} on the kiosk")
        status = agent.model.service_status(code)
        if status is not None and not status.accepting:  # shown greyed out, with the reason
            return {"ticket": None, "message": status.reason or "layanan ditutup"}
        try:
            step(("start",), View.AGENCIES)
            step(("agency", service.agency), View.SERVICES)
            step(("service", code), View.CATEGORY)
            step(("category", category), None)
        except LookupError:
            message = agent.model.message
            for _ in range(len(View)):  # back to the welcome screen, for the next person
                before = agent.model.shown()
                if before in (View.WELCOME, View.PRINTING, View.DONE, View.ERROR):
                    break
                _try_touch(agent, "back")
                agent.wait_for(lambda m, was=before: m.shown() is not was, SETTLE_S)
            return {"ticket": None, "message": message or "tidak dapat dipilih"}
        if not agent.wait_for(lambda m: m.view in (View.DONE, View.ERROR), SETTLE_S * 2):
            raise TimeoutError("no ticket and no error shown")
        ticket = agent.model.ticket
        answer: Answer = {"ticket": None, "message": agent.model.message}
        if agent.model.view is View.DONE and ticket is not None:
            answer["ticket"] = ticket.model_dump(mode="json")
        return answer

    def scan(request: dict[str, Any]) -> Answer:
        """Scan a code; answer once this scan's outcome is shown (a new ticket or error
        screen, even while the previous scan's screen is still up)."""
        if not agent.wait_for(lambda m: m.shown() is not View.UNAVAILABLE, SETTLE_S):
            raise LookupError(f"kiosk not ready: {agent.model.unavailable_reason()}")
        with agent.changed:
            shown_until = agent.model.until
        agent.scanned(str(request["code"]))
        agent.wait_for(
            lambda m: m.view in (View.DONE, View.ERROR) and m.until != shown_until, SETTLE_S * 2
        )
        answer = status()
        ticket = agent.model.ticket
        done = agent.model.view is View.DONE and agent.model.until != shown_until
        answer["ticket"] = ticket.model_dump(mode="json") if done and ticket else None
        return answer

    from edge.simulation.feedback_people import feedback_actions

    return {"status": status, "take": take, "scan": scan, **feedback_actions(agent)}


def _touch_when_drawn(agent: KioskAgent, *target: str) -> None:
    """Tap ``target`` once the screen shows it.

    The model changes a moment before the frame that shows it is drawn (and its
    targets recorded), so a person who waited for the model could otherwise tap
    the previous frame's targets, miss, and leave the kiosk mid-journey.
    """
    agent.reveal(*target, timeout=SETTLE_S)  # pages through a list, as a person would
    agent.touch(*target)


def _try_touch(agent: KioskAgent, *target: str) -> None:
    try:
        _touch_when_drawn(agent, *target)
    except LookupError:
        return


def _identifying(agent: KioskAgent | DisplayAgent) -> list[str] | None:
    """The identify banner's texts while the screen shows it."""
    banner = agent.identifying
    return banner.lines() if banner.active(agent.clock()) else None


# -- call display: what someone in the hall sees -----------------------------------------


def _display(agent: DisplayAgent) -> dict[str, Action]:
    def status(_request: dict[str, Any] | None = None) -> Answer:
        model = agent.model
        calling = model.now_calling
        return {
            "now_calling": calling.number if calling else None,
            "recent": [call.number for call in model.recent],
            "linked": model.linked,
            "announced": agent.announcer.spoken_count,
            "last_announcement": agent.announcer.spoken[-1] if agent.announcer.spoken else None,
            "identifying": _identifying(agent),
        }

    return {"status": status}
