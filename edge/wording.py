"""One wording for every surface people read or hear: the glossary of docs/ux as data.

Each rule names a word or spelling that must not appear on a screen, a
ticket or in the voice, and what to say instead. ``problems(text)`` lists
the rules a text breaks; tests/test_glossary.py runs it over the texts each
surface actually shows (collected from the rendered screens and tickets).

The phrases several surfaces share (people ahead, estimated wait, times)
are made here too, so they cannot drift apart again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time


@dataclass(frozen=True)
class Rule:
    """``pattern`` (a regular expression) must not match; say ``use`` instead."""

    pattern: str
    use: str
    flags: int = re.IGNORECASE

    def matches(self, text: str) -> bool:
        return re.search(self.pattern, text, self.flags) is not None


GLOSSARY: tuple[Rule, ...] = (
    Rule(r"\bantrian\b", "antrean (KBBI): nomor antrean"),
    Rule(r"\bqueue\b", "antrean"),
    Rule(r"\b(struk|karcis)\b", "tiket (the paper): Silakan ambil tiket Anda"),
    Rule(r"\b(counter|gerai)\b", "loket"),
    Rule(r"\bbooking\b", "Sudah daftar online? / kode pendaftaran"),
    Rule(r"\bmenunggu\s+0\s+orang\b", "Tidak ada antrean di depan Anda"),
    Rule(r"(^|\D)0\s+orang\s+di\s+depan\b", "Tidak ada antrean di depan Anda"),
    Rule(r"<\s*\d", "kurang dari 5 menit"),
    Rule(r"±\d|±\s*\d+\b(?!\s*(menit|jam))", "perkiraan tunggu ± 10 menit (a space, and the unit)"),
    Rule(r"kurang dari \d+\b(?!\s*menit)", "kurang dari 5 menit (with the unit)"),
    Rule(r"\bOFFLINE\b", "Tidak terhubung", 0),
    Rule(r"\bHub\b", "Tidak terhubung / sistem antrean", 0),
    Rule(r"\b[a-z]+_[a-z_]+\b", "words, never error or category codes", 0),
    Rule(r"\b\d{1,2}:\d{2}\b", "times as 13.00"),
    Rule(r"\S  +\S", "one space between words"),
)


def problems(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The glossary rules ``text`` breaks, as "found → use"; ``allowed``: proper names to skip."""
    checked = text
    for name in allowed:
        checked = checked.replace(name, "")
    return [
        f"{re.search(rule.pattern, checked, rule.flags).group(0)!r} in {text!r}: use {rule.use}"  # type: ignore[union-attr]
        for rule in GLOSSARY
        if rule.matches(checked)
    ]


# -- shared phrases -------------------------------------------------------------------


def people_ahead(count: int) -> str:
    """'Tidak ada antrean di depan Anda' / '3 orang di depan Anda'."""
    return "Tidak ada antrean di depan Anda" if count <= 0 else f"{count} orang di depan Anda"


def estimated_wait(minutes: int) -> str:
    """'perkiraan tunggu ± 10 menit', 'kurang dari 5 menit', from two hours on '± 4 jam'."""
    if minutes < 5:
        return "perkiraan tunggu kurang dari 5 menit"
    if minutes >= 120:  # nobody counts 245 minutes; hours, to the nearest one
        return f"perkiraan tunggu ± {round(minutes / 60)} jam"
    return f"perkiraan tunggu ± {minutes} menit"


def queue_summary(count: int, minutes: int) -> str:
    """People ahead and the wait in one sentence; nobody ahead and a short wait say just that."""
    if count <= 0 and minutes < 5:
        return f"{people_ahead(0)}."
    return f"{people_ahead(count)}, {estimated_wait(minutes)}."


# Phrases a line break would make hard to read ("perkiraan tunggu ±" / "18 menit"):
# their spaces become no-break spaces, which the kiosk's wrapping
# (edge/text_fit.py) and the ticket's (edge/printer/ticket.py) never break at.
NBSP = "\u00a0"
PHRASES = (
    re.compile(r"(?:(?:\bkurang lebih|\bkurang dari|±|[+-]) ?)?\b\d+ (?:menit|jam)\b"),
    re.compile(r"\b\d+ orang\b"),
    re.compile(r"\b(?:loket|lantai) \d+(?:(?:, \d+)* (?:sampai|dan) \d+)?\b"),  # loket 5, 6 dan 21
    re.compile(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b"),  # 23 November 2026
    re.compile(r"\bpukul \d\d\.\d\d\b"),
)


def unbroken(text: str) -> str:
    """``text`` with the spaces inside its :data:`PHRASES` made no-break spaces."""
    for phrase in PHRASES:
        text = phrase.sub(lambda match: match.group(0).replace(" ", NBSP), text)
    return text


# Where to wait, after the ticket is printed: the agency's ``waiting_area`` of the site
# file ("lantai 1, depan loket 1–4") under a label, and the instruction as a sentence of
# its own (never "Silakan tunggu di … loket 1 sampai 4 sampai nomor Anda dipanggil").
WAIT_FOR_CALL = "Tunggu sampai nomor Anda dipanggil."
_AREA_LABEL = re.compile(r"^\s*ruang tunggu\b[\s:,]*", re.IGNORECASE)


def waiting_place(area: str | None) -> str:
    """'Ruang tunggu: lantai 1, depan loket 1–4.'; '' without an area. A site file of the
    older style ("ruang tunggu lantai 1, …") is read without its own label."""
    place = _AREA_LABEL.sub("", area or "").strip().rstrip(".")
    return f"Ruang tunggu: {place}." if place else ""


def clock(moment: datetime | time) -> str:
    """'13.00', the Indonesian way of writing a time."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def sentence(text: str) -> str:
    """The first letter in capitals (the phrases above start in lower case)."""
    return text[:1].upper() + text[1:]
