"""The signature contract: what a pad may submit, and every way a bad one is refused."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

import pytest

from protocol.codec import decode, encode
from protocol.errors import ContractError
from protocol.models import SignatureSubmit, Stroke, StrokePoint
from protocol.models.signature import MAX_POINTS, canonical_strokes, strokes_sha256
from protocol.topics import spec
from protocol.version import SCHEMA_VERSION


def wave(n: int = 40, scale: float = 0.6) -> list[Stroke]:
    """A plausible signature: one long wavy stroke across the pad."""
    points = [
        StrokePoint(
            x=round(0.2 + scale * i / n, 4),
            y=round(0.5 + scale / 3 * math.sin(i / 4), 4),
            pressure=0.5,
            t=i * 8,
        )
        for i in range(n)
    ]
    return [Stroke(points=points)]


def submission(strokes: list[Stroke], sha: str | None = None) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "type": "signature.submit",
        "command_id": str(uuid.uuid4()),
        "device_id": "sigpad-01",
        "seq": 1,
        "issued_at": datetime.now(UTC).isoformat(),
        "ticket_id": "20261124-A-001",
        "counter": 1,
        "strokes": [s.model_dump() for s in strokes],
        "sha256": sha if sha is not None else strokes_sha256(strokes),
    }


def topic() -> str:
    return spec("device.signature").topic(device_id="sigpad-01")


def test_a_signature_round_trips_through_the_codec_with_its_hash():
    message = SignatureSubmit.model_validate(submission(wave()))
    decoded = decode(topic(), encode(message, spec("device.signature")))
    assert decoded.message == message
    assert decoded.message.sha256 == strokes_sha256(message.strokes)


def test_the_canonical_json_is_compact_and_independent_of_the_envelope():
    strokes = [Stroke(points=[StrokePoint(x=0.1, y=0.25, pressure=1.0, t=0)])]
    assert canonical_strokes(strokes) == b"[[[0.1,0.25,1.0,0]]]"


@pytest.mark.parametrize(
    ("strokes", "sha", "says"),
    [
        ([], None, "empty signature"),
        (wave(5), None, "signature too short: 5 points"),
        (wave(40, scale=0.01), None, "signature too small"),
        (wave(), "0" * 64, "sha256 does not match"),
    ],
)
def test_refused_with_a_specific_error(strokes, sha, says):
    import json

    with pytest.raises(ContractError) as refused:
        decode(topic(), json.dumps(submission(strokes, sha)).encode())
    assert says in refused.value.message


def test_out_of_range_points_are_malformed():
    import json

    payload = submission(wave())
    payload["strokes"][0]["points"][3]["x"] = 1.5
    with pytest.raises(ContractError) as refused:
        decode(topic(), json.dumps(payload).encode())
    assert "less than or equal to 1" in refused.value.message


def test_too_many_points_are_refused_before_anything_else():
    import json

    per = MAX_POINTS // 50 + 1
    many = [
        Stroke(
            points=[
                StrokePoint(x=i / per, y=s / 50, pressure=0.5, t=s * per + i) for i in range(per)
            ]
        )
        for s in range(50)
    ]
    payload = json.dumps(submission(many)).encode()
    with pytest.raises(ContractError) as refused:
        decode(topic(), payload)
    assert f"over the {MAX_POINTS} limit" in refused.value.message
