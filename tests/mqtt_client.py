"""A bare paho-mqtt 2.x test client that records what happens, for waiting on events.

Tests wait on these events with timeouts; nothing sleeps.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from protocol.tls import TlsFiles

WAIT = 10.0


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool
    properties: Properties | None


@dataclass
class RecordingClient:
    """paho client (MQTT 5) with events for connect, subscribe, publish and messages."""

    host: str
    port: int
    username: str | None
    password: str | None
    client_id: str = ""
    tls: TlsFiles | None = None
    """The site CA (and client certificate) for the broker's TLS LAN port."""
    client: mqtt.Client = field(init=False)
    connect_reason: ReasonCode | None = None
    connected: threading.Event = field(default_factory=threading.Event)
    connect_done: threading.Event = field(default_factory=threading.Event)
    disconnected: threading.Event = field(default_factory=threading.Event)
    messages: list[Received] = field(default_factory=list)
    _message_added: threading.Condition = field(default_factory=threading.Condition)
    _subacks: dict[int, list[ReasonCode]] = field(default_factory=dict)
    _subscribed: threading.Condition = field(default_factory=threading.Condition)
    _pubacks: dict[int, ReasonCode] = field(default_factory=dict)
    _published: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id or (self.username or ""),
            protocol=mqtt.MQTTv5,
        )
        if self.username is not None:
            self.client.username_pw_set(self.username, self.password)
        if self.tls is not None:
            self.tls.apply(self.client)
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        self.client.on_disconnect = self._on_disconnect

    def connect(self, wait: bool = True, **kwargs: Any) -> ReasonCode | None:
        self.client.connect(self.host, self.port, keepalive=30, **kwargs)
        self.client.loop_start()
        if wait:
            assert self.connect_done.wait(WAIT), "no CONNACK within the timeout"
        return self.connect_reason

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, reason: ReasonCode, _p: Any) -> None:
        self.connect_reason = reason
        if not reason.is_failure:
            self.connected.set()
        else:
            self.client.disconnect()
        self.connect_done.set()

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, _reason: Any, _p: Any) -> None:
        self.disconnected.set()

    def _on_connect_fail(self, _c: Any, _u: Any) -> None:
        self.connect_done.set()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self._message_added:
            self.messages.append(
                Received(message.topic, message.payload, message.retain, message.properties)
            )
            self._message_added.notify_all()

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, codes: list[ReasonCode], _p: Any) -> None:
        with self._subscribed:
            self._subacks[mid] = codes
            self._subscribed.notify_all()

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: ReasonCode, _p: Any) -> None:
        with self._published:
            self._pubacks[mid] = reason
            self._published.notify_all()

    def subscribe(self, topic: str, qos: int = 1) -> list[ReasonCode]:
        _, mid = self.client.subscribe(topic, qos=qos)
        with self._subscribed:
            assert self._subscribed.wait_for(lambda: mid in self._subacks, WAIT), "no SUBACK"
            return self._subacks[mid]

    def publish(
        self,
        topic: str,
        payload: bytes | str,
        qos: int = 1,
        retain: bool = False,
        properties: Properties | None = None,
    ) -> ReasonCode:
        """Publish and wait for the PUBACK (QoS 1) or the hand-off (QoS 0)."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        with self._published:
            assert self._published.wait_for(lambda: info.mid in self._pubacks, WAIT), "no PUBACK"
            return self._pubacks[info.mid]

    def wait_for(self, topic: str, timeout: float = WAIT) -> Received:
        """The first message received on ``topic``; fails after ``timeout``."""
        with self._message_added:
            found = self._message_added.wait_for(
                lambda: any(m.topic == topic for m in self.messages), timeout
            )
            assert found, f"nothing arrived on {topic} within {timeout} s"
            return next(m for m in self.messages if m.topic == topic)

    def wait_until(
        self,
        topic: str,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = WAIT,
        live: bool = False,
    ) -> dict[str, Any]:
        """The first JSON payload on ``topic`` for which ``predicate`` holds
        (with ``live``, only messages published while subscribed, not retained ones)."""

        def match() -> dict[str, Any] | None:
            for message in self.messages:
                if message.topic == topic and not (live and message.retain):
                    payload: dict[str, Any] = json.loads(message.payload)
                    if predicate(payload):
                        return payload
            return None

        with self._message_added:
            assert self._message_added.wait_for(lambda: match() is not None, timeout), (
                f"no matching message on {topic} within {timeout} s"
            )
            found = match()
            assert found is not None
            return found

    def topics(self) -> list[str]:
        with self._message_added:
            return [m.topic for m in self.messages]
