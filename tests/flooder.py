"""A hostile kiosk: one credential sending as fast as paho can, for tests and benches."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_broker.local import LocalBroker
from protocol.models import CounterNext, utc_now

WAIT = 10.0
VALIDITY = timedelta(seconds=5)  # a press that calls carries one (the contract)
# A truncated command: invalid JSON.
GARBAGE = b'{"schema_version":"1.0","type":"counter.next"'


class Flooder:
    """A bare MQTT 5 client with a kiosk's credential, flooding its command topic."""

    def __init__(self, broker: LocalBroker, device_id: str = "kiosk-01") -> None:
        self.device_id = device_id
        self.cmd_topic = f"mpp/device/{device_id}/cmd"
        self.reply_topic = f"mpp/device/{device_id}/reply"
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=device_id, protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(device_id, broker.password(device_id))
        self.client.max_inflight_messages_set(100)
        tls = broker.tls(device_id)
        if tls is not None:
            tls.apply(self.client)
        self.replies = 0
        self.answered: set[bytes] = set()
        self.sent_in = 0.0  # seconds the last flood took to publish
        self._changed = threading.Condition()
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe(self.reply_topic, qos=1)
        if not subscribed.wait(WAIT):
            raise RuntimeError(f"{device_id}: no SUBACK")

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        correlation = getattr(message.properties, "CorrelationData", None)
        with self._changed:
            self.replies += 1
            if correlation and correlation.startswith(b"marker"):
                self.answered.add(bytes(correlation))
                self._changed.notify_all()

    def flood(self, count: int) -> None:
        """Half garbage, half commands a kiosk may not send (``counter.next``), each
        with a fresh id; all asking for replies."""
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = self.reply_topic
        started = time.perf_counter()
        last = None
        for index in range(count):
            if index % 2:
                payload = GARBAGE
            else:
                issued = utc_now()
                command = CounterNext(
                    command_id=uuid4(),
                    device_id=self.device_id,
                    seq=index,
                    issued_at=issued,
                    expires_at=issued + VALIDITY,
                )
                payload = command.model_dump_json().encode()
            last = self.client.publish(self.cmd_topic, payload, qos=1, properties=properties)
        if last is not None:
            last.wait_for_publish(120)
        self.sent_in = time.perf_counter() - started

    def drained(self, timeout: float = 60.0) -> int:
        """Send invalid markers until one is answered: then the hub has handled (or
        dropped) everything sent before it. Returns how many markers it took."""
        with self._changed:
            self.answered.clear()
        deadline = time.monotonic() + timeout
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            properties = Properties(PacketTypes.PUBLISH)
            properties.CorrelationData = f"marker-{attempt}".encode()
            self.client.publish(self.cmd_topic, b"marker", qos=1, properties=properties)
            with self._changed:
                if self._changed.wait_for(lambda: bool(self.answered), 1.0):
                    return attempt
        raise AssertionError(f"the hub answered no marker within {timeout} s")

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def store_bytes(db: Path) -> int:
    """The store's logical size (pages in use, WAL included), as a reader sees it."""
    connection = sqlite3.connect(db)
    try:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        return int(pages * size)
    finally:
        connection.close()
