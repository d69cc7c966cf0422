"""The counter OLED's letters sit at even distances inside a word.

Drawn on a 1-bit panel at 9-12 px, fractional advances (Pillow's Raqm layout)
are rounded glyph by glyph: gaps of 0 to 3 px opened inside words ("kos ong",
"Petug as") and closed others ("Loket" with k, e, t touching). The unit's faces
use FreeType's hinted whole-pixel advances (edge/hardware/display.py ``face``).
"""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from edge.hardware.display import SMALL_FONT, face

WORDS = ("kosong", "menunggu", "Silakan", "tanda", "nomor")  # no letter reaching over another


def ink_gaps(word: str, size: int, bold: bool) -> list[int]:
    """Widths of the empty columns between the inked runs of ``word`` drawn at ``size``."""
    image = Image.new("1", (200, 30))
    ImageDraw.Draw(image).text((2, 2), word, font=face(size, bold), fill="white")
    pixels = image.load()
    inked = [any(pixels[x, y] for y in range(image.height)) for x in range(image.width)]
    gaps, gap, started = [], 0, False
    for column in inked:
        if column:
            if started and gap:
                gaps.append(gap)
            started, gap = True, 0
        elif started:
            gap += 1
    return gaps


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("word", WORDS)
def test_letters_of_a_small_line_are_evenly_spaced_and_apart(word: str, bold: bool) -> None:
    gaps = ink_gaps(word, SMALL_FONT, bold)
    assert len(gaps) == len(word) - 1, f"{word}: letters touching ({gaps})"
    assert max(gaps) - min(gaps) <= 1, f"{word}: uneven gaps {gaps}"
