"""Drawing the complaint and survey screens (edge/kiosk/feedback_flow.py says what they do).

Built on :class:`~edge.kiosk.screens.KioskScreens`' pieces (its title, buttons,
grids and text drawing), so these screens keep the same rules the tests hold
every screen to: capitals of 4 mm and headings of 8 mm on the panel, keys and
buttons of at least 15 mm, 3 mm apart, 4.5:1 contrast, a visible way back,
nothing cut off. The on-screen keyboard shows one group of keys at a time
(*A–M*, *N–Z*, *123*), like the booking keypad, because a whole QWERTY row
of 15 mm keys does not fit across a 7" panel.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

import pygame

from edge.kiosk.feedback import (
    CATEGORIES,
    CATEGORY_NAMES,
    PHONE_KEYS,
    QUESTIONS,
    SHORT_NOTICES,
    TEXT_KEYS,
    TEXT_MIN,
)
from edge.kiosk.model import KEYPAD, KioskModel, View

if TYPE_CHECKING:
    from edge.kiosk.screens import KioskScreens, Targets

LAPOR = "Pengaduan dan saran Anda diteruskan melalui SP4N-LAPOR!"


class FeedbackScreens:
    """The eight screens of the two journeys, drawn with ``base``'s pieces."""

    def __init__(self, base: KioskScreens) -> None:
        self.base = base

    def drawings(self) -> dict[View, object]:
        return {
            View.FEEDBACK_MENU: self.menu,
            View.COMPLAINT_CATEGORY: self.complaint_category,
            View.COMPLAINT_TEXT: self.complaint_text,
            View.COMPLAINT_CONTACT: self.complaint_contact,
            View.COMPLAINT_TICKET: self.ticket,
            View.SURVEY_TICKET: self.ticket,
            View.SURVEY_QUESTION: self.survey_question,
            View.SENDING: self.sending,
            View.COMPLAINT_DONE: self.complaint_done,
            View.SURVEY_DONE: self.survey_done,
        }

    # -- the welcome screen's two ways in ----------------------------------------------

    def entry_buttons(self, area: pygame.Rect, targets: Targets) -> None:
        """*Pengaduan dan saran* and *Survei kepuasan*, side by side along ``area``."""
        from edge.kiosk.screens import INK, SECONDARY

        cells = self.base._grid(area, 2, 1)
        for rect, label, target in zip(
            cells,
            ("Pengaduan dan saran", "Survei kepuasan"),
            (("complaint",), ("survey",)),
            strict=True,
        ):
            self.base._button(rect, label, SECONDARY, INK)
            targets.append((rect, target))

    def entry_height(self, width: int) -> int:
        """The row's height: a target, or two lines where a label needs them."""
        b = self.base
        half = pygame.Rect(0, 0, (width - b.m.gap) // 2 - b.m.gap * 2, b.m.target - b.m.gap // 2)
        if b._fits("Pengaduan dan saran", half, b.m.body, True):
            return b.m.target
        return max(b.m.target, b.m.line() * 2 + b.m.gap)

    def entry_tile(self, rect: pygame.Rect, targets: Targets) -> None:
        """A 7" panel's one way in, among the shortcuts: to :meth:`menu`."""
        from edge.kiosk.screens import INK, SECONDARY

        b = self.base
        pygame.draw.rect(b.surface, SECONDARY, rect, border_radius=b.m.gap)
        b._text("Pengaduan dan survei", rect.inflate(-b.m.gap * 2, -b.m.gap), b.m.large, INK, True)
        targets.append((rect, ("feedback",)))

    def menu(self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime) -> None:
        """Complaint or survey (a 7" panel, whose welcome screen has one tile for both)."""
        from edge.kiosk.screens import PRIMARY, WHITE

        b = self.base
        area = b._title("Pengaduan dan survei", body)
        cells = b._grid(area, 1, 2) if b.portrait else b._grid(area, 2, 1)
        choices = (
            ("Pengaduan dan saran", "Keluhan, saran atau pertanyaan", ("complaint",)),
            ("Survei kepuasan", "Nilai pelayanan yang Anda terima", ("survey",)),
        )
        pad = (-b.m.gap * 2, -b.m.gap)
        inner0 = cells[0].inflate(*pad)
        head0 = pygame.Rect(0, 0, inner0.width, b.m.line(b.m.large) * 2)
        name_size = b._common([c[0] for c in choices], head0, b.m.heading, True)
        head0.height = min(head0.height, inner0.height // 2)
        for rect, (name, what, target) in zip(cells, choices, strict=True):
            pygame.draw.rect(b.surface, PRIMARY, rect, border_radius=b.m.gap)
            inner = rect.inflate(*pad)
            head = pygame.Rect(inner.left, inner.top, inner.width, inner.height // 2)
            b._text(name, head, name_size, WHITE, bold=True)
            rest = pygame.Rect(inner.left, head.bottom, inner.width, inner.bottom - head.bottom)
            b._text(what, rest, b.m.large, WHITE)
            targets.append((rect, target))

    # -- complaint ---------------------------------------------------------------------

    def complaint_category(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        from edge.kiosk.screens import INK, PRIMARY, WHITE

        b = self.base
        area = b._title("Pengaduan dan saran", body)
        if not b.compact:  # a 7" panel says it on the last screen only
            lines = 1 if b._fits(LAPOR, pygame.Rect(0, 0, area.width, b.m.line()), b.m.body) else 2
            hint = pygame.Rect(area.left, area.top, area.width, b.m.line() * lines)
            b._text(LAPOR, hint, b.m.body, INK)
            area = pygame.Rect(
                area.left, hint.bottom + b.m.gap, area.width, area.bottom - hint.bottom - b.m.gap
            )
        cells = b._grid(area, 1, 3) if b.portrait else b._grid(area, 3, 1)
        pad = (-b.m.gap * 2, -b.m.gap)
        inner0 = cells[0].inflate(*pad)
        head0 = pygame.Rect(0, 0, inner0.width, b.m.line(b.m.heading))
        name_size = b._common([name for _, name, _ in CATEGORIES], head0, b.m.heading, True)
        head0.height = b.m.line(name_size)
        what0 = pygame.Rect(0, 0, inner0.width, inner0.height - head0.height)
        what_size = b._common([what for _, _, what in CATEGORIES], what0, b.m.large, False)
        for rect, (code, name, what) in zip(cells, CATEGORIES, strict=True):
            pygame.draw.rect(b.surface, PRIMARY, rect, border_radius=b.m.gap)
            inner = rect.inflate(*pad)
            head = pygame.Rect(inner.left, inner.top, inner.width, head0.height)
            b._text(name, head, name_size, WHITE, bold=True)
            rest = pygame.Rect(inner.left, head.bottom, inner.width, inner.bottom - head.bottom)
            b._text(what, rest, what_size, WHITE)
            targets.append((rect, ("complaint-category", code.value)))

    def complaint_text(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        form = model.feedback
        name = CATEGORY_NAMES.get(form.category, "Pengaduan") if form.category else "Pengaduan"
        field, rest = self._field_area(body, f"Tulis {name.lower()} Anda", f"{name} Anda:", 2)
        self._field(field, self._tail(form.text, field) if form.text else "", left=True)
        controls = [("textkeys", group) for group in TEXT_KEYS] + [("space",), ("delete",)]
        labels = {("space",): "Spasi", ("delete",): "Hapus"}
        labels.update({("textkeys", group): group for group in TEXT_KEYS})
        self._keyboard(
            rest, controls, labels, ("textkeys", form.keys), TEXT_KEYS[form.keys], "char", targets
        )
        ready = form.text_ready()
        self._next("Lanjut ›", ready, targets, f"Paling sedikit {TEXT_MIN} huruf")

    def complaint_contact(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        form = model.feedback
        field, rest = self._field_area(
            body,
            "Nomor HP Anda (boleh dikosongkan)",
            "Nomor HP (boleh dikosongkan):",
            1,
            hint="Petugas dapat menghubungi Anda tentang tindak lanjutnya.",
        )
        self._field(field, form.contact)
        self._keyboard(
            rest, [("delete",)], {("delete",): "Hapus"}, None, PHONE_KEYS, "key", targets
        )
        label = "Lanjut ›" if form.contact else "Lewati ›"
        self._next(label, form.contact_ready(), targets, "Nomor HP terlalu pendek")

    def ticket(self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime) -> None:
        from edge.kiosk.screens import ALERT

        form = model.feedback
        survey = model.view is View.SURVEY_TICKET
        hint = (
            form.notice
            or "Ketik nomor pada tiket Anda (misalnya A-012), atau pindai kode QR pada tiket."
        )
        # A ticket number is short (A-012): on a 7" panel the label beside it gets more room.
        if survey:
            field, rest = self._field_area(
                body,
                "Survei kepuasan",
                "Nomor tiket Anda:",
                1,
                hint=hint,
                alert=bool(form.notice),
                field_share=(2, 5),
            )
        else:
            field, rest = self._field_area(
                body,
                "Nomor tiket (boleh dikosongkan)",
                "Nomor tiket (boleh dikosongkan):",
                1,
                hint=hint,
                alert=bool(form.notice),
                field_share=(2, 5),
            )
        self._field(field, form.ticket, ink=ALERT if form.notice else None)
        controls = [("keypad", name) for name in KEYPAD] + [("delete",)]
        labels = {("keypad", name): name for name in KEYPAD}
        labels[("delete",)] = "Hapus"
        self._keyboard(
            rest, controls, labels, ("keypad", model.keypad), KEYPAD[model.keypad], "key", targets
        )
        if survey:
            self._next("Lanjut ›", form.ticket_ready(required=True), targets, "", target="next")
        else:
            self._next("Kirim ›", form.ticket_ready(), targets, "", target="send")

    def complaint_done(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        from edge.kiosk.screens import INK, PRIMARY

        b = self.base
        form = model.feedback
        rest = b._title("Terima kasih", body)
        keep = (
            "Bukti pengaduan sudah dicetak, silakan ambil. "
            if form.slip_printed
            else "Catat nomor ini. "
        ) + "Sebutkan nomor ini bila menanyakan tindak lanjutnya ke petugas informasi."
        label_h = b.m.line(b.m.large)
        number_h = b.m.line(b.m.heading * 3 // 2)
        label = pygame.Rect(rest.left, rest.top, rest.width, label_h)
        b._text("Nomor pengaduan Anda:", label, b.m.large, INK)
        number = pygame.Rect(rest.left, label.bottom, rest.width, number_h)
        b._text(
            form.complaint_id, number, b.m.heading * 3 // 2, PRIMARY, bold=True,
            minimum=b.m.heading,
        )  # fmt: skip
        lines = pygame.Rect(
            rest.left, number.bottom + b.m.gap, rest.width, rest.bottom - number.bottom - b.m.gap
        )
        closing = f"{keep} {LAPOR}"
        if not b._fits(closing, lines, b.m.body):
            closing = keep
        b._text(closing, lines, b.m.large, INK)

    # -- survey ------------------------------------------------------------------------

    def survey_question(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        from edge.kiosk.screens import INK, PRIMARY, WHITE

        b = self.base
        form = model.feedback
        question, answers = QUESTIONS[form.question]
        progress = f"Pertanyaan {form.question + 1} dari {len(QUESTIONS)}"
        if b.compact:  # a 7" panel: the answers need the height; the progress goes below
            rest = body
            middle = b.footer.inflate(-2 * b._button_width("‹ Kembali", b.footer.width // 4), 0)
            b._text(progress, middle.inflate(-2 * b.m.gap, 0), b.m.body, INK)
        else:
            rest = b._title(progress, body)
        box = pygame.Rect(rest.left, rest.top, rest.width, b.m.line(b.m.large) * 3)
        size = b.m.large
        if not b._fits(question, box, size):
            size = b.m.body
        box.height = min(box.height, b.m.line(size) * 3)
        b._text(question, box, size, INK, bold=True)
        area = pygame.Rect(
            rest.left, box.bottom + b.m.gap, rest.width, rest.bottom - box.bottom - b.m.gap
        )
        layouts = [(1, 4)] if b.portrait else [(4, 1), (2, 2), (1, 4)]
        for columns, rows in layouts:  # side by side when every answer fits whole
            cells = b._grid(area, columns, rows)
            inner0 = cells[0].inflate(-b.m.gap * 2, -b.m.gap)
            if all(b._fits(answer, inner0, b.m.body, True) for answer in answers):
                break
        answer_size = b._common(list(answers), inner0, b.m.heading, True)
        chosen = form.answers[form.question]
        for value, (rect, answer) in enumerate(zip(cells, answers, strict=True), start=1):
            fill = PRIMARY
            pygame.draw.rect(b.surface, fill, rect, border_radius=b.m.gap)
            if chosen == value:  # the answer given before, when the citizen came back
                pygame.draw.rect(
                    b.surface, INK, rect, width=max(4, b.m.gap // 3), border_radius=b.m.gap
                )
            b._text(answer, rect.inflate(-b.m.gap * 2, -b.m.gap), answer_size, WHITE, bold=True)
            targets.append((rect, ("answer", str(value))))
        self._next("Lewati ›", True, targets, "", target="skip", primary=False)

    def survey_done(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        from edge.kiosk.screens import INK

        b = self.base
        rest = b._title("Terima kasih atas penilaian Anda", body)
        b._text(
            "Jawaban Anda membantu kami memperbaiki pelayanan.", rest, b.m.large, INK, bold=True
        )

    def sending(
        self, model: KioskModel, body: pygame.Rect, targets: Targets, now: datetime
    ) -> None:
        from edge.kiosk.screens import INK, PRIMARY, WHITE

        b = self.base
        top = pygame.Rect(body.left, body.top, body.width, body.height // 2)
        pygame.draw.rect(b.surface, PRIMARY, top, border_radius=b.m.gap)
        b._text("Mengirim…", top, b.m.heading, WHITE, bold=True, minimum=b.m.heading)
        bottom = pygame.Rect(body.left, top.bottom, body.width, body.height - top.height)
        b._text("Mohon tunggu sebentar.", bottom, b.m.large, INK)

    # -- pieces ------------------------------------------------------------------------

    def _field_area(
        self,
        body: pygame.Rect,
        title: str,
        short: str,
        lines: int,
        hint: str = "",
        alert: bool = False,
        field_share: tuple[int, int] = (3, 5),
    ) -> tuple[pygame.Rect, pygame.Rect]:
        """The entry field under a title and a hint, or (a small panel) beside a label;
        returns the field and the space left for the keys."""
        from edge.kiosk.screens import ALERT, INK

        b = self.base
        field_h = max(b.m.target, b.m.line() * lines + b.m.gap // 2)
        hint_h = b.m.line() * 2 if hint else 0
        needed = b.m.line(b.m.heading) + hint_h + field_h + (b.m.target + b.m.gap) * 3
        if body.height >= needed + b.m.gap * 3:
            rest = b._title(title, body)
            if hint:
                hint_box = pygame.Rect(rest.left, rest.top, rest.width, hint_h)
                hint = self._first_fitting(hint, hint_box, alert)
                b._text(hint, hint_box, b.m.body, ALERT if alert else INK, bold=alert)
                rest = pygame.Rect(
                    rest.left, hint_box.bottom + b.m.gap, rest.width,
                    rest.bottom - hint_box.bottom - b.m.gap,
                )  # fmt: skip
            field = pygame.Rect(rest.left, rest.top, rest.width, field_h)
        else:  # a 7" landscape panel: the label (or the correction asked for) beside the field
            rest = body
            share, whole = field_share
            field = pygame.Rect(rest.left, rest.top, rest.width * share // whole, field_h)
            label = pygame.Rect(
                field.right + b.m.gap, rest.top, rest.right - field.right - b.m.gap, field_h
            )
            shown = self._first_fitting(hint, label, alert) if alert else short
            b._text(shown, label, b.m.body, ALERT if alert else INK, bold=alert, align="left")
        below = field.bottom + b.m.gap
        return field, pygame.Rect(rest.left, below, rest.width, rest.bottom - below)

    def _first_fitting(self, text: str, box: pygame.Rect, bold: bool) -> str:
        """``text``, else its short form (help and all, :data:`SHORT_NOTICES`), else its
        first sentence: the first that fits ``box`` whole."""
        for candidate in (text, SHORT_NOTICES.get(text, "")):
            if candidate and self.base._fits(candidate, box, self.base.m.body, bold):
                return candidate
        return text.split(". ")[0].rstrip(".") + "."

    def _field(
        self,
        field: pygame.Rect,
        text: str,
        left: bool = False,
        ink: tuple[int, int, int] | None = None,
    ) -> None:
        from edge.kiosk.screens import INK, WHITE

        b = self.base
        pygame.draw.rect(b.surface, WHITE, field, border_radius=b.m.gap)
        pygame.draw.rect(b.surface, INK, field, width=2, border_radius=b.m.gap)
        inner = field.inflate(-b.m.gap * 2, -b.m.gap // 2)
        if left:
            b._text(text or "—", inner, b.m.body, ink or INK, align="left")
        else:
            b._text(text or "—", inner, b.m.heading, ink or INK, bold=True, minimum=b.m.large)

    def _tail(self, text: str, field: pygame.Rect) -> str:
        """The end of a long text, as much as the field shows whole ("…" before it)."""
        b = self.base
        inner = field.inflate(-b.m.gap * 2, -b.m.gap // 2)
        if b._fits(text, inner, b.m.body):
            return text
        words = text.split(" ")
        for start in range(1, len(words)):
            tail = "…" + " ".join(words[start:])
            if b._fits(tail, inner, b.m.body):
                return tail
        last = words[-1]
        while last and not b._fits("…" + last, inner, b.m.body):
            last = last[1:]
        return "…" + last

    def _keyboard(
        self,
        area: pygame.Rect,
        controls: list[tuple[str, ...]],
        labels: dict[tuple[str, ...], str],
        active: tuple[str, ...] | None,
        keys: tuple[str, ...],
        key_kind: str,
        targets: Targets,
    ) -> None:
        """A row of controls (key groups, Spasi, Hapus) above a grid of square keys."""
        from edge.kiosk.screens import INK, SECONDARY, WHITE

        b = self.base
        row = pygame.Rect(area.left, area.top, area.width, b.m.target)
        groups = [c for c in controls if len(c) == 2]  # the key groups, in order
        edits = [c for c in controls if len(c) == 1]  # Spasi, Hapus
        if b.portrait and groups and edits:  # narrow: the groups above, the edits below
            cells = b._grid(row, len(groups), 1)
            second = pygame.Rect(area.left, row.bottom + b.m.gap, area.width, b.m.target)
            cells += b._grid(second, max(len(edits), 2), 1)[: len(edits)]
            row = second
        else:
            cells = b._grid(row, max(len(controls), 3), 1)
        for rect, control in zip(cells, groups + edits, strict=False):
            if control == active:
                b._button(rect, labels[control], INK, WHITE)  # the group shown
            else:
                b._button(rect, labels[control], SECONDARY, INK)
            targets.append((rect, control))
        keys_area = pygame.Rect(
            area.left, row.bottom + b.m.gap, area.width, area.bottom - row.bottom - b.m.gap
        )
        rows = min(4, b._rows_fitting(keys_area, b.m.target))
        columns = math.ceil(len(keys) / rows)
        rows = math.ceil(len(keys) / columns)
        side = min(
            (keys_area.width - b.m.gap * (columns - 1)) // columns,
            (keys_area.height - b.m.gap * (rows - 1)) // rows,
            b.m.target * 2,
        )
        grid = pygame.Rect(
            0, 0, side * columns + b.m.gap * (columns - 1), side * rows + b.m.gap * (rows - 1)
        )
        grid.center = keys_area.center
        inner = pygame.Rect(0, 0, side - b.m.gap * 2, side - b.m.gap // 2)
        key_size = b._common(list(keys), inner, b.m.heading * 3 // 2, True)  # one size per grid
        for rect, key in zip(b._grid(grid, columns, rows, side), keys, strict=False):
            rect.width = side
            b._button(rect, key, WHITE, INK, key_size)
            pygame.draw.rect(b.surface, SECONDARY, rect, width=2, border_radius=b.m.gap)
            targets.append((rect, (key_kind, key)))

    def _next(
        self,
        label: str,
        ready: bool,
        targets: Targets,
        why_not: str,
        target: str = "next",
        primary: bool = True,
    ) -> None:
        """The step's forward button at the right of the footer; greyed, untappable and
        saying why while the step is not complete."""
        from edge.kiosk.screens import CLOSED, INK, PRIMARY, SECONDARY, WHITE

        b = self.base
        footer = b.footer
        width = b._button_width(label, footer.width // 4)
        button = pygame.Rect(footer.right - width, footer.top, width, footer.height)
        if ready:
            fill, ink = (PRIMARY, WHITE) if primary else (SECONDARY, INK)
            b._button(button, label, fill, ink)
            targets.append((button, (target,)))
            return
        if why_not and b._fits(
            why_not, pygame.Rect(0, 0, footer.width // 3, footer.height), b.m.body
        ):
            text_w = footer.width - width - b._button_width("‹ Kembali", footer.width // 4)
            why = pygame.Rect(0, footer.top, text_w - 2 * b.m.gap, footer.height)
            why.right = button.left - b.m.gap
            b._text(why_not, why, b.m.body, INK, align="left")
        b._button(button, label, CLOSED, INK)
