"""Fitting text into boxes: wrap, then shrink until it fits. Text never overflows.

Shrinking stops at a minimum size (the smallest legible size of the surface,
e.g. the kiosk's 4 mm cap height): a text that still does not fit there is
shortened with "…" rather than shrunk further or drawn outside its box.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pygame

from edge.bounded_cache import BoundedCache
from edge.fonts import face_path

MIN_SIZE = 12
_fonts: dict[tuple[int, bool], pygame.font.Font] = {}
# SDL_ttf fonts are not safe to use from two threads at once (the demo runs the
# kiosk and the display screens in one process): every use goes through this.
LOCK = threading.RLock()
# Memory budgets per process (one screen each on a device). The lines one frame
# draws do not overlap, so together they hold at most the screen's own pixels:
# a full-HD frame (1920 × 1080 × 4 bytes, 8 MB; a busy call display draws 5.5 MB
# of text) keeps everything on screen, while numbers and clock texts of the past
# make way within a few calls. The cache is full, and flat, within minutes. A
# larger screen asks for its own frame size (:func:`budget_for`).
RENDERED_BUDGET = 1920 * 1080 * 4
FITTED_BUDGET = 1024 * 1024


def _surface_bytes(surface: pygame.Surface) -> int:
    return surface.get_pitch() * surface.get_height()


def _fitted_bytes(fitted: Fitted) -> int:
    return 200 + sum(len(line) for line in fitted.lines)  # tuple, strings, object


def font(size: int, bold: bool = False) -> pygame.font.Font:
    """The real regular or bold face (edge.fonts), never a synthetic bold."""
    key = (size, bold)
    if key not in _fonts:
        _fonts[key] = pygame.font.Font(str(face_path(bold)), size)
    return _fonts[key]


def cap_height(size: int, bold: bool = False) -> int:
    """Height of a capital letter in pixels at ``size`` (legibility rules count caps)."""
    with LOCK:
        metrics = font(size, bold).metrics("H")[0]
    return metrics[3] if metrics else size * 3 // 4


def size_for_cap(pixels: float, bold: bool = False) -> int:
    """The smallest font size whose capitals are at least ``pixels`` high."""
    size = max(6, int(pixels / 0.8))
    while cap_height(size, bold) < pixels:
        size += 1
    return size


@dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    size: int
    bold: bool

    @property
    def font(self) -> pygame.font.Font:
        return font(self.size, self.bold)

    def height(self) -> int:
        return self.font.get_linesize() * len(self.lines)

    def width(self) -> int:
        return max((self.font.size(line)[0] for line in self.lines), default=0)


RENDERED: BoundedCache[pygame.Surface] = BoundedCache(RENDERED_BUDGET, _surface_bytes)
FITTED: BoundedCache[Fitted] = BoundedCache(FITTED_BUDGET, _fitted_bytes)


def budget_for(surface: pygame.Surface) -> None:
    """Let the rendered-line cache hold one frame of ``surface`` (never less than full HD).

    A 4K TV's lines are four times the bytes of full HD's: with the full-HD
    budget every frame would render its texts again.
    """
    RENDERED.budget = max(RENDERED.budget, surface.get_width() * surface.get_height() * 4)


# Whitespace a line may break at: any but the no-break space (U+00A0), which joins the
# words of a phrase ("± 18 menit", edge/wording.py); str.split() would break at it too.
BREAKABLE = re.compile(r"[^\S\u00a0]+")


def words_of(text: str) -> list[str]:
    """The words of ``text`` as wrapping sees them: phrases joined by U+00A0 are one."""
    return [word for word in BREAKABLE.split(text) if word]


def wrap(text: str, face: pygame.font.Font, width: int) -> list[str]:
    words, lines, line = words_of(text), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if face.size(candidate)[0] <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def fit(
    text: str, box: pygame.Rect, size: int, bold: bool = False, minimum: int = MIN_SIZE
) -> Fitted:
    """The largest size in [``minimum``, ``size``] at which ``text`` wraps into ``box``.

    At ``minimum`` a text that still does not fit is shortened with "…".
    Screens redraw the same texts in the same boxes every frame, so results
    are cached: the search for a size runs once per text and box.
    """
    with LOCK:
        return FITTED.get_or_make(
            (text, box.width, box.height, size, bold, minimum),
            lambda: _search(text, box.width, box.height, size, bold, minimum),
        )


def _search(text: str, width: int, height: int, size: int, bold: bool, minimum: int) -> Fitted:
    size = max(size, minimum)
    while True:
        face = font(size, bold)
        fitted = Fitted(tuple(wrap(text, face, width)), size, bold)
        if fitted.height() <= height and fitted.width() <= width:
            return fitted
        if size <= minimum:
            return _shortened(fitted, face, width, height)
        size = max(minimum, size - 2)


def _shortened(fitted: Fitted, face: pygame.font.Font, width: int, height: int) -> Fitted:
    """As many lines as fit, each within the width; a cut line ends in "…"."""
    keep = max(1, height // face.get_linesize())
    lines = [_cut(line, face, width) for line in fitted.lines[:keep]]
    if len(fitted.lines) > keep and not lines[-1].endswith("…"):
        lines[-1] = _cut(lines[-1] + "…", face, width)
    return Fitted(tuple(lines), fitted.size, fitted.bold)


def _cut(line: str, face: pygame.font.Font, width: int) -> str:
    """``line`` if it fits, else its words (or letters) that fit, followed by "…"."""
    if face.size(line)[0] <= width:
        return line
    words = words_of(line.removesuffix("…"))
    while len(words) > 1 and face.size(" ".join(words) + "…")[0] > width:
        words.pop()
    cut = " ".join(words)
    while cut and face.size(cut + "…")[0] > width:
        cut = cut[:-1]
    return cut + "…"


def _rendered(line: str, size: int, bold: bool, colour: tuple[int, int, int]) -> pygame.Surface:
    """Rendered lines are reused frame after frame (blitting never changes them)."""
    return RENDERED.get_or_make(
        (line, size, bold, colour), lambda: font(size, bold).render(line, True, colour)
    )


def draw(
    surface: pygame.Surface,
    text: str,
    box: pygame.Rect,
    size: int,
    colour: tuple[int, int, int],
    bold: bool = False,
    align: str = "center",
    minimum: int = MIN_SIZE,
) -> Fitted:
    with LOCK:
        fitted = fit(text, box, size, bold, minimum)
        line_height = fitted.font.get_linesize()
        top = box.top + (box.height - fitted.height()) // 2
        for index, line in enumerate(fitted.lines):
            image = _rendered(line, fitted.size, fitted.bold, colour)
            x = box.left if align == "left" else box.centerx - image.get_width() // 2
            surface.blit(image, (x, top + index * line_height))
    return fitted
