"""Why the kiosk cannot give a ticket, in its own words: the ONE mapping from reason to text.

The hub says *why* with an :class:`ErrorCode` — in a refused ``ticket.reserve``
or ``booking.check_in``, and as ``reason_code`` in a service's retained state
(a closed or full service is shown greyed, with this reason and when it opens
again, and cannot be tapped). A new refusal (an agency full for today) is one
entry in :data:`REASONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edge.indonesian import DAYS, MONTHS
from edge.wording import clock
from protocol.errors import ErrorCode
from protocol.models import ReplyError, ServiceStatus


@dataclass(frozen=True)
class Reason:
    """``label``: greyed service row; ``short``: small tile; ``sentence``: error screen."""

    label: str
    sentence: str
    short: str = ""


REASONS: dict[ErrorCode, Reason] = {
    ErrorCode.CLOSED: Reason("Tutup", "Layanan ini sedang tutup.", "Tutup"),
    ErrorCode.QUOTA_FULL: Reason(
        "Kuota hari ini sudah habis", "Kuota layanan ini untuk hari ini sudah habis.", "Kuota habis"
    ),
    ErrorCode.UNKNOWN_BOOKING: Reason("", "Kode pendaftaran tidak ditemukan."),
    ErrorCode.INVALID_STATE: Reason("", "Kode pendaftaran ini sudah digunakan."),
    ErrorCode.EXPIRED: Reason("", "Pendaftaran ini bukan untuk hari ini."),
    ErrorCode.FORGED_BOOKING: Reason("", "Kode pendaftaran tidak sah."),
    ErrorCode.CANCELLED_BOOKING: Reason("", "Pendaftaran ini sudah dibatalkan."),
    ErrorCode.BOOKING_SLOT_PASSED: Reason(
        "",
        "Jadwal pendaftaran Anda sudah lewat. Silakan ambil nomor antrean biasa "
        "atau daftar online untuk jadwal lain.",
    ),
    ErrorCode.UNKNOWN_SERVICE: Reason("", "Layanan ini tidak dikenal."),
    ErrorCode.AGENCY_FULL: Reason(
        "Sudah penuh untuk hari ini",
        "Layanan ini sudah penuh untuk hari ini. Silakan daftar online untuk hari lain "
        "atau datang kembali pada hari layanan berikutnya.",
        "Penuh",
    ),
}
NO_ANSWER = "Sistem antrean tidak menjawab."
# The error screen's second line: what the citizen can do now. Trying again helps only
# when the failure was the system's (no answer, busy, a typo in a code); a refusal that
# stands (full, closed, another day, used) must not say "try again" under it.
RETRY_HINT = "Silakan coba lagi. Bila masih gagal, minta bantuan petugas informasi."
HELP_HINT = "Bila perlu bantuan, silakan tanyakan ke petugas informasi."
# A code the hub does not know or whose signature fails is most often mistyped: the error
# screen offers "Ketik ulang kode" (the keypad with the code as typed) and says so.
CODE_HINT = (
    "Periksa kembali kode Anda dan ketik ulang. Bila masih gagal, minta bantuan petugas informasi."
)
RETYPE_LABEL = "Ketik ulang kode"
RETYPABLE: frozenset[ErrorCode] = frozenset({ErrorCode.UNKNOWN_BOOKING, ErrorCode.FORGED_BOOKING})
FINAL: frozenset[ErrorCode] = frozenset(
    {
        ErrorCode.CLOSED,
        ErrorCode.QUOTA_FULL,
        ErrorCode.AGENCY_FULL,
        ErrorCode.CANCELLED_BOOKING,
        ErrorCode.BOOKING_SLOT_PASSED,
        ErrorCode.INVALID_STATE,
    }
)
# Refusals that end when the service opens again: with the hub's ``next_open_at`` (an
# older hub sends it with agency_full only) the sentence says when, as the greyed row does.
COME_BACK: frozenset[ErrorCode] = frozenset({ErrorCode.CLOSED, ErrorCode.QUOTA_FULL})
PRINT_FAILED = "Maaf, tiket gagal dicetak. Nomor antrean dibatalkan."
UNAVAILABLE = Reason("Tidak tersedia", "Nomor antrean tidak dapat dibuat.", "Tutup")


# A booking's refusals read differently from a ticket's: an expired *press* is not a
# booking for another day, and a ticket has no code to be unknown or used.
TICKET_REASONS: dict[ErrorCode, Reason] = {
    ErrorCode.EXPIRED: Reason("", "Sistem antrean sedang sibuk."),
}
# A return ticket (yesterday's ticket scanned through the booking path, docs/hub.md
# "The return ticket") is honoured once, on the next service day only.
RETURN_REASONS: dict[ErrorCode, Reason] = {
    ErrorCode.EXPIRED: Reason(
        "",
        "Tiket ini tidak berlaku hari ini. Tiket kembali hanya berlaku satu kali, pada hari "
        "layanan berikutnya. Silakan ambil nomor antrean baru.",
    ),
    ErrorCode.INVALID_STATE: Reason(
        "", "Tiket kembali ini sudah digunakan. Silakan ambil nomor antrean baru."
    ),
}


def refusal(
    code: ErrorCode | None,
    booking: bool = False,
    error: ReplyError | None = None,
    now: datetime | None = None,
    returning: bool = False,
) -> str:
    """The error screen's sentence for a refused ``ticket.reserve`` or ``booking.check_in``.

    An agency full for today names the agency and when to come back, when the
    hub's reply says so (``agency_name``, ``next_open_at``): a citizen told
    "come back on the next service day" should not have to ask which day. A
    service closed or out of quota says when it opens again the same way.
    ``returning``: the code checked in was a ticket (a return ticket); one
    brought back too early says when it is valid.
    """
    if code is None:
        return UNAVAILABLE.sentence
    if returning:
        if code is ErrorCode.EXPIRED and error is not None and error.next_open_at and now:
            when = reopening(error.next_open_at, now).removeprefix("Buka ")
            return f"Tiket kembali ini baru berlaku {when}."
        if code in RETURN_REASONS:
            return RETURN_REASONS[code].sentence
    if booking and error is not None and error.booking_slot_at is not None and now is not None:
        named = booking_slot(code, error.booking_slot_at, now)
        if named is not None:
            return named
    if code is ErrorCode.AGENCY_FULL and error is not None and error.agency_name:
        back = reopening(error.next_open_at, now) if now and error.next_open_at else ""
        when = f", atau datang kembali {back.removeprefix('Buka ')}" if back else ""
        return (
            f"{error.agency_name} sudah penuh untuk hari ini. "
            f"Silakan daftar online untuk hari lain{when}."
        )
    reason = None if booking else TICKET_REASONS.get(code)
    sentence = (reason or REASONS.get(code, UNAVAILABLE)).sentence
    if code in COME_BACK and error is not None and error.next_open_at and now:
        back = reopening(error.next_open_at, now).removeprefix("Buka ")
        return f"{sentence} Silakan datang kembali {back}."
    return sentence


def hint(code: ErrorCode | None, booking: bool = False) -> str:
    """The line under a refusal: "try again" only where trying again can help. An expired
    ticket press means the hub was busy; an expired booking or return ticket is another day;
    a booking code not known or not genuine is checked and typed again."""
    if code in FINAL or (booking and code is ErrorCode.EXPIRED):
        return HELP_HINT
    if retypable(code, booking):
        return CODE_HINT
    return RETRY_HINT


def retypable(code: ErrorCode | None, booking: bool) -> bool:
    """Whether the error screen offers the keypad again with the code (a likely typo)."""
    return booking and code in RETYPABLE


def booking_slot(code: ErrorCode, slot: datetime, now: datetime) -> str | None:
    """A booking refused for its day or its time, named (hub 1.5 sends the slot): a citizen
    told "not for today" should not have to ask which day it was for."""
    local = slot.astimezone(now.tzinfo) if now.tzinfo else slot
    day = f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
    if code is ErrorCode.EXPIRED:
        if local.date() > now.date():
            return (
                f"Pendaftaran Anda untuk hari {day} pukul {clock(local)}. "
                "Silakan datang kembali pada hari itu."
            )
        return (
            f"Pendaftaran Anda untuk hari {day} sudah lewat. Silakan ambil nomor antrean "
            "biasa atau daftar online untuk hari lain."
        )
    if code is ErrorCode.BOOKING_SLOT_PASSED:
        return (
            f"Jadwal pendaftaran Anda pukul {clock(local)} sudah lewat. Silakan ambil nomor "
            "antrean biasa atau daftar online untuk jadwal lain."
        )
    return None


def reopening(at: datetime | None, now: datetime) -> str:
    """'Buka pukul 07.30' today, 'Buka besok pukul 07.30', 'Buka Senin, 30 November pukul 07.30'."""
    if at is None:
        return ""
    local = at.astimezone(now.tzinfo) if now.tzinfo else at
    days = (local.date() - now.date()).days
    if days <= 0:
        return f"Buka pukul {clock(local)}"
    if days == 1:
        return f"Buka besok pukul {clock(local)}"
    day = f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]}"
    return f"Buka {day} pukul {clock(local)}"


def unavailable(
    status: ServiceStatus | None, now: datetime, short: bool = False
) -> tuple[str, str]:
    """(why, when) for a service that cannot take tickets now, both for the greyed row."""
    if status is None:
        return "Memuat…", ""
    reason = REASONS.get(status.reason_code) if status.reason_code else None
    if reason is not None and short and reason.short:
        why = reason.short
    elif reason is not None and reason.label:
        why = reason.label
    else:  # a hub older than contract 1.2: its own words
        why = status.reason or UNAVAILABLE.label
    return why, reopening(status.reopens_at, now)
