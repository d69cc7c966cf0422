"""Counter "next" → the call on the display's screen, against the bare broker floor.

A hub process and the real display agent (headless screen, silent speaker)
share a private broker on loopback; a counter presses *next* with tickets
waiting, and the time is taken when the display has drawn the frame that
shows the call. Reported as p50/p99 and as a ratio to the bare MQTT 5
request/reply round trip on the same broker (bench/broker_floor.py).

    .venv/bin/python bench/display_latency.py [--calls 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_floor import measure_round_trips, percentile, summarise  # noqa: E402

from edge.command_client import CommandClient  # noqa: E402
from edge.compose import device_link, display_agent  # noqa: E402
from edge.display.clips import make_clip_set  # noqa: E402
from edge.hardware.choice import SimulatedHardware  # noqa: E402
from firmware_config.inventory import load_inventory  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import LocalBroker, start_local_broker  # noqa: E402
from protocol.link import MqttLink  # noqa: E402
from protocol.models import CounterNext, CounterOpen, TicketPrinted, TicketReserve  # noqa: E402
from protocol.topics import spec  # noqa: E402


class SilentPlayer:
    def play(self, wav: bytes, seconds: float) -> None:
        return None


def client(broker: LocalBroker, device_id: str) -> CommandClient:
    link = MqttLink(broker.link_settings(device_id))
    commands = CommandClient(link, device_id)
    link.start(wait=10)
    return commands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    inventory = load_inventory()
    with tempfile.TemporaryDirectory(prefix="mpp-display-") as name:
        directory = Path(name)
        broker = start_local_broker(directory, inventory)
        floor = summarise(measure_round_trips(broker, 2000))
        hub = HubProcess.on(broker, directory / "hub.db")
        hub.start()
        make_clip_set(directory / "clips")
        config = inventory.device("display-01")
        hardware = SimulatedHardware(directory, player=SilentPlayer(), clip_dir=directory / "clips")
        link = device_link(
            config, broker.password("display-01"), broker.host, broker.port, broker.tls_dir
        )
        display = display_agent(config, link, hardware)  # no state dir: no screenshots
        ui = threading.Thread(target=display.run, daemon=True)
        display.start(wait=10)
        ui.start()
        kiosk, counter = client(broker, "kiosk-01"), client(broker, "counter-07")
        samples: list[float] = []
        try:
            counter.send(CounterOpen)
            for _ in range(args.calls):
                reply = kiosk.send(TicketReserve, service="BL-BAYAR")
                assert reply.ticket is not None
                kiosk.send(TicketPrinted, ticket_id=reply.ticket.ticket_id)
                before = display.model.now_calling
                started = time.perf_counter()
                press = counter.build(CounterNext, expires_in=5)
                counter.link.publish(spec("device.cmd"), press, device_id="counter-07")
                # wait_for returns once a frame showing the new call has been drawn
                if not display.wait_for(lambda m, was=before: m.now_calling is not was, 10):
                    raise RuntimeError("the call never reached the screen")
                samples.append((time.perf_counter() - started) * 1e6)
                display.model.highlight_until = 0.0  # next call on screen at once
        finally:
            display.request_stop()
            ui.join(5)
            display.stop()
            for commands in (kiosk, counter):
                commands.link.stop()
            hub.stop()
            broker.stop()
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(f"bare broker floor: p50 {floor['p50_us']:.0f} us, p99 {floor['p99_us']:.0f} us")
    print(
        f"counter next -> call drawn on the display ({len(samples)} calls): p50 {p50:.0f} us, "
        f"p99 {p99:.0f} us"
    )
    print(
        f"ratio to floor: p50 {p50 / floor['p50_us']:.1f}x, p99 {p99 / floor['p99_us']:.1f}x "
        "(goal <= 1.5x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
