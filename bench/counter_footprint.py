"""Counter agent footprint: start-up time to connected, and resident memory.

Runs ``mpp edge`` for counter-01 as its own process (MockFactory pins, luma's
dummy display, so the display code is loaded as on a unit) against a private
broker and hub, and reports the time from process start to "connected"
(imports included) and the RSS once it has synced with the hub.
Goals (Pi Zero 2 W): under 1 s to connected, under 40 MB RSS.

    .venv/bin/python bench/counter_footprint.py [--runs 3]
"""

from __future__ import annotations

import argparse
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


def one_run(directory: Path, port: int) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "edge",
            "--config",
            str(ROOT / "firmware_config/devices/counter-01.toml"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--secrets",
            str(directory / "mqtt-credentials.json"),
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpp-footprint-") as name:
        directory = Path(name)
        broker = start_local_broker(directory, load_inventory())
        hub = HubProcess.on(broker, directory / "hub.db")
        hub.start()
        try:
            runs = [one_run(directory, broker.port) for _ in range(args.runs)]
        finally:
            hub.stop()
            broker.stop()
    start = statistics.median(r[0] for r in runs)
    rss = statistics.median(r[1] for r in runs)
    print(
        f"counter agent: start -> connected {start * 1000:.0f} ms (median of {args.runs}, "
        "imports included; goal < 1000 ms)"
    )
    print(f"counter agent: RSS {rss:.1f} MB after syncing with the hub (goal < 40 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
