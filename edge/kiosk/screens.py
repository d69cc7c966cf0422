"""Drawing the kiosk's screens with pygame; each draw returns its touch targets.

Layouts follow the surface: tiles per row from its width and orientation, so
the same code serves 1920×1080 landscape, 1080×1920 portrait and 1024×600.
All text goes through :func:`edge.text_fit.draw`, which wraps and shrinks
it to its box.
"""

from __future__ import annotations

import math
from datetime import datetime

import pygame

from edge.indonesian import long_date
from edge.kiosk.model import BOOKING_KEYS, KioskModel, Target, View
from edge.text_fit import draw as draw_text
from protocol.models import PriorityCategory

BACKGROUND = (245, 247, 250)
INK = (25, 32, 45)
MUTED = (120, 128, 140)
PRIMARY = (21, 101, 192)
WHITE = (255, 255, 255)
GREY = (205, 209, 215)

Targets = list[tuple[pygame.Rect, Target]]


def colour(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class KioskScreens:
    def __init__(self, surface: pygame.Surface) -> None:
        pygame.font.init()  # idempotent; the screens own their fonts
        self.surface = surface
        self.width, self.height = surface.get_size()
        self.portrait = self.height > self.width
        self.unit = max(6, min(self.width, self.height) // 50)  # spacing grain
        self.text = max(18, min(self.width, self.height) // 22)  # body text size

    def draw(self, model: KioskModel, now: datetime) -> Targets:
        self.surface.fill(BACKGROUND)
        targets: Targets = []
        body = self._header(model, now)
        view = model.shown()
        drawing = {
            View.WELCOME: self._welcome,
            View.AGENCIES: self._agencies,
            View.SERVICES: self._services,
            View.CATEGORY: self._category,
            View.BOOKING: self._booking,
            View.PRINTING: self._printing,
            View.DONE: self._done,
            View.ERROR: self._error,
            View.UNAVAILABLE: self._unavailable,
        }[view]
        drawing(model, body, targets)
        if view in (View.AGENCIES, View.SERVICES, View.CATEGORY, View.BOOKING):
            back = pygame.Rect(
                self.unit, self.height - self.unit * 6, self.width // 4, self.unit * 5
            )
            self._button(back, "‹ Kembali", GREY, INK)
            targets.append((back, ("back",)))
        return targets

    # -- pieces -----------------------------------------------------------------

    def _header(self, model: KioskModel, now: datetime) -> pygame.Rect:
        band = pygame.Rect(0, 0, self.width, self.unit * 7)
        pygame.draw.rect(self.surface, PRIMARY, band)
        name = model.catalogue.site_name if model.catalogue else "Mal Pelayanan Publik"
        left = band.inflate(-2 * self.unit, -self.unit)
        left.width = int(band.width * 0.62)
        draw_text(self.surface, name, left, self.text, WHITE, bold=True, align="left")
        right = pygame.Rect(
            left.right + self.unit, left.top, band.width - left.right - 2 * self.unit, left.height
        )
        stamp = long_date(now)
        draw_text(self.surface, stamp, right, self.text * 3 // 4, WHITE)
        return pygame.Rect(
            self.unit * 2,
            band.bottom + self.unit * 2,
            self.width - self.unit * 4,
            self.height - band.bottom - self.unit * 10,
        )

    def _button(
        self,
        rect: pygame.Rect,
        label: str,
        fill: tuple[int, int, int],
        ink: tuple[int, int, int],
        size: int | None = None,
    ) -> None:
        pygame.draw.rect(self.surface, fill, rect, border_radius=self.unit)
        draw_text(
            self.surface,
            label,
            rect.inflate(-self.unit * 2, -self.unit),
            size or self.text,
            ink,
            bold=True,
        )

    def _grid(self, area: pygame.Rect, count: int, columns: int) -> list[pygame.Rect]:
        rows = max(1, math.ceil(count / columns))
        gap = self.unit
        cell_w = (area.width - gap * (columns - 1)) // columns
        cell_h = min((area.height - gap * (rows - 1)) // rows, cell_w)
        return [
            pygame.Rect(
                area.left + (i % columns) * (cell_w + gap),
                area.top + (i // columns) * (cell_h + gap),
                cell_w,
                cell_h,
            )
            for i in range(count)
        ]

    # -- screens ----------------------------------------------------------------

    def _welcome(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        title = pygame.Rect(body.left, body.top, body.width, body.height // 3)
        draw_text(self.surface, "Selamat datang", title, self.text * 3, INK, bold=True)
        hint = pygame.Rect(body.left, title.bottom, body.width, body.height // 8)
        draw_text(
            self.surface,
            "Sentuh tombol di bawah untuk mengambil nomor antrian",
            hint,
            self.text,
            MUTED,
        )
        start = pygame.Rect(0, 0, body.width * 2 // 3, body.height // 5)
        start.center = (body.centerx, hint.bottom + body.height // 6)
        self._button(start, "Ambil Nomor Antrian", PRIMARY, WHITE, self.text * 2)
        booking = pygame.Rect(0, 0, body.width // 2, body.height // 9)
        booking.center = (body.centerx, start.bottom + body.height // 7)
        self._button(booking, "Saya punya booking", GREY, INK)
        targets += [(start, ("start",)), (booking, ("booking",))]

    def _agencies(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        assert model.catalogue is not None
        title = pygame.Rect(body.left, body.top, body.width, self.unit * 5)
        draw_text(self.surface, "Pilih instansi", title, self.text * 3 // 2, INK, bold=True)
        area = pygame.Rect(
            body.left, title.bottom + self.unit, body.width, body.bottom - title.bottom - self.unit
        )
        agencies = model.catalogue.agencies
        columns = 3 if self.portrait else 5
        for rect, agency in zip(self._grid(area, len(agencies), columns), agencies, strict=True):
            pygame.draw.rect(self.surface, colour(agency.colour), rect, border_radius=self.unit)
            inner = rect.inflate(-self.unit * 2, -self.unit * 2)
            top = pygame.Rect(inner.left, inner.top, inner.width, inner.height * 2 // 5)
            bottom = pygame.Rect(inner.left, top.bottom, inner.width, inner.height - top.height)
            draw_text(self.surface, agency.short_name, top, self.text * 5 // 4, WHITE, bold=True)
            draw_text(self.surface, agency.name, bottom, self.text * 2 // 3, WHITE)
            targets.append((rect, ("agency", agency.code)))

    def _services(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        assert model.catalogue is not None
        agency = next(a for a in model.catalogue.agencies if a.code == model.agency)
        title = pygame.Rect(body.left, body.top, body.width, self.unit * 6)
        draw_text(self.surface, agency.name, title, self.text * 3 // 2, INK, bold=True)
        services = [s for s in model.catalogue.services if s.agency == model.agency]
        top = title.bottom + self.unit
        row_h = min(self.unit * 12, (body.bottom - top) // max(1, len(services)) - self.unit)
        for service in services:
            rect = pygame.Rect(body.left, top, body.width, row_h)
            status = model.service_status(service.code)
            accepting = status is not None and status.accepting
            pygame.draw.rect(
                self.surface, WHITE if accepting else GREY, rect, border_radius=self.unit
            )
            pygame.draw.rect(
                self.surface,
                colour(agency.colour),
                rect.inflate(0, 0).clip(pygame.Rect(rect.left, rect.top, self.unit, rect.height)),
            )
            name = pygame.Rect(
                rect.left + self.unit * 2,
                rect.top + self.unit // 2,
                rect.width * 3 // 5,
                rect.height - self.unit,
            )
            draw_text(
                self.surface,
                service.name,
                name,
                self.text,
                INK if accepting else MUTED,
                bold=True,
                align="left",
            )
            info = pygame.Rect(
                name.right + self.unit,
                name.top,
                rect.right - name.right - self.unit * 2,
                name.height,
            )
            draw_text(
                self.surface,
                _service_info(status),
                info,
                self.text * 3 // 4,
                INK if accepting else MUTED,
            )
            targets.append((rect, ("service", service.code)))
            top = rect.bottom + self.unit

    def _category(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        assert model.catalogue is not None and model.service is not None
        service = next(s for s in model.catalogue.services if s.code == model.service)
        title = pygame.Rect(body.left, body.top, body.width, body.height // 5)
        draw_text(self.surface, service.name, title, self.text * 3 // 2, INK, bold=True)
        categories = model.catalogue.categories
        areas = self._grid(
            pygame.Rect(
                body.left,
                title.bottom + self.unit,
                body.width,
                body.height - title.height - self.unit,
            ),
            len(categories),
            1 if self.portrait else len(categories),
        )
        for rect, category in zip(areas, categories, strict=True):
            priority = category.code is PriorityCategory.PRIORITY
            pygame.draw.rect(
                self.surface, (230, 126, 34) if priority else PRIMARY, rect, border_radius=self.unit
            )
            inner = rect.inflate(-self.unit * 3, -self.unit * 3)
            head = pygame.Rect(inner.left, inner.top, inner.width, inner.height // 2)
            draw_text(self.surface, category.name, head, self.text * 2, WHITE, bold=True)
            draw_text(
                self.surface,
                category.who,
                pygame.Rect(inner.left, head.bottom, inner.width, inner.height // 2),
                self.text,
                WHITE,
            )
            targets.append((rect, ("category", category.code.value)))

    def _booking(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        title = pygame.Rect(body.left, body.top, body.width, self.unit * 5)
        draw_text(
            self.surface,
            "Pindai kode QR booking Anda, atau ketik kodenya",
            title,
            self.text,
            INK,
            bold=True,
        )
        field_rect = pygame.Rect(body.left, title.bottom + self.unit, body.width, self.unit * 7)
        pygame.draw.rect(self.surface, WHITE, field_rect, border_radius=self.unit)
        draw_text(
            self.surface,
            model.code or "—",
            field_rect.inflate(-self.unit * 2, 0),
            self.text * 2,
            INK,
            bold=True,
        )
        keys = [*BOOKING_KEYS, "Hapus", "OK"]
        area = pygame.Rect(
            body.left,
            field_rect.bottom + self.unit,
            body.width,
            body.bottom - field_rect.bottom - self.unit,
        )
        for rect, key in zip(
            self._grid(area, len(keys), 7 if self.portrait else 10), keys, strict=True
        ):
            if key == "OK":
                self._button(rect, key, PRIMARY, WHITE)
                targets.append((rect, ("ok",)))
            elif key == "Hapus":
                self._button(rect, key, GREY, INK)
                targets.append((rect, ("delete",)))
            else:
                self._button(rect, key, WHITE, INK)
                targets.append((rect, ("key", key)))

    def _printing(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        draw_text(self.surface, "Mencetak tiket Anda…", body, self.text * 2, INK, bold=True)

    def _done(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        ticket = model.ticket
        assert ticket is not None
        parts = [
            pygame.Rect(body.left, body.top + i * body.height // 5, body.width, body.height // 5)
            for i in range(5)
        ]
        draw_text(self.surface, "Silakan ambil tiket Anda", parts[0], self.text * 2, INK, bold=True)
        draw_text(
            self.surface, ticket.number, parts[1].union(parts[2]), self.text * 6, PRIMARY, bold=True
        )
        draw_text(self.surface, ticket.service_name, parts[3], self.text * 5 // 4, INK)
        wait = ticket.estimated_wait_min
        draw_text(
            self.surface,
            f"{ticket.people_ahead} orang di depan Anda · perkiraan "
            f"{'kurang dari 5' if wait < 5 else wait} menit",
            parts[4],
            self.text,
            MUTED,
        )
        targets.append((body, ("home",)))

    def _error(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        top, bottom = body.copy(), body.copy()
        top.height = bottom.height = body.height // 2
        bottom.top = top.bottom
        draw_text(self.surface, model.message, top, self.text * 2, (192, 57, 43), bold=True)
        draw_text(self.surface, "Silakan coba lagi atau hubungi petugas.", bottom, self.text, INK)
        targets.append((body, ("home",)))

    def _unavailable(self, model: KioskModel, body: pygame.Rect, targets: Targets) -> None:
        top, middle, bottom = (
            pygame.Rect(body.left, body.top + i * body.height // 3, body.width, body.height // 3)
            for i in range(3)
        )
        draw_text(
            self.surface,
            "Maaf, pengambilan nomor antrian sedang tidak tersedia",
            top,
            self.text * 2,
            (192, 57, 43),
            bold=True,
        )
        draw_text(self.surface, model.unavailable_reason() or "", middle, self.text * 3 // 2, INK)
        draw_text(self.surface, "Silakan hubungi petugas informasi.", bottom, self.text, MUTED)


def _service_info(status: object) -> str:
    from protocol.models import ServiceStatus

    if not isinstance(status, ServiceStatus):
        return "Memuat…"
    if not status.accepting:
        return status.reason or "Tidak tersedia"
    wait = status.estimated_wait_min
    return (
        f"Menunggu {status.waiting} orang · ±{wait} menit"
        if wait >= 5
        else f"Menunggu {status.waiting} orang · < 5 menit"
    )
