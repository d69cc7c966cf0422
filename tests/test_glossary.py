"""One wording on every surface people read or hear: the glossary (edge/wording.py) applied.

Each surface has one function returning the texts it actually shows or
says, collected from what was rendered (screens drawn headless, tickets
decoded from their ESC/POS bytes), not grepped from the source. Another
surface joins by adding its function to SURFACES (call display, counter OLED,
voice, running text).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pygame
import pytest

from edge.printer.complaint_slip import render_complaint_slip
from edge.printer.decode import decode
from edge.printer.ticket import PROFILES, TicketContent, render_ticket
from edge.wording import GLOSSARY, problems
from tests.kiosk_fixtures import RESOLUTIONS
from tests.kiosk_render import CASES, render
from tests.surface_texts import display_texts, oled_texts, running_text_texts, voice_texts

# Proper names a rule would otherwise catch (an agency's own name may say "gerai").
ALLOWED: tuple[str, ...] = ()


def kiosk_texts() -> list[str]:
    """Every text drawn on every kiosk screen at every resolution."""
    pygame.display.init()
    pygame.font.init()
    return sorted(
        {
            drawn.text
            for resolution in RESOLUTIONS
            for case in CASES
            for drawn in render(case, resolution).drawn
        }
    )


def ticket_texts() -> list[str]:
    """Every line of printed tickets, both paper widths, with and without people ahead."""
    texts: set[str] = set()
    for people, wait, booking in ((4, 18, None), (0, 2, "BK-1001"), (12, 45, None)):
        content = TicketContent(
            site_name="Mal Pelayanan Publik Kabupaten Lampung Timur",
            agency_name="Dinas Kependudukan dan Pencatatan Sipil",
            number="A-012",
            service_name="Perekaman dan Pencetakan KTP-el",
            priority=people == 0,
            issued_at=datetime(2026, 11, 23, 8, 15),
            people_ahead=people,
            estimated_wait_min=wait,
            ticket_id="20261123-A-012",
            booking_code=booking,
            waiting_area="lantai 1, depan loket 1–4",
        )
        for profile in PROFILES.values():
            texts.update(decode(render_ticket(content, profile)).text())
    for profile in PROFILES.values():  # the slip of a complaint made at the kiosk
        slip = render_complaint_slip(
            "Mal Pelayanan Publik Kabupaten Lampung Timur",
            "PGD-20261123-004",
            "Pengaduan",
            datetime(2026, 11, 23, 8, 15),
            profile,
        )
        texts.update(decode(slip).text())
    return sorted(text for text in texts if text)


SURFACES: dict[str, Callable[[], list[str]]] = {
    "kiosk": kiosk_texts,
    "ticket": ticket_texts,
    # the display side, collected in tests/surface_texts.py
    "display": display_texts,
    "oled": oled_texts,
    "voice": voice_texts,
    "running_text": running_text_texts,
}


@pytest.mark.parametrize("surface", list(SURFACES))
def test_surface_speaks_the_glossary(surface: str) -> None:
    texts = SURFACES[surface]()
    assert len(texts) > 10, f"{surface}: too few texts collected to mean anything"
    found = [problem for text in texts for problem in problems(text, ALLOWED)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "wrong",
    [
        "Ambil Nomor Antrian",
        "Saya punya booking",
        "Menunggu 0 orang",
        "0 orang di depan Anda",
        "Menunggu 3 orang · < 5 menit",
        "±8 menit",
        "perkiraan kurang dari 5",
        "Silakan ambil struk Anda",
        "Hub OFFLINE",
        "Ke counter 3",
        "Buka pukul 13:00",
        "Senin, 23 November 2026  08.15",
        "quota_full",
    ],
)
def test_the_glossary_catches_the_old_wording(wrong: str) -> None:
    assert problems(wrong), f"{wrong!r} slipped through"


@pytest.mark.parametrize(
    "right",
    [
        "Ambil Nomor Antrean",
        "Sudah daftar online?",
        "Tidak ada antrean di depan Anda",
        "3 orang di depan Anda, perkiraan tunggu ± 10 menit.",
        "perkiraan tunggu kurang dari 5 menit",
        "perkiraan tunggu ± 4 jam",
        "Layanan sedang tutup, buka kembali pukul 13.00",
        "Pengaduan: SP4N-LAPOR! www.lapor.go.id atau SMS 1708",
    ],
)
def test_the_glossary_lets_the_right_wording_through(right: str) -> None:
    assert problems(right) == []


def test_every_rule_says_what_to_use() -> None:
    assert all(rule.use for rule in GLOSSARY)


def test_waits_are_said_the_way_people_count_them() -> None:
    from edge.wording import estimated_wait, queue_summary

    assert estimated_wait(4) == "perkiraan tunggu kurang dari 5 menit"
    assert estimated_wait(18) == "perkiraan tunggu ± 18 menit"
    assert estimated_wait(245) == "perkiraan tunggu ± 4 jam"
    assert queue_summary(0, 2) == "Tidak ada antrean di depan Anda."
    assert queue_summary(0, 12) == "Tidak ada antrean di depan Anda, perkiraan tunggu ± 12 menit."
