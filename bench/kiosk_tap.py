"""Kiosk latency: tap on the last button → ticket bytes handed to the printer.

The real kiosk agent (headless SDL, injected touch events) talks to a hub
process through a private broker on loopback; the printer is the test fake,
which timestamps the moment it receives the bytes. Each round: welcome →
agency → service → category (timed from this tap) → printed → back.
Goal: p99 < 300 ms.

    .venv/bin/python bench/kiosk_tap.py [--tickets 300]
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

from broker_floor import percentile  # noqa: E402

from edge.compose import device_link, kiosk_agent  # noqa: E402
from edge.hardware.choice import SimulatedHardware  # noqa: E402
from edge.kiosk.model import View  # noqa: E402
from edge.printer.transport import FakeTransport  # noqa: E402
from firmware_config.inventory import load_inventory  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import start_local_broker  # noqa: E402

SERVICE, AGENCY = "BL-BAYAR", "BANK-LAMPUNG"


class TimedPrinter(FakeTransport):
    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def write(self, data: bytes) -> None:
        self.times.append(time.perf_counter())
        super().write(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    inventory = load_inventory()
    with tempfile.TemporaryDirectory(prefix="mpp-kiosk-") as name:
        directory = Path(name)
        broker = start_local_broker(directory, inventory)
        hub = HubProcess.on(broker, directory / "hub.db")
        hub.start()
        printer = TimedPrinter()
        config = inventory.device("kiosk-01")
        link = device_link(
            config, broker.password("kiosk-01"), broker.host, broker.port, broker.tls_dir
        )
        agent = kiosk_agent(config, link, SimulatedHardware(directory, printer=printer))
        ui = threading.Thread(target=agent.run, daemon=True)
        agent.start(wait=10)
        ui.start()
        samples: list[float] = []
        try:
            if not agent.wait_for(
                lambda m: m.shown() is View.WELCOME and SERVICE in m.services, 15
            ):
                raise RuntimeError(f"kiosk not ready: {agent.model.unavailable_reason()}")
            for _ in range(args.tickets):
                for target, view in (
                    (("start",), View.AGENCIES),
                    (("agency", AGENCY), View.SERVICES),
                    (("service", SERVICE), View.CATEGORY),
                ):
                    agent.touch(*target)
                    if not agent.wait_for(lambda m, v=view: m.shown() is v, 5):
                        raise RuntimeError(f"stuck before {view}")
                before = len(printer.times)
                tapped = time.perf_counter()
                agent.touch("category", "reguler")
                if not agent.wait_for(lambda m: m.view is View.DONE, 5):
                    raise RuntimeError(f"no ticket: {agent.model.message}")
                samples.append((printer.times[before] - tapped) * 1000)
                agent.touch("home")
                agent.wait_for(lambda m: m.shown() is View.WELCOME, 5)
        finally:
            agent.request_stop()
            ui.join(5)
            agent.stop()
            hub.stop()
            broker.stop()
    print(
        f"kiosk tap -> ticket bytes at the printer ({len(samples)} tickets, hub and broker "
        f"on loopback): p50 {percentile(samples, 0.5):.0f} ms, "
        f"p99 {percentile(samples, 0.99):.0f} ms, max {max(samples):.0f} ms (goal p99 < 300 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
