"""A simulated screen's PNG is replaced in one step: a reader never sees it half-written."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from edge.hardware.snapshot import save_png


def test_a_failed_or_unfinished_save_leaves_the_previous_screen_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "display-01.png"
    first = pygame.Surface((64, 32))
    first.fill((10, 40, 90))
    save_png(first, path)
    before = path.read_bytes()
    assert pygame.image.load(str(path)).get_size() == (64, 32)

    def dies_half_way(_surface: pygame.Surface, target: object) -> None:
        Path(str(target)).write_bytes(b"\x89PNG half")  # what a reader would catch
        raise OSError("disk full")

    monkeypatch.setattr(pygame.image, "save", dies_half_way)
    with pytest.raises(OSError):
        save_png(first, path)
    assert path.read_bytes() == before, "the screen people look at is still the whole one"
