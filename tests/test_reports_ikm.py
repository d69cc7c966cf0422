"""The IKM of PermenPANRB 14/2017: NRR per element, × 1/9, summed, × 25, rounded at the end."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from hub.events import SurveyAnswered
from hub.reports.ikm import band_of, ikm
from protocol.clock import wall_now
from protocol.errors import ErrorCode
from protocol.models import CounterFinish
from protocol.models.reports import IKM_ELEMENTS, SurveySubmit
from tests.hub_harness import Harness


def test_nine_elements_of_the_regulation() -> None:
    assert [code for code, _ in IKM_ELEMENTS] == [f"U{n}" for n in range(1, 10)]
    assert IKM_ELEMENTS[0][1] == "Persyaratan" and IKM_ELEMENTS[8][1] == "Sarana dan Prasarana"


@pytest.mark.parametrize(
    ("value", "band", "quality"),
    [
        ("100.00", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25.00", "D", "Tidak Baik"),
    ],
)
def test_bands(value: str, band: str, quality: str) -> None:
    assert band_of(Decimal(value)) == (band, quality)


def test_every_answer_the_best_is_100_not_99_9() -> None:
    """The regulation's worked example weighs with 0.111; exact 1/9 gives the 100 it means."""
    result = ikm([[4] * 9] * 12)
    assert result.value == 100.0 and result.band == "A"
    assert all(e.nrr == 4.0 and e.respondents == 12 for e in result.elements)


def test_every_answer_good_is_75_kurang_baik() -> None:
    result = ikm([[3] * 9] * 5)
    assert (result.value, result.band, result.quality) == (75.0, "C", "Kurang Baik")


def test_rounding_only_at_the_end_keeps_a_sangat_baik() -> None:
    """Five respondents whose answers sum to 159: IKM = 31.8 × 25 / 9 = 88.33 (A).

    Weighing with a rounded 0.111 first would give 88.245 — a B. Rounding
    only at the end is what the brief asks for and what the band must see.
    """
    sums_of = [18, 18, 18, 18, 18, 18, 17, 17, 17]
    answers = {18: [4, 4, 4, 3, 3], 17: [4, 4, 3, 3, 3]}
    surveys = [[answers[s][r] for s in sums_of] for r in range(5)]
    result = ikm(surveys)
    assert result.value == 88.33 and result.band == "A"
    naive = sum(Decimal(s) / 5 * Decimal("0.111") for s in sums_of) * 25
    assert band_of(naive.quantize(Decimal("0.01")))[0] == "B"


def test_against_an_exact_computation() -> None:
    surveys = [
        [4, 3, 3, 4, 3, 4, 4, 2, 3],
        [3, 3, 2, 4, 3, 3, 4, None, 3],
        [4, 4, 3, 4, 4, 4, 4, 3, 4],
        [2, 3, 3, 4, 3, 3, 3, 3, 2],
        [4, 4, 4, 4, 4, 4, 4, 4, None],
        [3, 2, 3, 4, 3, 4, 4, 3, 3],
        [4, 3, 3, 4, 4, 3, 4, 3, 3],
    ]
    nrr = []
    for element in range(9):
        given = [s[element] for s in surveys if s[element] is not None]
        nrr.append(Fraction(sum(given), len(given)))
    exact = sum(nrr) / 9 * 25
    expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    result = ikm(surveys)
    assert result.value == float(expected)
    assert result.respondents == 7
    assert result.elements[7].respondents == 6 and result.elements[8].respondents == 6
    assert result.elements[7].nrr == pytest.approx(float(nrr[7]))
    assert result.band == band_of(expected)[0]


def test_an_element_nobody_answered_means_no_ikm() -> None:
    result = ikm([[4, 4, 4, 4, 4, 4, 4, 4, None]] * 3)
    assert result.value is None and result.band is None
    assert result.elements[8].respondents == 0 and result.elements[8].nrr is None
    assert ikm([]).value is None


def test_survey_contract() -> None:
    fields = {
        "command_id": uuid4(),
        "device_id": "kiosk-01",
        "seq": 1,
        "issued_at": wall_now(),
        "ticket_id": "20260701-A-012",
    }
    SurveySubmit(**fields, answers=[4, 3, None, 4, 4, 3, 2, 4, 4])
    for answers in ([4] * 8, [4] * 10, [5] + [4] * 8, [0] + [4] * 8, [None] * 9):
        with pytest.raises(ValidationError):
            SurveySubmit(**fields, answers=answers)


def test_the_hub_files_a_survey_once_after_service(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    ticket = hub.issue("DUK-KTP")
    waiting = hub.issue("DUK-KTP")
    hub.open_counter(1)
    assert hub.next(1) == ticket
    hub.ok(CounterFinish, "counter-01")
    answers = [4, 3, None, 4, 4, 3, 4, 3, 4]

    early = hub.cmd(SurveySubmit, "kiosk-01", ticket_id=waiting, answers=answers)
    assert not early.ok and early.error is not None
    assert early.error.code is ErrorCode.INVALID_STATE and "not been served" in early.error.message
    counter = hub.cmd(SurveySubmit, "counter-01", ticket_id=ticket, answers=answers)
    assert not counter.ok and counter.error is not None
    assert counter.error.code is ErrorCode.NOT_AUTHORISED

    outcome = hub.send(SurveySubmit, "kiosk-02", ticket_id=ticket, answers=answers)
    assert outcome.reply.ok
    (event,) = outcome.events
    assert isinstance(event, SurveyAnswered)
    assert (event.service, event.agency, event.counter) == ("DUK-KTP", "DUKCAPIL", 1)
    assert event.answers == answers
    again = hub.cmd(SurveySubmit, "kiosk-01", ticket_id=ticket, answers=answers)
    assert not again.ok and again.error is not None and "already" in again.error.message

    hub.restart()  # the survey is in the store: still once after a restart
    again = hub.cmd(SurveySubmit, "kiosk-01", ticket_id=ticket, answers=answers)
    assert not again.ok
