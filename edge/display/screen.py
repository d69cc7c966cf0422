"""Drawing the call display (16:9, 1920×1080 by default; sizes in millimetres).

Layout, top to bottom: the site's name and the date and time; the call on
the panel (left) beside the latest calls (right), whose first row is always
the panel's call; the people waiting per agency, one font size for the
whole grid, a page at a time when the agencies do not fit at the minimum
size; the running text (or, when the hub is unreachable, saying so).

Sizes follow ux.md for a hall read from 3–10 m: the call number's capitals
at least 100 mm high, the counter 50 mm, every other text 20 mm, converted
with the panel's physical width (``display.width_mm`` in the device file;
a 43" TV when absent, the smallest the rule is written for). A text that
cannot fit at its minimum takes a shorter form — "MPP" for "Mal Pelayanan
Publik", a display's configured label or the agency's code — never a
smaller size.
"""

from __future__ import annotations

import math
from datetime import datetime

import pygame

from edge.display.lettering import Drawn, Letterer, Lettering, fit, grid_size, ink_rect, render
from edge.display.model import DisplayModel
from edge.indonesian import DAYS, MONTHS
from edge.text_fit import budget_for, cap_height

NAVY = (13, 42, 90)
GOLD = (255, 193, 7)
WHITE = (255, 255, 255)
INK = (20, 28, 40)
PALE = (232, 238, 247)
ALERT = (160, 20, 30)
NOT_LINKED_TEXT = "Tidak terhubung · panggilan berikutnya tampil setelah sistem pulih"
NOT_LINKED_FORMS = (
    NOT_LINKED_TEXT,
    "Tidak terhubung · panggilan tampil setelah sistem pulih",
    "Tidak terhubung",
)
WELCOME_TEXT = "Selamat datang di Mal Pelayanan Publik"
SEPARATOR = "\u2003•\u2003"  # em spaces around a bullet between announcements
TV_43_INCH_MM = 952.0  # visible width of a 43" 16:9 panel

NUMBER_MM, COUNTER_MM, TEXT_MM = 100.0, 50.0, 20.0  # ux.md minimum cap heights
PAGE_S = 8.0  # a page of the waiting grid stays this long
GRID_ROWS = 2


def short_site_name(name: str) -> list[str]:
    """The site's name, then shorter forms: "Mal Pelayanan Publik X" → "MPP X"."""
    forms = [name]
    if name.lower().startswith("mal pelayanan publik"):
        forms.append("MPP" + name[len("mal pelayanan publik") :])
    return forms


def date_forms(moment: datetime) -> list[str]:
    """The date line, then shorter forms (no weekday, then day and month only)."""
    day, month = DAYS[moment.weekday()], MONTHS[moment.month - 1]
    return [
        f"{day}, {moment.day} {month} {moment.year}",
        f"{moment.day} {month} {moment.year}",
        f"{moment.day} {month}",
    ]


