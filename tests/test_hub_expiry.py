"""A press made minutes ago never calls a citizen, whatever the device's clock says.

The hub judges a press's age through the clock offset it learned from what
the device sent before (hub/clock_offsets.py), never by the device's clock.
In-process tests pin the rules down; the process tests run ``mpp hub run`` on
a real Mosquitto with devices whose clocks are minutes or hours off, their
messages stamped as those clocks would: a press "held back 20 s" is one whose
timestamps are 20 s older than its sending, so nothing here waits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mpp.process import MONDAY_MORNING, HubProcess
from mqtt_broker.local import LocalBroker
from protocol.codec import decode, encode
from protocol.errors import ErrorCode, MissingExpiryError
from protocol.models import (
    Command,
    CounterNext,
    CounterOpen,
    CounterRecall,
    CounterSync,
    DeviceStatus,
    Heartbeat,
    Presence,
    Reply,
    TicketPrinted,
    TicketReserve,
    utc_now,
)
from protocol.models.commands import MAX_CALL_VALIDITY_S
from protocol.roles import Role
from protocol.topics import spec
from tests.device_client import DeviceClient
from tests.hub_harness import Harness
from tests.mqtt_client import RecordingClient

NIL = UUID(int=0)

VALIDITY = timedelta(seconds=5)  # a counter unit's default
HELD = timedelta(seconds=20)  # a press queued in the unit through a broker outage

# -- the rules, in process ------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.service.store.close()


def _press(
    hub: Harness,
    model: type[Command],
    device: str = "counter-01",
    skew: timedelta = timedelta(),
    held: timedelta = timedelta(),
    validity: timedelta = VALIDITY,
) -> Reply:
    """A command stamped by a clock ``skew`` off the hub's, made ``held`` before it arrives."""
    issued = hub.clock.now() + skew - held
    hub.seq += 1
    command = model(
        command_id=uuid4(),
        device_id=device,
        seq=hub.seq,
        issued_at=issued,
        expires_at=issued + validity,
    )
    return hub.service.handle(command).reply


def _code(reply: Reply) -> ErrorCode | None:
    return reply.error.code if reply.error is not None else None


@pytest.mark.parametrize(
    "skew", [timedelta(minutes=6), timedelta(minutes=-6), timedelta(hours=2), timedelta(hours=-2)]
)
def test_a_learned_offset_judges_the_press_not_the_clock(hub: Harness, skew: timedelta) -> None:
    hub.issue("DUK-KTP")
    hub.service.heard_from("counter-01", hub.clock.now() + skew, session=1)  # birth
    hub.clock.advance(seconds=40)
    assert _press(hub, CounterOpen, skew=skew).ok
    refused = _press(hub, CounterNext, skew=skew, held=HELD)
    assert _code(refused) is ErrorCode.EXPIRED
    assert refused.error is not None and "20.0 s old" in refused.error.message
    called = _press(hub, CounterNext, skew=skew, held=timedelta(seconds=4))
    assert called.ok and called.ticket is not None


