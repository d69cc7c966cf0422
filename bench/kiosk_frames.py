"""Kiosk frames: what one redraw of each screen costs on each supported panel, and its sizes.

The UI loop redraws the screen 30 times a second; a tap is noticed at the
next frame, so the draw time adds to the tap → ticket latency
(bench/kiosk_tap.py). For each panel it also prints the physical sizes the
layout chose (docs/ux minimums: body capitals 4 mm, headings 8 mm, targets
15 mm, 3 mm apart) and how many pages the agency list takes.

    .venv/bin/python bench/kiosk_frames.py [--frames 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
from bench_building import print_table  # noqa: E402

from edge.kiosk.metrics import TYPICAL_WIDTH_MM  # noqa: E402
from edge.kiosk.screens import KioskScreens  # noqa: E402
from edge.text_fit import cap_height  # noqa: E402
from tests.kiosk_render import CASES, NOW, model_for  # noqa: E402

PANELS = {
    '7" 1024x600': (1024, 600),
    '10.1" 1280x800': (1280, 800),
    '21.5" 1080x1920': (1080, 1920),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="redraws per screen")
    args = parser.parse_args()
    pygame.display.init()
    pygame.font.init()
    sizes, frames = [], []
    for panel, size in PANELS.items():
        screens = KioskScreens(pygame.Surface(size), TYPICAL_WIDTH_MM[size])
        m = screens.m
        model = model_for("agencies")
        screens.draw(model, NOW)
        sizes.append(
            [
                panel,
                f"{cap_height(m.body, True) / m.px_per_mm:.1f}",
                f"{cap_height(m.heading, True) / m.px_per_mm:.1f}",
                f"{m.target / m.px_per_mm:.1f}",
                f"{m.gap / m.px_per_mm:.1f}",
                str(screens.pages),
            ]
        )
        times: list[float] = []
        for case in CASES:
            model = model_for(case)
            screens.draw(model, NOW)  # the first frame fits and renders its texts once
            for _ in range(args.frames):
                started = time.perf_counter()
                screens.draw(model, NOW)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        frames.append(
            [
                panel,
                f"{statistics.median(times):.1f}",
                f"{times[int(len(times) * 0.99) - 1]:.1f}",
                f"{times[-1]:.1f}",
            ]
        )
    print("Sizes on the panel (mm) and pages of the agency list:")
    print_table(["panel", "body cap", "heading cap", "target", "gap", "agency pages"], sizes)
    print(f"\nOne redraw, {len(CASES)} screens x {args.frames} frames (ms):")
    print_table(["panel", "p50", "p99", "max"], frames)


if __name__ == "__main__":
    main()
