"""Running ``mpp hub run`` as a child process, for crash tests and benchmarks.

Readiness is the hub's own "hub ready" log line, read from its stderr. Every
line is kept (and copied to ``log`` if given), so tests can wait for any line
the hub logs, with a timeout, instead of sleeping.
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
READY_LINE = "hub ready"


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
        self.lines: list[str] = []
        self._started = 0.0
        self._seen: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self._ended = False
        self._reader: threading.Thread | None = None

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

    def spawn(self) -> None:
        """Start the process and the reader of its stderr; do not wait for anything.

        A restarted process (after :meth:`kill` or :meth:`stop`) starts a new record.
        """
        with self._changed:
            self.lines, self._seen, self._ended = [], [], False
        self._started = time.perf_counter()
        self.process = subprocess.Popen(
            self.args, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True
        )
        self._reader = threading.Thread(target=self._read, name="hub-stderr", daemon=True)
        self._reader.start()

    def start(self, timeout: float = 60.0) -> float:
        """Start the hub; returns the seconds from process start to "hub ready"."""
        self.spawn()
        return self.wait_for(READY_LINE, timeout)

    def wait_for(self, text: str, timeout: float = 10.0) -> float:
        """Seconds from process start to the first stderr line containing ``text``.

        Raises if the process ends, or ``timeout`` passes, before such a line.
        """

        def found() -> float | None:
            return next((at for at, line in self._seen if text in line), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or self._ended, timeout)
            at = found()
        if at is not None:
            return at - self._started
        assert self.process is not None
        tail = "".join(self.lines[-20:])
        if self._ended:
            raise RuntimeError(f"hub exited with {self.process.wait()} before {text!r}:\n{tail}")
        raise TimeoutError(f"no {text!r} from the hub within {timeout} s:\n{tail}")

    def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        handle = self.log.open("a", encoding="utf-8") if self.log is not None else None
        try:
            for line in self.process.stderr:
                at = time.perf_counter()
                if handle is not None:
                    handle.write(line)
                    handle.flush()
                with self._changed:
                    self.lines.append(line)
                    self._seen.append((at, line))
                    self._changed.notify_all()
        finally:
            if handle is not None:
                handle.close()
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def send(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout: float = 10.0) -> int:
        """The exit code, once the process has ended and all its output is read."""
        assert self.process is not None
        code = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        return code

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no last words — a power cut for the process."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.wait()

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit code (None if it was never started)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
        return self.wait()
