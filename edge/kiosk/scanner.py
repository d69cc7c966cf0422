"""The booking QR/barcode scanner: a USB keyboard-wedge HID read with evdev.

The scanner "types" the code and presses Enter. :class:`KeyDecoder` turns key
events into codes (pure, tested on recorded event streams); :class:`EvdevScanner`
reads the real device, grabbing it so the codes do not leak into anything
else; :func:`find_scanner` picks the device with pyudev.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

KEY_UP, KEY_DOWN, KEY_HOLD = 0, 1, 2
_SHIFTS = {"KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"}
_PLAIN = {f"KEY_{d}": d for d in "0123456789"}
_PLAIN.update({f"KEY_{c}": c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_PLAIN.update({"KEY_MINUS": "-", "KEY_SLASH": "/", "KEY_DOT": ".", "KEY_SPACE": " "})
_SHIFTED = {f"KEY_{c}": c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_SHIFTED.update({"KEY_MINUS": "_"})
MAX_CODE = 64


class KeyDecoder:
    """Key events (name, value) → completed codes, one per Enter."""

    def __init__(self) -> None:
        self._chars: list[str] = []
        self._shift = False

    def feed(self, key: str, value: int) -> str | None:
        if key in _SHIFTS:
            self._shift = value != KEY_UP
            return None
        if value != KEY_DOWN:
            return None
        if key in ("KEY_ENTER", "KEY_KPENTER"):
            code, self._chars = "".join(self._chars).strip(), []
            return code or None
        char = (_SHIFTED if self._shift else _PLAIN).get(key)
        if char is not None and len(self._chars) < MAX_CODE:
            self._chars.append(char)
        return None


def decode_events(events: Iterable[tuple[str, int]]) -> list[str]:
    decoder = KeyDecoder()
    return [code for key, value in events if (code := decoder.feed(key, value))]


class EvdevScanner:
    """Reads one input device in a thread and reports each scanned code."""

    def __init__(self, devnode: str, on_code: Callable[[str], None]) -> None:
        import evdev

        self._evdev = evdev
        self.device = evdev.InputDevice(devnode)
        self._on_code = on_code
        self._thread = threading.Thread(target=self._read, name="scanner", daemon=True)

    def start(self) -> None:
        try:
            self.device.grab()
        except OSError as error:
            log.warning("could not grab %s: %s", self.device.path, error)
        self._thread.start()

    def _read(self) -> None:
        decoder = KeyDecoder()
        ecodes = self._evdev.ecodes
        try:
            for event in self.device.read_loop():
                if event.type != ecodes.EV_KEY:
                    continue
                name = ecodes.KEY.get(event.code)
                if isinstance(name, list):
                    name = name[0]
                code = decoder.feed(str(name), event.value)
                if code:
                    self._on_code(code)
        except OSError as error:  # unplugged
            log.warning("scanner %s gone: %s", self.device.path, error)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.device.close()


def is_scanner(
    name: str, vendor_id: str, model_id: str, name_contains: str = "", usb_id: str | None = None
) -> bool:
    """Whether a keyboard-like input device is the kiosk's scanner.

    With ``usb_id`` (``vendor:product`` as lsusb shows it) only that device
    matches: a keyboard plugged in for maintenance is never read as tickets.
    Without, the first keyboard whose name contains ``name_contains``.
    """
    if usb_id is not None and f"{vendor_id}:{model_id}".lower() != usb_id.lower():
        return False
    return name_contains.lower() in name.lower()


def find_scanner(name_contains: str = "", usb_id: str | None = None) -> str | None:
    """The event node of a keyboard-like input device that looks like the scanner."""
    try:
        import pyudev
    except ImportError:
        return None
    try:
        context = pyudev.Context()
        for device in context.list_devices(subsystem="input", ID_INPUT_KEYBOARD="1"):
            node = device.device_node
            if not node or not node.startswith("/dev/input/event"):
                continue
            name = (device.parent.properties.get("NAME", "") if device.parent else "").strip('"')
            vendor = device.properties.get("ID_VENDOR_ID", "")
            model = device.properties.get("ID_MODEL_ID", "")
            if is_scanner(name, vendor, model, name_contains, usb_id):
                return str(node)
    except Exception as error:  # no /run/udev in containers, permissions, …
        log.info("no scanner found: %s", error)
    return None
