"""The hand-over receipt (tanda terima): what was handed to whom, signed, with the hash.

Drawn with Pillow on an A4 page at 150 dpi and saved as PNG or PDF (Pillow
writes the page as a one-page PDF). The signature is drawn from the stored
strokes (protocol/signature_picture.py), and the SHA-256 is recomputed here from
those strokes: a receipt is only written when it matches what the hub stored,
so the printed hash can settle a later dispute against the stored strokes.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from admin.client import ConsoleError
from protocol.indonesian_calendar import MONTHS
from protocol.models.signature import Receipt, strokes_sha256

if TYPE_CHECKING:
    from admin.session import Session

PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 110
VALUE_LEFT = MARGIN + 380  # where a row's value starts, right of its label
FORMATS = {".png": "PNG", ".pdf": "PDF"}


def _font(size: int, bold: bool = False):
    """DejaVu Sans from matplotlib (the admin extra has it), so no system font is needed."""
    from matplotlib import font_manager
    from PIL import ImageFont

    face = font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    return ImageFont.truetype(font_manager.findfont(face, fallback_to_default=True), size)


def when(receipt: Receipt) -> str:
    """Date and time as people read them: "23 November 2026, 09.41 WIB"."""
    local = receipt.signed_at.astimezone(ZoneInfo(receipt.time_zone))
    zone = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
        receipt.time_zone, receipt.time_zone
    )
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H.%M} {zone}"


def wrapped(text: str, font: Any, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` at ``font``, broken between words (a
    word longer than the line is cut): a count of characters let long service names
    such as "Pendaftaran Perkara (Gugatan dan Permohonan)" run off the page."""
    lines: list[str] = []
    for word in text.split():
        pieces = []
        while font.getlength(word) > width:  # a word wider than the line: cut it
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            pieces.append(word[:cut])
            word = word[cut:]
        lines.extend(pieces)
        if lines and not pieces and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def render_receipt(receipt: Receipt, out: Path) -> Path:
    """Write the receipt to ``out`` (.png or .pdf); ConsoleError if the hash does not match."""
    from PIL import Image, ImageDraw

    from protocol.signature_picture import png

    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ConsoleError(f"{out}: the receipt is written as .png or .pdf")
    if not receipt.strokes_purged and strokes_sha256(receipt.strokes) != receipt.sha256:
        raise ConsoleError(
            f"{receipt.ticket_id}: the stored strokes do not match their SHA-256; "
            "no receipt written — report this to the hub's administrator"
        )
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    y = MARGIN
    draw.text((MARGIN, y), receipt.site_name, font=_font(34, bold=True), fill=0)
    y += 60
    draw.text((MARGIN, y), "TANDA TERIMA DOKUMEN", font=_font(46, bold=True), fill=0)
    y += 90
    rows = [
        ("Nomor antrean", receipt.number),
        ("Instansi", receipt.agency_name),
        ("Layanan", receipt.service_name),
        ("Dokumen diserahkan", receipt.document or receipt.service_name),
        ("Tanggal dan jam", when(receipt)),
        ("Loket", str(receipt.counter)),
        ("Petugas", receipt.officer or "(tidak tercatat)"),
    ]
    label, value = _font(26), _font(28, bold=True)
    for name, text in rows:
        draw.text((MARGIN, y), name, font=label, fill=60)
        lines = wrapped(text, value, PAGE[0] - MARGIN - VALUE_LEFT) or ["-"]
        for line in lines:
            draw.text((VALUE_LEFT, y), line, font=value, fill=0)
            y += 42
        y += 14
    y += 30
    draw.text((MARGIN, y), "Tanda tangan penerima", font=label, fill=60)
    y += 46
    box = (MARGIN, y, PAGE[0] - MARGIN, y + 520)
    draw.rectangle(box, outline=120, width=2)
    if receipt.strokes_purged:  # past the site's retention: only the hash is left
        purged = "Goresan tanda tangan telah dihapus setelah masa simpan; hash di bawah tetap."
        for index, line in enumerate(wrapped(purged, _font(28), box[2] - box[0] - 40)):
            draw.text((box[0] + 20, box[1] + 20 + index * 40), line, font=_font(28), fill=60)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            width = box[2] - box[0] - 40
            picture = png(receipt.strokes, Path(scratch) / "signature.png", width=width)
            with Image.open(picture) as signature:
                inner = signature.convert("L")
                inner.thumbnail((box[2] - box[0] - 40, box[3] - box[1] - 40))
                page.paste(inner, (box[0] + 20, box[1] + 20))
    y = box[3] + 40
    draw.text((MARGIN, y), "SHA-256 goresan tanda tangan:", font=label, fill=60)
    y += 40
    mono = _font(24)
    draw.text((MARGIN, y), receipt.sha256[:32], font=mono, fill=0)
    draw.text((MARGIN, y + 34), receipt.sha256[32:], font=mono, fill=0)
    y += 100
    note = (
        f"Tiket {receipt.ticket_id}. Goresan tanda tangan disimpan di server MPP; "
        "hash di atas dapat dicocokkan dengan data goresan tersebut."
    )
    if receipt.strokes_purged:
        note = (
            f"Tiket {receipt.ticket_id}. Goresan tanda tangan sudah dihapus sesuai masa simpan "
            "data pribadi; hash di atas tetap dapat dicocokkan dengan tanda terima yang dicetak "
            "sebelumnya."
        )
    for line in wrapped(note, _font(22), PAGE[0] - 2 * MARGIN):
        draw.text((MARGIN, y), line, font=_font(22), fill=60)
        y += 32
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "PDF":
        page.save(out, "PDF", resolution=150.0)
    else:
        page.save(out, "PNG")
    return out


def register_receipt(commands: argparse._SubParsersAction) -> None:
    receipt = commands.add_parser(
        "receipt", help="the hand-over receipt of a signed ticket, as PDF or PNG"
    )
    receipt.add_argument(
        "ticket", type=str.upper, help="ticket id (20261123-A-012) or today's number (A-012)"
    )
    receipt.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.png")
    receipt.set_defaults(action=_receipt)


def ticket_id_of(session: Session, reference: str) -> str:
    """The ticket id a reference names: an id as it is; today's number (``A-012``)
    resolved by the hub as ``ticket find`` does, since receipts are kept by id."""
    from protocol.models import AdminTicketFind
    from protocol.models.fields import TICKET_NUMBER_PATTERN

    reference = reference.strip().upper()
    if re.fullmatch(TICKET_NUMBER_PATTERN, reference) is None:
        return reference  # an id, or malformed: said in one line when the command is built
    found = session.ask(AdminTicketFind, ticket=reference).ticket
    assert found is not None
    return found.ticket_id


def _receipt(session: Session, args: argparse.Namespace) -> int:
    from protocol.models import AdminTicketReceipt

    if args.out.suffix.lower() not in FORMATS:
        raise ConsoleError(f"{args.out}: the receipt is written as .png or .pdf")
    reply = session.ask(AdminTicketReceipt, ticket_id=ticket_id_of(session, args.ticket))
    assert reply.receipt is not None
    written = render_receipt(reply.receipt, args.out)
    print(f"receipt of {reply.receipt.number} written to {written} (sha256 {reply.receipt.sha256})")
    return 0
