"""Letters on the call display sized in millimetres, drawn by their ink, recorded.

A hall reads the TV from 3–10 m, so sizes are set by the physical height of
a capital letter (ux.md: call number ≥ 100 mm, counter ≥ 50 mm, any other
text ≥ 20 mm), converted to pixels with the panel's width in mm. A text is
drawn at the largest size up to its preferred one that fits its box, and
never below its minimum: a text that does not fit there takes its next,
shorter form (a configured short name, a code) and only as a last resort is
cut with "…".

Text is placed by its ink (the rendered glyphs' bounding box), not by the
font's line box, so big digits can fill a panel without the empty ascender
and descender bands of the line. Every text drawn is recorded as
:class:`Drawn` — text, cap height, ink and background colour — which the
tests check for minimum sizes and contrast on every screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pygame

from edge.text_fit import LOCK, RENDERED, cap_height, font

RGB = tuple[int, int, int]
STEP = 0.94  # each try is 6 % smaller
REFERENCE_SIZE = 100


@dataclass(frozen=True)
class Drawn:
    """One text as drawn: what a legibility or contrast check needs."""

    text: str
    kind: str  # "number", "counter" or "text": the size rule that applies
    size: int
    cap_px: int
    ink: RGB
    background: RGB
    rect: pygame.Rect
    part: str = ""  # which part of the screen ("grid" for the waiting grid's cells)


@dataclass(frozen=True)
class Lettering:
    """The fitted form of a text: which variant, at which size."""

    text: str
    size: int
    width: int
    height: int


@lru_cache(maxsize=256)
def _span(size: int, bold: bool) -> tuple[int, int]:
    """How far the tallest ascender rises and the deepest descender falls, from the baseline."""
    face = font(size, bold)
    probe = face.render("dlbhkgjpqy", True, (255, 255, 255)).get_bounding_rect()
    ascent = face.get_ascent()
    return ascent - probe.top, probe.bottom - ascent


def _ink(text: str, size: int, bold: bool, centred: bool = False) -> tuple[int, int]:
    """Width of the ink of ``text``, and the height it needs when placed like :meth:`draw`.

    Words sit on a baseline placed so that a line with ascenders and
    descenders is centred in its box: words side by side line up, whatever
    their letters. A number (``centred``) has its own ink centred instead.
    """
    rect = ink_rect(text, size, bold, (255, 255, 255))
    if centred:
        return rect.width, rect.height
    ascent = font(size, bold).get_ascent()
    rise, fall = _span(size, bold)
    middle = (rise - fall) / 2  # the box's centre, above the baseline
    above = ascent - rect.top - middle
    below = rect.bottom - ascent + middle
    return rect.width, math.ceil(2 * max(above, below))


@lru_cache(maxsize=1024)
def ink_rect(text: str, size: int, bold: bool, colour: RGB) -> pygame.Rect:
    """Where the glyphs are in the rendered line (measured once per text: it is slow).

    The line measured is not kept: fitting tries several sizes of a text and
    only the one drawn belongs in :data:`RENDERED` (trial sizes of the call
    number and the header once filled two thirds of its budget). A Rect and its
    key are a few hundred bytes: 1,024 of them stay under 0.5 MB.
    """
    with LOCK:
        return font(size, bold).render(text, True, colour).get_bounding_rect()


def render(text: str, size: int, bold: bool, colour: RGB) -> pygame.Surface:
    """``text`` rendered (anti-aliased), reused frame after frame."""
    return RENDERED.get_or_make(
        ("ink", text, size, bold, colour),
        lambda: font(size, bold).render(text, True, colour),
    )


@lru_cache(maxsize=1024)
def fit(
    variants: tuple[str, ...],
    width: int,
    height: int,
    size: int,
    minimum: int,
    bold: bool,
    centred: bool = False,
) -> Lettering:
    """The first variant that fits ``width`` × ``height`` at a size in [``minimum``, ``size``].

    The largest size that fits is taken. When no variant fits at ``minimum``
    the last one is cut with "…" at ``minimum``.
    """
    with LOCK:
        for text in variants:
            candidate = max(size, minimum)
            while True:
                w, h = _ink(text, candidate, bold, centred)
                if w <= width and h <= height:
                    return Lettering(text, candidate, w, h)
                if candidate <= minimum:
                    break
                candidate = max(minimum, int(candidate * STEP))
        text = variants[-1]
        while len(text) > 1 and _ink(text + "…", minimum, bold, centred)[0] > width:
            text = text[:-1].rstrip()
        w, h = _ink(text + "…", minimum, bold, centred)
        return Lettering(text + "…", minimum, w, h)


@lru_cache(maxsize=256)
def _cap(size: int, bold: bool) -> int:
    return cap_height(size, bold)


@lru_cache(maxsize=256)
def _size_for_cap(pixels: float, bold: bool) -> int:
    """The smallest size whose capitals reach ``pixels``.

    Cap height scales with the size: estimated from one reference face, then
    checked, so only the faces drawn are opened (each ~70 kB; counting up one
    size at a time opened 146 of them on this screen).
    """
    with LOCK:
        per_size = _cap(REFERENCE_SIZE, bold) / REFERENCE_SIZE
        size = max(6, math.ceil(pixels / per_size) - 1)
        while _cap(size, bold) < pixels:
            size += 1
        return size


@dataclass
class Letterer:
    """Draws on one surface with one scale (pixels per mm) and keeps the record."""

    surface: pygame.Surface
    px_per_mm: float
    drawn: list[Drawn]

    def size_for_mm(self, cap_mm: float, bold: bool = False) -> int:
        """The font size whose capitals are ``cap_mm`` high on this panel."""
        return _size_for_cap(round(cap_mm * self.px_per_mm, 2), bold)

    def text(
        self,
        variants: str | Sequence[str],
        box: pygame.Rect,
        colour: RGB,
        background: RGB,
        *,
        cap_mm: float,
        min_mm: float,
        bold: bool = False,
        align: str = "center",
        kind: str = "text",
    ) -> Lettering:
        """Draw the first variant that fits ``box`` with capitals of ``min_mm``–``cap_mm``."""
        forms = (variants,) if isinstance(variants, str) else tuple(variants)
        size = self.size_for_mm(cap_mm, bold)
        minimum = self.size_for_mm(min_mm, bold)
        centred = kind != "text"
        lettering = fit(forms, box.width, box.height, size, minimum, bold, centred)
        self.draw(lettering, box, colour, background, bold=bold, align=align, kind=kind)
        return lettering

    def draw(
        self,
        lettering: Lettering,
        box: pygame.Rect,
        colour: RGB,
        background: RGB,
        *,
        bold: bool = False,
        align: str = "center",
        kind: str = "text",
        part: str = "",
    ) -> None:
        """Blit a fitted text, its capitals centred vertically in ``box``."""
        with LOCK:
            image = render(lettering.text, lettering.size, bold, colour)
            ink = ink_rect(lettering.text, lettering.size, bold, colour)
            cap = _cap(lettering.size, bold)
            ascent = font(lettering.size, bold).get_ascent()
            rise, fall = _span(lettering.size, bold)
        if align == "left":
            x = box.left
        elif align == "right":
            x = box.right - ink.width
        else:
            x = box.centerx - ink.width // 2
        if kind == "text":
            baseline = box.centery + (rise - fall) // 2
            y = baseline - ascent + ink.top
        else:
            y = box.centery - ink.height // 2
        self.surface.blit(image, (x, y), ink)
        rect = pygame.Rect(x, y, ink.width, ink.height)
        self.drawn.append(
            Drawn(lettering.text, kind, lettering.size, cap, colour, background, rect, part)
        )


def grid_size(
    cells: Sequence[tuple[Sequence[str], str]],
    width: int,
    height: int,
    size: int,
    minimum: int,
    gap: int,
) -> tuple[int, list[str]]:
    """One size for every cell of a grid, and each cell's label at that size.

    A cell is a label (its forms, the full one first) and a count drawn bold
    at its right. The size is the largest, down to ``minimum``, at which every
    cell fits with its full label. When even ``minimum`` is too large, the
    grid stays at ``minimum`` and a cell that does not fit takes its next,
    shorter form; one whose forms all fail is cut with "…".
    """
    return _grid_size(tuple((tuple(v), c) for v, c in cells), width, height, size, minimum, gap)


@lru_cache(maxsize=256)
def _grid_size(
    cells: tuple[tuple[tuple[str, ...], str], ...],
    width: int,
    height: int,
    size: int,
    minimum: int,
    gap: int,
) -> tuple[int, list[str]]:
    with LOCK:
        candidate = max(size, minimum)
        while True:
            if all(_fits(v[0], c, width, height, candidate, gap) for v, c in cells):
                return candidate, [v[0] for v, _ in cells]
            if candidate <= minimum:
                break
            candidate = max(minimum, int(candidate * STEP))
        labels = []
        for variants, count in cells:
            room = width - gap - _ink(count, minimum, True)[0]
            labels.append(fit(variants, room, height, minimum, minimum, False).text)
        return minimum, labels


def _fits(label: str, count: str, width: int, height: int, size: int, gap: int) -> bool:
    label_w, label_h = _ink(label, size, False)
    count_w, count_h = _ink(count, size, True)
    return label_w + gap + count_w <= width and max(label_h, count_h) <= height
