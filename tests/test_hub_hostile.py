"""``mpp hub run`` against a hostile device, on a real broker.

A device's credential may be in the wrong hands (a kiosk's SD card is easy
to copy) or its firmware broken. Whatever it sends, the hub must answer it
only on its own reply topic, never confuse its command ids with another
device's, keep its rejected traffic from filling the disk or the journal,
and keep serving every other device while it floods.

Nothing here sleeps: the tests wait on MQTT messages and the hub's log lines.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from firmware_config.inventory import Inventory
from hub.flood import LOGGED_PER_WINDOW, STORED_PER_WINDOW
from hub.store import EventStore
from mpp.process import HubProcess
from mqtt_broker.local import LocalBroker, start_local_broker
from protocol.codec import decode
from protocol.errors import ErrorCode
from protocol.models import (
    Command,
    CounterFinish,
    CounterNext,
    CounterOpen,
    CounterSync,
    Reply,
    TicketPrinted,
    TicketReserve,
    utc_now,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.flooder import Flooder, store_bytes
from tests.hub_harness import Harness
from tests.mqtt_client import WAIT, RecordingClient

KIOSK_REPLY = "mpp/device/kiosk-01/reply"
KIOSK_CMD = "mpp/device/kiosk-01/cmd"
# Topics a kiosk must never make the hub publish on.
FORBIDDEN = ("mpp/event/call", "mpp/hub/status", "mpp/state/calls", "mpp/device/counter-01/reply")
FLOOD = 10_000
STORE_GROWTH_LIMIT = 100_000  # bytes, for the whole flood


@pytest.fixture(scope="module")
def site_broker(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> Iterator[LocalBroker]:
    """A broker for this module's shared hub (a hub process must not share the
    session broker: its retained state would leak into other tests)."""
    running = start_local_broker(tmp_path_factory.mktemp("hostile-broker"), inventory)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hub(site_broker: LocalBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess.on(site_broker, tmp_path_factory.mktemp("hostile-hub") / "hub.db")
    process.start()
    yield process
    assert process.stop() == 0
    assert "Traceback" not in "".join(process.lines)


@pytest.fixture
def raw(site_broker: LocalBroker) -> Iterator[Callable[..., RecordingClient]]:
    """Connected bare MQTT 5 clients: ``raw(username, client_id)``."""
    made: list[RecordingClient] = []

    def make(username: str, client_id: str, on: LocalBroker | None = None) -> RecordingClient:
        target = on or site_broker
        client = RecordingClient(
            target.host,
            target.port,
            username,
            target.password(username),
            client_id,
            tls=target.tls(username),
        )
        made.append(client)
        reason = client.connect()
        assert reason is not None and not reason.is_failure, f"{username}: {reason}"
        return client

    yield make
    for client in made:
        client.stop()


def _command(model: type[Command], device_id: str, **fields: Any) -> Command:
    issued = utc_now()
    if model.calls_citizen:
        fields.setdefault("expires_at", issued + timedelta(seconds=30))
    return model(command_id=uuid4(), device_id=device_id, seq=1, issued_at=issued, **fields)


def _send(
    client: RecordingClient,
    command: Command,
    response_topic: str | None,
    correlation: bytes | None = None,
) -> None:
    properties = None
    if response_topic is not None or correlation is not None:
        properties = Properties(PacketTypes.PUBLISH)
        if response_topic is not None:
            properties.ResponseTopic = response_topic
        if correlation is not None:
            properties.CorrelationData = correlation
    topic = f"mpp/device/{command.device_id}/cmd"
    client.publish(topic, command.model_dump_json(), properties=properties)


def _replies(client: RecordingClient, topic: str) -> list[tuple[Reply, bytes | None]]:
    with client._message_added:
        found = []
        for message in client.messages:
            if message.topic == topic:
                reply = decode(topic, message.payload).message
                assert isinstance(reply, Reply)
                correlation = getattr(message.properties, "CorrelationData", None)
                found.append((reply, correlation))
        return found


def _reply_to(client: RecordingClient, topic: str, command_id: UUID) -> tuple[Reply, bytes | None]:
    """The reply to ``command_id`` on ``topic`` and its Correlation Data."""

    def match() -> tuple[Reply, bytes | None] | None:
        return next((r for r in _replies(client, topic) if r[0].command_id == command_id), None)

    with client._message_added:
        assert client._message_added.wait_for(lambda: match() is not None, WAIT), (
            f"no reply to {command_id} on {topic}"
        )
    found = match()
    assert found is not None
    return found


def _is_reply(payload: bytes) -> bool:
    try:
        return json.loads(payload).get("type") == "reply"
    except (ValueError, AttributeError):
        return False


def test_the_reply_goes_to_the_senders_own_topic_whatever_response_topic_it_set(
    hub: HubProcess, site_broker: LocalBroker, raw: Callable[..., RecordingClient]
) -> None:
    display = raw("display-01", "display-01")
    for topic in FORBIDDEN[:3]:
        display.subscribe(topic)
    counter = raw("counter-01", "counter-01")
    counter.subscribe(FORBIDDEN[3])
    kiosk = raw("kiosk-01", "kiosk-01")
    kiosk.subscribe(KIOSK_REPLY)

    reserved = []
    for response_topic in (*FORBIDDEN, "mpp/#", "mpp/device/+/reply"):
        command = _command(TicketReserve, "kiosk-01", service="DUK-KTP")
        _send(kiosk, command, response_topic, correlation=command.command_id.bytes)
        reply, correlation = _reply_to(kiosk, KIOSK_REPLY, command.command_id)
        assert reply.ok and reply.ticket is not None, f"{response_topic}: {reply.error}"
        assert correlation == command.command_id.bytes, "Correlation Data echoed"
        reserved.append(reply.ticket.ticket_id)
    assert len(set(reserved)) == len(reserved)

    # Make the hub speak on the watched topics after the injections: what the
    # watchers have then is everything it published there before. (The broker
    # gives each credential one connection: these clients are the devices.)
    printed = _command(TicketPrinted, "kiosk-01", ticket_id=reserved[0])
    _send(kiosk, printed, KIOSK_REPLY)
    assert _reply_to(kiosk, KIOSK_REPLY, printed.command_id)[0].ok
    for model in (CounterOpen, CounterNext):
        command = _command(model, "counter-01")
        _send(counter, command, FORBIDDEN[3])
        assert _reply_to(counter, FORBIDDEN[3], command.command_id)[0].ok
    display.wait_until("mpp/event/call", lambda call: call["counter"] == 1)

    hijacked = [m.topic for m in display.messages if _is_reply(m.payload)]
    assert hijacked == [], f"the hub published replies on {hijacked}"
    kiosk_ids = {UUID(bytes=c) for c in (r[1] for r in _replies(kiosk, KIOSK_REPLY)) if c}
    foreign = [r for r, _ in _replies(counter, FORBIDDEN[3]) if r.command_id in kiosk_ids]
    assert foreign == [], "a kiosk's reply reached counter-01"


def test_a_command_id_is_the_senders_own(hub: HubProcess, site_broker: LocalBroker) -> None:
    """Counter-01 and kiosk-01 use the same command id: each gets its own answer."""
    counter = DeviceClient(site_broker, "counter-01", Role.COUNTER)
    kiosk = DeviceClient(site_broker, "kiosk-01", Role.KIOSK)
    shared = uuid4()
    try:
        sync = counter.command(CounterSync).model_copy(update={"command_id": shared})
        synced = counter.request(sync)
        reserve = kiosk.command(TicketReserve, service="DUK-KK").model_copy(
            update={"command_id": shared}
        )
        reserved = kiosk.request(reserve)
        # Each device's retry gets its own stored reply.
        assert counter.request(sync) == synced
        assert kiosk.request(reserve) == reserved
    finally:
        counter.stop()
        kiosk.stop()
    assert synced.ok and synced.counter is not None and synced.counter.counter == 1
    assert reserved.ok and reserved.counter is None, reserved
    assert reserved.ticket is not None and reserved.ticket.service == "DUK-KK"
    assert reserved.command_id == synced.command_id == shared


def test_a_command_without_response_topic_is_answered_on_the_own_topic(
    hub: HubProcess, raw: Callable[..., RecordingClient]
) -> None:
    kiosk = raw("kiosk-01", "kiosk-01")
    kiosk.subscribe(KIOSK_REPLY)
    command = _command(TicketReserve, "kiosk-01", service="DUK-KTP")
    _send(kiosk, command, response_topic=None)
    reply, correlation = _reply_to(kiosk, KIOSK_REPLY, command.command_id)
    assert reply.ok and reply.ticket is not None, "the number used is told"
    assert correlation is None

    kiosk.publish(KIOSK_CMD, b'{"schema_version":"1.0","type":"ticket.reserve"')
    bad, _ = _reply_to(kiosk, KIOSK_REPLY, UUID(int=0))
    assert bad.error is not None and bad.error.code is ErrorCode.MALFORMED


def test_store_of_the_previous_schema_is_migrated(tmp_path: Path) -> None:
    """A schema 1 store (replies keyed on the command id alone) opens as schema 2
    with its stored replies kept, now belonging to their senders."""
    path = tmp_path / "hub.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE commands (
            command_id TEXT PRIMARY KEY,
            sender TEXT NOT NULL,
            type TEXT NOT NULL,
            received_at TEXT NOT NULL,
            reply TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO commands VALUES ('c-1', 'counter-01', 'counter.sync', '2026-11-23', 'r1');
        """
    )
    old.commit()
    old.close()

    store = EventStore(path)
    try:
        assert store.stored_reply("c-1", "counter-01") == "r1"
        assert store.stored_reply("c-1", "kiosk-01") is None
        with store.transaction():
            store.record_command("c-1", "kiosk-01", "ticket.reserve", "2026-11-23", "r2")
        assert store.stored_reply("c-1", "kiosk-01") == "r2"
        version = store.connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()[0]
        assert version == "2"
    finally:
        store.close()
    EventStore(path).close()  # and opens again as it is


