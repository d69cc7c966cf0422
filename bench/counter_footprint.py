"""Counter agent footprint: start-up time to connected, and resident memory, TLS and plain.

Runs ``mpp edge`` for counter-01 as its own process (MockFactory pins, luma's
dummy display, so the display code is loaded as on a unit) against a private
broker and hub, and reports the time from process start to "connected"
(imports included) and the RSS once it has synced with the hub: once over TLS
(the default: OpenSSL loaded, the hub verified against the site CA), once on a
site that opted out to plain MQTT, and the difference.
Goals (Pi Zero 2 W): under 1 s to connected, under 40 MB RSS.

    .venv/bin/python bench/counter_footprint.py [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from firmware_config.inventory import load_inventory  # noqa: E402
from mpp.process import HubProcess, rss_mb  # noqa: E402
from mqtt_broker.local import start_local_broker  # noqa: E402

DEVICE_FILE = ROOT / "firmware_config/devices/counter-01.toml"


def one_run(directory: Path, port: int, config: Path, tls_dir: Path | None) -> tuple[float, float]:
    started = time.perf_counter()
    tls = ["--tls-dir", str(tls_dir)] if tls_dir is not None else []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "edge",
            "--config",
            str(config),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--secrets",
            str(directory / "mqtt-credentials.json"),
            *tls,
            "--simulate",
            "--state-dir",
            str(directory / "sim"),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if "connected as" in line:
                connected = time.perf_counter() - started
                break
        else:
            raise RuntimeError("agent exited before connecting")
        threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
        time.sleep(2.0)  # let it sync with the hub and settle before reading memory
        return connected, rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def measure(directory: Path, lan: str, runs: int) -> tuple[float, float]:
    """Median start -> connected (s) and RSS (MB) of the counter agent on a ``lan`` site."""
    inventory = dataclasses.replace(load_inventory(), lan=lan)
    config = DEVICE_FILE
    if lan == "plain":
        config = directory / "counter-01.toml"
        config.write_text(DEVICE_FILE.read_text() + '\n[mqtt]\nsecurity = "plain"\n')
    broker = start_local_broker(directory, inventory)
    hub = HubProcess.on(broker, directory / "hub.db")
    hub.start()
    try:
        results = [one_run(directory, broker.port, config, broker.tls_dir) for _ in range(runs)]
    finally:
        hub.stop()
        broker.stop()
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    for lan in ("tls", "plain"):
        with tempfile.TemporaryDirectory(prefix=f"mpp-footprint-{lan}-") as name:
            figures[lan] = measure(Path(name), lan, args.runs)
    for lan, label in (("tls", "TLS (the default)"), ("plain", "plain MQTT")):
        start, rss = figures[lan]
        print(
            f"counter agent, {label}: start -> connected {start * 1000:.0f} ms, "
            f"RSS {rss:.1f} MB after syncing with the hub (median of {args.runs}; "
            "goals < 1000 ms, < 40 MB)"
        )
    extra = figures["tls"][1] - figures["plain"][1]
    slower = (figures["tls"][0] - figures["plain"][0]) * 1000
    print(f"TLS costs the counter agent {extra:+.1f} MB RSS and {slower:+.0f} ms to connect")
    return 0


if __name__ == "__main__":
    sys.exit(main())
