"""Contrast of text on its background (WCAG 2.2 relative luminance), and fills that pass it.

Screens compute their text colours with these, and tests measure every text
drawn against the colour actually under it.
"""

from __future__ import annotations

RGB = tuple[int, int, int]
AA = 4.5  # WCAG AA for text


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: RGB) -> float:
    r, g, b = (_channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(ink: RGB, paper: RGB) -> float:
    """Contrast ratio between two colours, 1 to 21."""
    high, low = sorted((luminance(ink), luminance(paper)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def darkened_for(fill: RGB, ink: RGB, target: float = AA + 0.1) -> RGB:
    """``fill`` darkened just enough for ``ink`` (light) to reach ``target`` on it.

    Agency colours come from the site file (the olive, the orange): a tile keeps
    its hue and becomes as dark as white text needs.
    """
    colour = fill
    for _ in range(100):
        if ratio(ink, colour) >= target:
            return colour
        colour = (colour[0] * 94 // 100, colour[1] * 94 // 100, colour[2] * 94 // 100)
    return colour


def hex_colour(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