# -- a flood from one kiosk credential --------------------------------------------


def test_ten_thousand_rejections_of_one_device_cost_bounded_store(tmp_path: Path) -> None:
    """The budget itself, without the broker: every rejection the hub reads is
    answered, the first few a minute are stored. (Over MQTT, a flood this fast
    is mostly not even read: see the next test.)"""
    hub = Harness(tmp_path)
    try:
        before = store_bytes(tmp_path / "hub.db")
        replies = []
        for index in range(FLOOD):
            if index % 2:
                outcome = hub.service.reject_invalid(
                    "kiosk-01", "invalid", ErrorCode.MALFORMED, "payload is not valid JSON"
                )
            else:
                outcome = hub.send(CounterNext, "kiosk-01")
            replies.append(outcome.reply)
        grown = store_bytes(tmp_path / "hub.db") - before
        rejected = hub.service.state.rejected
    finally:
        hub.service.store.close()
    assert all(not reply.ok and reply.error is not None for reply in replies), "all answered"
    assert rejected == STORED_PER_WINDOW
    assert grown < STORE_GROWTH_LIMIT, f"the store grew by {grown:,} bytes"


def test_a_flood_from_one_kiosk_costs_bounded_store_and_log_and_others_are_served(
    fresh_broker: LocalBroker, tmp_path: Path, raw: Callable[..., RecordingClient]
) -> None:
    db = tmp_path / "hub.db"
    hub = HubProcess.on(fresh_broker, db)
    hub.start()
    counter = DeviceClient(fresh_broker, "counter-01", Role.COUNTER)
    kiosk = DeviceClient(fresh_broker, "kiosk-02", Role.KIOSK)
    display = raw("display-01", "display-01", on=fresh_broker)
    display.subscribe("mpp/event/call")
    flooder = Flooder(fresh_broker)
    try:
        tickets = [kiosk.ok(TicketReserve, service="DUK-KTP").ticket for _ in range(3)]
        for ticket in tickets:
            assert ticket is not None
            kiosk.ok(TicketPrinted, ticket_id=ticket.ticket_id)
        counter.ok(CounterOpen)
        before = store_bytes(db)

        flooding = threading.Thread(target=flooder.flood, args=(FLOOD,), name="flood")
        flooding.start()
        hub.wait_for(f"kiosk-01: over {STORED_PER_WINDOW} rejected messages", 30)
        for index, ticket in enumerate(tickets):  # while the kiosk floods (one try each)
            assert ticket is not None
            if index:  # the KTP-el at the counter is handed over first (its pad asks)
                counter.ok(CounterFinish)
            counter.ok(CounterNext)
            display.wait_until("mpp/event/call", lambda c, n=ticket.number: c["number"] == n)
        flooding.join(120)
        markers = flooder.drained()
        grown = store_bytes(db) - before
    finally:
        flooder.stop()
        counter.stop()
        kiosk.stop()
        code = hub.stop()
    assert code == 0
    assert grown < STORE_GROWTH_LIMIT, f"the store grew by {grown:,} bytes"
    output = "".join(hub.lines)
    assert "Traceback" not in output
    about_kiosk = [line for line in hub.lines if "kiosk-01" in line]
    # The first few one by one, then counts, pauses and resumptions: no line per message.
    assert len(about_kiosk) <= LOGGED_PER_WINDOW + 12, "".join(about_kiosk[:20])
    assert "kiosk-01 sends faster than the hub can read: not listening to it for 2 s" in output
    # One count per minute of flood (and the last one when the hub stops).
    counts = [
        [int(group.replace(",", "")) for group in found]
        for found in re.findall(
            r"kiosk-01: ([\d,]+) messages rejected in the last \d+ s "
            r"\(([\d,]+) invalid, ([\d,]+) refused, ([\d,]+) dropped: inbox full\); (\d+) stored",
            output,
        )
    ]
    assert counts, "".join(about_kiosk)
    total, invalid, refused, dropped, stored = (sum(column) for column in zip(*counts, strict=True))
    # The hub read what it could; while it did not listen, the broker discarded the rest.
    assert 0 < total == invalid + refused + dropped <= FLOOD + markers
    assert stored == STORED_PER_WINDOW * len(counts)
