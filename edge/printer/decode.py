"""Reading ESC/POS bytes back: text lines with their style, QR payloads, images, cuts.

No usable ESC/POS renderer exists in Python, so tests (and the demo's
file-backed printer) parse the commands the kiosk emits. Only the commands
our ticket layout uses are understood; anything else is an error, so a layout
change that emits something new cannot slip by unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, LF = 0x1B, 0x1D, 0x0A


class DecodeError(ValueError):
    """Bytes that are not the ESC/POS subset the ticket layout uses."""


@dataclass(frozen=True)
class Line:
    text: str
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1


@dataclass
class Printout:
    """One decoded stream: usually one ticket, ending with a cut."""

    lines: list[Line] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: list[tuple[int, int]] = field(default_factory=list)
    cuts: int = 0
    feeds: int = 0

    def text(self) -> list[str]:
        return [line.text for line in self.lines]


def split_tickets(data: bytes) -> list[Printout]:
    """Decode a stream holding several tickets (a file-backed printer)."""
    printouts, current = [], Printout()
    for piece in _decode(data):
        if piece == "cut":
            current.cuts += 1
            printouts.append(current)
            current = Printout()
        else:
            _add(current, piece)
    if current.lines or current.qr or current.images:
        printouts.append(current)
    return printouts


def decode(data: bytes) -> Printout:
    printout = Printout()
    for piece in _decode(data):
        if piece == "cut":
            printout.cuts += 1
        else:
            _add(printout, piece)
    return printout


def _add(printout: Printout, piece: object) -> None:
    if isinstance(piece, Line):
        printout.lines.append(piece)
    elif isinstance(piece, tuple) and piece[0] == "qr":
        printout.qr.append(piece[1])
    elif isinstance(piece, tuple) and piece[0] == "image":
        printout.images.append(piece[1])
    elif piece == "feed":
        printout.feeds += 1


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


def _decode(data: bytes):
    style = {"align": "left", "bold": False, "width": 1, "height": 1}
    text = bytearray()
    i = 0
    n = len(data)

    def need(count: int) -> bytes:
        if i + count > n:
            raise DecodeError(f"truncated command at byte {i}")
        return data[i : i + count]

    while i < n:
        byte = data[i]
        if byte == LF:
            yield Line(text.decode("cp437"), **style)  # type: ignore[arg-type]
            text.clear()
            i += 1
        elif byte == ESC:
            command = need(2)[1]
            if command == ord("@"):
                style = {"align": "left", "bold": False, "width": 1, "height": 1}
                i += 2
            elif command == ord("E"):
                style["bold"] = bool(need(3)[2])
                i += 3
            elif command == ord("a"):
                style["align"] = _ALIGN.get(need(3)[2], "left")
                i += 3
            elif command == ord("!"):  # print mode: also resets the character size
                mode = need(3)[2]
                style["width"] = 2 if mode & 0x20 else 1
                style["height"] = 2 if mode & 0x10 else 1
                i += 3
            elif command in (ord("t"), ord("M")):
                i += 3
            elif command == ord("d"):
                i += 3
                yield "feed"
            else:
                raise DecodeError(f"unknown ESC {command:#04x} at byte {i}")
        elif byte == GS:
            command = need(2)[1]
            if command == ord("!"):
                size = need(3)[2]
                style["width"], style["height"] = (size >> 4) + 1, (size & 0x0F) + 1
                i += 3
            elif command == ord("("):
                header = need(5)
                length = header[3] | header[4] << 8
                body = need(5 + length)[5:]
                if header[2] == ord("k") and body[:3] == b"1P0":
                    yield ("qr", body[3:].decode("ascii"))
                i += 5 + length
            elif command == ord("V"):
                mode = need(3)[2]
                i += 4 if mode in (65, 66) else 3
                yield "cut"
            elif command == ord("v"):
                head = need(8)
                width_bytes = head[4] | head[5] << 8
                height = head[6] | head[7] << 8
                need(8 + width_bytes * height)
                yield ("image", (width_bytes * 8, height))
                i += 8 + width_bytes * height
            else:
                raise DecodeError(f"unknown GS {command:#04x} at byte {i}")
        elif byte < 0x20 and byte not in (0x09,):
            raise DecodeError(f"unexpected control byte {byte:#04x} at {i}")
        else:
            text.append(byte)
            i += 1
    if text:
        yield Line(text.decode("cp437"), **style)  # type: ignore[arg-type]
