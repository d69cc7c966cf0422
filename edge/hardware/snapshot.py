"""Screens saved as PNG files that a reader never catches half-written.

Simulated screens (the demo's `display-01.png`, the kiosk's) are rewritten
every few seconds while people, tests and the demo's monitor read them; a
plain `pygame.image.save` truncates the file first, so a reader could see 0
bytes (seen in CI). Writing beside it and renaming is atomic on one file system.
"""

from __future__ import annotations

from pathlib import Path

import pygame


def save_png(surface: pygame.Surface, path: Path) -> None:
    """Save ``surface`` to ``path`` in one step: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")  # the suffix picks PNG
    pygame.image.save(surface, partial)
    partial.replace(path)
