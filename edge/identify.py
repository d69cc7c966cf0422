"""The admin's *identify* on a screen: a flashing frame and a banner naming the device.

``mpp admin device identify display-01`` asks "which of these screens is
display-01?" — in a hall with two TVs, or at a row of kiosks. For the few
seconds the hub asks for, the screen draws a thick frame that flashes black
and yellow twice a second and a banner across the top with
"IDENTIFIKASI display-01" and what the device is. The screen below stays
usable (a citizen at a kiosk can carry on); nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pygame

from edge import fonts

FLASH_S = 0.5  # the frame swaps colours at this pace: visible from across a hall
YELLOW = (255, 212, 0)
BLACK = (16, 16, 16)
TITLE = "IDENTIFIKASI"


@dataclass
class Identify:
    """Whether the screen is identifying itself now, and as what."""

    device_id: str
    detail: str = ""
    until: float = 0.0

    def start(self, seconds: float, now: float) -> None:
        self.until = now + max(1.0, seconds)

    def active(self, now: float) -> bool:
        return now < self.until

    def lines(self) -> list[str]:
        """The banner's texts (logs, the simulation's status)."""
        return [f"{TITLE} {self.device_id}", *([self.detail] if self.detail else [])]


@cache
def _font(size: int) -> pygame.font.Font:
    pygame.font.init()
    return pygame.font.Font(str(fonts.face_path(bold=True)), size)


def _fitted(text: str, size: int, room: int) -> int:
    """The largest size up to ``size`` at which ``text`` fits ``room`` pixels wide."""
    while size > 10 and _font(size).size(text)[0] > room:
        size -= 2
    return size


def draw(surface: pygame.Surface, identify: Identify, now: float) -> pygame.Rect | None:
    """Draw the frame and banner over what is on ``surface`` while active; the banner's box."""
    if not identify.active(now):
        return None
    width, height = surface.get_size()
    phase = int((identify.until - now) / FLASH_S) % 2
    ink, paper = (YELLOW, BLACK) if phase else (BLACK, YELLOW)
    border = max(8, min(width, height) // 40)
    pygame.draw.rect(surface, ink, surface.get_rect(), border)
    pygame.draw.rect(surface, paper, surface.get_rect().inflate(-border, -border), border // 2)
    title_px = max(24, min(width, height) // 13)
    texts = identify.lines()
    room = width - border * 8
    sizes = (title_px, title_px // 2)[: len(texts)]
    fitted = [_fitted(text, size, room) for text, size in zip(texts, sizes, strict=True)]
    gap = title_px // 3
    banner = pygame.Rect(
        border * 2, border * 2, width - border * 4, sum(fitted) * 5 // 4 + gap * 2
    )
    pygame.draw.rect(surface, BLACK, banner)
    pygame.draw.rect(surface, YELLOW, banner, max(2, border // 3))
    top = banner.top + gap
    for text, size in zip(texts, fitted, strict=True):
        image = _font(size).render(text, True, YELLOW, BLACK)
        surface.blit(image, image.get_rect(midtop=(banner.centerx, top)))
        top += size * 5 // 4
    return banner
