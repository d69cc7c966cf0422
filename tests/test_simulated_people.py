"""The simulated kiosk citizen taps what the screen shows, not what the model will show."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from edge.simulation.people import _touch_when_drawn


class LateScreen:
    """A kiosk whose next frame (and its targets) is drawn a moment after a tap's model change."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.targets: list[tuple[object, tuple[str, ...]]] = [(None, ("start",))]
        self.model: Any = None
        self.touched: list[tuple[str, ...]] = []

    def draw(self, targets: list[tuple[str, ...]]) -> None:
        with self.changed:
            self.targets = [(None, target) for target in targets]
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self.model), timeout)

    def touch(self, *target: str) -> None:
        with self.changed:
            if not any(candidate == target for _, candidate in self.targets):
                raise LookupError(f"no {target} on screen")
        self.touched.append(target)


def test_a_tap_waits_for_the_frame_that_shows_its_target() -> None:
    screen = LateScreen()
    drawn = threading.Timer(0.2, screen.draw, args=([("agency", "DUK"), ("back",)],))
    drawn.start()
    try:
        _touch_when_drawn(screen, "agency", "DUK")  # type: ignore[arg-type]
    finally:
        drawn.cancel()
    assert screen.touched == [("agency", "DUK")]
