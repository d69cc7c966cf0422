"""Button debounce and hold, with an explicit clock (MockFactory ignores bounce_time)."""

from __future__ import annotations

from edge.hardware.debounce import ButtonLogic, Gesture


def test_clean_press_is_reported_at_release() -> None:
    button = ButtonLogic("next", debounce_s=0.04, hold_s=3.0)
    assert button.edge(True, 1.00) is None
    assert button.is_down
    assert button.edge(False, 1.20) is Gesture.PRESS


def test_bouncing_contacts_give_one_press() -> None:
    button = ButtonLogic("next", debounce_s=0.04, hold_s=3.0)
    gestures = [
        button.edge(down, at)
        for down, at in [
            (True, 1.000),
            (False, 1.002),
            (True, 1.004),
            (False, 1.006),
            (True, 1.008),
        ]
    ]
    assert gestures == [None] * 5
    assert button.poll(1.05) is None
    gestures = [
        button.edge(down, at)
        for down, at in [
            (False, 1.300),
            (True, 1.302),
            (False, 1.305),
        ]
    ]
    assert gestures == [Gesture.PRESS, None, None]
    assert button.poll(1.40) is None, "settled up: nothing more"


def test_short_press_inside_the_quiet_time_is_not_lost() -> None:
    button = ButtonLogic("finish", debounce_s=0.04)
    button.edge(True, 2.000)
    assert button.edge(False, 2.010) is None  # released during the quiet time
    assert button.poll(2.030) is None
    assert button.poll(2.041) is Gesture.PRESS
    assert not button.is_down


def test_hold_is_reported_while_still_down_and_release_adds_nothing() -> None:
    button = ButtonLogic("next", debounce_s=0.04, hold_s=3.0)
    button.edge(True, 10.0)
    assert button.poll(12.9) is None
    assert button.poll(13.0) is Gesture.HOLD
    assert button.poll(13.5) is None
    assert button.edge(False, 14.0) is None


def test_hold_without_polling_is_reported_at_release() -> None:
    button = ButtonLogic("next", debounce_s=0.04, hold_s=3.0)
    button.edge(True, 10.0)
    assert button.edge(False, 13.5) is Gesture.HOLD


def test_button_without_hold_only_presses() -> None:
    button = ButtonLogic("recall", debounce_s=0.0, hold_s=None)
    button.edge(True, 0.0)
    assert button.poll(100.0) is None
    assert button.edge(False, 100.0) is Gesture.PRESS
