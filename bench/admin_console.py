"""The admin console against a hub holding a busy morning: how fast the hub answers.

Starts a private Mosquitto and ``mpp hub run``, issues ``--tickets`` tickets
over many services through two kiosks, then measures with the console's own
client (admin account, MQTT 5 request/response):

* ``admin.status`` round trip p50/p99 and its reply size;
* ``admin.advise`` round trip p50/p99;
* ``mpp admin status`` as a process (start, connect, ask, draw the tables), median.

    .venv/bin/python bench/admin_console.py [--tickets 400] [--rounds 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_building import print_table  # noqa: E402

from admin.client import AdminClient  # noqa: E402
from admin.connection import ConsoleSettings  # noqa: E402
from firmware_config.inventory import load_inventory  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from mpp.process import HubProcess  # noqa: E402
from mqtt_broker.local import start_local_broker  # noqa: E402
from protocol.models import AdminAdvise, AdminStatus, TicketPrinted, TicketReserve  # noqa: E402
from protocol.roles import Role  # noqa: E402
from tests.device_client import DeviceClient  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


PACE_S = 0.1  # 10 requests a second: far above a person, under the hub's flood limit


def timed(client: AdminClient, model: type, rounds: int) -> tuple[list[float], int]:
    """Round trips at a steady pace (the hub stops listening to a sender that bursts
    past 50 messages a second, hub/flood.py)."""
    times, size = [], 0
    for index in range(rounds):
        if index:
            time.sleep(max(0.0, PACE_S - times[-1] / 1000))
        started = time.perf_counter()
        reply = client.request(client.command(model))
        times.append((time.perf_counter() - started) * 1000)
        size = len(reply.model_dump_json())
    return times, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    site = load_site()
    services = [s.code for s in site.services if s.daily_quota is None or s.daily_quota >= 60]
    with tempfile.TemporaryDirectory() as directory:
        broker = start_local_broker(Path(directory), load_inventory())
        hub = HubProcess.on(broker, Path(directory) / "hub.db")
        hub.start()
        kiosks = [DeviceClient(broker, f"kiosk-{i:02d}", Role.KIOSK) for i in (1, 2)]
        try:
            for index in range(args.tickets):
                kiosk = kiosks[index % 2]
                reserved = kiosk.ok(TicketReserve, service=services[index % len(services)])
                assert reserved.ticket is not None
                kiosk.ok(TicketPrinted, ticket_id=reserved.ticket.ticket_id)
            settings = ConsoleSettings(
                broker.host, broker.port, "admin", broker.password("admin"), tls=broker.tls("admin")
            )
            with AdminClient(settings) as client:
                status, status_bytes = timed(client, AdminStatus, args.rounds)
                advise, advise_bytes = timed(client, AdminAdvise, args.rounds)
            command = [
                sys.executable, "-m", "mpp.cli", "admin",
                "--broker", f"{broker.host}:{broker.port}",
                "--secrets", str(Path(directory) / "mqtt-credentials.json"), "status",
            ]  # fmt: skip
            process_ms = []
            for _ in range(5):
                started = time.perf_counter()
                subprocess.run(
                    command, cwd=ROOT, capture_output=True, check=True,
                    env={**os.environ, "COLUMNS": "200"},
                )  # fmt: skip
                process_ms.append((time.perf_counter() - started) * 1000)
        finally:
            for kiosk in kiosks:
                kiosk.stop()
            hub.stop()
            broker.stop()
    print(f"{args.tickets} tickets waiting over {len(services)} services; {args.rounds} rounds")
    print_table(
        ["request", "p50 ms", "p99 ms", "reply bytes"],
        [
            ["admin.status", f"{percentile(status, 0.5):.1f}", f"{percentile(status, 0.99):.1f}",
             str(status_bytes)],
            ["admin.advise", f"{percentile(advise, 0.5):.1f}", f"{percentile(advise, 0.99):.1f}",
             str(advise_bytes)],
            ["mpp admin status (process)", f"{statistics.median(process_ms):.0f}", "", ""],
        ],
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
