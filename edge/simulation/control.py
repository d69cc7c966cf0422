"""A line-JSON control socket beside a simulated device: ``{"do": "press", ...}`` → state.

Why a socket: the demo and the tests run every device as its own ``mpp edge
--simulate`` process, as a building does, so the simulated people (an
officer's finger on a MockFactory pin, a citizen's finger on the kiosk's
touch screen) must reach into that process from outside. One request per
line, one JSON answer per line; a bad request gets ``{"ok": false, "error": …}``
and the device keeps running.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
Answer = dict[str, Any]
Action = Callable[[dict[str, Any]], Answer]


def socket_path(state_dir: Path, device_id: str) -> Path:
    return state_dir / f"{device_id}.sock"


class ControlServer:
    """Serves ``actions[request["do"]](request)`` on a Unix socket until closed."""

    def __init__(self, path: Path, actions: dict[str, Action]) -> None:
        self.path = path
        self.actions = actions
        path.unlink(missing_ok=True)
        outer = self

        class _Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                try:
                    for line in self.rfile:
                        answer = outer.answer(line)
                        self.wfile.write(json.dumps(answer).encode() + b"\n")
                except OSError as error:  # the person walked away mid-answer
                    log.debug("control client gone: %s", error)

        self._server = socketserver.ThreadingUnixStreamServer(str(path), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits one interval: stop fast
            name="simulation-control",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)

    def answer(self, line: bytes) -> Answer:
        try:
            request = json.loads(line)
            action = self.actions[request["do"]]
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "error": f"not understood: {line[:80]!r}"}
        try:
            return {"ok": True, **action(request)}
        except (LookupError, ValueError, TimeoutError) as error:
            return {"ok": False, "error": str(error)}


class ControlClient:
    """The other end: one connection, one request at a time."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(timeout)
        self._socket.connect(str(path))
        self._reader = self._socket.makefile("rb")
        self._lock = threading.Lock()

    def ask(self, do: str, **fields: Any) -> Answer:
        with self._lock:
            self._socket.sendall(json.dumps({"do": do, **fields}).encode() + b"\n")
            line = self._reader.readline()
        if not line:
            raise ConnectionError(f"{self.path}: the device closed its control socket")
        answer: Answer = json.loads(line)
        return answer

    def shutdown(self) -> None:
        """Unblock a request waiting for its answer (from another thread)."""
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._reader.close()
        self._socket.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
