"""Booking codes that the hub can check with no internet: an HMAC over the booking.

Upstream and the hub share one secret key per site. A code is
``SERIAL-TAG``: the serial names the booking, the tag is the first 40 bits of
HMAC-SHA256(key, the booking's fields) in base32 (no 0/1/8/9 look-alikes on a
keypad). So a code whose tag was altered, or a booking whose service, day,
slot or name was changed on the way or on disk, does not verify and is refused
at the kiosk, while a genuine one is checked with nothing but the key.

The key is kept beside the MQTT credentials store (``booking-key``, mode
0600), created by ``mpp upstream key`` or on first use, and given to upstream
by the site's administrator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from hub.bookings import Booking

KEY_FILE_NAME = "booking-key"
KEY_BYTES = 32
SERIAL_CHARS = 6
TAG_CHARS = 8  # 40 bits: a forger has one chance in a trillion per try


class BookingKeyError(RuntimeError):
    """The booking key file cannot be read or written."""


def default_key_path(store_path: Path | None = None) -> Path:
    """``booking-key`` beside the credentials store."""
    from firmware_config.credentials import default_store_path

    return (store_path or default_store_path()).parent / KEY_FILE_NAME


def load_or_create_key(path: Path) -> bytes:
    """The site's key; a new random one (written 0600) when there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return load_key(path)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return load_key(path)


def load_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError) as error:
        raise BookingKeyError(f"{path}: cannot read the booking key: {error}") from error
    if len(key) < 16:
        raise BookingKeyError(f"{path}: the booking key is too short ({len(key)} bytes)")
    return key


# Base32 has no 0, 1 or 8: a citizen typing one meant the letter that looks like it.
LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalise(code: str) -> str:
    """A code as typed or scanned, in its one spelling: upper case, look-alike digits
    read as their letters, the hyphen put back when it was left out."""
    code = code.strip().upper().translate(LOOK_ALIKES)
    if "-" not in code and len(code) == SERIAL_CHARS + TAG_CHARS:
        code = f"{code[:SERIAL_CHARS]}-{code[SERIAL_CHARS:]}"
    return code


def serial_of(code: str) -> str:
    """The serial part of a code (what the hub's table is keyed by)."""
    return normalise(code).split("-", 1)[0]


def _message(serial: str, booking: Booking) -> bytes:
    slot_end = booking.slot_end.isoformat() if booking.slot_end else ""
    fields = (
        "mpp-booking-v1",
        serial.upper(),
        booking.service,
        booking.category.value,
        booking.appointment_at.isoformat(),
        slot_end,
        booking.name,
    )
    return "\x1f".join(fields).encode("utf-8")


def tag(key: bytes, serial: str, booking: Booking) -> str:
    digest = hmac.new(key, _message(serial, booking), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:TAG_CHARS]


def new_serial() -> str:
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")[:SERIAL_CHARS]


def sign(key: bytes, booking: Booking, serial: str | None = None) -> Booking:
    """The booking with its code made from ``serial`` (new when not given) and the tag."""
    serial = (serial or serial_of(booking.code) or new_serial()).upper()
    return booking.model_copy(update={"code": f"{serial}-{tag(key, serial, booking)}"})


def verifies(key: bytes, booking: Booking, code: str | None = None) -> bool:
    """Whether ``code`` (default: the booking's own) is the genuine code of ``booking``."""
    given = normalise(code or booking.code)
    serial, _, their_tag = given.partition("-")
    return hmac.compare_digest(their_tag.encode(), tag(key, serial, booking).encode())
