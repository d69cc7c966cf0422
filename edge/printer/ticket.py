"""The ticket layout, rendered to ESC/POS bytes on python-escpos's ``Dummy``.

Rendering is separate from sending (protocol over transport): the kiosk
builds the whole ticket in memory, then a transport sends it and reports
success, which is what confirms the print to the hub.

Text goes out as ASCII with the code-page magic off: cheap printers misread
the automatic code-page switches, so characters outside ASCII are
transliterated on purpose ("é" → "e", "—" → "-") rather than left to chance.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from escpos.printer import Dummy

from edge.indonesian import long_date
from edge.wording import (
    NBSP,
    estimated_wait,
    people_ahead,
    sentence,
    unbroken,
    waiting_place,
)
from protocol.models.fields import is_ticket_id

_REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "•": "*",
    "→": "->",
    "×": "x",
    "±": "kurang lebih",  # how "± 18 menit" is read out; not in ASCII
}
FOOTER = (
    f"Simpan tiket ini sampai{NBSP}layanan{NBSP}selesai.",
    f"Pengaduan: SP4N-LAPOR! www.lapor.go.id atau{NBSP}SMS{NBSP}1708",
)


@dataclass(frozen=True)
class PrinterProfile:
    """What a printer model can do; checked before anything is sent."""

    escpos_profile: str
    columns: int
    native_qr: bool
    cutter: bool
    big_width: int


PROFILES = {
    "80mm": PrinterProfile("TM-T20II", columns=48, native_qr=True, cutter=True, big_width=4),
    "58mm": PrinterProfile("POS-5890", columns=32, native_qr=False, cutter=False, big_width=3),
}


@dataclass(frozen=True)
class TicketContent:
    site_name: str
    agency_name: str
    number: str
    service_name: str
    priority: bool
    issued_at: datetime  # local time of the site
    people_ahead: int
    estimated_wait_min: int
    ticket_id: str
    booking_code: str | None = None
    waiting_area: str | None = None  # the site's: "lantai 1, depan loket 1–4"
    qr_url: str | None = None  # the site's URL with {ticket_id}; the id alone when None

    def qr_payload(self) -> str:
        """What the QR holds: a page a phone can open, else the ticket id for the counter."""
        if self.qr_url and "{ticket_id}" in self.qr_url:
            return self.qr_url.replace("{ticket_id}", self.ticket_id)
        return self.ticket_id


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken only between phrases.

    Words joined by a no-break space stay together, and hyphenated words
    ("KTP-el", "SP4N-LAPOR!") are never split at the hyphen.
    """
    lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=True) or [""]
    return [" ".join(line.replace(NBSP, " ").split()) for line in lines]


def to_ascii(text: str) -> str:
    """Transliterate for a printer that only knows ASCII; unknown characters become '?'."""
    replaced = "".join(_REPLACEMENTS.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", replaced)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in stripped)


def render_ticket(content: TicketContent, profile: PrinterProfile) -> bytes:
    """The whole ticket as ESC/POS bytes."""
    printer = Dummy(
        profile=profile.escpos_profile, magic_encode_args={"disabled": True, "encoding": "CP437"}
    )
    printer.hw("INIT")

    def lines(text: str, width: int = profile.columns) -> None:
        ascii_text = unbroken(NBSP.join(to_ascii(part) for part in text.split(NBSP)))
        for line in wrap(ascii_text, width):
            printer.text(line + "\n")

    printer.set(align="center", bold=True)
    lines(content.site_name)
    printer.set(align="center", bold=False)
    lines(content.agency_name)
    printer.text("\n")
    printer.text("NOMOR ANTREAN\n")
    printer.set(align="center", custom_size=True, width=profile.big_width, height=profile.big_width)
    printer.text(to_ascii(content.number) + "\n")
    printer.set(align="center", normal_textsize=True, bold=True)
    lines(content.service_name)
    if content.priority:
        printer.text("PRIORITAS\n")
    printer.set(align="center", bold=False)
    if content.booking_code and is_ticket_id(content.booking_code):
        lines(f"Tiket kembali: {content.booking_code.upper()}")  # yesterday's, honoured today
    elif content.booking_code:
        lines(f"Kode pendaftaran: {content.booking_code}")
    lines(long_date(content.issued_at, separator=" pukul "))
    lines(people_ahead(content.people_ahead))
    lines(sentence(estimated_wait(content.estimated_wait_min)))
    if waiting_place(content.waiting_area):  # as on the done screen
        lines(waiting_place(content.waiting_area))
    printer.set(align="center")  # native QR follows the alignment; images centre themselves
    payload = content.qr_payload()
    if profile.native_qr:
        printer.qr(payload, size=6, native=True)
    else:
        printer.qr(payload, size=5, native=False, center=True)
    for footer in FOOTER:
        lines(footer)
    if profile.cutter:
        printer.cut()
    else:
        printer.ln(4)
    return bytes(printer.output)
