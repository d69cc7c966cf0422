"""A citizen's hand on the simulated signature pad, through the control socket.

``sign`` draws strokes of normalised ``[x, y, pressure]`` points with the
simulated pen (as tablet events, through the same recorder as a real pad);
``ok`` presses OK (optionally naming the ticket while the hub does not ask
yet) and waits for the hub's answer; ``again`` presses Ulangi; ``key`` presses
one of the tablet's own keys (``{"key": "ok"|"again"}``: BTN_0 / BTN_STYLUS as
kernel events, through the pad's event path); ``status`` says what the pad holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edge.signature.pen import SimulatedPen
from edge.simulation.control import Action, Answer

if TYPE_CHECKING:
    from edge.signature.agent import SignaturePadAgent


def signing_actions(agent: SignaturePadAgent) -> dict[str, Action]:
    def status(_request: dict[str, Any] | None = None) -> Answer:
        strokes = agent.recorder.strokes()
        request = agent.request
        last = agent.last
        return {
            "online": agent.link.connected.is_set(),
            "strokes": len(strokes),
            "points": sum(len(s.points) for s in strokes),
            "asked": request.ticket_id if request else None,
            "number": request.number if request else None,
            "last": None if last is None else vars(last),
        }

    def sign(request: dict[str, Any]) -> Answer:
        pen = agent.pen
        if not isinstance(pen, SimulatedPen):
            raise ValueError("only the simulated pen can be drawn with")
        strokes = request.get("strokes")
        if not isinstance(strokes, list) or not all(
            isinstance(point, list) and len(point) == 3 for stroke in strokes for point in stroke
        ):
            raise ValueError("strokes: a list of strokes of [x, y, pressure] points")
        return {"events": pen.draw(strokes), **status()}

    def ok(request: dict[str, Any]) -> Answer:
        outcome = agent.confirm(request.get("ticket_id"))
        return {"signed": outcome.ok, **vars(outcome)}

    def again(_request: dict[str, Any]) -> Answer:
        agent.again()
        return status()

    def key(request: dict[str, Any]) -> Answer:
        from edge.signature.agent import BTN_0, BTN_STYLUS

        pen = agent.pen
        if not isinstance(pen, SimulatedPen):
            raise ValueError("only the simulated pad's keys can be pressed")
        codes = {"ok": BTN_0, "again": BTN_STYLUS}
        if request.get("key") not in codes:
            raise ValueError("key: ok or again")
        pen.press(codes[request["key"]])
        return status()

    return {"status": status, "sign": sign, "ok": ok, "again": again, "key": key}
