"""Pictures of a signature, drawn from its strokes: SVG (the record) and PNG (the receipt).

Width follows pressure, as ink would; the picture keeps the pad's aspect ratio.
Here beside the contract because the pad draws it and the admin's receipt
draws it again from what the hub stored (Pillow is imported only to draw).
Drawn from the normalised strokes only, so the hub or a later check draws the
very same picture from what it stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from protocol.models import Stroke

MIN_WIDTH, MAX_WIDTH = 1.5, 4.5  # in picture units at 600 wide


def _size(aspect: float, width: int) -> tuple[int, int]:
    return width, max(1, round(width / aspect))


def _pen_width(pressure: float, scale: float) -> float:
    return (MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * pressure) * scale


def svg(strokes: Sequence[Stroke], aspect: float = 1.6, width: int = 600) -> str:
    """An SVG document: one path per segment group, width by pressure, round ends."""
    w, h = _size(aspect, width)
    scale = width / 600
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        '<g fill="none" stroke="black" stroke-linecap="round" stroke-linejoin="round">',
    ]
    for stroke in strokes:
        points = stroke.points
        if len(points) == 1:
            p = points[0]
            r = _pen_width(p.pressure, scale) / 2
            parts.append(
                f'<circle cx="{p.x * w:.1f}" cy="{p.y * h:.1f}" r="{r:.2f}" fill="black"/>'
            )
            continue
        for a, b in itertools.pairwise(points):
            width_px = _pen_width((a.pressure + b.pressure) / 2, scale)
            parts.append(
                f'<line x1="{a.x * w:.1f}" y1="{a.y * h:.1f}" x2="{b.x * w:.1f}" '
                f'y2="{b.y * h:.1f}" stroke-width="{width_px:.2f}"/>'
            )
    parts.append("</g></svg>")
    return "\n".join(parts) + "\n"


def png(strokes: Sequence[Stroke], path: Path, aspect: float = 1.6, width: int = 600) -> Path:
    """The same picture as a PNG (Pillow), for the receipt and the pad's preview."""
    from PIL import Image, ImageDraw

    w, h = _size(aspect, width)
    scale = width / 600
    image = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = stroke.points
        for a, b in itertools.pairwise(points):
            px = max(1, round(_pen_width((a.pressure + b.pressure) / 2, scale)))
            draw.line([(a.x * w, a.y * h), (b.x * w, b.y * h)], fill=0, width=px)
            r = px / 2
            draw.ellipse([b.x * w - r, b.y * h - r, b.x * w + r, b.y * h + r], fill=0)
        if len(points) == 1:
            p = points[0]
            r = max(1.0, _pen_width(p.pressure, scale) / 2)
            draw.ellipse([p.x * w - r, p.y * h - r, p.x * w + r, p.y * h + r], fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path
