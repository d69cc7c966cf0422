"""Running ``mpp`` commands as child processes: the hub, device agents, for tests,
benchmarks and the demo — exactly as systemd runs them.

Readiness is a log line read from the child's stderr. Recent lines are kept
(bounded, so a demo running all day does not grow) and copied to ``log`` if
given, so callers wait for any line with a timeout instead of sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Benchmarks and tests run the building on a fixed Monday morning, whatever the hour.
MONDAY_MORNING = "2026-11-23T08:00+07:00"
HUB_READY = "hub ready"
EDGE_READY = "started in"
LINES_KEPT = 5000


def rss_mb(pid: int) -> float:
    """VmRSS of ``pid`` in MB, from ``/proc/<pid>/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def clock_env(start: str = MONDAY_MORNING) -> dict[str, str]:
    """The environment that puts a hub and its devices on one clock starting at ``start``.

    ``MPP_CLOCK_OFFSET_S`` (protocol/clock.py): every process started with it agrees on
    the time, so no command looks stale, whatever the hour the bench runs.
    """
    from protocol.clock import CLOCK_OFFSET_ENV

    at = datetime.fromisoformat(start)
    return {CLOCK_OFFSET_ENV: f"{(at - datetime.now(at.tzinfo)).total_seconds():.3f}"}


class DemoStartError(RuntimeError):
    """A process of the demo's building did not start; said in one line with its log."""


class MppProcess:
    """One ``mpp …`` child process with its stderr read line by line."""

    def __init__(
        self,
        args: list[str],
        ready_line: str,
        log: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.args = [sys.executable, "-m", "mpp.cli", *args]
        self.ready_line = ready_line
        self.log = log
        self.env = dict(env) if env is not None else None
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []  # the latest LINES_KEPT..2×LINES_KEPT lines
        self._started = 0.0
        self._seen: deque[tuple[float, str]] = deque(maxlen=LINES_KEPT)
        self._changed = threading.Condition()
        self._ended = False
        self._reader: threading.Thread | None = None

    @property
    def name(self) -> str:
        return " ".join(self.args[3:5])

    def spawn(self) -> None:
        """Start the process and the reader of its stderr; do not wait for anything.

        A restarted process (after :meth:`kill` or :meth:`stop`) starts a new record.
        """
        with self._changed:
            self.lines = []
            self._seen.clear()
            self._ended = False
        self._started = time.perf_counter()
        env = {**os.environ, **self.env} if self.env is not None else None
        # Its own session: a Ctrl-C in the terminal goes to the parent only, which
        # stops its children in order (devices, hub, then broker), as a building would.
        self.process = subprocess.Popen(
            self.args,
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name="mpp-stderr", daemon=True)
        self._reader.start()

    def start(self, timeout: float = 60.0) -> float:
        """Start; returns the seconds from process start to its ready line."""
        self.spawn()
        return self.wait_for(self.ready_line, timeout)

    def wait_for(self, text: str, timeout: float = 10.0, after: float | None = None) -> float:
        """Seconds from process start to the first stderr line containing ``text``
        (read after the ``time.perf_counter()`` instant ``after``, when given).

        Raises if the process ends, or ``timeout`` passes, before such a line.
        """

        def found() -> float | None:
            return next(
                (
                    at
                    for at, line in list(self._seen)
                    if text in line and (after is None or at > after)
                ),
                None,
            )

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or self._ended, timeout)
            at = found()
        if at is not None:
            return at - self._started
        assert self.process is not None
        tail = "".join(self.lines[-20:])
        if self._ended:
            code = self.process.wait()
            raise RuntimeError(f"{self.name} exited with {code} before {text!r}:\n{tail}")
        raise TimeoutError(f"no {text!r} from {self.name} within {timeout} s:\n{tail}")

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
                    if len(self.lines) > 2 * LINES_KEPT:
                        del self.lines[:LINES_KEPT]
                    self._seen.append((at, line))
                    self._changed.notify_all()
        finally:
            if handle is not None:
                handle.close()
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def rss_mb(self) -> float:
        """Resident memory (VmRSS) in MB, read from ``/proc`` (Linux)."""
        assert self.process is not None
        return rss_mb(self.process.pid)

    def open_fds(self) -> int:
        """Open file descriptors: sockets, files, pipes (Linux)."""
        assert self.process is not None
        return sum(1 for _ in Path(f"/proc/{self.process.pid}/fd").iterdir())

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


class HubProcess(MppProcess):
    """``mpp hub run`` against a broker's loopback listener."""

    def __init__(
        self,
        port: int,
        secrets: Path,
        db: Path,
        clock_start: str | None = None,
        log: Path | None = None,
        env: Mapping[str, str] | None = None,
        site: Path | None = None,
        inventory: Path | None = None,
    ) -> None:
        args = ["hub", "run", "--port", str(port), "--secrets", str(secrets), "--db", str(db)]
        if clock_start:
            args += ["--clock-start", clock_start]
        if site is not None:
            args += ["--site", str(site)]
        if inventory is not None:
            args += ["--inventory", str(inventory)]
        super().__init__(args, HUB_READY, log, env)

    @classmethod
    def on(
        cls,
        broker: Any,
        db: Path,
        clock_start: str | None = MONDAY_MORNING,
        log: Path | None = None,
        env: Mapping[str, str] | None = None,
        site: Path | None = None,
        inventory: Path | None = None,
    ) -> HubProcess:
        """A hub on a local broker (``mqtt_broker.local.LocalBroker``) and its credentials."""
        return cls(
            broker.local_port,
            broker.directory / "mqtt-credentials.json",
            db,
            clock_start,
            log,
            env,
            site,
            inventory,
        )


class EdgeProcess(MppProcess):
    """``mpp edge --config FILE [--simulate]``: one device agent, as systemd runs it."""

    def __init__(
        self,
        config: Path,
        host: str,
        port: int,
        secrets: Path,
        state_dir: Path | None = None,
        simulate: bool = True,
        log: Path | None = None,
        env: Mapping[str, str] | None = None,
        tls_dir: Path | None = None,
    ) -> None:
        args = ["edge", "--config", str(config), "--host", host, "--port", str(port)]
        args += ["--secrets", str(secrets)]
        if tls_dir is not None:
            args += ["--tls-dir", str(tls_dir)]
        if state_dir is not None:
            args += ["--state-dir", str(state_dir)]
        if simulate:
            args.append("--simulate")
        super().__init__(args, EDGE_READY, log, env)
        self.config = config

    @classmethod
    def on(
        cls,
        broker: Any,
        config: Path,
        state_dir: Path,
        simulate: bool = True,
        log: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> EdgeProcess:
        """A device agent on a local broker's LAN listener with the broker's credentials,
        over TLS with the site CA (as in a building) unless the broker is plain."""
        return cls(
            config,
            broker.host,
            broker.port,
            broker.directory / "mqtt-credentials.json",
            state_dir,
            simulate,
            log,
            env,
            broker.tls_dir,
        )


RECEIVER_READY = "upstream receiver ready"


class ReceiverProcess(MppProcess):
    """``mpp upstream run``: the reference receiver on a regional broker."""

    def __init__(
        self,
        port: int,
        password: str,
        db: Path,
        log: Path | None = None,
        ca: Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        args = ["upstream", "run", "--host", host, "--port", str(port), "--db", str(db)]
        if ca is not None:
            args += ["--ca", str(ca)]
        super().__init__(args, RECEIVER_READY, log, {"MPP_UPSTREAM_PASSWORD": password})
