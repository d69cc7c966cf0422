"""Drawing the call display (1920×1080 landscape, scales with the surface)."""

from __future__ import annotations

from datetime import datetime

import pygame

from edge.display.model import DisplayModel
from edge.indonesian import long_date
from edge.text_fit import LOCK, font
from edge.text_fit import draw as draw_text

NAVY = (13, 42, 90)
GOLD = (255, 193, 7)
WHITE = (255, 255, 255)
INK = (20, 28, 40)
PALE = (232, 238, 247)
MUTED = (110, 120, 135)
ALERT = (160, 20, 30)
NOT_LINKED_TEXT = "Tidak terhubung · panggilan berikutnya tampil setelah sistem pulih"


class DisplayScreen:
    def __init__(self, surface: pygame.Surface) -> None:
        pygame.font.init()
        self.surface = surface
        self.width, self.height = surface.get_size()
        self.unit = max(6, self.height // 60)

    def draw(self, model: DisplayModel, now: float, local: datetime) -> None:
        u, w, h = self.unit, self.width, self.height
        self.surface.fill(PALE)
        header = pygame.Rect(0, 0, w, u * 7)
        pygame.draw.rect(self.surface, NAVY, header)
        name = model.catalogue.site_name if model.catalogue else "Mal Pelayanan Publik"
        draw_text(
            self.surface,
            name,
            pygame.Rect(u * 2, 0, w * 2 // 3, header.height),
            u * 4,
            WHITE,
            bold=True,
            align="left",
        )
        stamp = long_date(local, separator="   ")
        draw_text(
            self.surface,
            stamp,
            pygame.Rect(w * 2 // 3, 0, w // 3 - u * 2, header.height),
            u * 3,
            WHITE,
        )
        footer = pygame.Rect(0, h - u * 6, w, u * 6)
        body = pygame.Rect(
            u * 2, header.bottom + u * 2, w - u * 4, footer.top - header.bottom - u * 4
        )
        left = pygame.Rect(body.left, body.top, body.width * 3 // 5, body.height * 7 // 10)
        right = pygame.Rect(
            left.right + u * 2, body.top, body.right - left.right - u * 2, body.height
        )
        self._now_calling(model, left, now)
        self._recent(model, right)
        self._waiting(
            model,
            pygame.Rect(
                body.left, left.bottom + u * 2, left.width, body.bottom - left.bottom - u * 2
            ),
        )
        if model.linked:
            self._running_text(model, footer, now)
        else:
            self._not_linked(footer)

    def _not_linked(self, footer: pygame.Rect) -> None:
        """The broker or hub is unreachable: say so where the running text was."""
        pygame.draw.rect(self.surface, ALERT, footer)
        draw_text(
            self.surface, NOT_LINKED_TEXT, footer.inflate(-self.unit * 4, 0), self.unit * 4, WHITE
        )

    def _now_calling(self, model: DisplayModel, area: pygame.Rect, now: float) -> None:
        u = self.unit
        flash = model.highlighted(now) and int(now * 2) % 2 == 0
        pygame.draw.rect(self.surface, GOLD if flash else NAVY, area, border_radius=u * 2)
        ink = NAVY if flash else WHITE
        call = model.now_calling
        parts = [
            pygame.Rect(
                area.left + u * 2,
                area.top + i * area.height // 6,
                area.width - u * 4,
                area.height // 6,
            )
            for i in range(6)
        ]
        draw_text(self.surface, "NOMOR ANTRIAN", parts[0], u * 5, ink, bold=True)
        if call is None:
            draw_text(self.surface, "—", parts[1].union(parts[3]), u * 20, ink, bold=True)
            draw_text(self.surface, "Belum ada panggilan", parts[4], u * 4, ink)
            return
        draw_text(self.surface, call.number, parts[1].union(parts[3]), u * 26, ink, bold=True)
        draw_text(
            self.surface, f"Silakan ke {call.counter_name.upper()}", parts[4], u * 7, ink, bold=True
        )
        draw_text(self.surface, call.agency_name, parts[5], u * 4, ink)

    def _recent(self, model: DisplayModel, area: pygame.Rect) -> None:
        u = self.unit
        pygame.draw.rect(self.surface, WHITE, area, border_radius=u * 2)
        title = pygame.Rect(area.left, area.top + u, area.width, u * 6)
        draw_text(self.surface, "Panggilan terakhir", title, u * 4, INK, bold=True)
        row_h = (area.bottom - title.bottom - u * 2) // 8
        for index, call in enumerate(model.recent[:8]):
            row = pygame.Rect(
                area.left + u * 2,
                title.bottom + u + index * row_h,
                area.width - u * 4,
                row_h - u // 2,
            )
            if index % 2 == 0:
                pygame.draw.rect(self.surface, PALE, row, border_radius=u)
            half = row.width // 2
            draw_text(
                self.surface,
                call.number,
                pygame.Rect(row.left, row.top, half, row.height),
                u * 5,
                NAVY,
                bold=True,
            )
            draw_text(
                self.surface,
                call.counter_name,
                pygame.Rect(row.left + half, row.top, half, row.height),
                u * 4,
                INK,
            )

    def _waiting(self, model: DisplayModel, area: pygame.Rect) -> None:
        u = self.unit
        entries = model.waiting_by_agency()
        title = pygame.Rect(area.left, area.top, area.width, u * 4)
        draw_text(
            self.surface, "Menunggu per instansi", title, u * 3, MUTED, bold=True, align="left"
        )
        if not entries:
            return
        columns = 5 if len(entries) <= 10 else 8
        cell_w = area.width // columns
        rows = (len(entries) + columns - 1) // columns
        cell_h = (area.bottom - title.bottom) // max(1, rows)
        for index, (name, waiting) in enumerate(entries):
            cell = pygame.Rect(
                area.left + (index % columns) * cell_w,
                title.bottom + (index // columns) * cell_h,
                cell_w - u,
                cell_h - u,
            )
            draw_text(self.surface, f"{name}: {waiting}", cell, u * 3, INK)

    def _running_text(self, model: DisplayModel, footer: pygame.Rect, now: float) -> None:
        pygame.draw.rect(self.surface, NAVY, footer)
        text = "   •   ".join(model.announcements) or "Selamat datang di Mal Pelayanan Publik"
        with LOCK:
            image = font(self.unit * 4).render(text, True, GOLD)
        span = image.get_width() + self.width
        x = self.width - int(now * self.unit * 12) % span
        previous = self.surface.get_clip()
        self.surface.set_clip(footer)
        self.surface.blit(image, (x, footer.centery - image.get_height() // 2))
        self.surface.set_clip(previous)
