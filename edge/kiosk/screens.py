"""Drawing the kiosk's screens with pygame; each draw returns its touch targets.

Sizes come from :mod:`edge.kiosk.metrics` (physical minimums on the panel of
the device file). Lists longer than the screen are paged ("Berikutnya ›"),
never shrunk. All text goes through :func:`edge.text_fit.draw` with the body
size as its minimum, in colours that keep 4.5:1 contrast on what is under
them; cells of one grid share one font size (tests measure all of it).

Layouts follow the surface: the same code serves a 7" 1024×600 and a 10.1"
1280×800 landscape panel, and a 21.5" 1080×1920 portrait one.
"""

from __future__ import annotations

import math
from datetime import datetime

import pygame

from edge import fonts
from edge.contrast import darkened_for, hex_colour
from edge.indonesian import DAYS, MONTHS
from edge.kiosk.feedback_screens import FeedbackScreens
from edge.kiosk.metrics import Metrics
from edge.kiosk.model import BOOKING_KEYS, KEYPAD, KioskModel, Target, View
from edge.kiosk.reasons import RETYPE_LABEL, unavailable
from edge.text_fit import draw as draw_text
from edge.text_fit import fit, font, wrap
from edge.wording import WAIT_FOR_CALL, clock, queue_summary, unbroken, waiting_place
from protocol.models import CatalogueService, PriorityCategory

PAPER = (245, 247, 250)
INK = (25, 32, 45)
PRIMARY = (21, 101, 192)
WHITE = (255, 255, 255)
SECONDARY = (218, 223, 230)  # secondary buttons, dark ink on it
CLOSED = (226, 229, 234)  # a service that cannot take tickets now
ALERT = (170, 32, 24)  # error headings and "Tutup": dark enough for 4.5:1 on PAPER and CLOSED
PRIORITY = darkened_for((230, 126, 34), WHITE)  # orange, as dark as white text needs

Targets = list[tuple[pygame.Rect, Target]]
# The booking code's submit key: the kiosk's word for going on ("Lanjut ›", as the
# survey's ticket screen), not "OK"; one word, never wrapped before its arrow.
SUBMIT = "Lanjut\u00a0›"


