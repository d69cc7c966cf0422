"""An error reply to an invalid payload names the payload's own command id when it can.

A device matches replies by Correlation Data, but a person reading logs or a
client that lost its correlation matches by ``command_id``; a payload that
fails validation (a bad field, a wrong device) still usually carries one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from uuid import UUID

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.app import HubApp
from mqtt_broker.local import LocalBroker
from protocol.codec import decode, encode, readable_command_id
from protocol.errors import ContractError, ErrorCode
from protocol.examples import CID, examples_of
from protocol.models import CounterNext, Reply
from protocol.topics import TOPICS
from tests.mqtt_client import RecordingClient

TOPIC = "mpp/device/counter-01/cmd"
REPLY = "mpp/device/counter-01/reply"
OTHER = UUID("5d1e2c3b-4a59-4687-9a1b-c2d3e4f5a6b7")
# The largest payload any topic takes (a signature's strokes), the admin's replies aside.
LARGEST = max(topic.max_bytes for topic in TOPICS if topic.key != "admin.reply")


def _next_payload(**changes: object) -> bytes:
    document = json.loads(encode(examples_of(CounterNext)[0].message))
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (_next_payload(seq=-1), CID),
        (_next_payload(command_id=str(CID).upper()), CID),
        (b'{"command_id": "0b8f4a52-3c1e-4e0a-9d7e-2f4b5c6d7e8f", "type": 7}', CID),
        (_next_payload(command_id="not-a-uuid"), None),
        (_next_payload(command_id="0b8f4a523c1e4e0a9d7e2f4b5c6d7e8f"), None),  # not canonical
        (_next_payload(command_id="{0b8f4a52-3c1e-4e0a-9d7e-2f4b5c6d7e8f}"), None),
        (_next_payload(command_id=12345), None),
        (b'{"command_id": "0b8f4a52-3c1e-4e0a-9d7e-2f4b5c6d7e8f"', None),  # not JSON
        (b"\xff\xfe", None),
        (b"[1, 2]", None),
        (b"[" * 5_000 + b"]" * 5_000, None),
        (_next_payload(pad="x" * (LARGEST + 1)), None),  # over every topic's limit: not parsed
    ],
    ids=lambda value: repr(value)[:30],
)
def test_readable_command_id(payload: bytes, expected: UUID | None) -> None:
    assert readable_command_id(payload) == expected


def test_decode_errors_carry_the_payloads_command_id() -> None:
    with pytest.raises(ContractError) as raised:
        decode(TOPIC, _next_payload(seq=-1))
    assert raised.value.code is ErrorCode.INVALID and raised.value.command_id == CID
    with pytest.raises(ContractError) as raised:
        decode("mpp/device/counter-02/cmd", _next_payload())  # another device's id
    assert raised.value.code is ErrorCode.TOPIC_MISMATCH and raised.value.command_id == CID
    with pytest.raises(ContractError) as raised:
        decode(TOPIC, b'{"type": ')
    assert raised.value.command_id is None


@pytest.fixture
def counter(fresh_broker: LocalBroker) -> Iterator[RecordingClient]:
    client = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "counter-01",
        fresh_broker.password("counter-01"),
        tls=fresh_broker.tls("counter-01"),
    )
    client.connect()
    client.subscribe(REPLY)
    yield client
    client.stop()


def _ask(client: RecordingClient, payload: bytes, correlation: UUID | None) -> Reply:
    properties = Properties(PacketTypes.PUBLISH)
    properties.ResponseTopic = REPLY
    if correlation is not None:
        properties.CorrelationData = correlation.bytes
    before = len(client.messages)
    client.publish(TOPIC, payload, properties=properties)
    client.wait_until(REPLY, lambda _: len(client.messages) > before)
    reply = decode(REPLY, client.messages[-1].payload).message
    assert isinstance(reply, Reply) and reply.error is not None
    assert reply.error.code is ErrorCode.INVALID
    return reply


def test_the_hub_answers_an_invalid_command_with_its_command_id(
    hub_app: Callable[..., HubApp], counter: RecordingClient
) -> None:
    hub_app()
    assert _ask(counter, _next_payload(seq=-1), correlation=None).command_id == CID
    assert _ask(counter, _next_payload(seq=-1), correlation=OTHER).command_id == CID
    unreadable = _next_payload(seq=-1, command_id="nope")
    assert _ask(counter, unreadable, correlation=OTHER).command_id == OTHER
    assert _ask(counter, unreadable, correlation=None).command_id == UUID(int=0)
