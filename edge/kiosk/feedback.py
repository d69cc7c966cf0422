"""The kiosk's *Pengaduan dan saran* form and nine-element survey: pure logic, no pygame.

Two journeys from the welcome screen, each its own short state machine kept
in :class:`Feedback` (a field of :class:`~edge.kiosk.model.KioskModel`):

- a complaint or suggestion for SP4N-LAPOR: category → text on the on-screen
  keyboard → contact (optional) → ticket number (optional) → sent
  (``complaint.submit``) → the hub's complaint id, shown and printed;
- the SKM survey of PermenPANRB 14/2017 after a finished visit: the ticket
  number (typed, or its QR scanned) → nine questions, four answers each, any
  of them skipped → sent (``survey.submit``) → thanks.

Taps return an intent for the agent (:class:`SendComplaint`,
:class:`CheckSurveyTicket`, :class:`SendSurvey`); the agent's result comes
back through :meth:`Feedback.complaint_recorded` and friends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from protocol.models import ComplaintCategory

# Letters in two groups and digits with punctuation: each group small enough for
# keys of at least 15 mm on a 7" panel (like the booking keypad).
TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "A–M": tuple("ABCDEFGHIJKLM"),
    "N–Z": tuple("NOPQRSTUVWXYZ"),
    "123": tuple("1234567890.,?-"),
}
PHONE_KEYS = tuple("123456789+0")
TEXT_MAX = 500  # characters typed on a kiosk; the contract allows more from the console
TEXT_MIN = 10
PHONE_MIN, PHONE_MAX = 8, 16
COMPLAINT_DONE_S = 30.0  # long enough to copy the id down
SURVEY_DONE_S = 8.0

# What to correct on the ticket-number screen. A complaint's ticket is optional: its
# notice says it may be left empty, as the screen's label does ("boleh dikosongkan").
TICKET_UNKNOWN = "Nomor tiket tidak ditemukan. Periksa kembali nomornya."
COMPLAINT_TICKET_UNKNOWN = "Nomor tiket tidak ditemukan. Periksa kembali, atau kosongkan."
NOT_SERVED = "Tiket ini belum selesai dilayani. Survei diisi setelah pelayanan selesai."
NOT_A_TICKET = "Kode ini bukan tiket antrean."
# The same, short enough for the label beside the field of a 7" panel (the number is
# in the field, in red): the help is shortened, never dropped.
SHORT_NOTICES: dict[str, str] = {
    TICKET_UNKNOWN: "Tidak ditemukan. Periksa kembali nomornya.",
    COMPLAINT_TICKET_UNKNOWN: "Tidak ditemukan. Periksa kembali, atau kosongkan.",
    NOT_SERVED: "Belum selesai dilayani. Survei diisi sesudahnya.",
}

CATEGORIES: tuple[tuple[ComplaintCategory, str, str], ...] = (
    (ComplaintCategory.PENGADUAN, "Pengaduan", "Keluhan atas pelayanan"),
    (ComplaintCategory.SARAN, "Saran", "Masukan untuk perbaikan"),
    (ComplaintCategory.PERTANYAAN, "Pertanyaan", "Permintaan informasi"),
)
CATEGORY_NAMES = {code: name for code, name, _ in CATEGORIES}

# The nine elements of PermenPANRB 14/2017 (U1…U9 in the order of
# protocol.models.reports.IKM_ELEMENTS), asked as in the regulation's sample
# questionnaire, each with its own four answers from 1 (worst) to 4 (best).
QUESTIONS: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (
        "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    (
        "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    (
        "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    (
        "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    (
        "Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    (
        "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    (
        "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait "
        "kesopanan dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    (
        "Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    (
        "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)

_TICKET = re.compile(r"^([A-Z0-9]{1,3}?)-?([0-9]{3,4})$")
_TICKET_IN_QR = re.compile(r"([0-9]{8})-([A-Z0-9]{1,3}-[0-9]{3,4})\s*$")


@dataclass(frozen=True)
class SendComplaint:
    category: ComplaintCategory
    text: str
    contact: str | None
    ticket: str | None  # a number of today or a full id from a scanned QR


@dataclass(frozen=True)
class CheckSurveyTicket:
    ticket: str  # A-012, or 20261123-A-012 from a scanned QR


@dataclass(frozen=True)
class SendSurvey:
    ticket_id: str
    answers: tuple[int | None, ...]


FeedbackIntent = SendComplaint | CheckSurveyTicket | SendSurvey


def ticket_number(typed: str) -> str | None:
    """``A012`` or ``A-012`` as the hub writes it (``A-012``); None if it is no ticket number.
    A ticket id (from the QR) is kept whole."""
    text = typed.strip().upper()
    found = _TICKET_IN_QR.search(text)
    if found:
        return f"{found.group(1)}-{found.group(2)}"
    match = _TICKET.match(text)
    if match is None or not match.group(1):
        return None
    return f"{match.group(1)}-{match.group(2)}"


def typed(text: str, key: str) -> str:
    """``text`` with ``key`` added, in sentence case: the keys show capitals (easier to
    read), the text is written as people write, with a capital after . ? ! only."""
    if key == " ":
        return text if not text or text.endswith(" ") else text + " "
    stripped = text.rstrip()
    starts_sentence = not stripped or stripped[-1] in ".?!"
    return text + (key.upper() if starts_sentence else key.lower())


@dataclass
class Feedback:
    """What the citizen has entered so far in either journey."""

    category: ComplaintCategory | None = None
    text: str = ""
    contact: str = ""
    ticket: str = ""
    keys: str = "A–M"  # the key group shown on the text keyboard
    notice: str = ""  # a correction asked for on the current step
    complaint_id: str = ""
    slip_printed: bool = False
    survey_ticket: str = ""  # the ticket id the survey is about
    service_name: str = ""
    question: int = 0
    menu: bool = False  # came through the 7" panel's menu (Kembali returns there)
    answers: list[int | None] = field(default_factory=lambda: [None] * len(QUESTIONS))

    def text_ready(self) -> bool:
        return len(self.text.strip()) >= TEXT_MIN

    def contact_ready(self) -> bool:
        return not self.contact or PHONE_MIN <= len(self.contact) <= PHONE_MAX

    def ticket_ready(self, required: bool = False) -> bool:
        if not self.ticket:
            return not required
        return ticket_number(self.ticket) is not None

    def complaint(self) -> SendComplaint:
        assert self.category is not None
        return SendComplaint(
            self.category,
            " ".join(self.text.split()),
            self.contact or None,
            ticket_number(self.ticket) if self.ticket else None,
        )
