"""Reading calls aloud: every number 0–999 and every prefix shape."""

from __future__ import annotations

import pytest

from edge.display.speech import (
    ALL_CLIPS,
    LETTERS,
    Pacing,
    Pause,
    Reading,
    announcement,
    call_clips,
    call_text,
    number_words,
    prefix_words,
    ticket_words,
)

KNOWN = {
    0: "nol",
    7: "tujuh",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    99: "sembilan puluh sembilan",
    100: "seratus",
    101: "seratus satu",
    110: "seratus sepuluh",
    111: "seratus sebelas",
    115: "seratus lima belas",
    200: "dua ratus",
    345: "tiga ratus empat puluh lima",
    999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu",
    1205: "seribu dua ratus lima",
    2000: "dua ribu",
}


@pytest.mark.parametrize(("value", "spoken"), KNOWN.items())
def test_known_numbers(value: int, spoken: str) -> None:
    assert " ".join(number_words(value)) == spoken


def test_every_number_up_to_999_reads_with_known_clips_only() -> None:
    seen = set()
    for value in range(1000):
        words = number_words(value)
        assert set(words) <= set(ALL_CLIPS), value
        seen.add(" ".join(words))
    assert len(seen) == 1000, "no two numbers sound the same"


def test_prefixes() -> None:
    assert prefix_words("A") == ["huruf_a"]
    assert prefix_words("BPJ") == ["huruf_b", "huruf_p", "huruf_j"]
    assert prefix_words("4K") == ["empat", "huruf_k"]
    assert prefix_words("K12") == ["huruf_k", "dua", "belas"]
    with pytest.raises(ValueError, match="cannot read"):
        prefix_words("A_")


@pytest.mark.parametrize("letter", list(LETTERS))
def test_every_letter_prefix(letter: str) -> None:
    assert call_clips(f"{letter}-001", 1)[2] == f"huruf_{letter.lower()}"


def test_digit_and_number_reading() -> None:
    assert ticket_words("A-012", Reading.DIGITS) == ["huruf_a", "nol", "satu", "dua"]
    assert ticket_words("A-012", Reading.NUMBER) == ["huruf_a", "dua", "belas"]
    assert ticket_words("4K-10", Reading.NUMBER) == ["empat", "huruf_k", "sepuluh"]


def test_whole_announcement_reads_the_full_number_by_default() -> None:
    assert call_clips("A-012", 3) == [
        "bel",
        "nomor_antrean",
        "huruf_a",
        "dua",
        "belas",
        "silakan_menuju",
        "loket",
        "tiga",
    ]
    assert call_text("A-012", 3) == "Nomor antrean A dua belas, silakan menuju loket tiga."
    assert call_text("A-105", 3) == "Nomor antrean A seratus lima, silakan menuju loket tiga."
    assert call_text("A-001", 1) == "Nomor antrean A satu, silakan menuju loket satu."
    assert call_text("A-012", 3, Reading.DIGITS) == (
        "Nomor antrean A nol satu dua, silakan menuju loket tiga."
    )
    assert call_text("4K-10", 12) == (
        "Nomor antrean empat K sepuluh, silakan menuju loket dua belas."
    )


def test_pauses_after_the_chime_and_before_silakan_and_a_second_saying() -> None:
    once = announcement("A-012", 3, pacing=Pacing(after_chime_s=0.8, before_silakan_s=0.4))
    assert once == [
        "bel",
        Pause(0.8),
        "nomor_antrean",
        "huruf_a",
        "dua",
        "belas",
        Pause(0.4),
        "silakan_menuju",
        "loket",
        "tiga",
    ]
    twice = announcement("A-012", 3, pacing=Pacing(repeats=2, between_repeats_s=1.5))
    assert twice[: len(once)] == announcement("A-012", 3)
    assert twice[len(once)] == Pause(1.5)
    assert twice[len(once) + 1 :] == once[2:], "the second saying has no chime"
