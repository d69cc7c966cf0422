"""Ticket bytes: decoded back into lines, QR payload and cut, for both paper widths."""

from __future__ import annotations

from datetime import datetime

import pytest
from escpos.printer import Dummy

from edge.printer.decode import DecodeError, decode, split_tickets
from edge.printer.ticket import PROFILES, TicketContent, render_ticket, to_ascii

CONTENT = TicketContent(
    site_name="Mal Pelayanan Publik Kabupaten Lampung Timur",
    agency_name="Dinas Kependudukan dan Pencatatan Sipil",
    number="A-012",
    service_name="Perekaman dan Pencetakan KTP-el",
    priority=True,
    issued_at=datetime(2026, 11, 23, 8, 15),
    people_ahead=4,
    estimated_wait_min=18,
    ticket_id="20261123-A-012",
)


def test_80mm_ticket_reads_back() -> None:
    printout = decode(render_ticket(CONTENT, PROFILES["80mm"]))
    text = printout.text()
    assert text[:4] == [
        "Mal Pelayanan Publik Kabupaten Lampung Timur",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "",
        "NOMOR ANTREAN",
    ]
    big = next(line for line in printout.lines if line.text == "A-012")
    assert (big.width, big.height, big.align) == (4, 4, "center")
    assert "Perekaman dan Pencetakan KTP-el" in text
    assert "PRIORITAS" in text
    assert "Senin, 23 November 2026 pukul 08.15" in text
    assert "4 orang di depan Anda" in text
    assert "Perkiraan tunggu kurang lebih 18 menit" in text, "± is not ASCII: said in words"
    assert printout.qr == ["20261123-A-012"], "no site URL: the ticket id alone"
    assert any("SP4N-LAPOR" in line for line in text)
    assert printout.cuts == 1


def test_58mm_ticket_wraps_and_prints_the_qr_as_an_image() -> None:
    content = TicketContent(
        **{
            **CONTENT.__dict__,
            "priority": False,
            "service_name": "Informasi dan Pengambilan Produk Pengadilan "
            "(Akta Cerai, Salinan Putusan)",
        }
    )
    printout = decode(render_ticket(content, PROFILES["58mm"]))
    assert all(len(line.text) * line.width <= 32 for line in printout.lines)
    assert "PRIORITAS" not in printout.text()
    assert printout.qr == [] and len(printout.images) == 1
    assert printout.cuts == 0, "the 58 mm printer has no cutter: it feeds instead"


def test_characters_outside_the_code_page_are_transliterated() -> None:
    assert to_ascii("Pengadilan Agama — Akta Cérai “baru” ✓") == (
        'Pengadilan Agama - Akta Cerai "baru" ?'
    )
    content = TicketContent(**{**CONTENT.__dict__, "service_name": "Konsultasi — ✓ café"})
    assert "Konsultasi - ? cafe" in decode(render_ticket(content, PROFILES["80mm"])).text()


def test_short_wait_and_nobody_ahead_are_said_in_words() -> None:
    content = TicketContent(**{**CONTENT.__dict__, "estimated_wait_min": 2, "people_ahead": 0})
    text = decode(render_ticket(content, PROFILES["80mm"])).text()
    assert "Perkiraan tunggu kurang dari 5 menit" in text
    assert "Tidak ada antrean di depan Anda" in text


def test_a_stream_of_tickets_splits_at_cuts() -> None:
    data = render_ticket(CONTENT, PROFILES["80mm"]) * 3
    assert [p.qr for p in split_tickets(data)] == [["20261123-A-012"]] * 3


def test_unknown_commands_are_refused() -> None:
    with pytest.raises(DecodeError, match="unknown ESC"):
        decode(b"\x1bZ\x00")


def test_only_the_number_is_printed_large() -> None:
    printout = decode(render_ticket(CONTENT, PROFILES["80mm"]))
    large = [line.text for line in printout.lines if line.width > 1]
    assert large == ["A-012"]


def test_qr_opens_the_sites_page_for_the_ticket() -> None:
    content = TicketContent(
        **{**CONTENT.__dict__, "qr_url": "https://mpp.example.go.id/antrean/{ticket_id}"}
    )
    printout = decode(render_ticket(content, PROFILES["80mm"]))
    assert printout.qr == ["https://mpp.example.go.id/antrean/20261123-A-012"]


def test_58mm_qr_image_holds_the_url() -> None:
    """The raster QR is exactly python-escpos's image of the URL (not of the bare id)."""
    url = "https://mpp.example.go.id/antrean/{ticket_id}"
    content = TicketContent(**{**CONTENT.__dict__, "qr_url": url})
    data = render_ticket(content, PROFILES["58mm"])

    def raster(payload: str) -> bytes:
        alone = Dummy(profile="POS-5890")
        alone.qr(payload, size=5, native=False, center=True)
        block = bytes(alone.output)
        return block[block.index(b"\x1dv0") :]

    assert raster("https://mpp.example.go.id/antrean/20261123-A-012") in data
    assert raster("20261123-A-012") not in data


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_phrases_stay_on_one_line_and_no_double_spaces(paper: str) -> None:
    content = TicketContent(
        **{
            **CONTENT.__dict__,
            "people_ahead": 12,
            "waiting_area": "lantai 1, depan loket 1 sampai 4",
            "booking_code": "BK-1001",
        }
    )
    printout = decode(render_ticket(content, PROFILES[paper]))
    text = printout.text()
    assert any(line.endswith("SMS 1708") for line in text), text
    assert not any(line.endswith("SMS") or line.startswith("1708") for line in text)
    assert any("SP4N-LAPOR!" in line for line in text), "never split at its hyphen"
    assert any(line.endswith("pukul 08.15") for line in text), text
    assert all("  " not in line for line in text), text
    assert all(len(line.text) * line.width <= PROFILES[paper].columns for line in printout.lines)
    assert "Kode pendaftaran: BK-1001" in text
    assert any("loket 1 sampai 4" in line for line in text), text


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_a_list_of_counters_stays_together(paper: str) -> None:
    """Seen in the demo: "…loket 5, 6 dan" on one line and "21" alone on the next."""
    content = TicketContent(
        **{**CONTENT.__dict__, "waiting_area": "lantai 1, depan loket 5, 6 dan 21"}
    )
    text = decode(render_ticket(content, PROFILES[paper])).text()
    assert any("loket 5, 6 dan 21" in line for line in text), text


def _site_tickets() -> list[tuple[str, list[str]]]:
    """The printed text of a ticket for every service of the default site, both widths."""
    from hub.site.loader import load_site

    site = load_site()
    printed = []
    for service in site.services:
        agency = site.agency(service.agency)
        content = TicketContent(
            **{
                **CONTENT.__dict__,
                "agency_name": agency.name,
                "service_name": service.name,
                "waiting_area": agency.waiting_area,
            }
        )
        for profile in PROFILES.values():
            printed.append((service.code, decode(render_ticket(content, profile)).text()))
    return printed


def test_the_ticket_names_the_waiting_area_in_a_sentence_of_its_own() -> None:
    """Printed as "Tunggu di ruang tunggu lantai 1, loket 1 sampai 4": the area under a
    label, as the done screen says it, never "sampai … sampai" in one sentence."""
    for code, text in _site_tickets():
        joined = " ".join(text)
        assert "Ruang tunggu: lantai " in joined, (code, text)
        for said in joined.split(". "):
            assert said.count("sampai") <= 1, (code, said)
