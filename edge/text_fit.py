"""Fitting text into boxes: wrap, then shrink until it fits. Text never overflows."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pygame

from edge.bounded_cache import BoundedCache

MIN_SIZE = 12
_fonts: dict[tuple[int, bool], pygame.font.Font] = {}
# SDL_ttf fonts are not safe to use from two threads at once (the demo runs the
# kiosk and the display screens in one process): every use goes through this.
LOCK = threading.RLock()
# Memory budgets per process (one screen each on a device). Rendered lines at the
# display's sizes weigh 10 kB to 0.6 MB; 24 MB keeps every label and heading a
# frame redraws, while numbers of past calls make way for new ones.
RENDERED_BUDGET = 24 * 1024 * 1024
FITTED_BUDGET = 2 * 1024 * 1024


def _surface_bytes(surface: pygame.Surface) -> int:
    return surface.get_pitch() * surface.get_height()


def _fitted_bytes(fitted: Fitted) -> int:
    return 200 + sum(len(line) for line in fitted.lines)  # tuple, strings, object


def font(size: int, bold: bool = False) -> pygame.font.Font:
    """pygame's bundled font (no system fonts on a kiosk image)."""
    key = (size, bold)
    if key not in _fonts:
        made = pygame.font.Font(None, size)
        made.set_bold(bold)
        _fonts[key] = made
    return _fonts[key]


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


def wrap(text: str, face: pygame.font.Font, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
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


def fit(text: str, box: pygame.Rect, size: int, bold: bool = False) -> Fitted:
    """The largest size ≤ ``size`` at which ``text`` wraps into ``box``.

    Screens redraw the same texts in the same boxes every frame, so results
    are cached: the search for a size runs once per text and box.
    """
    with LOCK:
        return _fit(text, box.width, box.height, size, bold)


def _fit(text: str, width: int, height: int, size: int, bold: bool) -> Fitted:
    return FITTED.get_or_make(
        (text, width, height, size, bold), lambda: _search(text, width, height, size, bold)
    )


def _search(text: str, width: int, height: int, size: int, bold: bool) -> Fitted:
    box = pygame.Rect(0, 0, width, height)
    while True:
        face = font(size, bold)
        lines = wrap(text, face, box.width)
        fitted = Fitted(tuple(lines), size, bold)
        if (fitted.height() <= box.height and fitted.width() <= box.width) or size <= MIN_SIZE:
            return fitted
        size -= 2


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
) -> Fitted:
    with LOCK:
        fitted = fit(text, box, size, bold)
        line_height = fitted.font.get_linesize()
        top = box.top + (box.height - fitted.height()) // 2
        for index, line in enumerate(fitted.lines):
            image = _rendered(line, fitted.size, fitted.bold, colour)
            x = box.left if align == "left" else box.centerx - image.get_width() // 2
            surface.blit(image, (x, top + index * line_height))
    return fitted
