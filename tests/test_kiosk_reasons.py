"""The kiosk's words for why it cannot give a ticket: one mapping, reasons and reopening times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from edge.kiosk.reasons import (
    CODE_HINT,
    HELP_HINT,
    REASONS,
    RETRY_HINT,
    hint,
    refusal,
    reopening,
    retypable,
    unavailable,
)
from protocol.errors import ErrorCode
from protocol.models import ServiceStatus

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 23, 12, 10, tzinfo=WIB)  # a Monday


@pytest.mark.parametrize(
    ("at", "said"),
    [
        (datetime(2026, 11, 23, 13, 0, tzinfo=WIB), "Buka pukul 13.00"),
        (datetime(2026, 11, 24, 7, 30, tzinfo=WIB), "Buka besok pukul 07.30"),
        (datetime(2026, 11, 30, 7, 30, tzinfo=WIB), "Buka Senin, 30 November pukul 07.30"),
        (None, ""),
    ],
)
def test_reopening_in_local_words(at: datetime | None, said: str) -> None:
    assert reopening(at, NOW) == said


def test_a_status_is_worded_from_its_code_not_the_hubs_text() -> None:
    status = ServiceStatus(
        service="DUK-KTP",
        waiting=0,
        estimated_wait_min=0,
        open_counters=0,
        accepting=False,
        reason="Kuota hari ini sudah habis",
        reason_code=ErrorCode.QUOTA_FULL,
        reopens_at=datetime(2026, 11, 24, 0, 30, tzinfo=ZoneInfo("UTC")),
    )
    assert unavailable(status, NOW) == ("Kuota hari ini sudah habis", "Buka besok pukul 07.30")
    assert unavailable(status, NOW, short=True)[0] == "Kuota habis"
    older_hub = status.model_copy(update={"reason_code": None, "reopens_at": None})
    assert unavailable(older_hub, NOW) == ("Kuota hari ini sudah habis", "")


def test_every_refusal_a_kiosk_can_meet_has_words() -> None:
    for code in (ErrorCode.CLOSED, ErrorCode.QUOTA_FULL, ErrorCode.UNKNOWN_BOOKING):
        assert code in REASONS
    assert refusal(ErrorCode.EXPIRED, booking=True) == "Pendaftaran ini bukan untuk hari ini."
    assert refusal(ErrorCode.EXPIRED) == "Sistem antrean sedang sibuk.", "a late press"
    assert refusal(ErrorCode.INTERNAL) == "Nomor antrean tidak dapat dibuat."


def test_only_a_failure_that_can_pass_asks_the_citizen_to_try_again() -> None:
    """Under "full today" or "your booking is for Wednesday", "Silakan coba lagi" would
    send the citizen back to the same refusal; under a busy hub or a typo it helps."""
    for code in (ErrorCode.AGENCY_FULL, ErrorCode.QUOTA_FULL, ErrorCode.CLOSED):
        assert hint(code) == HELP_HINT
    for code in (ErrorCode.INVALID_STATE, ErrorCode.CANCELLED_BOOKING, ErrorCode.EXPIRED):
        assert hint(code, booking=True) == HELP_HINT
    assert hint(ErrorCode.BOOKING_SLOT_PASSED, booking=True) == HELP_HINT
    assert hint(ErrorCode.EXPIRED) == RETRY_HINT, "a late press: the hub was busy"
    for code in (None, ErrorCode.INTERNAL, ErrorCode.STORAGE_FULL):
        assert hint(code) == RETRY_HINT
    for code in (ErrorCode.UNKNOWN_BOOKING, ErrorCode.FORGED_BOOKING):
        assert hint(code, booking=True) == CODE_HINT, "a mistyped code: type it again"
        assert retypable(code, booking=True)
    assert not retypable(ErrorCode.EXPIRED, booking=True) and not retypable(None, False)


def test_a_code_refused_as_not_genuine_says_one_thing() -> None:
    """Seen: heading "…tidak sah. Periksa kembali kode Anda atau tanyakan ke petugas." over
    "Silakan coba lagi. Bila masih gagal, minta bantuan petugas informasi.": the heading
    states the refusal, the line under it the one thing to do."""
    said = refusal(ErrorCode.FORGED_BOOKING, booking=True)
    assert said == "Kode pendaftaran tidak sah."
    assert hint(ErrorCode.FORGED_BOOKING, booking=True) == (
        "Periksa kembali kode Anda dan ketik ulang. Bila masih gagal, minta bantuan petugas "
        "informasi."
    )
    assert "petugas" not in said and "coba lagi" not in CODE_HINT


def test_a_booking_for_another_day_or_a_passed_slot_is_named() -> None:
    """A hub of 1.5 sends the booking's slot: the citizen hears which day it is for, or
    which time has passed, dates and times as the glossary writes them."""
    from protocol.models import ReplyError

    def said(code: ErrorCode, slot: datetime) -> str:
        error = ReplyError(code=code, message="refused", booking_slot_at=slot)
        return refusal(code, booking=True, error=error, now=NOW)

    wednesday = datetime(2026, 11, 25, 2, 30, tzinfo=ZoneInfo("UTC"))  # 09.30 WIB
    assert said(ErrorCode.EXPIRED, wednesday) == (
        "Pendaftaran Anda untuk hari Rabu, 25 November 2026 pukul 09.30. "
        "Silakan datang kembali pada hari itu."
    )
    assert said(ErrorCode.EXPIRED, datetime(2026, 11, 20, 9, 0, tzinfo=WIB)) == (
        "Pendaftaran Anda untuk hari Jumat, 20 November 2026 sudah lewat. Silakan ambil "
        "nomor antrean biasa atau daftar online untuk hari lain."
    )
    assert said(ErrorCode.BOOKING_SLOT_PASSED, datetime(2026, 11, 23, 10, 0, tzinfo=WIB)) == (
        "Jadwal pendaftaran Anda pukul 10.00 sudah lewat. Silakan ambil nomor antrean biasa "
        "atau daftar online untuk jadwal lain."
    )
    assert refusal(ErrorCode.EXPIRED, booking=True, now=NOW) == (
        "Pendaftaran ini bukan untuk hari ini."
    ), "a hub of 1.4 sends no slot"


@pytest.mark.parametrize(
    ("code", "at", "said"),
    [
        (
            ErrorCode.QUOTA_FULL,
            datetime(2026, 11, 24, 7, 30, tzinfo=WIB),
            "Kuota layanan ini untuk hari ini sudah habis. "
            "Silakan datang kembali besok pukul 07.30.",
        ),
        (
            ErrorCode.CLOSED,
            datetime(2026, 11, 23, 13, 0, tzinfo=WIB),
            "Layanan ini sedang tutup. Silakan datang kembali pukul 13.00.",
        ),
        (
            ErrorCode.CLOSED,
            datetime(2026, 11, 30, 7, 30, tzinfo=WIB),
            "Layanan ini sedang tutup. Silakan datang kembali Senin, 30 November pukul 07.30.",
        ),
    ],
)
def test_a_full_or_closed_service_says_when_to_come_back(
    code: ErrorCode, at: datetime, said: str
) -> None:
    """The services list says "Buka besok pukul 07.30"; the refusal of a ticket for the
    same service said only "Kuota … sudah habis." and left the citizen to ask."""
    from protocol.models import ReplyError

    error = ReplyError(code=code, message="refused", next_open_at=at)
    assert refusal(code, error=error, now=NOW) == said
    assert refusal(code, error=ReplyError(code=code, message="refused"), now=NOW) == (
        REASONS[code].sentence
    ), "a hub that does not say when: the sentence alone"
