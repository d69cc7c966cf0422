"""The slip a citizen takes home after a complaint at the kiosk: the hub's complaint id.

Same printer, profiles and ASCII rules as the ticket (edge/printer/ticket.py);
the id is printed large, because it is what the citizen quotes when asking
after the complaint at the information desk.
"""

from __future__ import annotations

from datetime import datetime

from escpos.printer import Dummy

from edge.indonesian import long_date
from edge.printer.ticket import FOOTER, PrinterProfile, to_ascii, wrap
from edge.wording import NBSP, unbroken


def render_complaint_slip(
    site_name: str, complaint_id: str, category: str, recorded_at: datetime, profile: PrinterProfile
) -> bytes:
    """ESC/POS bytes of the slip; ``recorded_at`` in the site's local time."""
    printer = Dummy(
        profile=profile.escpos_profile, magic_encode_args={"disabled": True, "encoding": "CP437"}
    )
    printer.hw("INIT")

    def lines(text: str) -> None:
        # "pukul 08.15", "23 November 2026" stay whole
        ascii_text = unbroken(NBSP.join(to_ascii(part) for part in text.split(NBSP)))
        for line in wrap(ascii_text, profile.columns):
            printer.text(line + "\n")

    printer.set(align="center", bold=True)
    lines(site_name)
    printer.text("\n")
    lines("BUKTI PENGADUAN DAN SARAN")
    printer.set(align="center", bold=False)
    lines(f"Jenis: {category}")
    printer.text("Nomor pengaduan\n")
    printer.set(align="center", custom_size=True, width=2, height=2)
    printer.text(to_ascii(complaint_id) + "\n")
    printer.set(align="center", normal_textsize=True, bold=False)
    lines(long_date(recorded_at, separator=" pukul "))
    lines("Sebutkan nomor ini bila menanyakan tindak lanjutnya ke petugas informasi.")
    lines(FOOTER[1])
    if profile.cutter:
        printer.cut()
    else:
        printer.ln(4)
    return bytes(printer.output)
