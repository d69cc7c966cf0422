"""Scanner key streams and printer hot-plug matching."""

from __future__ import annotations

from edge.kiosk.hotplug import UsbEvent, concerns_printer
from edge.kiosk.scanner import KEY_DOWN, KEY_HOLD, KEY_UP, KeyDecoder, decode_events


def _typed(text: str) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []
    for char in text:
        name = {"-": "KEY_MINUS"}.get(char, f"KEY_{char.upper()}")
        if char.isupper():
            events.append(("KEY_LEFTSHIFT", KEY_DOWN))
        events += [(name, KEY_DOWN), (name, KEY_UP)]
        if char.isupper():
            events.append(("KEY_LEFTSHIFT", KEY_UP))
    return [*events, ("KEY_ENTER", KEY_DOWN), ("KEY_ENTER", KEY_UP)]


def test_recorded_scan_stream_gives_the_code() -> None:
    assert decode_events(_typed("BK-7F3A9")) == ["BK-7F3A9"]


def test_two_scans_and_noise() -> None:
    stream = [
        ("KEY_ENTER", KEY_DOWN),
        *_typed("BK-1001"),
        ("KEY_A", KEY_HOLD),
        ("KEY_F1", KEY_DOWN),
        *_typed("bk-2002"),
    ]
    assert decode_events(stream) == ["BK-1001", "bk-2002"]


def test_overlong_input_is_cut() -> None:
    decoder = KeyDecoder()
    for _ in range(200):
        decoder.feed("KEY_1", KEY_DOWN)
    code = decoder.feed("KEY_ENTER", KEY_DOWN)
    assert code is not None and len(code) == 64


def test_hotplug_matches_the_printer() -> None:
    usblp = UsbEvent("add", "usbmisc", None, "/dev/usb/lp0")
    epson = UsbEvent("remove", "usb", "04b8", None)
    keyboard = UsbEvent("add", "usb", "046d", None)
    assert concerns_printer(usblp, "04b8", "/dev/usb/lp0")
    assert concerns_printer(epson, "04b8", "/dev/usb/lp0")
    assert not concerns_printer(keyboard, "04b8", "/dev/usb/lp0")
    assert not concerns_printer(UsbEvent("bind", "usb", "04b8", None), "04b8", "/dev/usb/lp0")


def test_the_scanner_is_found_by_usb_id_before_name() -> None:
    from edge.kiosk.scanner import is_scanner

    assert is_scanner("Symbol Bar Code Scanner", "05e0", "1200", usb_id="05e0:1200")
    assert not is_scanner("Symbol Bar Code Scanner", "046d", "c31c", usb_id="05e0:1200")
    assert not is_scanner("Logitech USB Keyboard", "046d", "c31c", "Scanner")
    assert is_scanner("Logitech USB Keyboard", "046d", "c31c")  # no rule: the first keyboard
