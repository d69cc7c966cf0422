"""The shared MQTT link against a real broker: presence, request/reply, bad input, restarts."""

from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_broker.local import LocalBroker
from protocol.codec import Decoded, decode
from protocol.errors import ContractError
from protocol.link import LinkSettings, MqttLink, RequestTimeoutError
from protocol.models import CounterNext, DeviceStatus, Presence, Reply, ReplyError, utc_now
from protocol.presence import device_presence, hub_presence
from protocol.roles import Role
from protocol.topics import spec
from tests.mqtt_client import WAIT, RecordingClient

Factory = Callable[..., RecordingClient]
LinkFactory = Callable[..., MqttLink]


@pytest.fixture
def make_link() -> Iterator[Callable[..., MqttLink]]:
    links: list[MqttLink] = []

    def make(
        broker: LocalBroker,
        username: str,
        role: Role | None = None,
        start: bool = True,
        **kwargs: object,
    ) -> MqttLink:
        presence = None
        if role is Role.HUB:
            presence = hub_presence("mpp-lampung-timur", "0.1.0")
        elif role is not None:
            presence = device_presence(username, role, "0.1.0", ["buttons"])
        link = MqttLink(
            broker.link_settings(username),
            presence=presence,
            **kwargs,  # type: ignore[arg-type]
        )
        links.append(link)
        if start:
            link.start(wait=WAIT)
        return link

    yield make
    for link in links:
        link.stop()


def _status(client: RecordingClient, topic: str, state: str) -> DeviceStatus:
    """The first status message on ``topic`` in ``state``."""
    with client._message_added:
        assert client._message_added.wait_for(
            lambda: any(
                m.topic == topic and f'"state":"{state}"'.encode() in m.payload
                for m in client.messages
            ),
            WAIT,
        ), f"no {state} on {topic}"
        raw = next(
            m
            for m in client.messages
            if m.topic == topic and f'"state":"{state}"'.encode() in m.payload
        )
    message = decode(topic, raw.payload).message
    assert isinstance(message, DeviceStatus)
    return message


def test_birth_is_retained_and_clean_stop_says_offline(
    fresh_broker: LocalBroker, make_link: LinkFactory
) -> None:
    link = make_link(fresh_broker, "counter-01", Role.COUNTER)
    watcher = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "admin",
        fresh_broker.password("admin"),
        tls=fresh_broker.tls("admin"),
    )
    watcher.connect()
    try:
        watcher.subscribe("mpp/device/+/status")
        birth = _status(watcher, "mpp/device/counter-01/status", "online")
        assert birth.session == link.session
        assert birth.capabilities == ["buttons"]
        assert watcher.wait_for("mpp/device/counter-01/status").retain
        link.stop()
        death = _status(watcher, "mpp/device/counter-01/status", "offline")
        assert death.session == birth.session
    finally:
        watcher.stop()


def test_killed_device_leaves_a_retained_offline_will(fresh_broker: LocalBroker) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.link_child",
            fresh_broker.host,
            str(fresh_broker.port),
            "counter-02",
            fresh_broker.password("counter-02"),
            str(fresh_broker.tls_dir),
        ],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("ready"), line
        session = int(line.split()[1])
        child.kill()
        child.wait(WAIT)
    finally:
        if child.poll() is None:
            child.kill()
    late = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "hub",
        fresh_broker.password("hub"),
        tls=fresh_broker.tls("hub"),
    )
    late.connect()
    try:
        late.subscribe("mpp/device/+/status")
        death = _status(late, "mpp/device/counter-02/status", "offline")
        assert death.session == session
        assert late.wait_for("mpp/device/counter-02/status").retain
    finally:
        late.stop()


def test_request_gets_the_reply_with_its_correlation(
    broker: LocalBroker, make_link: LinkFactory
) -> None:
    hub = make_link(broker, "hub", Role.HUB)
    seen: list[str] = []

    def answer(decoded: Decoded, properties: Properties | None) -> None:
        command = decoded.message
        assert isinstance(command, CounterNext)
        seen.append(decoded.params["device_id"])
        hub.answer(
            spec("device.reply"),
            Reply(command_id=command.command_id, ok=True),
            properties,
            device_id=decoded.params["device_id"],
        )

    hub.subscribe(spec("device.cmd"), answer)
    counter = make_link(broker, "counter-03", Role.COUNTER)
    counter.expect_replies(spec("device.reply"), device_id="counter-03")
    command = CounterNext(
        command_id=uuid4(),
        device_id="counter-03",
        seq=1,
        issued_at=utc_now(),
        expires_at=utc_now() + timedelta(seconds=30),
    )
    reply = _request_when_subscribed(counter, command)
    assert reply.ok and reply.command_id == command.command_id
    assert seen == ["counter-03"]


def _request_when_subscribed(link: MqttLink, command: CounterNext) -> Reply:
    """Subscriptions made after connect complete asynchronously: retry until answered."""
    for _ in range(20):
        try:
            return link.request(
                spec("device.cmd"),
                command,
                spec("device.reply"),
                timeout=0.5,
                device_id=command.device_id,
            )
        except RequestTimeoutError:
            continue
    raise AssertionError("no reply")


def test_request_times_out_without_a_hub(broker: LocalBroker, make_link: LinkFactory) -> None:
    counter = make_link(broker, "counter-04", Role.COUNTER)
    counter.expect_replies(spec("device.reply"), device_id="counter-04")
    command = CounterNext(
        command_id=uuid4(),
        device_id="counter-04",
        seq=1,
        issued_at=utc_now(),
        expires_at=utc_now() + timedelta(seconds=30),
    )
    with pytest.raises(RequestTimeoutError, match=r"no reply to counter\.next"):
        counter.request(
            spec("device.cmd"), command, spec("device.reply"), timeout=0.3, device_id="counter-04"
        )


