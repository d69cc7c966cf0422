"""Hub throughput and end-to-end call latency through the real broker.

Starts a private Mosquitto and the hub as a separate process (``mpp hub run``,
durable SQLite commits with synchronous=FULL), then:

1. throughput: kiosks reserve + confirm tickets as fast as the hub answers
   (sequential per kiosk, several kiosks at once): commands per second;
2. latency: a counter presses *next* (with 30 tickets waiting) and a
   display waits for the call event; p50/p99 of press → call shown, as a
   ratio to the bare broker round trip measured on the same broker
   (bench/broker_floor.py).

    .venv/bin/python bench/hub_throughput.py [--calls 1000] [--kiosks 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_floor import measure_round_trips, percentile, set_nodelay, summarise  # noqa: E402

from firmware_config.inventory import load_inventory  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import LocalBroker, start_local_broker  # noqa: E402
from protocol.codec import decode  # noqa: E402
from protocol.models import (  # noqa: E402
    CounterNext,
    CounterOpen,
    TicketPrinted,
    TicketReserve,
)
from protocol.roles import Role  # noqa: E402
from protocol.topics import spec  # noqa: E402
from tests.device_client import DeviceClient  # noqa: E402

SERVICE = "BL-BAYAR"  # no daily quota: the bench may issue thousands
COUNTER = "counter-07"
BACKLOG = 30  # waiting tickets while calls are measured (a busy morning at one agency)


def issue_tickets(broker: LocalBroker, kiosks: int, per_kiosk: int) -> tuple[int, float]:
    clients = [DeviceClient(broker, f"kiosk-{i + 1:02d}", Role.KIOSK) for i in range(kiosks)]
    done = [0]
    lock = threading.Lock()

    def run(client: DeviceClient) -> None:
        for _ in range(per_kiosk):
            reply = client.ok(TicketReserve, service=SERVICE)
            assert reply.ticket is not None
            client.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
            with lock:
                done[0] += 2

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.stop()
    return done[0], elapsed


def _call_down_to(broker: LocalBroker, backlog: int, issued: int) -> None:
    """Serve the throughput tickets until ``backlog`` are left waiting."""
    counter = DeviceClient(broker, "counter-07", Role.COUNTER)
    counter.ok(CounterOpen)
    for _ in range(issued - backlog):
        counter.ok(CounterNext)
    counter.stop()


def measure_calls(broker: LocalBroker, calls: int) -> list[float]:
    """Press next with a steady backlog of :data:`BACKLOG` waiting tickets, as at a peak."""
    kiosk = DeviceClient(broker, "kiosk-01", Role.KIOSK)
    counter = DeviceClient(broker, COUNTER, Role.COUNTER)
    arrived = threading.Event()
    display = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="display-01", protocol=mqtt.MQTTv5)
    display.username_pw_set("display-01", broker.password("display-01"))
    display.on_socket_open = set_nodelay

    def on_message(_c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        call = decode(message.topic, message.payload).message
        if getattr(call, "counter", None) == 7:
            arrived.set()

    subscribed = threading.Event()
    display.on_message = on_message
    display.on_subscribe = lambda *_a: subscribed.set()
    tls = broker.tls("display-01")
    if tls is not None:
        tls.apply(display)
    display.connect(broker.host, broker.port)
    display.loop_start()
    display.subscribe("mpp/event/call", qos=1)
    assert subscribed.wait(10)
    samples = []
    for index in range(calls):
        reply = kiosk.ok(TicketReserve, service=SERVICE)
        assert reply.ticket is not None
        kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
        arrived.clear()
        started = time.perf_counter_ns()
        counter.link.publish(spec("device.cmd"), counter.command(CounterNext), device_id=COUNTER)
        if not arrived.wait(10):
            raise RuntimeError(f"call {index + 1} never shown")
        samples.append((time.perf_counter_ns() - started) / 1000)
    display.disconnect()
    display.loop_stop()
    counter.stop()
    kiosk.stop()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--kiosks", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as name:
        directory = Path(name)
        broker = start_local_broker(directory, load_inventory())
        # The floor uses the hub's account: measure it before the hub takes it.
        floor = summarise(measure_round_trips(broker, 2000))
        hub = HubProcess.on(broker, directory / "hub.db", log=directory / "hub.log")
        hub.start()
        try:
            per_kiosk = max(BACKLOG, args.calls) // args.kiosks
            commands, elapsed = issue_tickets(broker, args.kiosks, per_kiosk)
            _call_down_to(broker, BACKLOG, commands // 2)
            samples = measure_calls(broker, args.calls)
        except BaseException:
            print(broker.process.log_text()[-3000:], file=sys.stderr)
            print((directory / "hub.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            hub.stop()
            broker.stop()
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(
        f"hub throughput: {commands} kiosk commands (reserve + printed) from {args.kiosks} "
        f"kiosks in {elapsed:.2f} s = {commands / elapsed:.0f} commands/s, each durably "
        "committed (SQLite WAL, synchronous=FULL)"
    )
    print(
        f"bare broker request/reply floor: p50 {floor['p50_us']:.0f} us, "
        f"p99 {floor['p99_us']:.0f} us"
    )
    print(
        f"counter next -> display call event ({len(samples)} calls): "
        f"p50 {p50:.0f} us, p99 {p99:.0f} us"
    )
    print(
        f"ratio to floor: p50 {p50 / floor['p50_us']:.2f}x, p99 {p99 / floor['p99_us']:.2f}x "
        "(goal <= 1.5x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
