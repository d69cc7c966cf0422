"""The kiosk's screen model: paging, shortcuts and keypad groups, without pygame."""

from __future__ import annotations

from edge.kiosk.model import KEYPAD, View
from tests.kiosk_render import model_for


def test_kembali_returns_to_the_page_the_citizen_left() -> None:
    model = model_for("agencies")
    model.tap(("page", "next"), 0.0)
    model.tap(("page", "next"), 0.0)
    model.tap(("agency", "POLRES"), 0.0)
    assert (model.view, model.page) == (View.SERVICES, 0), "a new list starts at its top"
    model.tap(("back",), 0.0)
    assert (model.view, model.page) == (View.AGENCIES, 2)
    model.tap(("back",), 0.0)
    model.tap(("start",), 0.0)
    assert (model.view, model.page) == (View.AGENCIES, 0), "forward again: the top"


def test_a_fresh_start_forgets_the_pages() -> None:
    model = model_for("agencies")
    model.tap(("page", "next"), 0.0)
    model.tap(("agency", "POLRES"), 0.0)
    model.reset()
    model.tap(("start",), 0.0)
    assert model.page == 0


def test_keypad_groups_hold_every_code_character_once_digits_together() -> None:
    keys = [key for group in KEYPAD.values() for key in group]
    assert sorted(keys) == sorted("0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert KEYPAD["123"][:9] == tuple("123456789")
    model = model_for("booking")
    model.code = ""
    model.tap(("keypad", "N–Z"), 0.0)
    model.tap(("key", "Q"), 0.0)
    assert (model.keypad, model.code) == ("N–Z", "Q")