class KioskScreens:
    def __init__(self, surface: pygame.Surface, width_mm: float | None = None) -> None:
        pygame.font.init()  # idempotent; the screens own their fonts
        fonts.check()  # at start-up, one line naming the package, not at the first frame
        self.surface = surface
        self.width, self.height = surface.get_size()
        self.portrait = self.height > self.width
        self.compact = self.height < 700  # a 7" landscape panel: every millimetre counts
        self.m = Metrics.of((self.width, self.height), width_mm)
        self.pages = 1  # of the list on screen, for the pager
        self.titles: list[str] = []  # headings of the last frame (tests hold them to 8 mm)
        self.footer = pygame.Rect(0, 0, 0, 0)  # the footer of the frame being drawn
        self.feedback = FeedbackScreens(self)  # complaint and survey screens

    def draw(self, model: KioskModel, now: datetime) -> Targets:
        self.surface.fill(PAPER)
        targets: Targets = []
        view = model.shown()
        # A small landscape panel (7") has room for the date band on the first screen only.
        banded = not self.compact or view in (View.WELCOME, View.UNAVAILABLE)
        top = self._header(now).bottom if banded else 0
        edge = self.m.gap // 2 if self.compact else self.m.gap
        footer = pygame.Rect(
            edge, self.height - edge - self.m.target, self.width - 2 * edge, self.m.target
        )
        self.footer = footer
        has_footer = view not in (View.WELCOME, View.PRINTING, View.SENDING, View.UNAVAILABLE)
        bottom = footer.top - self.m.gap if has_footer else self.height - edge
        body = pygame.Rect(edge, top + edge, self.width - 2 * edge, bottom - top - edge)
        self.pages, self.titles = 1, []
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
            **self.feedback.drawings(),
        }[view]
        drawing(model, body, targets, now)
        if has_footer:
            self._footer(model, view, footer, targets)
        return targets

    # -- pieces -----------------------------------------------------------------

    def _text(
        self,
        text: str,
        box: pygame.Rect,
        size: int,
        ink: tuple[int, int, int],
        bold: bool = False,
        align: str = "center",
        minimum: int | None = None,
    ) -> None:
        draw_text(self.surface, text, box, size, ink, bold, align, minimum or self.m.body)

    def _fits(self, text: str, box: pygame.Rect, size: int, bold: bool = False) -> bool:
        face = font(size, bold)
        lines = wrap(text, face, box.width)
        return (
            face.get_linesize() * len(lines) <= box.height
            and max((face.size(line)[0] for line in lines), default=0) <= box.width
        )

    def _header(self, now: datetime) -> pygame.Rect:
        band = pygame.Rect(0, 0, self.width, self.m.line() + self.m.gap)
        pygame.draw.rect(self.surface, PRIMARY, band)
        inner = band.inflate(-2 * self.m.gap, 0)
        day = f"{DAYS[now.weekday()]}, {now.day} {MONTHS[now.month - 1]} {now.year}"
        time_width = font(self.m.body, True).size("88.88")[0] + self.m.gap
        time_box = pygame.Rect(0, inner.top, time_width, inner.height)
        time_box.right = inner.right
        self._text(clock(now), time_box, self.m.body, WHITE, bold=True, align="right")
        date_box = pygame.Rect(inner.left, inner.top, time_box.left - inner.left, inner.height)
        self._text(day, date_box, self.m.body, WHITE, align="left")
        return band

    def _button(
        self,
        rect: pygame.Rect,
        label: str,
        fill: tuple[int, int, int],
        ink: tuple[int, int, int],
        size: int | None = None,
    ) -> None:
        pygame.draw.rect(self.surface, fill, rect, border_radius=self.m.gap)
        inner = rect.inflate(-self.m.gap * 2, -self.m.gap // 2)
        self._text(label, inner, size or self.m.large, ink, bold=True)

    def _title(self, text: str, body: pygame.Rect) -> pygame.Rect:
        """A heading (8 mm capitals) on top of ``body``; returns the space below it.

        Bold on one line if it fits, else regular on one line, else bold on two.
        """
        one = pygame.Rect(body.left, body.top, body.width, self.m.line(self.m.heading))
        bold, box = True, one
        if not self._fits(text, one, self.m.heading, True):
            if self._fits(text, one, self.m.heading, False):
                bold = False
            else:
                box = one.inflate(0, 0)
                box.height *= 2
        self._text(text, box, self.m.heading, INK, bold=bold, minimum=self.m.heading)
        self.titles.append(text)
        return pygame.Rect(
            body.left, box.bottom + self.m.gap, body.width, body.bottom - box.bottom - self.m.gap
        )

    def _common(self, texts: list[str], box: pygame.Rect, size: int, bold: bool) -> int:
        """One font size for the same part of every cell of a grid (never per cell)."""
        return min((fit(t, box, size, bold, self.m.body).size for t in texts), default=size)

    def _footer(self, model: KioskModel, view: View, footer: pygame.Rect, targets: Targets) -> None:
        """Every screen but the welcome screen has a visible way out, at the bottom left."""
        finished = (View.DONE, View.COMPLAINT_DONE, View.SURVEY_DONE)
        label, target = ("‹ Kembali", ("back",))
        if view in finished:
            label, target = "Selesai", ("home",)
        elif view is View.ERROR:
            label, target = "Kembali ke awal", ("home",)
        if view in (*finished, View.ERROR):
            way_out = pygame.Rect(0, footer.top, footer.width // 2, footer.height)
            way_out.centerx = footer.centerx
        else:
            way_out = pygame.Rect(
                footer.left, footer.top, self._button_width(label, footer.width // 4), footer.height
            )
        if view is View.ERROR and model.retype:  # a likely typo: back to the keypad, as typed
            half = (footer.width - self.m.gap) // 2
            way_out = pygame.Rect(footer.left, footer.top, half, footer.height)
            again = pygame.Rect(footer.right - half, footer.top, half, footer.height)
            self._button(again, RETYPE_LABEL, PRIMARY, WHITE)
            targets.append((again, ("retype",)))
        main = view in finished
        self._button(way_out, label, PRIMARY if main else SECONDARY, WHITE if main else INK)
        targets.append((way_out, target))
        if self.pages > 1:
            rest = pygame.Rect(
                way_out.right + self.m.gap,
                footer.top,
                footer.right - way_out.right - self.m.gap,
                footer.height,
            )
            self._pager(model, rest, targets)

    def _button_width(self, label: str, least: int = 0) -> int:
        return max(least, self.m.target, font(self.m.large, True).size(label)[0] + 3 * self.m.gap)

    def _pager(self, model: KioskModel, area: pygame.Rect, targets: Targets) -> None:
        """‹ Sebelumnya · Halaman 2 dari 3 · Berikutnya ›, right-aligned in the footer."""
        page = min(model.page, self.pages - 1)
        right = area.right
        if page < self.pages - 1:
            width = self._button_width("Berikutnya ›")
            following = pygame.Rect(right - width, area.top, width, area.height)
            self._button(following, "Berikutnya ›", PRIMARY, WHITE)
            targets.append((following, ("page", "next")))
            right = following.left - self.m.gap
        left = area.left
        if page > 0:
            width = self._button_width("‹ Sebelumnya")
            previous = pygame.Rect(left, area.top, width, area.height)
            self._button(previous, "‹ Sebelumnya", SECONDARY, INK)
            targets.append((previous, ("page", "previous")))
            left = previous.right + self.m.gap
        label = pygame.Rect(left, area.top, right - left, area.height)
        one_line = pygame.Rect(left, area.top, label.width, self.m.line())
        for text in (f"Halaman {page + 1} dari {self.pages}", f"{page + 1} dari {self.pages}"):
            if self._fits(text, one_line, self.m.body):
                self._text(text, label, self.m.body, INK)
                break

    def _paged(self, model: KioskModel, count: int, per_page: int) -> range:
        """The indexes shown on the model's page (clamped), and the page count for the pager."""
        per_page = max(1, per_page)
        self.pages = max(1, math.ceil(count / per_page))
        page = min(model.page, self.pages - 1)
        return range(page * per_page, min(count, (page + 1) * per_page))

    def _grid(
        self, area: pygame.Rect, columns: int, rows: int, cell_h: int | None = None
    ) -> list[pygame.Rect]:
        gap = self.m.gap
        cell_w = (area.width - gap * (columns - 1)) // columns
        height = cell_h or (area.height - gap * (rows - 1)) // rows
        return [
            pygame.Rect(
                area.left + (i % columns) * (cell_w + gap),
                area.top + (i // columns) * (height + gap),
                cell_w,
                height,
            )
            for i in range(columns * rows)
        ]

    def _row(self, area: pygame.Rect, labels: list[str]) -> tuple[list[pygame.Rect], int]:
        """A row of buttons and the one font size of their labels: equal cells when every
        label fits its cell, else cells as wide as their labels (a 7" panel: "Lanjut ›"
        beside "123", never wrapped or shrunk alone) sharing the width left over."""
        cells = self._grid(area, len(labels), 1)
        pad_w, pad_h = self.m.gap * 2, self.m.gap // 2  # as _button pads its label
        face = font(self.m.large, True)
        natural = [face.size(label)[0] + pad_w + self.m.gap for label in labels]
        if any(width > cells[0].width for width in natural):
            room = area.width - self.m.gap * (len(labels) - 1)
            spare = room - sum(natural)
            if spare >= 0:  # the width left over, shared equally
                widths = [width + spare // len(labels) for width in natural]
            else:  # a little short: every cell gives in proportion (the labels shrink alike)
                widths = [width * room // sum(natural) for width in natural]
            widths[-1] = room - sum(widths[:-1])  # the row ends where the area does
            left = area.left
            cells = []
            for width in widths:
                cells.append(pygame.Rect(left, area.top, width, area.height))
                left += width + self.m.gap
        size = min(
            fit(label, cell.inflate(-pad_w, -pad_h), self.m.large, True, self.m.body).size
            for label, cell in zip(labels, cells, strict=True)
        )
        return cells, size

    def _rows_fitting(self, area: pygame.Rect, row_h: int) -> int:
        return max(1, (area.height + self.m.gap) // (row_h + self.m.gap))

    # -- screens ----------------------------------------------------------------

    def _welcome(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        assert model.catalogue is not None
        if not self.compact:  # a row of their own; a 7" panel has a tile among the shortcuts
            tall = self.feedback.entry_height(body.width)
            entries = pygame.Rect(body.left, body.bottom - tall, body.width, tall)
            self.feedback.entry_buttons(entries, targets)  # Pengaduan dan saran · Survei kepuasan
            body = pygame.Rect(body.left, body.top, body.width, entries.top - self.m.gap - body.top)
        rest = self._title("Selamat datang", body)
        name = model.catalogue.site_name
        one_line = pygame.Rect(rest.left, rest.top, rest.width, self.m.line(self.m.large))
        size, bold, lines = next(
            (
                (size, bold, 1)
                for size, bold in ((self.m.large, True), (self.m.body, False))
                if self._fits(name, one_line, size, bold)
            ),
            (self.m.large, True, 2),
        )
        site = pygame.Rect(rest.left, rest.top, rest.width, self.m.line(size) * lines)
        self._text(name, site, size, INK, bold=bold)
        rest = pygame.Rect(
            rest.left, site.bottom + self.m.gap, rest.width, rest.bottom - site.bottom - self.m.gap
        )
        button_h = max(self.m.target, self.m.line(self.m.heading) + self.m.gap)
        if self.portrait:
            start = pygame.Rect(rest.left, rest.top, rest.width, button_h * 2)
            booking = pygame.Rect(
                rest.left, start.bottom + self.m.gap, rest.width, self.m.target * 5 // 4
            )
            below = booking.bottom + self.m.gap * 2
        else:
            start = pygame.Rect(rest.left, rest.top, rest.width * 3 // 5, button_h)
            booking = pygame.Rect(
                start.right + self.m.gap, rest.top, rest.right - start.right - self.m.gap, button_h
            )
            below = start.bottom + self.m.gap * (1 if self.compact else 2)
        self._button(start, "Ambil Nomor Antrean", PRIMARY, WHITE, self.m.heading)
        self._button(booking, "Sudah daftar online?", SECONDARY, INK)
        targets += [(start, ("start",)), (booking, ("booking",))]
        featured = [s for s in model.catalogue.services if s.featured]
        if featured or self.compact:
            self._shortcuts(
                model,
                featured,
                pygame.Rect(rest.left, below, rest.width, rest.bottom - below),
                targets,
                now,
            )

    def _shortcuts(
        self,
        model: KioskModel,
        services: list[CatalogueService],
        area: pygame.Rect,
        targets: Targets,
        now: datetime,
    ) -> None:
        """What citizens come for (KTP, SIM, SKCK…), one tap from the first screen."""
        label = pygame.Rect(area.left, area.top, area.width, self.m.line())
        self._text(
            "Langsung pilih layanan yang sering dicari:", label, self.m.body, INK, align="left"
        )
        grid = pygame.Rect(
            area.left,
            label.bottom + self.m.gap,
            area.width,
            area.bottom - label.bottom - self.m.gap,
        )
        tile_h = max(self.m.target, self.m.line() * (2 if self.compact else 3) + self.m.gap)
        columns = max(1, min(4, (grid.width + self.m.gap) // (self.m.body * 8 + self.m.gap)))
        wanted = len(services) + (1 if self.compact else 0)  # + the complaint/survey tile
        rows = min(self._rows_fitting(grid, tile_h), math.ceil(wanted / columns))
        if grid.height < tile_h:
            return
        if self.portrait:  # use the height of the screen, up to twice a target
            tile_h = min(self.m.target * 2, (grid.height - self.m.gap * (rows - 1)) // rows)
        cells = self._grid(grid, columns, rows, tile_h)
        if self.compact:
            self.feedback.entry_tile(cells.pop(), targets)
            if not cells:
                return
        names = [s.short_name or s.name for s in services[: len(cells)]]
        inner0 = cells[0].inflate(-self.m.gap * 2, -self.m.gap)
        size = self._common(names, inner0, self.m.large, True)
        agencies = {a.code: a for a in model.catalogue.agencies} if model.catalogue else {}
        for rect, service, name in zip(cells, services, names, strict=False):
            agency = agencies.get(service.agency)
            inner = rect.inflate(-self.m.gap * 2, -self.m.gap)
            if model.accepting(service.code):
                fill = darkened_for(hex_colour(agency.colour), WHITE) if agency else PRIMARY
                pygame.draw.rect(self.surface, fill, rect, border_radius=self.m.gap)
                self._text(name, inner, size, WHITE, bold=True)
                targets.append((rect, ("shortcut", service.code)))
            else:  # greyed, says why, and is not a target
                why, _ = unavailable(model.service_status(service.code), now, short=True)
                pygame.draw.rect(self.surface, CLOSED, rect, border_radius=self.m.gap)
                bottom = pygame.Rect(0, 0, inner.width, self.m.line())
                bottom.bottomleft = inner.bottomleft
                top = pygame.Rect(inner.left, inner.top, inner.width, bottom.top - inner.top)
                self._text(name, top, min(size, self.m.large), INK, bold=True)
                self._text(why, bottom, self.m.body, ALERT)

    def _agencies(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        assert model.catalogue is not None
        area = self._title("Pilih instansi", body)
        agencies = model.catalogue.agencies
        longest_word = max(
            font(self.m.body, True).size(word)[0]
            for agency in agencies
            for word in agency.short_name.split()
        )
        tile_w = max(self.m.body * 7, longest_word + 3 * self.m.gap)
        columns = max(1, min(5, (area.width + self.m.gap) // (tile_w + self.m.gap)))
        tile_h = max(self.m.target, self.m.line(self.m.large) + self.m.line() * 2 + self.m.gap)
        rows = self._rows_fitting(area, tile_h)
        needed = math.ceil(len(agencies) / columns)
        smallest = max(self.m.target, self.m.line(self.m.large) + self.m.line() + self.m.gap)
        if rows < needed and self._rows_fitting(area, smallest) >= needed:
            rows = needed  # one page with one line of services beats a second page
        shown = self._paged(model, len(agencies), rows * columns)
        if self.pages == 1:  # all fit: use the height
            rows = math.ceil(len(agencies) / columns)
            tile_h = min(tile_h * 2, (area.height - self.m.gap * (rows - 1)) // rows)
        by_agency: dict[str, list[str]] = {}
        for service in model.catalogue.services:
            by_agency.setdefault(service.agency, []).append(service.short_name or service.name)
        cells = self._grid(area, columns, rows, tile_h)
        inner0 = cells[0].inflate(-self.m.gap * 2, -self.m.gap)
        one_line = pygame.Rect(0, 0, inner0.width, self.m.line(self.m.large))
        name_size = self._common([a.short_name for a in agencies], one_line, self.m.large, True)
        for rect, index in zip(cells, shown, strict=False):
            agency = agencies[index]
            fill = darkened_for(hex_colour(agency.colour), WHITE)
            pygame.draw.rect(self.surface, fill, rect, border_radius=self.m.gap)
            inner = rect.inflate(-self.m.gap * 2, -self.m.gap)
            lines = 1 if self._fits(agency.short_name, one_line, name_size, True) else 2
            top = pygame.Rect(inner.left, inner.top, inner.width, self.m.line(name_size) * lines)
            self._text(agency.short_name, top, name_size, WHITE, bold=True, align="left")
            what = " · ".join(by_agency.get(agency.code, []))
            rest = pygame.Rect(inner.left, top.bottom, inner.width, inner.bottom - top.bottom)
            if rest.height >= self.m.line():
                self._text(what, rest, self.m.body, WHITE, align="left")
            targets.append((rect, ("agency", agency.code)))

    def _services(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        assert model.catalogue is not None
        agency = next(a for a in model.catalogue.agencies if a.code == model.agency)
        area = self._title(agency.short_name, body)
        services = [s for s in model.catalogue.services if s.agency == model.agency]
        row_h = max(self.m.target, self.m.line() * 3 + self.m.gap)
        rows = self._rows_fitting(area, row_h)
        shown = self._paged(model, len(services), rows)
        if self.pages == 1:
            row_h = min(row_h * 3 // 2, (area.height + self.m.gap) // len(services) - self.m.gap)
        stripe = max(4, self.m.gap // 2)
        for slot, index in enumerate(shown):
            service = services[index]
            rect = pygame.Rect(area.left, area.top + slot * (row_h + self.m.gap), area.width, row_h)
            status = model.service_status(service.code)
            accepting = model.accepting(service.code)
            pygame.draw.rect(
                self.surface, WHITE if accepting else CLOSED, rect, border_radius=self.m.gap
            )
            if accepting:
                band = pygame.Rect(rect.left, rect.top, stripe, rect.height)
                pygame.draw.rect(self.surface, darkened_for(hex_colour(agency.colour), WHITE), band)
            inner = rect.inflate(-self.m.gap * 2, -self.m.gap)
            inner.left += stripe
            inner.width -= stripe
            split = inner.width * 9 // 20  # the longer part for people ahead and the wait
            name_box = pygame.Rect(inner.left, inner.top, split - self.m.gap, inner.height)
            name = service.name
            if service.short_name and not self._fits(name, name_box, self.m.body, True):
                name = service.short_name  # the configured short name, never a smaller font
            self._text(name, name_box, self.m.body, INK, bold=True, align="left")
            info = pygame.Rect(
                name_box.right + self.m.gap,
                inner.top,
                inner.right - name_box.right - self.m.gap,
                inner.height,
            )
            if accepting and status is not None:
                info_text = unbroken(queue_summary(status.waiting, status.estimated_wait_min))
                self._text(info_text, info, self.m.body, INK, align="left")
                targets.append((rect, ("service", service.code)))
            else:  # says why and when it opens; no target: it cannot be tapped
                why, when = unavailable(status, now)
                why_box = pygame.Rect(info.left, info.top, info.width, self.m.line() * 2)
                if self._fits(why, why_box.inflate(0, -self.m.line()), self.m.body, True):
                    why_box.height = self.m.line()
                if not when:
                    why_box = info
                self._text(why, why_box, self.m.body, ALERT, bold=True, align="left")
                if when:
                    when_box = pygame.Rect(
                        info.left, why_box.bottom, info.width, info.bottom - why_box.bottom
                    )
                    self._text(unbroken(when), when_box, self.m.body, INK, align="left")

    def _category(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        assert model.catalogue is not None and model.service is not None
        question = "Apakah Anda termasuk prioritas?"
        area = self._title(question, body)
        categories = model.catalogue.categories
        if self.portrait:
            cells = self._grid(area, 1, len(categories))
        else:
            cells = self._grid(area, len(categories), 1)
        answers = [
            f"Ya, {c.name}" if c.code is PriorityCategory.PRIORITY else f"Tidak, {c.name}"
            for c in categories
        ]
        pad = (-self.m.gap * 2, -self.m.gap if self.compact else -self.m.gap * 2)
        inner0 = cells[0].inflate(*pad)
        head0 = pygame.Rect(0, 0, inner0.width, self.m.line(self.m.heading))
        answer_size = self._common(answers, head0, self.m.heading, True)
        head0.height = self.m.line(answer_size)
        who0 = pygame.Rect(0, 0, inner0.width, inner0.height - head0.height)
        who_size = self._common([c.who for c in categories], who0, self.m.heading, False)
        for rect, category, answer in zip(cells, categories, answers, strict=True):
            priority = category.code is PriorityCategory.PRIORITY
            pygame.draw.rect(
                self.surface, PRIORITY if priority else PRIMARY, rect, border_radius=self.m.gap
            )
            inner = rect.inflate(*pad)
            head = pygame.Rect(inner.left, inner.top, inner.width, head0.height)
            self._text(answer, head, answer_size, WHITE, bold=True)
            who = pygame.Rect(inner.left, head.bottom, inner.width, inner.bottom - head.bottom)
            self._text(category.who, who, who_size, WHITE)
            targets.append((rect, ("category", category.code.value)))

    def _booking(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        keys_needed = 2  # rows of keys at the least
        spare = body.height - (self.m.target + self.m.gap) * (keys_needed + 2)
        if spare >= self.m.line(self.m.heading) + self.m.line() * 2 + self.m.gap:
            rest = self._title("Sudah daftar online?", body)
            hint = pygame.Rect(rest.left, rest.top, rest.width, self.m.line() * 2)
            self._text(
                "Pindai kode QR pendaftaran Anda di pemindai, atau ketik kodenya:",
                hint,
                self.m.body,
                INK,
            )
            rest = pygame.Rect(
                rest.left,
                hint.bottom + self.m.gap,
                rest.width,
                rest.bottom - hint.bottom - self.m.gap,
            )
            field = pygame.Rect(rest.left, rest.top, rest.width, self.m.target)
        else:  # a small landscape panel: the hint beside the field
            rest = body
            field = pygame.Rect(rest.left, rest.top, rest.width // 2, self.m.target)
            hint = pygame.Rect(
                field.right + self.m.gap,
                rest.top,
                rest.right - field.right - self.m.gap,
                self.m.target,
            )
            self._text(
                "Pindai kode QR, atau ketik kodenya",
                hint,
                self.m.body,
                INK,
                align="left",
            )
        pygame.draw.rect(self.surface, WHITE, field, border_radius=self.m.gap)
        pygame.draw.rect(self.surface, INK, field, width=2, border_radius=self.m.gap)
        self._text(
            model.code or "—",
            field.inflate(-self.m.gap * 2, 0),
            self.m.heading,
            INK,
            bold=True,
            minimum=self.m.large,
        )
        below = field.bottom + self.m.gap
        tabs_area = pygame.Rect(rest.left, below, rest.width, self.m.target)
        tabs = [("keypad", name) for name in KEYPAD]
        edits = [("delete",), ("ok",)]
        area_bottom = rest.bottom
        rows_of_controls = [tabs + edits]
        if self.portrait:  # room below the keys: editing keys on their own row, wider
            edits_area = pygame.Rect(0, 0, rest.width, self.m.target * 5 // 4)
            edits_area.bottomleft = rest.bottomleft
            area_bottom = edits_area.top - self.m.gap
            rows_of_controls = [tabs, edits]
        labels = {**{("keypad", n): n for n in KEYPAD}, ("delete",): "Hapus", ("ok",): SUBMIT}
        areas = [tabs_area] if not self.portrait else [tabs_area, edits_area]
        for controls, controls_area in zip(rows_of_controls, areas, strict=True):
            names = [labels[control] for control in controls]
            cells, size = self._row(controls_area, names)
            for rect, control in zip(cells, controls, strict=True):
                if control == ("ok",):
                    self._button(rect, SUBMIT, PRIMARY, WHITE, size)
                elif control[0] == "keypad" and control[1] == model.keypad:
                    self._button(rect, labels[control], INK, WHITE, size)  # the group shown
                else:
                    self._button(rect, labels[control], SECONDARY, INK, size)
                targets.append((rect, control))
        keys = KEYPAD[model.keypad]
        area = pygame.Rect(
            rest.left,
            tabs_area.bottom + self.m.gap,
            rest.width,
            area_bottom - tabs_area.bottom - self.m.gap,
        )
        rows = min(4, self._rows_fitting(area, self.m.target))
        columns = math.ceil(len(keys) / rows)
        side = min(
            (area.width - self.m.gap * (columns - 1)) // columns,
            (area.height - self.m.gap * (rows - 1)) // rows,
            self.m.target * 5 // 2,
        )
        grid_w = side * columns + self.m.gap * (columns - 1)
        grid = pygame.Rect(0, area.top, grid_w, side * rows + self.m.gap * (rows - 1))
        grid.center = area.center
        # One size for every key of every group (a "W" is not drawn smaller than an "I"):
        # the largest at which the widest key fits, as _button pads its label.
        label = pygame.Rect(0, 0, side, side).inflate(-self.m.gap * 2, -self.m.gap // 2)
        key_size = self._common(list(BOOKING_KEYS), label, self.m.heading * 3 // 2, True)
        for rect, key in zip(self._grid(grid, columns, rows, side), keys, strict=False):
            rect.width = side
            self._button(rect, key, WHITE, INK, key_size)
            pygame.draw.rect(self.surface, SECONDARY, rect, width=2, border_radius=self.m.gap)
            targets.append((rect, ("key", key)))

    def _printing(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        top = pygame.Rect(body.left, body.top, body.width, body.height // 2)
        self._text(
            "Mencetak tiket Anda…", top, self.m.heading, INK, bold=True, minimum=self.m.heading
        )
        bottom = pygame.Rect(body.left, top.bottom, body.width, body.height - top.height)
        self._text("Mohon tunggu sebentar.", bottom, self.m.large, INK)

    def _done(self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime) -> None:
        ticket = model.ticket
        assert ticket is not None
        rest = self._title("Silakan ambil tiket Anda", body)
        area, service = None, None
        if model.catalogue is not None:
            service = next((s for s in model.catalogue.services if s.code == ticket.service), None)
            agency = next(
                (a for a in model.catalogue.agencies if service and a.code == service.agency), None
            )
            area = agency.waiting_area if agency is not None else None
        place = waiting_place(area)  # "Ruang tunggu: lantai 1, depan loket 1–4."
        lines = [
            (ticket.service_name, True),
            (unbroken(queue_summary(ticket.people_ahead, ticket.estimated_wait_min)), False),
            *([(unbroken(place), True)] if place else []),
            (WAIT_FOR_CALL if place else "Silakan tunggu sampai nomor Anda dipanggil.", False),
        ]
        if self.portrait:
            number = pygame.Rect(rest.left, rest.top, rest.width, rest.height * 2 // 5)
            text_area = pygame.Rect(
                rest.left,
                number.bottom + self.m.gap,
                rest.width,
                rest.bottom - number.bottom - self.m.gap,
            )
        else:
            number = pygame.Rect(rest.left, rest.top, rest.width // 3, rest.height)
            text_area = pygame.Rect(
                number.right + self.m.gap,
                rest.top,
                rest.right - number.right - self.m.gap,
                rest.height,
            )
        big = self.m.heading * (4 if self.portrait else 3)
        self._text(ticket.number, number, big, PRIMARY, bold=True, minimum=self.m.heading)
        names = [ticket.service_name]
        if service is not None and service.short_name:
            names.append(service.short_name)  # when the full name leaves no room
        spacing = self.m.gap // 2 if self.compact else self.m.gap
        for name in names:
            paragraphs = [(name, True), *lines[1:]]
            size, heights = self._stack(paragraphs, text_area, spacing)
            if size:
                break
        size = size or self.m.body
        spare = max(0, text_area.height - sum(heights) - spacing * (len(heights) - 1))
        top = text_area.top + spare // 2
        for (text, bold), height in zip(paragraphs, heights, strict=True):
            box = pygame.Rect(text_area.left, top, text_area.width, height)
            self._text(text, box, size, INK, bold=bold, align="left")
            top = box.bottom + spacing

    def _stack(
        self, paragraphs: list[tuple[str, bool]], area: pygame.Rect, spacing: int
    ) -> tuple[int, list[int]]:
        """The largest common size (down to body) at which the paragraphs fit one above
        another in ``area``, and their heights; size 0 when none does."""
        tall = pygame.Rect(0, 0, area.width, 10_000)
        start = self.m.heading if self.portrait else self.m.large  # portrait: fill the height
        for size in sorted({*range(start, self.m.body, -2), self.m.body}, reverse=True):
            heights = [fit(text, tall, size, bold, size).height() for text, bold in paragraphs]
            if sum(heights) + spacing * (len(heights) - 1) <= area.height:
                return size, heights
        heights = [fit(text, tall, self.m.body, b, self.m.body).height() for text, b in paragraphs]
        return 0, heights

    def _error(self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime) -> None:
        top = pygame.Rect(body.left, body.top, body.width, body.height // 2)
        message = unbroken(model.message)  # "pukul 07.30", "25 November 2026" stay whole
        self._text(message, top, self.m.heading, ALERT, bold=True, minimum=self.m.large)
        bottom = pygame.Rect(body.left, top.bottom, body.width, body.height - top.height)
        self._text(model.hint, bottom, self.m.large, INK)

    def _unavailable(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        if model.hub_reachable():  # only the printer is out: complaints and the survey go on
            tall = self.feedback.entry_height(body.width)
            entries = pygame.Rect(body.left, body.bottom - tall, body.width, tall)
            self.feedback.entry_buttons(entries, targets)
            body = pygame.Rect(body.left, body.top, body.width, entries.top - self.m.gap - body.top)
        top, middle, bottom = (
            pygame.Rect(body.left, body.top + i * body.height // 3, body.width, body.height // 3)
            for i in range(3)
        )
        self._text(
            "Maaf, nomor antrean belum dapat diambil",
            top,
            self.m.heading,
            ALERT,
            bold=True,
            minimum=self.m.large,
        )
        self._text(model.unavailable_reason() or "", middle, self.m.large, INK, bold=True)
        self._text("Silakan hubungi petugas informasi.", bottom, self.m.large, INK)