class DisplayScreen:
    def __init__(
        self,
        surface: pygame.Surface,
        width_mm: float | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        pygame.font.init()
        self.surface = surface
        budget_for(surface)
        self.width, self.height = surface.get_size()
        self.unit = max(6, self.height // 60)
        self.px_per_mm = self.width / (width_mm or TV_43_INCH_MM)
        self.labels = labels or {}
        self.drawn: list[Drawn] = []

    def draw(self, model: DisplayModel, now: float, local: datetime) -> None:
        u, w, h = self.unit, self.width, self.height
        self.drawn = []
        pen = Letterer(self.surface, self.px_per_mm, self.drawn)
        self.surface.fill(PALE)
        header = pygame.Rect(0, 0, w, u * 6)
        footer = pygame.Rect(0, h - u * 5, w, u * 5)
        self._header(pen, model, header, local)
        body = pygame.Rect(u * 2, header.bottom + u, w - u * 4, footer.top - header.bottom - u * 2)
        band_h = u * 12
        top = pygame.Rect(body.left, body.top, body.width, body.height - band_h - u)
        left = pygame.Rect(top.left, top.top, top.width * 3 // 5, top.height)
        right = pygame.Rect(left.right + u, top.top, top.right - left.right - u, top.height)
        self._now_calling(pen, model, left, now)
        self._recent(pen, model, right)
        self._waiting(pen, model, pygame.Rect(body.left, top.bottom + u, body.width, band_h), now)
        if model.linked:
            self._running_text(pen, model, footer, now)
        else:
            pygame.draw.rect(self.surface, ALERT, footer)
            pen.text(
                NOT_LINKED_FORMS, footer.inflate(-u * 4, -u), WHITE, ALERT,
                cap_mm=TEXT_MM, min_mm=TEXT_MM,
            )  # fmt: skip

    def _header(
        self, pen: Letterer, model: DisplayModel, header: pygame.Rect, local: datetime
    ) -> None:
        u = self.unit
        pygame.draw.rect(self.surface, NAVY, header)
        inner = header.inflate(-u * 4, -u)
        clock = pen.text(
            f"{local:%H.%M}",
            pygame.Rect(inner.right - u * 12, inner.top, u * 12, inner.height),
            GOLD, NAVY, cap_mm=TEXT_MM * 1.5, min_mm=TEXT_MM, bold=True, align="right",
        )  # fmt: skip
        dates = date_forms(local)
        text_size = pen.size_for_mm(TEXT_MM)
        date_least = fit((dates[1],), inner.width, inner.height, text_size, text_size, False)
        name = model.catalogue.site_name if model.catalogue else "Mal Pelayanan Publik"
        room = inner.width - clock.width - date_least.width - u * 4
        site = pen.text(
            short_site_name(name),
            pygame.Rect(inner.left, inner.top, room, inner.height),
            WHITE, NAVY, cap_mm=TEXT_MM * 1.2, min_mm=TEXT_MM, bold=True, align="left",
        )  # fmt: skip
        left = inner.left + site.width + u * 2
        pen.text(
            dates,
            pygame.Rect(left, inner.top, inner.right - clock.width - u * 2 - left, inner.height),
            WHITE, NAVY, cap_mm=TEXT_MM, min_mm=TEXT_MM, align="right",
        )  # fmt: skip

    def _now_calling(
        self, pen: Letterer, model: DisplayModel, area: pygame.Rect, now: float
    ) -> None:
        u = self.unit
        flash = model.highlighted(now) and int(now * 2) % 2 == 0
        paper = GOLD if flash else NAVY
        ink = NAVY if flash else WHITE
        pygame.draw.rect(self.surface, paper, area, border_radius=u * 2)
        inner = area.inflate(-u * 3, -u * 2)
        label_h = round(TEXT_MM * self.px_per_mm * 1.5)
        label = pygame.Rect(inner.left, inner.top, inner.width, label_h)
        pen.text("NOMOR ANTREAN", label, ink, paper, cap_mm=TEXT_MM, min_mm=TEXT_MM, bold=True)
        call = model.now_calling
        rest = pygame.Rect(inner.left, label.bottom, inner.width, inner.bottom - label.bottom)
        if call is None:
            # The empty state: what the hall is for, and what to do first.
            welcome = pygame.Rect(rest.left, rest.top, rest.width, rest.height * 2 // 5)
            pen.text(
                "Selamat datang", welcome, ink, paper,
                cap_mm=TEXT_MM * 2.2, min_mm=TEXT_MM, bold=True,
            )  # fmt: skip
            lines = ("Belum ada panggilan.", "Silakan ambil tiket", "di mesin antrean.")
            line_h = (rest.bottom - welcome.bottom) // len(lines)
            for index, line in enumerate(lines):
                box = pygame.Rect(rest.left, welcome.bottom + index * line_h, rest.width, line_h)
                pen.text(line, box, ink, paper, cap_mm=TEXT_MM * 1.2, min_mm=TEXT_MM)
            return
        number_h = round(NUMBER_MM * self.px_per_mm * 1.15)
        counter_h = round(COUNTER_MM * self.px_per_mm * 1.25)
        small_h = label_h
        spare = rest.height - number_h - counter_h - 2 * small_h
        gap = max(0, spare // 4)
        number = pygame.Rect(rest.left, rest.top + gap, rest.width, number_h)
        pen.text(
            call.number, number, ink, paper,
            cap_mm=NUMBER_MM * 1.15, min_mm=NUMBER_MM, bold=True, kind="number",
        )  # fmt: skip
        go = pygame.Rect(rest.left, number.bottom + gap, rest.width, small_h)
        pen.text("Silakan menuju", go, ink, paper, cap_mm=TEXT_MM, min_mm=TEXT_MM)
        counter = pygame.Rect(rest.left, go.bottom, rest.width, counter_h)
        pen.text(
            call.counter_name.upper(), counter, ink, paper,
            cap_mm=COUNTER_MM * 1.2, min_mm=COUNTER_MM, bold=True, kind="counter",
        )  # fmt: skip
        agency = pygame.Rect(rest.left, counter.bottom + gap // 2, rest.width, small_h)
        pen.text(call.agency_name, agency, ink, paper, cap_mm=TEXT_MM, min_mm=TEXT_MM)

    def _recent(self, pen: Letterer, model: DisplayModel, area: pygame.Rect) -> None:
        u = self.unit
        pygame.draw.rect(self.surface, WHITE, area, border_radius=u * 2)
        title_h = round(TEXT_MM * self.px_per_mm * 1.5)
        title = pygame.Rect(area.left + u * 2, area.top + u // 2, area.width - u * 4, title_h)
        pen.text(
            "Panggilan terakhir", title, INK, WHITE,
            cap_mm=TEXT_MM, min_mm=TEXT_MM, bold=True, align="left",
        )  # fmt: skip
        rows = 8
        row_h = (area.bottom - title.bottom - u) // rows
        if not model.recent:
            for index, line in enumerate(("Nomor yang dipanggil", "tampil di sini")):
                pen.text(
                    line,
                    pygame.Rect(area.left, title.bottom + index * row_h, area.width, row_h),
                    INK, WHITE, cap_mm=TEXT_MM, min_mm=TEXT_MM,
                )  # fmt: skip
            return
        for index, call in enumerate(model.recent[:rows]):
            row = pygame.Rect(
                area.left + u, title.bottom + index * row_h, area.width - u * 2, row_h - u // 3
            )
            current = index == 0 and call is model.now_calling
            paper = NAVY if current else (PALE if index % 2 else WHITE)
            ink = WHITE if current else INK
            pygame.draw.rect(self.surface, paper, row, border_radius=u)
            inner = row.inflate(-u * 2, 0)
            half = inner.width * 11 // 20
            pen.text(
                call.number, pygame.Rect(inner.left, inner.top, half, inner.height),
                GOLD if current else NAVY, paper,
                cap_mm=TEXT_MM * 1.15, min_mm=TEXT_MM, bold=True, align="left",
            )  # fmt: skip
            pen.text(
                call.counter_name,
                pygame.Rect(inner.left + half, inner.top, inner.width - half, inner.height),
                ink, paper, cap_mm=TEXT_MM * 1.15, min_mm=TEXT_MM, align="right",
            )  # fmt: skip

    def _agency_forms(self, model: DisplayModel) -> list[tuple[list[str], int]]:
        """Each agency shown with its waiting count and its names, the full one first."""
        if model.catalogue is None:
            return []
        agencies = {a.code: a for a in model.catalogue.agencies}
        forms = []
        for code, waiting in model.waiting_by_code():
            agency = agencies.get(code)
            names = [agency.short_name if agency else code]
            if code in self.labels:
                names.append(self.labels[code])
            names.append(code)
            forms.append((list(dict.fromkeys(names)), waiting))
        return forms

    def _waiting(self, pen: Letterer, model: DisplayModel, area: pygame.Rect, now: float) -> None:
        u = self.unit
        entries = self._agency_forms(model)
        title_h = round(TEXT_MM * self.px_per_mm * 1.5)
        title = pygame.Rect(area.left, area.top, area.width, title_h)
        columns = max(1, area.width // max(1, round(TEXT_MM * self.px_per_mm * 14)))
        per_page = columns * GRID_ROWS
        pages = max(1, math.ceil(len(entries) / per_page))
        page = int(now // PAGE_S) % pages
        heading = "Menunggu per instansi"
        if pages > 1:
            heading += f" ({page + 1}/{pages})"
        pen.text(
            heading, title, INK, PALE, cap_mm=TEXT_MM, min_mm=TEXT_MM, bold=True, align="left",
        )  # fmt: skip
        if not entries:
            return
        cell_w = area.width // columns
        cell_h = (area.bottom - title.bottom) // GRID_ROWS
        inner_w, inner_h = cell_w - u * 3, cell_h - u
        gap = u * 2
        cells = [(names, str(waiting)) for names, waiting in entries]
        size, labels = grid_size(
            cells,
            inner_w,
            inner_h,
            pen.size_for_mm(TEXT_MM * 1.2),
            pen.size_for_mm(TEXT_MM),
            gap,
        )
        shown = list(zip(labels, entries, strict=True))[page * per_page : (page + 1) * per_page]
        for index, (label, (_names, waiting)) in enumerate(shown):
            cell = pygame.Rect(
                area.left + (index % columns) * cell_w,
                title.bottom + (index // columns) * cell_h,
                cell_w - u,
                cell_h - u // 2,
            )
            pygame.draw.rect(self.surface, WHITE, cell, border_radius=u)
            inner = cell.inflate(-u * 2, -u // 2)
            pen.draw(Lettering(label, size, 0, 0), inner, INK, WHITE, align="left", part="grid")
            pen.draw(
                Lettering(str(waiting), size, 0, 0),
                inner, NAVY, WHITE, bold=True, align="right", part="grid",
            )  # fmt: skip

    def _running_text(
        self, pen: Letterer, model: DisplayModel, footer: pygame.Rect, now: float
    ) -> None:
        pygame.draw.rect(self.surface, NAVY, footer)
        text = SEPARATOR.join(model.announcements) or WELCOME_TEXT
        size = pen.size_for_mm(TEXT_MM * 1.1)
        image = render(text, size, False, GOLD)
        ink = ink_rect(text, size, False, GOLD)
        span = ink.width + self.width
        x = self.width - int(now * self.unit * 12) % span
        previous = self.surface.get_clip()
        self.surface.set_clip(footer)
        y = footer.centery - ink.height // 2
        self.surface.blit(image, (x, y), ink)
        self.surface.set_clip(previous)
        visible = pygame.Rect(x, y, ink.width, ink.height).clip(footer)
        pen.drawn.append(Drawn(text, "text", size, cap_height(size), GOLD, NAVY, visible))
