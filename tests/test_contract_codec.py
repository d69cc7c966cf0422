"""The contract's parser: every model round-trips; bad input gets a clear error."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.codec import decode, encode
from protocol.errors import (
    ContractError,
    InvalidPayloadError,
    MalformedPayloadError,
    PayloadTooLargeError,
    TopicMismatchError,
    UnknownMessageTypeError,
    UnknownTopicError,
    UnsupportedVersionError,
)
from protocol.models import Envelope
from protocol.topics import TOPICS, TopicSpec, resolve, spec
from tests.contract_examples import examples

CMD_TOPIC = "mpp/device/counter-01/cmd"


def _example_json(type_name: str) -> dict[str, object]:
    for _, message in examples():
        if message.message_type() == type_name:
            return json.loads(encode(message))
    raise LookupError(type_name)


def test_examples_cover_every_model_of_every_topic() -> None:
    covered = {type(message) for _, message in examples()}
    registered = {model for topic in TOPICS for model in topic.messages}
    assert registered == covered


@pytest.mark.parametrize(
    ("topic", "message"), examples(), ids=lambda value: getattr(value, "type", value)
)
def test_every_model_round_trips(topic: str, message: Envelope) -> None:
    decoded = decode(topic, encode(message))
    assert decoded.message == message
    assert decoded.spec is resolve(topic)[0]


def test_malformed_bytes_are_named() -> None:
    with pytest.raises(MalformedPayloadError, match="not UTF-8"):
        decode(CMD_TOPIC, b"\xff\xfe")
    with pytest.raises(MalformedPayloadError, match="not valid JSON"):
        decode(CMD_TOPIC, b'{"type": ')
    with pytest.raises(MalformedPayloadError, match="JSON object, not list"):
        decode(CMD_TOPIC, b"[1, 2]")
    with pytest.raises(MalformedPayloadError, match="duplicate key 'type'"):
        decode(CMD_TOPIC, b'{"type": "counter.next", "type": "counter.finish"}')
    with pytest.raises(MalformedPayloadError, match="NaN"):
        decode(CMD_TOPIC, b'{"seq": NaN}')
    with pytest.raises(MalformedPayloadError):
        decode(CMD_TOPIC, b"[" * 5_000 + b"]" * 5_000)


def test_oversized_payload_is_rejected_before_parsing() -> None:
    payload = json.dumps({**_example_json("counter.next"), "pad": "x" * 20_000}).encode()
    with pytest.raises(PayloadTooLargeError, match=r"over the 16384-byte limit of device\.cmd"):
        decode(CMD_TOPIC, payload)


def _example(topic: str) -> Envelope:
    return next(message for t, message in examples() if t == topic)


def test_encoder_refuses_what_the_receiver_would_reject() -> None:
    calls = _example("mpp/state/calls")
    tiny = TopicSpec(
        key="tiny",
        template="mpp/tiny",
        messages=(type(calls),),
        publishers=frozenset(),
        readers=frozenset(),
        retained=False,
        description="",
        max_bytes=10,
    )
    with pytest.raises(PayloadTooLargeError, match="over the 10-byte limit of tiny"):
        encode(calls, tiny)
    assert decode("mpp/state/calls", encode(calls, spec("state.calls"))).message == calls


@pytest.mark.parametrize("version", ["2.0", "0.9", "10.1"])
def test_other_major_version_is_rejected(version: str) -> None:
    payload = json.dumps({**_example_json("counter.next"), "schema_version": version})
    with pytest.raises(UnsupportedVersionError, match=f"major version {version.split('.')[0]}"):
        decode(CMD_TOPIC, payload.encode())


@pytest.mark.parametrize("version", [None, 1, "1", "v1.0", "1.0.0"])
def test_missing_or_garbled_version_is_rejected(version: object) -> None:
    document = _example_json("counter.next")
    if version is None:
        del document["schema_version"]
    else:
        document["schema_version"] = version
    with pytest.raises(UnsupportedVersionError, match=r"missing or not MAJOR\.MINOR"):
        decode(CMD_TOPIC, json.dumps(document).encode())


def test_newer_minor_version_of_same_major_is_accepted() -> None:
    payload = json.dumps({**_example_json("counter.next"), "schema_version": "1.7"})
    assert decode(CMD_TOPIC, payload.encode()).message.schema_version == "1.7"


def test_unknown_type_names_what_the_topic_accepts() -> None:
    payload = json.dumps({**_example_json("counter.next"), "type": "counter.explode"})
    with pytest.raises(UnknownMessageTypeError, match=r"'counter\.explode'.*counter\.next"):
        decode(CMD_TOPIC, payload.encode())


def test_type_from_another_topic_is_unknown_here() -> None:
    payload = encode(_example("mpp/event/call"))
    with pytest.raises(UnknownMessageTypeError):
        decode(CMD_TOPIC, payload)


def test_invalid_fields_are_listed_with_their_path() -> None:
    document = _example_json("counter.transfer")
    document["target_service"] = "not a code"
    document["seq"] = -1
    document["unexpected"] = True
    with pytest.raises(InvalidPayloadError) as raised:
        decode(CMD_TOPIC, json.dumps(document).encode())
    message = str(raised.value)
    assert "target_service: String should match pattern" in message
    assert "seq: Input should be greater than or equal to 0" in message
    assert "unexpected: Extra inputs are not permitted" in message


def test_strings_are_not_coerced_to_numbers() -> None:
    document = _example_json("counter.next")
    document["seq"] = "5"
    with pytest.raises(InvalidPayloadError, match="seq"):
        decode(CMD_TOPIC, json.dumps(document).encode())


def test_naive_timestamps_are_rejected() -> None:
    document = _example_json("counter.next")
    document["issued_at"] = "2026-11-23T08:15:00"
    with pytest.raises(InvalidPayloadError, match="issued_at"):
        decode(CMD_TOPIC, json.dumps(document).encode())


def test_expiry_must_follow_issue() -> None:
    document = _example_json("counter.next")
    document["expires_at"] = document["issued_at"]
    with pytest.raises(InvalidPayloadError, match="expires_at must be later"):
        decode(CMD_TOPIC, json.dumps(document).encode())


def test_payload_must_name_the_device_of_its_topic() -> None:
    payload = encode(_example(CMD_TOPIC))
    with pytest.raises(TopicMismatchError, match="'counter-01' does not match"):
        decode("mpp/device/counter-02/cmd", payload)


def test_device_status_must_carry_a_device_role() -> None:
    document = _example_json("device.status")
    document["role"] = "hub"
    with pytest.raises(InvalidPayloadError, match="not a device role"):
        decode("mpp/device/kiosk-01/status", json.dumps(document).encode())


@pytest.mark.parametrize(
    "topic",
    [
        "mpp/device/Counter-01/cmd",
        "mpp/device/a/b/cmd",
        "mpp/unknown",
        "",
        "mpp/state/counter/0",
        "mpp/device/+/cmd",
    ],
)
def test_unknown_topics_are_rejected(topic: str) -> None:
    with pytest.raises(UnknownTopicError):
        decode(topic, b"{}")


def test_errors_are_value_errors_with_codes() -> None:
    with pytest.raises(ValueError) as raised:
        decode(CMD_TOPIC, b"nope")
    assert isinstance(raised.value, ContractError)
    assert raised.value.code.value == "malformed"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_escape_as_other_exceptions(payload: bytes) -> None:
    with contextlib.suppress(ContractError):
        decode(CMD_TOPIC, payload)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(examples()),
    mutations=st.dictionaries(st.text(max_size=16), _json_values, max_size=4),
    drop=st.lists(st.text(max_size=16), max_size=3),
)
def test_mutated_valid_payloads_fail_cleanly_or_decode(
    base: tuple[str, Envelope], mutations: dict[str, object], drop: list[str]
) -> None:
    topic, message = base
    document = json.loads(encode(message))
    for key in drop:
        document.pop(key, None)
    document.update(mutations)
    try:
        decoded = decode(topic, json.dumps(document).encode())
    except ContractError:
        return
    assert decoded.message.message_type() == document["type"]
