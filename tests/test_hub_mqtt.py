"""The hub against a real broker: lifecycle, displays' view, duplicates, bad input, days."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.app import HubApp
from hub.clock import ManualClock
from mqtt_broker.local import LocalBroker
from protocol.codec import decode, encode
from protocol.errors import ErrorCode
from protocol.models import (
    CallEvent,
    CounterFinish,
    CounterNext,
    CounterOpen,
    CounterRecall,
    CounterStatus,
    CounterTransfer,
    DeviceStatus,
    Presence,
    PriorityCategory,
    Reply,
    ServiceStatus,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketState,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.hub_harness import MONDAY_0800
from tests.mqtt_client import WAIT, RecordingClient


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_0800)


@pytest.fixture
def hub(hub_app: Callable[..., HubApp], clock: ManualClock) -> HubApp:
    return hub_app(clock)


@pytest.fixture
def device(fresh_broker: LocalBroker) -> Iterator[Callable[[str, Role], DeviceClient]]:
    made: list[DeviceClient] = []

    def make(device_id: str, role: Role) -> DeviceClient:
        client = DeviceClient(fresh_broker, device_id, role)
        made.append(client)
        return client

    yield make
    for client in made:
        client.stop()


@pytest.fixture
def display(fresh_broker: LocalBroker) -> Iterator[RecordingClient]:
    client = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "display-01",
        fresh_broker.password("display-01"),
        tls=fresh_broker.tls("display-01"),
    )
    client.connect()
    for topic in ("mpp/event/call", "mpp/state/#", "mpp/hub/status"):
        client.subscribe(topic)
    yield client
    client.stop()


def _messages(client: RecordingClient, topic: str) -> list[Any]:
    with client._message_added:
        return [decode(topic, m.payload).message for m in client.messages if m.topic == topic]


def _wait_message(client: RecordingClient, topic: str, predicate: Callable[[Any], bool]) -> Any:
    with client._message_added:
        ok = client._message_added.wait_for(
            lambda: any(
                predicate(decode(topic, m.payload).message)
                for m in client.messages
                if m.topic == topic
            ),
            WAIT,
        )
    assert ok, f"no matching message on {topic}"
    return next(m for m in _messages(client, topic) if predicate(m))


def _issue(kiosk: DeviceClient, service: str, priority: bool = False) -> str:
    category = PriorityCategory.PRIORITY if priority else PriorityCategory.REGULAR
    reply = kiosk.ok(TicketReserve, service=service, category=category)
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
    return reply.ticket.ticket_id


def test_citizen_journey_reaches_counter_and_display(
    hub: HubApp, device: Callable[[str, Role], DeviceClient], display: RecordingClient
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    reserved = kiosk.ok(TicketReserve, service="DUK-KTP")
    assert reserved.ticket is not None
    assert (reserved.ticket.number, reserved.ticket.people_ahead) == ("A-001", 0)
    assert reserved.ticket.service_name == "Perekaman dan Pencetakan KTP-el"
    kiosk.ok(TicketPrinted, ticket_id=reserved.ticket.ticket_id)
    waiting = _wait_message(
        display,
        "mpp/state/service/DUK-KTP",
        lambda s: isinstance(s, ServiceStatus) and s.waiting == 1,
    )
    assert waiting.accepting
    counter.ok(CounterOpen)
    called = counter.ok(CounterNext)
    assert called.counter is not None and called.counter.current is not None
    assert called.counter.current.number == "A-001"
    call = _wait_message(display, "mpp/event/call", lambda c: isinstance(c, CallEvent))
    assert (call.number, call.counter, call.counter_name, call.recall) == ("A-001", 1, "Loket 1", 0)
    assert call.agency_name == "Dukcapil"
    counter.ok(CounterRecall)
    _wait_message(display, "mpp/event/call", lambda c: c.recall == 1)
    counter.ok(CounterFinish)
    # After the finish: open, nobody at the counter, nobody waiting.
    _wait_message(
        display,
        "mpp/state/counter/1",
        lambda s: (
            isinstance(s, CounterStatus)
            and s.current is None
            and s.state.value == "open"
            and s.waiting == 0
        ),
    )


def test_transfer_and_priority_over_mqtt(
    hub: HubApp, device: Callable[[str, Role], DeviceClient]
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    police = device("counter-06", Role.COUNTER)
    bank = device("counter-07", Role.COUNTER)
    sim = _issue(kiosk, "POL-SIM")
    regular = [_issue(kiosk, "BL-BAYAR") for _ in range(2)]
    priority = _issue(kiosk, "BL-BAYAR", priority=True)
    police.ok(CounterOpen)
    police.ok(CounterNext)
    moved = police.ok(CounterTransfer, target_service="BL-BAYAR")
    assert moved.ticket is not None and moved.ticket.ticket_id == sim
    bank.ok(CounterOpen)
    order = []
    for _ in range(4):
        reply = bank.ok(CounterNext)
        assert reply.counter is not None and reply.counter.current is not None
        order.append(reply.counter.current.ticket_id)
    # Ratio 2 regular : 1 priority, transfer keeps its (earliest) place.
    assert order == [sim, regular[0], priority, regular[1]]


def test_repeated_command_is_answered_from_the_store(
    hub: HubApp, device: Callable[[str, Role], DeviceClient]
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    _issue(kiosk, "DUK-KTP")
    _issue(kiosk, "DUK-KTP")
    counter.ok(CounterOpen)
    command = counter.command(CounterNext)
    first = counter.request(command)
    again = counter.request(command)
    assert again == first
    assert len(list(hub.service.state.waiting())) == 1


def test_malformed_and_unauthorised_commands_get_clear_errors(
    hub: HubApp, device: Callable[[str, Role], DeviceClient], fresh_broker: LocalBroker
) -> None:
    raw = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "kiosk-02",
        fresh_broker.password("kiosk-02"),
        tls=fresh_broker.tls("kiosk-02"),
    )
    raw.connect()
    try:
        raw.subscribe("mpp/device/kiosk-02/reply")
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = "mpp/device/kiosk-02/reply"
        properties.CorrelationData = b"0123456789abcdef"
        raw.publish(
            "mpp/device/kiosk-02/cmd",
            b'{"schema_version":"1.0","type":"counter.next"',
            properties=properties,
        )
        answer = decode(
            "mpp/device/kiosk-02/reply", raw.wait_for("mpp/device/kiosk-02/reply").payload
        ).message
    finally:
        raw.stop()
    assert isinstance(answer, Reply) and answer.error is not None
    assert answer.error.code is ErrorCode.MALFORMED
    kiosk = device("kiosk-01", Role.KIOSK)
    refused = kiosk.send(CounterNext)
    assert refused.error is not None and refused.error.code is ErrorCode.NOT_AUTHORISED
    assert kiosk.ok(TicketReserve, service="DUK-KTP").ticket is not None, "hub still serves"


def test_day_rollover_with_injected_clock(
    hub: HubApp,
    device: Callable[[str, Role], DeviceClient],
    clock: ManualClock,
    display: RecordingClient,
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    _issue(kiosk, "DUK-KTP")
    counter.ok(CounterOpen)
    clock.advance(days=1)
    hub.link.call_soon(hub._tick)
    _wait_message(display, "mpp/state/counter/1", lambda s: s.state.value == "closed")
    tuesday = _issue(kiosk, "DUK-KTP")
    assert tuesday == "20261124-A-001"


def test_hub_presence_and_retained_state_for_late_joiners(
    hub: HubApp,
    fresh_broker: LocalBroker,
    device: Callable[[str, Role], DeviceClient],
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    _issue(kiosk, "DUK-KK")
    late = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "display-01",
        fresh_broker.password("display-01"),
        tls=fresh_broker.tls("display-01"),
    )
    late.connect()
    try:
        late.subscribe("mpp/hub/status")
        late.subscribe("mpp/state/service/DUK-KK")
        status = json.loads(late.wait_for("mpp/hub/status").payload)
        assert status["state"] == "online" and status["site_id"] == "mpp-lampung-timur"
        service = _wait_message(late, "mpp/state/service/DUK-KK", lambda s: s.waiting == 1)
        assert service.estimated_wait_min >= 0
    finally:
        late.stop()


def test_retained_payloads_are_valid_contract_messages(
    hub: HubApp, display: RecordingClient
) -> None:
    display.wait_for("mpp/state/calls")
    for message in list(display.messages):
        decode(message.topic, message.payload)  # raises if the hub broke the contract
    assert encode(_messages(display, "mpp/state/calls")[0])


def test_clock_moves_reservation_expiry_over_mqtt(
    hub: HubApp,
    device: Callable[[str, Role], DeviceClient],
    clock: ManualClock,
    display: RecordingClient,
) -> None:
    kiosk = device("kiosk-01", Role.KIOSK)
    reply = kiosk.ok(TicketReserve, service="DUK-KTP")
    assert reply.ticket is not None
    clock.advance(seconds=61)
    hub.link.call_soon(hub._tick)
    cancelled = kiosk.send(TicketPrintFailed, ticket_id=reply.ticket.ticket_id, reason="late")
    assert cancelled.error is not None and cancelled.error.code is ErrorCode.INVALID_STATE
    assert hub.service.state.tickets[reply.ticket.ticket_id].state is TicketState.EXPIRED
    assert clock.now() - MONDAY_0800 == timedelta(seconds=61)


def test_garbled_status_is_ignored_without_an_audit_event(
    hub: HubApp, fresh_broker: LocalBroker
) -> None:
    raw = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "kiosk-02",
        fresh_broker.password("kiosk-02"),
        tls=fresh_broker.tls("kiosk-02"),
    )
    raw.connect()
    try:
        for _ in range(20):
            raw.publish("mpp/device/kiosk-02/status", b"\xff garbage")
        raw.publish(
            "mpp/device/kiosk-02/status",
            DeviceStatus(
                device_id="kiosk-02",
                role=Role.KIOSK,
                state=Presence.ONLINE,
                session=1,
                software_version="test",
            ).model_dump_json(),
        )
    finally:
        raw.stop()
    assert hub.link.connected.is_set()
    assert hub.presence.wait_for(lambda: "kiosk-02" in hub.presence.online(), 10)
    assert hub.service.state.rejected == 0