def test_a_press_that_calls_is_never_valid_for_more_than_a_minute(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    an_hour = timedelta(hours=1)
    too_old = timedelta(seconds=MAX_CALL_VALIDITY_S + 1)
    late = _press(hub, CounterNext, held=too_old, validity=an_hour)
    assert _code(late) is ErrorCode.EXPIRED
    assert _press(hub, CounterNext, held=timedelta(seconds=50), validity=an_hour).ok


def test_before_anything_is_learned_only_a_clock_in_step_is_taken_at_its_word(
    hub: Harness,
) -> None:
    """The hub just started: it cannot tell a clock ahead from a press held back, so it
    refuses; that press teaches it, and the unit's next press is judged by it."""
    hub.issue("DUK-KTP")
    hub.issue("DUK-KTP")
    hub.open_counter(1)  # counter-01's clock is right: taught the hub, and judged as is
    ahead = timedelta(minutes=6)
    first = _press(hub, CounterSync, device="counter-02", skew=ahead)
    assert _code(first) is ErrorCode.EXPIRED
    assert first.error is not None and "0:06:00 ahead" in first.error.message
    assert _press(hub, CounterOpen, device="counter-02", skew=ahead).ok
    assert _press(hub, CounterNext, device="counter-02", skew=ahead).ok
    # a clock behind the hub's by more than the validity: held back or wrong, never applied
    behind = _press(hub, CounterSync, device="counter-03", skew=timedelta(minutes=-6))
    assert _code(behind) is ErrorCode.EXPIRED and "behind" in str(behind.error)
    # a unit in step with the hub, first heard from with a press held back too long
    assert _code(_press(hub, CounterSync, device="counter-04", held=HELD)) is ErrorCode.EXPIRED


def test_a_new_session_is_learned_afresh(hub: Harness) -> None:
    """A unit restarts with its clock two hours back: its new birth resets the offset."""
    hub.issue("DUK-KTP")
    hub.service.heard_from("counter-01", hub.clock.now(), session=1)
    assert _press(hub, CounterOpen).ok
    back = timedelta(hours=-2)
    hub.service.heard_from("counter-01", hub.clock.now() + back, session=2)
    assert _press(hub, CounterNext, skew=back).ok


def test_a_retained_birth_teaches_nothing(hub: Harness) -> None:
    """A birth kept by the broker may be hours old: it names the session, no more."""
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    stale = hub.clock.now() - timedelta(minutes=10)
    hub.service.heard_from("counter-01", stale, session=7, live=False)
    assert _code(_press(hub, CounterNext, held=HELD)) is ErrorCode.EXPIRED


def test_unknown_devices_teach_nothing(hub: Harness) -> None:
    hub.service.heard_from("counter-99", hub.clock.now(), session=1)
    assert not hub.service.clocks.known("counter-99")


def test_a_call_without_a_validity_is_refused_even_past_the_contract(hub: Harness) -> None:
    """The hub's second guard: a command that would call but says no validity (an
    unvalidated model, a future command type) is refused `expiry_required`."""
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    unchecked = CounterNext.model_construct(
        command_id=uuid4(),
        device_id="counter-01",
        seq=99,
        issued_at=hub.clock.now(),
        expires_at=None,
        type="counter.next",
        schema_version="1.0",
        sent_at=hub.clock.now(),
    )
    reply = hub.service.handle(unchecked).reply
    assert _code(reply) is ErrorCode.EXPIRY_REQUIRED
    assert len(list(hub.service.state.waiting())) == 1


@pytest.mark.parametrize("model", [CounterNext, CounterRecall])
def test_the_contract_requires_a_validity_on_presses_that_call(model: type[Command]) -> None:
    assert model.calls_citizen
    assert "expires_at" in model.model_json_schema()["required"]
    document = json.loads(
        model(
            command_id=uuid4(),
            device_id="counter-01",
            seq=1,
            issued_at=utc_now(),
            expires_at=utc_now() + VALIDITY,
        ).model_dump_json()
    )
    del document["expires_at"]
    with pytest.raises(MissingExpiryError, match="must carry expires_at") as raised:
        decode("mpp/device/counter-01/cmd", json.dumps(document).encode())
    assert raised.value.code is ErrorCode.EXPIRY_REQUIRED


# -- against `mpp hub run` on a real broker -----------------------------------------------


class SkewedUnit:
    """A counter unit whose clock is ``skew`` off the hub's, speaking the contract raw.

    Every timestamp it sends — birth, heartbeat, command — is read off that clock.
    ``hub_offset`` is how far the hub's clock is from this machine's (``mpp hub run
    --clock-start`` ticks in real time from its start), known to within the hub's
    start-up time: well inside the minutes and hours of skew tried here.
    """

    def __init__(
        self, broker: LocalBroker, device_id: str, skew: timedelta, hub_offset: timedelta
    ) -> None:
        self.device_id = device_id
        self.offset = hub_offset + skew
        self.seq = 0
        self.client = RecordingClient(
            broker.host,
            broker.port,
            device_id,
            broker.password(device_id),
            tls=broker.tls(device_id),
        )
        self.client.connect()
        self.replies = spec("device.reply").topic(device_id=device_id)
        self.client.subscribe(self.replies)

    def now(self) -> datetime:
        return utc_now() + self.offset

    def birth(self, made: datetime | None = None, session: int = 1) -> None:
        status = DeviceStatus(
            device_id=self.device_id,
            role=Role.COUNTER,
            state=Presence.ONLINE,
            session=session,
            software_version="test",
            sent_at=made or self.now(),
        )
        topic = spec("device.status").topic(device_id=self.device_id)
        self.client.publish(topic, encode(status), retain=True)

    def heartbeat(self) -> None:
        beat = Heartbeat(device_id=self.device_id, uptime_s=1.0, sent_at=self.now())
        self.client.publish(spec("device.heartbeat").topic(device_id=self.device_id), encode(beat))

    def press(self, model: type[Command], held: timedelta = timedelta(), **fields: Any) -> Reply:
        """Send a command made (and first sent) ``held`` ago by this unit's clock."""
        self.seq += 1
        made = self.now() - held
        fields.setdefault("expires_at", made + VALIDITY)
        command = model(
            command_id=uuid4(),
            device_id=self.device_id,
            seq=self.seq,
            issued_at=made,
            sent_at=made,
            **fields,
        )
        return self.request(encode(command), command.command_id)

    def request(self, payload: bytes, command_id: UUID) -> Reply:
        """Publish as an MQTT 5 request and wait for the hub's answer to it."""
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = self.replies
        properties.CorrelationData = command_id.bytes
        topic = spec("device.cmd").topic(device_id=self.device_id)
        self.client.publish(topic, payload, properties=properties)
        answer = self.client.wait_until(
            self.replies, lambda reply: reply["command_id"] in (str(command_id), str(NIL))
        )
        return Reply.model_validate(answer)

    def stop(self) -> None:
        self.client.stop()


@pytest.fixture
def calls(fresh_broker: LocalBroker) -> Iterator[RecordingClient]:
    """A display's view of the calls."""
    client = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "display-01",
        fresh_broker.password("display-01"),
        tls=fresh_broker.tls("display-01"),
    )
    client.connect()
    client.subscribe(spec("event.call").filter)
    yield client
    client.stop()


