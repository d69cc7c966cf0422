"""How a call is read aloud in Bahasa Indonesia, as a list of clip names.

"A-012 → loket 3" becomes ``bel, nomor_antrean, a, dua, belas,
silakan_menuju, loket, tiga`` (the full number, as Indonesian halls say it) or
``…, a, nol, satu, dua, …`` (digit by digit, a device option). Letters
are read as letters ("BPJ" → be pe je), digits in a prefix as numbers
("4K-10" → empat ka sepuluh). The list is a pure function of the call, so it
is tested for every number and prefix; the clips
themselves can be espeak-ng's or professionally recorded ones of the same
names. :func:`announcement` adds the pacing a hall needs: a pause after the
chime, a pause before "silakan", and optionally the call said a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
LETTERS = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "ef",
    "G": "ge",
    "H": "ha",
    "I": "i",
    "J": "je",
    "K": "ka",
    "L": "el",
    "M": "em",
    "N": "en",
    "O": "o",
    "P": "pe",
    "Q": "ki",
    "R": "er",
    "S": "es",
    "T": "te",
    "U": "u",
    "V": "ve",
    "W": "we",
    "X": "eks",
    "Y": "ye",
    "Z": "zet",
}
NUMBER_WORDS = ("sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus", "seribu", "ribu")
PHRASES = ("bel", "nomor_antrean", "silakan_menuju", "loket")

# What each clip says, for generating the clip set with a speech synthesiser.
CLIP_TEXT: dict[str, str] = {
    **{word: word for word in DIGITS},
    **{word: word for word in NUMBER_WORDS},
    **{f"huruf_{letter.lower()}": spoken for letter, spoken in LETTERS.items()},
    "nomor_antrean": "nomor antrean",
    "silakan_menuju": "silakan menuju",
    "loket": "loket",
}
ALL_CLIPS: tuple[str, ...] = ("bel", *CLIP_TEXT)


class Reading(StrEnum):
    DIGITS = "digits"  # A-012 → a nol satu dua
    NUMBER = "number"  # A-012 → a dua belas


@dataclass(frozen=True)
class Pause:
    """Silence of ``seconds`` in an announcement (instead of the short gap between words)."""

    seconds: float


Part = str | Pause


@dataclass(frozen=True)
class Pacing:
    """How an announcement breathes: people need a moment after the chime to listen,
    and a break before "silakan" to hold the number; a second saying catches
    those who looked up late."""

    after_chime_s: float = 0.8
    before_silakan_s: float = 0.4
    repeats: int = 1
    between_repeats_s: float = 1.2


def number_words(value: int) -> list[str]:
    """0–9999 in words: 12 → dua belas, 110 → seratus sepuluh, 1200 → seribu dua ratus."""
    if not 0 <= value <= 9999:
        raise ValueError(f"{value} is outside 0..9999")
    if value < 10:
        return [DIGITS[value]]
    if value == 10:
        return ["sepuluh"]
    if value == 11:
        return ["sebelas"]
    if value < 20:
        return [DIGITS[value - 10], "belas"]
    if value < 100:
        tens, rest = divmod(value, 10)
        return [DIGITS[tens], "puluh", *(number_words(rest) if rest else [])]
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        head = ["seratus"] if hundreds == 1 else [DIGITS[hundreds], "ratus"]
        return head + (number_words(rest) if rest else [])
    thousands, rest = divmod(value, 1000)
    head = ["seribu"] if thousands == 1 else [DIGITS[thousands], "ribu"]
    return head + (number_words(rest) if rest else [])


def prefix_words(prefix: str) -> list[str]:
    """Letters one by one; a run of digits as a number ("4K" → empat ka)."""
    words: list[str] = []
    digits = ""
    for char in prefix.upper():
        if char.isdigit():
            digits += char
            continue
        if digits:
            words += number_words(int(digits))
            digits = ""
        if char not in LETTERS:
            raise ValueError(f"cannot read {char!r} in prefix {prefix!r}")
        words.append(f"huruf_{char.lower()}")
    if digits:
        words += number_words(int(digits))
    return words


def ticket_words(number: str, reading: Reading) -> list[str]:
    """The spoken ticket number: prefix, then digits or the whole number."""
    prefix, _, digits = number.rpartition("-")
    if not digits.isdigit():
        raise ValueError(f"not a ticket number: {number!r}")
    spoken = prefix_words(prefix) if prefix else []
    if reading is Reading.DIGITS:
        return spoken + [DIGITS[int(d)] for d in digits]
    return spoken + number_words(int(digits))


def call_clips(number: str, counter: int, reading: Reading = Reading.NUMBER) -> list[str]:
    """Every clip of one announcement said once, chime first."""
    return [
        "bel",
        "nomor_antrean",
        *ticket_words(number, reading),
        "silakan_menuju",
        "loket",
        *number_words(counter),
    ]


def announcement(
    number: str, counter: int, reading: Reading = Reading.NUMBER, pacing: Pacing | None = None
) -> list[Part]:
    """The clips with their pauses: chime, pause, call, pause, directions; repeated if asked."""
    pacing = pacing or Pacing()
    number_part = ["nomor_antrean", *ticket_words(number, reading)]
    directions = ["silakan_menuju", "loket", *number_words(counter)]
    once: list[Part] = [*number_part, Pause(pacing.before_silakan_s), *directions]
    parts: list[Part] = ["bel", Pause(pacing.after_chime_s), *once]
    for _ in range(pacing.repeats - 1):
        parts += [Pause(pacing.between_repeats_s), *once]
    return parts


def _spoken(clip: str) -> str:
    """A clip as written: letters of the prefix in capitals ("A"), words as they sound."""
    if clip.startswith("huruf_"):
        return clip.removeprefix("huruf_").upper()
    return CLIP_TEXT.get(clip, clip)


def call_text(number: str, counter: int, reading: Reading = Reading.NUMBER) -> str:
    """The announcement as a sentence (logs, `mpp display say`).

    "Nomor antrean A dua belas, silakan menuju loket tiga."
    """
    words = [_spoken(clip) for clip in ["nomor_antrean", *ticket_words(number, reading)]]
    directions = [_spoken(clip) for clip in ["silakan_menuju", "loket", *number_words(counter)]]
    sentence = f"{' '.join(words)}, {' '.join(directions)}."
    return sentence[0].upper() + sentence[1:]
