"""One kiosk credential floods the hub: what it costs, and what the others notice.

Starts a private Mosquitto and ``mpp hub run`` (a separate process, durable
SQLite), then:

1. baseline: kiosk-02 issues a ticket, counter-07 presses *next* and a
   display waits for the call event; p50/p99 of press → call shown;
2. store: kiosk-01's credential sends ``--messages`` commands as fast as
   paho can (half invalid JSON, half ``counter.next`` a kiosk may not send,
   each asking for a reply) while nothing else happens: the store's growth;
3. flood: the same flood ``--rounds`` more times, while counter-07 keeps
   pressing *next* — re-sending the same command every second until the call
   shows, as the counter agent does — and the same latency is measured;
4. prints the hub's account of the kiosk's messages (from its log), how many
   the broker discarded while the hub was not listening to the kiosk, and the
   hub's log lines about the kiosk.

    .venv/bin/python bench/hub_flood.py [--messages 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import re
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

from broker_floor import percentile, set_nodelay  # noqa: E402

from firmware_config.inventory import load_inventory  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import LocalBroker, start_local_broker  # noqa: E402
from protocol.codec import decode  # noqa: E402
from protocol.models import CounterNext, CounterOpen, TicketPrinted, TicketReserve  # noqa: E402
from protocol.roles import Role  # noqa: E402
from protocol.topics import spec  # noqa: E402
from tests.device_client import DeviceClient  # noqa: E402
from tests.flooder import Flooder, store_bytes  # noqa: E402

SERVICE = "BL-BAYAR"  # no daily quota
COUNTER = "counter-07"
RESEND_S = 1.0  # the counter agent's retry interval
SUMMARY = re.compile(
    r"kiosk-01: ([\d,]+) messages rejected in the last \d+ s \(([\d,]+) invalid, "
    r"([\d,]+) refused, ([\d,]+) dropped: inbox full\); (\d+) stored"
)


class Display:
    """A bare client on ``mpp/event/call``: tells when counter 7 calls."""

    def __init__(self, broker: LocalBroker) -> None:
        self.arrived = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="display-01", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set("display-01", broker.password("display-01"))
        self.client.on_socket_open = set_nodelay
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_a: subscribed.set()
        tls = broker.tls("display-01")
        if tls is not None:
            tls.apply(self.client)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe("mpp/event/call", qos=1)
        if not subscribed.wait(10):
            raise RuntimeError("display: no SUBACK")

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        if getattr(decode(message.topic, message.payload).message, "counter", None) == 7:
            self.arrived.set()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Counter:
    """Counter-07 pressing *next*; re-sends the same command until the call shows."""

    def __init__(self, broker: LocalBroker, display: Display) -> None:
        self.device = DeviceClient(broker, COUNTER, Role.COUNTER)
        self.kiosk = DeviceClient(broker, "kiosk-02", Role.KIOSK)
        self.display = display
        self.resent = 0

    def stop(self) -> None:
        self.device.stop()
        self.kiosk.stop()

    def call(self) -> float:
        """Microseconds from the first press to the call event on the display
        (after kiosk-02 has issued a ticket to call, not timed)."""
        reply = self.kiosk.commands.request(
            self.kiosk.command(TicketReserve, service=SERVICE), timeout=RESEND_S, tries=30
        )
        assert reply.ticket is not None, reply.error
        self.kiosk.commands.request(
            self.kiosk.command(TicketPrinted, ticket_id=reply.ticket.ticket_id),
            timeout=RESEND_S,
            tries=30,
        )
        command = self.device.command(CounterNext)
        self.display.arrived.clear()
        started = time.perf_counter_ns()
        for _ in range(30):
            self.device.link.publish(spec("device.cmd"), command, device_id=COUNTER)
            if self.display.arrived.wait(RESEND_S):
                return (time.perf_counter_ns() - started) / 1000
            self.resent += 1
        raise RuntimeError("the call never showed")


def flood_round(
    flooder: Flooder, counter: Counter | None, messages: int
) -> tuple[list[float], int]:
    """Flood once (calling meanwhile, with a counter); the call latencies and the
    markers it took until the hub had handled everything sent before them."""
    flooding = threading.Thread(target=flooder.flood, args=(messages,), name="flood")
    flooding.start()
    samples = []
    while flooding.is_alive():
        if counter is None:
            flooding.join()
        else:
            samples.append(counter.call())
    markers = flooder.drained()
    return samples, markers


def stats(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    return (
        f"p50 {percentile(samples, 0.5) / 1000:.1f} ms, p99 {percentile(samples, 0.99) / 1000:.1f}"
        f" ms, max {max(samples) / 1000:.1f} ms ({len(samples)} calls)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="per flood round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=200, help="calls without a flood")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as name:
        directory = Path(name)
        broker = start_local_broker(directory, load_inventory())
        db = directory / "hub.db"
        hub = HubProcess.on(broker, db, log=directory / "hub.log")
        hub.start()
        display = Display(broker)
        counter = Counter(broker, display)
        flooder = Flooder(broker)
        try:
            counter.device.ok(CounterOpen)
            baseline = [counter.call() for _ in range(args.baseline)]
            before = store_bytes(db)
            _, markers = flood_round(flooder, None, args.messages)
            grown = store_bytes(db) - before
            publish_s = flooder.sent_in
            during: list[float] = []
            for _ in range(args.rounds):
                samples, drained = flood_round(flooder, counter, args.messages)
                during += samples
                markers += drained
                publish_s += flooder.sent_in
            replies = flooder.replies
        finally:
            flooder.stop()
            counter.stop()
            display.stop()
            hub.stop()
            broker_log = broker.process.log_text()
            broker.stop()
    floods = args.rounds + 1
    sent = args.messages * floods + markers
    found = SUMMARY.findall("".join(hub.lines))
    counts = [[int(group.replace(",", "")) for group in line] for line in found] or [[0] * 5]
    total, invalid, refused, inbox_dropped, stored = (
        sum(column) for column in zip(*counts, strict=True)
    )
    about = [line.rstrip() for line in hub.lines if "kiosk-01" in line]
    print(
        f"flood: {floods} x {args.messages:,} messages from kiosk-01 published in "
        f"{publish_s:.1f} s ({args.messages * floods / publish_s:,.0f}/s)"
    )
    print(
        f"hub read {total:,} of {sent:,} ({invalid:,} invalid, {refused:,} refused, "
        f"{inbox_dropped:,} dropped by its inbox); the broker discarded {sent - total:,} "
        f"while the hub was not listening to kiosk-01; {replies:,} replies reached the kiosk"
    )
    print(
        f"store growth over one flood of {args.messages:,}: {grown:,} bytes; "
        f"{stored} rejections stored in all; {len(about)} log lines about kiosk-01"
    )
    print(f"counter next -> call, no flood:     {stats(baseline)}")
    print(f"counter next -> call, during flood: {stats(during)}; re-sent {counter.resent} times")
    print(f"broker 'dropped' warnings: {broker_log.count('being dropped')}")
    for line in about[-3:]:
        print("  hub:", line[:200])
    return 0


if __name__ == "__main__":
    sys.exit(main())
