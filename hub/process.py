"""Running ``mpp hub run`` as a child process, for crash tests and benchmarks.

Readiness is the hub's own "hub ready" log line, read from its stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Benchmarks and tests run the building on a fixed Monday morning, whatever the hour.
MONDAY_MORNING = "2026-11-23T08:00+07:00"


class HubProcess:
    """One hub process against a broker's loopback listener."""

    def __init__(
        self,
        port: int,
        secrets: Path,
        db: Path,
        clock_start: str | None = None,
        log: Path | None = None,
    ) -> None:
        self.args = [
            sys.executable,
            "-m",
            "mpp.cli",
            "hub",
            "run",
            "--port",
            str(port),
            "--secrets",
            str(secrets),
            "--db",
            str(db),
        ]
        if clock_start:
            self.args += ["--clock-start", clock_start]
        self.log = log
        self.process: subprocess.Popen[str] | None = None

    @classmethod
    def on(
        cls,
        broker: Any,
        db: Path,
        clock_start: str | None = MONDAY_MORNING,
        log: Path | None = None,
    ) -> HubProcess:
        """A hub on a local broker (``mqtt_broker.local.LocalBroker``) and its credentials."""
        return cls(
            broker.local_port, broker.directory / "mqtt-credentials.json", db, clock_start, log
        )

    def start(self) -> float:
        """Start the hub; returns the seconds from process start to "hub ready"."""
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.args, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stderr is not None
        seen: list[str] = []
        for line in self.process.stderr:
            seen.append(line)
            if "hub ready" in line:
                elapsed = time.perf_counter() - started
                threading.Thread(target=self._drain, daemon=True).start()
                return elapsed
        code = self.process.wait()
        raise RuntimeError(f"hub exited with {code} before ready:\n{''.join(seen[-20:])}")

    def _drain(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        if self.log is None:
            for _ in self.process.stderr:
                pass
            return
        with self.log.open("a", encoding="utf-8") as handle:
            handle.writelines(self.process.stderr)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no last words — a power cut for the process."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
