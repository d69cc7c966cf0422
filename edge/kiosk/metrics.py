"""Sizes of the kiosk's screens in pixels, from the physical minimums of docs/ux.

Citizens of every age read the kiosk from 40–60 cm: capitals of body text at
least 4 mm high, headings 8 mm, touch targets at least 15 mm square and 3 mm
apart. A pixel size means nothing without the panel, so the device file
gives its visible width (``[kiosk] width_mm``); sizes grow beyond the
minimums where a large panel has the room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from edge.text_fit import font, size_for_cap

BODY_CAP_MM = 4.0
HEADING_CAP_MM = 8.0
TARGET_MM = 15.0
GAP_MM = 3.0
# Visible width of common kiosk panels, for device files that do not give it.
TYPICAL_WIDTH_MM = {
    (1024, 600): 154.2,  # 7"
    (600, 1024): 90.0,
    (1280, 800): 217.0,  # 10.1"
    (800, 1280): 135.6,
    (1920, 1080): 476.6,  # 21.5"
    (1080, 1920): 268.1,
}
FINEST_PITCH_MM = 0.15  # unknown panel: assume small pixels, so text errs on the large side


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes of one panel, each at or above its physical minimum."""

    px_per_mm: float
    body: int  # font size of body text
    large: int  # button labels, names on tiles
    heading: int
    target: int  # smallest touch target side
    gap: int

    @classmethod
    def of(cls, size: tuple[int, int], width_mm: float | None = None) -> Metrics:
        width, height = size
        width_mm = width_mm or TYPICAL_WIDTH_MM.get(size) or width * FINEST_PITCH_MM
        ppm = width / width_mm
        short, long = min(width, height), max(width, height)
        body = max(size_for_cap(BODY_CAP_MM * ppm, bold=True), short // 27, long // 42)
        heading = max(size_for_cap(HEADING_CAP_MM * ppm, bold=True), body * 3 // 2)
        return cls(
            px_per_mm=ppm,
            body=body,
            large=body * 6 // 5,
            heading=heading,
            target=max(math.ceil(TARGET_MM * ppm), body * 2),
            gap=max(math.ceil(GAP_MM * ppm), short // 60),
        )

    def line(self, size: int | None = None) -> int:
        return font(size or self.body).get_linesize()
