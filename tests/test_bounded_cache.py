"""Screens' text caches are bounded by the memory they hold, not by their count."""

from __future__ import annotations

import os

import pygame

from edge import text_fit
from edge.bounded_cache import BoundedCache


def test_least_recently_used_goes_first_once_over_budget() -> None:
    cache: BoundedCache[bytes] = BoundedCache(budget=100, weigh=len)
    cache.get_or_make("a", lambda: b"x" * 40)
    cache.get_or_make("b", lambda: b"x" * 40)
    cache.get_or_make("a", lambda: b"never made")  # a is used again: b is older now
    cache.get_or_make("c", lambda: b"x" * 40)
    assert cache.held == 80 and len(cache) == 2
    assert cache.get_or_make("a", lambda: b"remade") == b"x" * 40, "a kept"
    assert cache.get_or_make("b", lambda: b"remade") == b"remade", "b evicted"


def test_a_value_larger_than_the_budget_is_used_but_not_kept() -> None:
    cache: BoundedCache[bytes] = BoundedCache(budget=10, weigh=len)
    assert cache.get_or_make("big", lambda: b"x" * 11) == b"x" * 11
    assert len(cache) == 0 and cache.held == 0


def test_a_days_call_numbers_at_display_size_stay_within_the_budget() -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame.font.init()
    surface = pygame.Surface((1920, 1080))
    box = pygame.Rect(0, 0, 1100, 420)
    text_fit.RENDERED.clear()
    for n in range(1, 801):
        text_fit.draw(surface, f"A-{n:03d}", box, 400, (255, 255, 255), bold=True)
        text_fit.draw(surface, f"08.{n % 60:02d}", pygame.Rect(0, 0, 300, 60), 48, (0, 0, 0))
    assert text_fit.RENDERED.held <= text_fit.RENDERED_BUDGET
    assert len(text_fit.RENDERED) < 800, "old numbers made way for new ones"
    assert text_fit.FITTED.held <= text_fit.FITTED_BUDGET
