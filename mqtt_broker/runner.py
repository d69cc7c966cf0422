"""Running a real ``mosquitto`` as a child process (tests, benches, the demo).

Readiness is an event, not a delay: the runner reads the broker's log and
returns once it says it is running and the port accepts connections.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

INSTALL_HINT = "install it with `sudo apt-get install mosquitto mosquitto-clients`"
_SEARCH_PATH = "/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin"


class BrokerStartError(RuntimeError):
    """Mosquitto is missing, or did not come up; the message carries its log."""


def mosquitto_binary() -> str:
    """Path of the ``mosquitto`` binary (Debian installs it in /usr/sbin)."""
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path=_SEARCH_PATH)
    if found is None:
        raise BrokerStartError(f"mosquitto not found: {INSTALL_HINT}")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class MosquittoProcess:
    """One mosquitto child process started from a rendered configuration."""

    def __init__(self, conf: Path, port: int, host: str = "127.0.0.1") -> None:
        self.conf = conf
        self.port = port
        self.host = host
        self.log: deque[str] = deque(maxlen=400)
        self._running = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start mosquitto and return once it accepts TCP connections."""
        self._running.clear()
        self._process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
            # Its own session: a Ctrl-C in the terminal reaches the process that
            # started it, which stops the broker last, after its clients.
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read_log, name="mosquitto-log", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        if not self._running.wait(timeout):
            self.stop()
            raise BrokerStartError(f"mosquitto did not start in {timeout} s:\n{self.log_text()}")
        if self._process.poll() is not None:
            raise BrokerStartError(f"mosquitto exited at start:\n{self.log_text()}")
        self._wait_for_port(deadline)

    def _read_log(self) -> None:
        process = self._process
        if process is None or process.stdout is None:
            return
        for line in process.stdout:
            self.log.append(line.rstrip("\n"))
            if " running" in line:
                self._running.set()
        self._running.set()  # exited: wake up start() so it can report

    def _wait_for_port(self, deadline: float) -> None:
        while True:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError as error:
                if (
                    time.monotonic() > deadline
                    or self._process is None
                    or (self._process.poll() is not None)
                ):
                    self.stop()
                    raise BrokerStartError(
                        f"mosquitto not accepting on {self.host}:{self.port}: {error}\n"
                        f"{self.log_text()}"
                    ) from error
                threading.Event().wait(0.02)

    @property
    def pid(self) -> int | None:
        """Process id of the running broker, ``None`` when stopped."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop mosquitto (SIGTERM, then SIGKILL) and wait for it."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        self._process = None

    def log_text(self) -> str:
        return "\n".join(self.log)

    def __enter__(self) -> MosquittoProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
