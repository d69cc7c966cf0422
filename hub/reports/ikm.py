"""The Indeks Kepuasan Masyarakat (IKM) of PermenPANRB 14/2017.

Per element (unsur) the NRR is the mean answer of the respondents who
answered it. The IKM is the sum of NRR × 1/9 over the nine elements, × 25
(the 25–100 scale). The regulation's worked example rounds the weight to
0.111; this module does not round at all until the end: exact fractions,
then two decimals half-up, and the band (mutu pelayanan) of that value:

    A 88,31–100,00 sangat baik · B 76,61–88,30 baik ·
    C 65,00–76,60 kurang baik  · D 25,00–64,99 tidak baik
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from protocol.models.reports import IKM_ELEMENTS, Ikm, IkmElement

Band = Literal["A", "B", "C", "D"]
BANDS: tuple[tuple[Decimal, Band, str], ...] = (  # lowest value of each band
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)


def band_of(value: Decimal) -> tuple[Band, str]:
    for lowest, band, quality in BANDS:
        if value >= lowest:
            return band, quality
    return "D", "Tidak Baik"  # below 25 cannot happen with answers of 1–4


def round_end(value: Fraction) -> Decimal:
    """Two decimals, half up, from the exact value: the only rounding of the IKM."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ikm(surveys: Iterable[Sequence[int | None]]) -> Ikm:
    """The IKM of nine-answer surveys (None: a question left out).

    Without at least one answer to every element there is no IKM (``value``
    None): an element with no NRR cannot be weighted.
    """
    sums = [0] * len(IKM_ELEMENTS)
    counts = [0] * len(IKM_ELEMENTS)
    respondents = 0
    for answers in surveys:
        respondents += 1
        for index, answer in enumerate(answers):
            if answer is not None:
                sums[index] += answer
                counts[index] += 1
    nrr = [Fraction(s, c) if c else None for s, c in zip(sums, counts, strict=True)]
    elements = [
        IkmElement(code=code, name=name, respondents=c, nrr=float(n) if n is not None else None)
        for (code, name), c, n in zip(IKM_ELEMENTS, counts, nrr, strict=True)
    ]
    if respondents == 0 or any(n is None for n in nrr):
        return Ikm(respondents=respondents, elements=elements)
    exact = sum((n * Fraction(1, 9) for n in nrr if n is not None), Fraction(0)) * 25
    value = round_end(exact)
    band, quality = band_of(value)
    return Ikm(
        respondents=respondents, elements=elements, value=float(value), band=band, quality=quality
    )


def score_band(score: float | None) -> tuple[Band, str] | None:
    """The band of a figure already on the 25–100 scale (e.g. the SKM button-box score)."""
    if score is None:
        return None
    return band_of(Decimal(str(score)))
