"""Physical floor: round-trip time of a bare MQTT 5 request/reply through Mosquitto.

A "device" (counter-01) publishes a request at QoS 1 with Response Topic and
Correlation Data; a "hub" client answers on the response topic at QoS 1. Both
are plain paho-mqtt 2.x clients on loopback, through a broker rendered exactly
like the hub's (ACL, passwords, persistence). Later end-to-end benchmarks
report their latency as a ratio to this floor.

    .venv/bin/python bench/broker_floor.py [--round-trips 2000]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from firmware_config.inventory import load_inventory
from mqtt_broker.local import LocalBroker, start_local_broker

REQUEST_TOPIC = "mpp/device/counter-01/cmd"
REPLY_TOPIC = "mpp/device/counter-01/reply"
PAYLOAD = b'{"schema_version":"1.0","type":"counter.next"}' + b" " * 200


def set_nodelay(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """paho does not disable Nagle; request/reply latency needs it off."""
    if hasattr(sock, "setsockopt"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _client(broker: LocalBroker, username: str) -> tuple[mqtt.Client, threading.Event]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=username, protocol=mqtt.MQTTv5)
    client.username_pw_set(username, broker.password(username))
    client.on_socket_open = set_nodelay
    ready = threading.Event()
    client.on_connect = lambda *_args: ready.set()
    # As in a building: the hub on the plain loopback listener, a device over TLS on the LAN one.
    port = broker.local_port if username == "hub" else broker.port
    tls = None if username == "hub" else broker.tls(username)
    if tls is not None:
        tls.apply(client)
    client.connect(broker.host, port, keepalive=30)
    client.loop_start()
    if not ready.wait(10):
        raise RuntimeError(f"{username} could not connect")
    return client, ready


def _subscribe(client: mqtt.Client, topic: str) -> None:
    done = threading.Event()
    client.on_subscribe = lambda *_args: done.set()
    client.subscribe(topic, qos=1)
    if not done.wait(10):
        raise RuntimeError(f"no SUBACK for {topic}")


def measure_round_trips(broker: LocalBroker, count: int, warmup: int = 100) -> list[float]:
    """Round-trip times in microseconds of ``count`` sequential request/replies."""
    hub, _ = _client(broker, "hub")
    device, _ = _client(broker, "counter-01")

    def answer(client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        properties = Properties(PacketTypes.PUBLISH)
        properties.CorrelationData = message.properties.CorrelationData
        client.publish(
            message.properties.ResponseTopic, b'{"ok":true}', qos=1, properties=properties
        )

    hub.on_message = answer
    _subscribe(hub, "mpp/device/+/cmd")
    arrived = threading.Event()
    expected: list[bytes] = [b""]

    def on_reply(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.properties.CorrelationData == expected[0]:
            arrived.set()

    device.on_message = on_reply
    _subscribe(device, REPLY_TOPIC)
    samples: list[float] = []
    try:
        for index in range(warmup + count):
            correlation = index.to_bytes(8, "big")
            expected[0] = correlation
            arrived.clear()
            properties = Properties(PacketTypes.PUBLISH)
            properties.ResponseTopic = REPLY_TOPIC
            properties.CorrelationData = correlation
            start = time.perf_counter_ns()
            device.publish(REQUEST_TOPIC, PAYLOAD, qos=1, properties=properties)
            if not arrived.wait(5):
                raise RuntimeError(f"round trip {index} got no reply")
            if index >= warmup:
                samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        for client in (device, hub):
            client.disconnect()
            client.loop_stop()
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(samples: list[float]) -> dict[str, float]:
    return {
        "p50_us": percentile(samples, 0.50),
        "p99_us": percentile(samples, 0.99),
        "mean_us": statistics.fmean(samples),
        "max_us": max(samples),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=2000)
    args = parser.parse_args()
    if args.round_trips < 2000:
        print("note: fewer than 2,000 round trips makes p99 unreliable", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as directory:
        broker = start_local_broker(Path(directory), load_inventory())
        try:
            started = time.perf_counter()
            samples = measure_round_trips(broker, args.round_trips)
            elapsed = time.perf_counter() - started
        finally:
            broker.stop()
    figures = summarise(samples)
    print(
        f"broker floor: {len(samples)} MQTT 5 request/reply round trips, QoS 1, loopback "
        "(device over TLS on the LAN listener, hub on the plain local one)"
    )
    print(f"  p50  {figures['p50_us']:8.0f} us")
    print(f"  p99  {figures['p99_us']:8.0f} us")
    print(f"  mean {figures['mean_us']:8.0f} us")
    print(f"  max  {figures['max_us']:8.0f} us")
    print(f"  rate {len(samples) / elapsed:8.0f} round trips/s (sequential)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
