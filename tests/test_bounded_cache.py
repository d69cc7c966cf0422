"""Screens' text caches are bounded by the memory they hold, not by their count."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import pygame
import pytest

import tests.kiosk_fixtures  # noqa: F401 - headless SDL before pygame starts
from edge import text_fit
from edge.bounded_cache import BoundedCache
from edge.display import lettering


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
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET
    for n in range(1, 801):
        text_fit.draw(surface, f"A-{n:03d}", box, 400, (255, 255, 255), bold=True)
        text_fit.draw(surface, f"08.{n % 60:02d}", pygame.Rect(0, 0, 300, 60), 48, (0, 0, 0))
    assert text_fit.RENDERED.held <= text_fit.RENDERED_BUDGET
    assert len(text_fit.RENDERED) < 800, "old numbers made way for new ones"
    assert text_fit.FITTED.held <= text_fit.FITTED_BUDGET


def _busy_display(calls: int) -> tuple[Any, Any]:
    from tests.test_display import _screen_with

    return _screen_with(calls)


def test_one_frame_of_a_busy_display_fits_the_budget_and_redraws_from_it() -> None:
    """The budget holds what a screen shows: the next frame renders nothing again."""
    text_fit.RENDERED.clear()
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET
    model, screen = _busy_display(12)
    assert 0 < text_fit.RENDERED.held <= text_fit.RENDERED_BUDGET
    made = text_fit.RENDERED.made
    screen.draw(model, 144.4, datetime(2026, 11, 23, 8, 30))  # the same moment again
    assert text_fit.RENDERED.made == made, "a frame's texts were evicted by the same frame"


def test_only_drawn_lines_are_kept_not_the_sizes_tried_while_fitting() -> None:
    """Fitting the call number tries several sizes; one, the drawn one, is kept."""
    lettering.fit.cache_clear()  # the search runs again, as on a fresh display
    lettering.ink_rect.cache_clear()
    text_fit.RENDERED.clear()
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET
    _model, screen = _busy_display(12)
    drawn = {(d.text, d.size) for d in screen.drawn}
    kept = {(key[1], key[2]) for key in text_fit.RENDERED.held_keys()}
    assert kept <= drawn, f"kept but never drawn: {sorted(kept - drawn)[:5]}"


def test_a_day_of_calls_on_the_display_stays_within_the_budget() -> None:
    """800 calls (numbers, counters, clock minutes): the cache holds one frame's worth."""
    from tests.test_display import _call

    text_fit.RENDERED.clear()
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET
    model, screen = _busy_display(12)
    for n in range(13, 813):
        model.add_call(_call(f"{'ABHKP'[n % 5]}-{n:03d}", n % 20 + 1, n))
        model.tick(n * 10.0)
        screen.draw(model, n * 10.0, datetime(2026, 11, 23, 8 + n // 120, n // 2 % 60))
    assert text_fit.RENDERED.held <= text_fit.RENDERED_BUDGET
    assert len(text_fit.RENDERED) < 200, "past numbers made way for new ones"
    assert lettering.ink_rect.cache_info().currsize <= 1024
    assert lettering.fit.cache_info().currsize <= 1024


def test_a_4k_screen_asks_for_its_own_frame_size() -> None:
    pygame.font.init()
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET
    text_fit.budget_for(pygame.Surface((3840, 2160)))
    assert text_fit.RENDERED.budget == 3840 * 2160 * 4
    text_fit.budget_for(pygame.Surface((1280, 720)))
    assert text_fit.RENDERED.budget == 3840 * 2160 * 4, "never less than the largest screen"
    text_fit.RENDERED.budget = text_fit.RENDERED_BUDGET


def test_screen_agents_fix_the_large_block_threshold_on_glibc() -> None:
    """Freed text surfaces go back to the OS (glibc's dynamic threshold would keep them)."""
    import platform

    from protocol.malloc_tuning import map_large_blocks

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc: musl and others keep their own policy")
    assert map_large_blocks() is True
