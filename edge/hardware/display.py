"""The counter unit's small display: what to show, and drivers that show it.

The agent builds a :class:`Screen` (pure data, easy to assert on); a driver
draws it. :class:`LumaDisplay` draws on any luma device — an SSD1306 OLED on
I²C on the unit, luma's ``dummy`` device in tests — inside luma's ``canvas``,
which hands the frame to the device only when drawing succeeded.

Layout (128×64): a header bar in inverse video, the big line, and one or two
small lines. Every row is as tall as its font's ascent plus descent, so the
tails of "g", "p", "y" stay inside the row and the panel ("Menunggu",
"terhubung" lost them at the bottom edge). Text is DejaVu Sans, the real
regular and bold faces; a row shrinks to fit its width down to
:data:`MIN_FONT` and is shortened with "…" below that, never drawn outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from PIL import ImageDraw, ImageFont

MIN_FONT = 9  # 9 px DejaVu: capitals ~7 px, the smallest legible at 50 cm on a 0.96" OLED
SMALL_FONT = 10
BIG_FONT = 30
BIG_WITH_HINT = 20
BIG_MIN = 12  # the big line stays big: a long service name is shortened, not shrunk to a whisper
MARGIN = 2


@dataclass(frozen=True)
class Screen:
    """One frame of the counter display (text in Bahasa Indonesia).

    ``hint`` is an optional second small line: what the buttons do in a menu,
    how to open a closed counter.
    """

    header: str
    big: str
    footer: str
    hint: str = ""

    def lines(self) -> list[str]:
        """The texts shown, top to bottom (logs, the simulation's status)."""
        return [text for text in (self.header, self.big, self.footer, self.hint) if text]


@dataclass(frozen=True)
class Row:
    """One line of the frame: where it goes and at which size it fits."""

    text: str
    top: int
    height: int
    size: int
    bold: bool
    inverse: bool = False
    align: str = "left"


class CounterDisplay(Protocol):
    present: bool

    def show(self, screen: Screen) -> None: ...
    def close(self) -> None: ...


class NullDisplay:
    """No display fitted: remembers the last screen (for logs and tests)."""

    present = False

    def __init__(self) -> None:
        self.screen: Screen | None = None

    def show(self, screen: Screen) -> None:
        self.screen = screen

    def close(self) -> None:
        return None


_fonts: dict[tuple[int, bool], Any] = {}


def face(size: int, bold: bool = False) -> Any:
    """DejaVu Sans at ``size`` px (the screens' face, see edge.fonts)."""
    from edge.fonts import face_path

    key = (size, bold)
    if key not in _fonts:
        # Pillow's basic layout: FreeType's hinted whole-pixel advances. Raqm's
        # fractional ones, rounded glyph by glyph on a 1-bit panel, opened gaps
        # inside words ("kos ong", "Petug as") at 9-12 px.
        _fonts[key] = ImageFont.truetype(
            str(face_path(bold)), size, layout_engine=ImageFont.Layout.BASIC
        )
    return _fonts[key]


def line_height(size: int, bold: bool = False) -> int:
    ascent, descent = face(size, bold).getmetrics()
    return int(ascent + descent)


def _estimate(width_at_reference: float, reference: int, limit: float, top: int) -> int:
    """The largest size ≤ ``top`` whose scaled measure stays within ``limit``."""
    if width_at_reference <= 0:
        return top
    return max(1, min(top, int(limit * reference / width_at_reference)))


def fitted(
    text: str, size: int, bold: bool, width: int, minimum: int = MIN_FONT
) -> tuple[str, int]:
    """The text and the largest size ≤ ``size`` fitting ``width``; "…" below ``minimum``.

    Widths scale with the size, so the size is estimated from one measure and
    then checked: only the faces drawn are loaded (each DejaVu face costs a
    Pi Zero ~0.2 MB; trying every size loaded twenty of them).
    """
    reference = face(size, bold).getlength(text)
    size = max(minimum, _estimate(reference, size, width, size))
    while size > minimum and face(size, bold).getlength(text) > width:
        size -= 1
    font = face(size, bold)
    if font.getlength(text) <= width:
        return text, size
    while text and font.getlength(text.rstrip() + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def layout(screen: Screen, width: int = 128, height: int = 64) -> list[Row]:
    """Where each line of ``screen`` goes: header bar, big line, small lines at the bottom."""
    inner = width - 2 * MARGIN
    small = line_height(SMALL_FONT)
    rows: list[Row] = []
    header, size = fitted(screen.header, SMALL_FONT, True, inner)
    rows.append(Row(header, 0, small + 1, size, True, inverse=True))
    bottom = height
    for text in reversed([t for t in (screen.footer, screen.hint) if t]):
        line, size = fitted(text, SMALL_FONT, False, inner)
        bottom -= small
        rows.append(Row(line, bottom, small, size, False))
    top = small + 2
    space = bottom - top
    big_size = BIG_WITH_HINT if screen.hint else BIG_FONT
    big_size = max(MIN_FONT, _estimate(line_height(big_size, True), big_size, space, big_size))
    while big_size > MIN_FONT and line_height(big_size, True) > space:
        big_size -= 1
    big, big_size = fitted(screen.big, big_size, True, inner, min(BIG_MIN, big_size))
    tall = line_height(big_size, True)
    rows.append(Row(big, top + (space - tall) // 2, tall, big_size, True, align="center"))
    return sorted(rows, key=lambda row: row.top)


def draw_screen(draw: ImageDraw.ImageDraw, screen: Screen, width: int, height: int) -> None:
    """Draw ``screen`` on a 1-bit canvas of ``width`` × ``height``."""
    for row in layout(screen, width, height):
        font = face(row.size, row.bold)
        ink = "white"
        if row.inverse:
            draw.rectangle((0, row.top, width - 1, row.top + row.height - 1), fill="white")
            ink = "black"
        length = font.getlength(row.text)
        x = (width - length) / 2 if row.align == "center" else MARGIN
        draw.text((x, row.top), row.text, font=font, fill=ink)


class LumaDisplay:
    """Draws a :class:`Screen` on a luma device (128×64 and larger)."""

    present = True

    def __init__(self, device: Any) -> None:
        from luma.core.render import canvas

        self.device = device
        self._canvas = canvas
        self.screen: Screen | None = None

    def close(self) -> None:
        """Blank the panel and release the bus (luma's cleanup; done here, not at exit)."""
        self.device.cleanup()

    def show(self, screen: Screen) -> None:
        if screen == self.screen:
            return
        with self._canvas(self.device) as draw:
            draw_screen(draw, screen, self.device.width, self.device.height)
        self.screen = screen


def open_ssd1306(port: int, address: int) -> LumaDisplay:
    """The real OLED; raises OSError when it does not answer on the bus."""
    from luma.core.interface.serial import i2c
    from luma.oled.device import ssd1306

    return LumaDisplay(ssd1306(i2c(port=port, address=address)))