def _start_hub(broker: LocalBroker, tmp_path: Path) -> tuple[HubProcess, timedelta]:
    """``mpp hub run`` on Monday 08:00 (the building is open); its clock's offset.

    Returns once the broker has handled the hub's birth, so also the
    subscriptions the hub made before it: what a unit publishes from now on
    reaches the hub live, and what the broker kept reaches it first.
    """
    offset = datetime.fromisoformat(MONDAY_MORNING) - utc_now()
    hub = HubProcess.on(broker, tmp_path / "hub.db", clock_start=MONDAY_MORNING)
    hub.start()
    watcher = RecordingClient(
        broker.host,
        broker.port,
        "runtext-01",
        broker.password("runtext-01"),
        tls=broker.tls("runtext-01"),
    )
    watcher.connect()
    try:
        watcher.subscribe(spec("hub.status").topic())
        watcher.wait_until(spec("hub.status").topic(), lambda status: status["state"] == "online")
    finally:
        watcher.stop()
    return hub, offset


def _stop_hub(hub: HubProcess) -> None:
    assert hub.stop() == 0
    assert "Traceback" not in "".join(hub.lines)


def _issue(kiosk: DeviceClient) -> None:
    reply = kiosk.ok(TicketReserve, service="DUK-KTP")
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)


def _called(calls: RecordingClient) -> list[str]:
    topic = spec("event.call").filter
    return [json.loads(m.payload)["number"] for m in list(calls.messages) if m.topic == topic]


@pytest.mark.parametrize(
    "skew",
    [timedelta(minutes=6), timedelta(minutes=-6), timedelta(hours=2), timedelta(hours=-2)],
    ids=["6-min-ahead", "6-min-behind", "2-h-ahead", "2-h-behind"],
)
def test_a_unit_with_a_wrong_clock_calls_when_fresh_and_never_late(
    fresh_broker: LocalBroker, tmp_path: Path, calls: RecordingClient, skew: timedelta
) -> None:
    hub, offset = _start_hub(fresh_broker, tmp_path)
    kiosk = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    unit = SkewedUnit(fresh_broker, "counter-01", skew, offset)
    try:
        _issue(kiosk)
        _issue(kiosk)
        unit.birth()
        assert unit.press(CounterOpen).ok
        late = unit.press(CounterNext, held=HELD)
        assert _code(late) is ErrorCode.EXPIRED, late
        fresh = unit.press(CounterNext)
        assert fresh.ok and fresh.ticket is not None, fresh
        calls.wait_until(spec("event.call").filter, lambda call: call["number"] is not None)
        # calls reach a display in the order the hub made them: none came before this one
        assert _called(calls) == [fresh.ticket.number], "the late press called nobody"
    finally:
        unit.stop()
        kiosk.stop()
        _stop_hub(hub)


def test_after_a_hub_restart_only_fresh_words_teach_it(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """Before the hub starts, a unit's birth is kept by the broker for ten minutes: it
    is no evidence of the unit's clock. A heartbeat is."""
    offset = datetime.fromisoformat(MONDAY_MORNING) - utc_now()
    ahead = timedelta(minutes=6)
    restarted = SkewedUnit(fresh_broker, "counter-01", ahead, offset)
    beating = SkewedUnit(fresh_broker, "counter-02", ahead, offset)
    restarted.birth(made=restarted.now() - timedelta(minutes=10))
    hub, _ = _start_hub(fresh_broker, tmp_path)
    try:
        late = restarted.press(CounterNext, held=HELD)
        assert _code(late) is ErrorCode.EXPIRED, late  # not judged fresh, so not `closed`
        # that press taught the hub; this fresh one reaches the queue (a closed counter)
        fresh = restarted.press(CounterNext)
        assert _code(fresh) is ErrorCode.CLOSED, fresh

        beating.heartbeat()
        fresh = beating.press(CounterNext)
        assert _code(fresh) is ErrorCode.CLOSED, fresh
        late = beating.press(CounterNext, held=HELD)
        assert _code(late) is ErrorCode.EXPIRED, late
    finally:
        restarted.stop()
        beating.stop()
        _stop_hub(hub)


def test_a_press_that_calls_without_a_validity_is_refused_over_the_wire(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    hub, offset = _start_hub(fresh_broker, tmp_path)
    unit = SkewedUnit(fresh_broker, "counter-01", timedelta(), offset)
    try:
        command = CounterNext(
            command_id=uuid4(),
            device_id="counter-01",
            seq=1,
            issued_at=unit.now(),
            expires_at=unit.now() + VALIDITY,
        )
        document = json.loads(command.model_dump_json())
        del document["expires_at"]
        reply = unit.request(json.dumps(document).encode(), command.command_id)
        assert _code(reply) is ErrorCode.EXPIRY_REQUIRED, reply
        assert reply.command_id == command.command_id
    finally:
        unit.stop()
        _stop_hub(hub)
