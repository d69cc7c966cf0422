"""The simulated kiosk citizen taps what the screen shows, not what the model will show."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from edge.kiosk.agent import KioskAgent
from edge.kiosk.model import View
from edge.simulation.people import _touch_when_drawn


class Model:
    def __init__(self) -> None:
        self.view, self.page = View.AGENCIES, 0  # already changed by the tap

    def shown(self) -> View:
        return self.view


class LateScreen:
    """A kiosk whose next frame (and its targets) is drawn a moment after a tap's model change."""

    reveal = KioskAgent.reveal  # the agent's own paging and waiting

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.targets: list[tuple[object, tuple[str, ...]]] = [(None, ("start",))]
        self.drawn: tuple[View, int] | None = (View.WELCOME, 0)  # the frame still on screen
        self.model: Any = Model()
        self.touched: list[tuple[str, ...]] = []
        self.pages: list[list[tuple[str, ...]]] = []

    def draw(self, targets: list[tuple[str, ...]]) -> None:
        with self.changed:
            self.targets = [(None, target) for target in targets]
            self.drawn = (self.model.view, self.model.page)
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.model), timeout)

    def touch(self, *target: str) -> None:
        with self.changed:
            if not any(candidate == target for _, candidate in self.targets):
                raise LookupError(f"no {target} on screen")
        self.touched.append(target)
        if target == ("page", "next"):  # the next frame comes a moment later
            self.model.page += 1
            threading.Timer(0.1, self.draw, args=(self.pages[self.model.page],)).start()


def test_a_tap_waits_for_the_frame_that_shows_its_target() -> None:
    screen = LateScreen()
    drawn = threading.Timer(0.2, screen.draw, args=([("agency", "DUK"), ("back",)],))
    drawn.start()
    try:
        _touch_when_drawn(screen, "agency", "DUK")  # type: ignore[arg-type]
    finally:
        drawn.cancel()
    assert screen.touched == [("agency", "DUK")]


def test_a_tap_pages_through_a_list_to_its_target() -> None:
    screen = LateScreen()
    screen.pages = [
        [("agency", "DUK"), ("page", "next"), ("back",)],
        [("agency", "POL"), ("page", "next"), ("back",)],
        [("agency", "BNN"), ("back",)],
    ]
    screen.draw(screen.pages[0])
    _touch_when_drawn(screen, "agency", "BNN")  # type: ignore[arg-type]
    assert screen.touched == [("page", "next"), ("page", "next"), ("agency", "BNN")]