def test_malformed_request_gets_a_clear_error_reply(
    broker: LocalBroker, make_link: LinkFactory, mqtt_client: Factory
) -> None:
    rejected: queue.Queue[ContractError] = queue.Queue()

    def on_invalid(topic: str, error: ContractError, properties: Properties | None) -> None:
        rejected.put(error)
        hub.answer(
            spec("device.reply"),
            Reply(
                command_id=uuid4(),
                ok=False,
                error=ReplyError(code=error.code, message=error.message),
            ),
            properties,
            device_id=topic.split("/")[2],
        )

    hub = make_link(broker, "hub", Role.HUB, on_invalid=on_invalid)
    hub.subscribe(spec("device.cmd"), lambda decoded, props: None)
    kiosk = mqtt_client("kiosk-02")
    kiosk.subscribe("mpp/device/kiosk-02/reply")
    properties = Properties(PacketTypes.PUBLISH)
    properties.ResponseTopic = "mpp/device/kiosk-02/reply"
    properties.CorrelationData = b"abc"
    for _ in range(20):  # the hub's subscription completes asynchronously
        kiosk.publish(
            "mpp/device/kiosk-02/cmd", b'{"schema_version": "9.0"}', properties=properties
        )
        try:
            error = rejected.get(timeout=0.5)
            break
        except queue.Empty:
            continue
    else:
        raise AssertionError("hub never saw the malformed command")
    assert error.code.value == "unsupported_version"
    raw = kiosk.wait_for("mpp/device/kiosk-02/reply")
    reply = decode("mpp/device/kiosk-02/reply", raw.payload).message
    assert isinstance(reply, Reply) and not reply.ok
    assert reply.error is not None and "major version 9" in reply.error.message
    assert raw.properties is not None and raw.properties.CorrelationData == b"abc"


def test_failing_handler_does_not_stop_the_link(
    broker: LocalBroker, make_link: LinkFactory, mqtt_client: Factory
) -> None:
    delivered: queue.Queue[str] = queue.Queue()

    def flaky(decoded: Decoded, _props: Properties | None) -> None:
        message = decoded.message
        assert isinstance(message, DeviceStatus)
        delivered.put(message.device_id)
        if message.device_id == "kiosk-01":
            raise RuntimeError("handler bug")

    hub = make_link(broker, "hub")
    hub.subscribe(spec("device.status"), flaky)
    make_link(broker, "kiosk-01", Role.KIOSK)
    _drain_until(delivered, "kiosk-01")  # its handler raised
    make_link(broker, "display-01", Role.DISPLAY)
    _drain_until(delivered, "display-01")  # and the next message is still handled
    assert hub.connected.is_set()


def _drain_until(delivered: queue.Queue[str], device_id: str) -> None:
    while delivered.get(timeout=WAIT) != device_id:
        pass


def test_link_reconnects_resubscribes_and_is_born_again(
    fresh_broker: LocalBroker, make_link: LinkFactory
) -> None:
    statuses: queue.Queue[DeviceStatus] = queue.Queue()
    hub = make_link(fresh_broker, "hub")
    hub.subscribe(spec("device.status"), lambda d, _p: statuses.put(d.message))  # type: ignore[arg-type]
    counter = make_link(fresh_broker, "counter-05", Role.COUNTER)
    first = _next_online(statuses, "counter-05")
    fresh_broker.stop()
    fresh_broker.start()
    second = _next_online(statuses, "counter-05")
    assert second.session > first.session
    assert second.session == counter.session
    assert counter.connected.wait(WAIT)


def _next_online(statuses: queue.Queue[DeviceStatus], device_id: str) -> DeviceStatus:
    while True:
        status = statuses.get(timeout=3 * WAIT)
        if status.device_id == device_id and status.state is Presence.ONLINE:
            return status


def test_link_disables_nagle(broker: LocalBroker, make_link: LinkFactory) -> None:
    link = make_link(broker, "display-01", Role.DISPLAY)
    sock = link._client.socket()
    assert sock is not None
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Lines(logging.Handler):
    """Log records as a queue, so a test can wait for one without sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: queue.Queue[str] = queue.Queue()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.put(record.getMessage())

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if text in line:
                return line
        raise AssertionError(f"no log line with {text!r} within {timeout} s")


def test_unreachable_broker_is_a_state_that_is_said_and_stops_quickly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("protocol.link.WAITING_LOG_EVERY_S", 1.0)
    port = _closed_port()
    lines = _Lines()
    logging.getLogger("protocol.link").addHandler(lines)
    link = MqttLink(LinkSettings("127.0.0.1", port, "counter-01", "x"))
    try:
        link.start()
        first = lines.wait_for("waiting for broker", 5)
        assert f"127.0.0.1:{port} (attempt 1)" in first
        assert "attempt" in lines.wait_for("waiting for broker", 5)
        assert link.attempts >= 2 and not link.connected.is_set()
    finally:
        began = time.monotonic()
        link.stop()
        logging.getLogger("protocol.link").removeHandler(lines)
    assert time.monotonic() - began < 2


def test_wrong_password_is_said_as_refused(broker: LocalBroker) -> None:
    lines = _Lines()
    logging.getLogger("protocol.link").addHandler(lines)
    link = MqttLink(broker.link_settings("counter-01", password="wrong"))
    try:
        link.start()
        line = lines.wait_for("waiting for broker", 5)
        assert "refused counter-01" in line and "password" in line
    finally:
        link.stop()
        logging.getLogger("protocol.link").removeHandler(lines)
