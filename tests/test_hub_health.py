"""systemd readiness and watchdog (sd_notify) of the hub.

The process tests run ``mpp hub run`` with ``NOTIFY_SOCKET`` pointing at a
Unix datagram socket the test binds, as systemd does for ``Type=notify``
units. That a stuck worker stops the pings is shown in-process, with a
stand-in link whose worker the test blocks: a production hub has no way to
be told to hang.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore
from hub.health import Notifier, Watchdog
from mpp.process import HubProcess
from mqtt_broker.local import LocalBroker
from mqtt_broker.runner import free_port

WATCHDOG_USEC = 400_000  # pings every 0.2 s
WAIT = 10.0


class NotifySocket:
    """The service manager's end: a bound Unix datagram socket, read with timeouts."""

    def __init__(self, address: str) -> None:
        self.address = address  # as NOTIFY_SOCKET spells it ("@…" is the abstract namespace)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)

    def receive(self, timeout: float = WAIT) -> set[str] | None:
        """The lines of the next datagram, or ``None`` if none came within ``timeout``."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return None
        return set(data.decode().splitlines())

    def wait_for(self, line: str, timeout: float = WAIT) -> set[str]:
        """The first datagram holding ``line``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.receive(left)
            if message is not None and line in message:
                return message
        raise AssertionError(f"no {line!r} within {timeout} s")

    def drain(self) -> None:
        while self.receive(0.001) is not None:
            pass

    def close(self) -> None:
        self.sock.close()
        if not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)


@pytest.fixture
def notify_socket() -> Iterator[NotifySocket]:
    # A short path: sun_path holds 108 bytes, pytest's tmp_path can be longer.
    directory = Path(tempfile.mkdtemp(prefix="mpp-notify-"))
    listener = NotifySocket(str(directory / "notify"))
    yield listener
    listener.close()
    directory.rmdir()


def _systemd_env(listener: NotifySocket) -> dict[str, str]:
    return {"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": str(WATCHDOG_USEC)}


# -- the process ----------------------------------------------------------------------


def test_the_hub_says_ready_then_keeps_pinging_the_watchdog(
    fresh_broker: LocalBroker, tmp_path: Path, notify_socket: NotifySocket
) -> None:
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db", env=_systemd_env(notify_socket))
    hub.spawn()
    try:
        ready = notify_socket.wait_for("READY=1", 30)
        assert any(line.startswith("STATUS=serving ") for line in ready), ready
        hub.wait_for("hub ready")
        pings = [notify_socket.receive(2.0) for _ in range(5)]
        assert all(ping == {"WATCHDOG=1"} for ping in pings), pings
        hub.send(signal.SIGTERM)
        notify_socket.wait_for("STOPPING=1")
        assert hub.wait() == 0
    finally:
        hub.stop()
    assert "Traceback" not in "".join(hub.lines)


def test_a_hub_waiting_for_its_broker_is_not_ready_but_alive(
    tmp_path: Path, notify_socket: NotifySocket
) -> None:
    """Not ready without a broker; the pings extend systemd's start timeout meanwhile."""
    secrets = tmp_path / "mqtt-credentials.json"
    CredentialStore(secrets).ensure(["hub"], {})
    hub = HubProcess(free_port(), secrets, tmp_path / "hub.db", env=_systemd_env(notify_socket))
    hub.spawn()
    try:
        for _ in range(3):
            message = notify_socket.receive(5.0)
            assert message == {"WATCHDOG=1", f"EXTEND_TIMEOUT_USEC={WATCHDOG_USEC}"}, message
    finally:
        assert hub.stop() == 0
    assert "READY=1" not in str(notify_socket.receive(0.5))


# -- the watchdog and a stuck worker ------------------------------------------------------


class StandInLink:
    """The part of MqttLink a watchdog uses: one worker thread running posted jobs."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def call_soon(self, job: Callable[[], None]) -> None:
        self.inbox.put(job)

    def _work(self) -> None:
        while (job := self.inbox.get()) is not None:
            job()

    def stop(self) -> None:
        self.inbox.put(None)
        self.worker.join(WAIT)


def test_a_stuck_worker_stops_the_pings_and_they_resume_when_it_moves() -> None:
    listener = NotifySocket(f"@mpp-test-{uuid.uuid4().hex}")
    link = StandInLink()
    notifier = Notifier(listener.address, watchdog_s=0.1)
    notifier.ready("test")
    watchdog = Watchdog.for_systemd(notifier, link.call_soon)
    assert watchdog is not None and watchdog.every_s == pytest.approx(0.05)
    release = threading.Event()
    try:
        listener.wait_for("READY=1")
        watchdog.start()
        for _ in range(3):
            assert listener.receive(1.0) == {"WATCHDOG=1"}

        link.call_soon(lambda: release.wait(WAIT))  # the worker hangs on this job
        listener.drain()  # a ping already on its way
        assert listener.receive(0.5) is None, "pinged while the worker was stuck"
        assert link.inbox.qsize() <= 1, "pings piled up behind the stuck worker"

        release.set()
        assert listener.receive(1.0) == {"WATCHDOG=1"}
    finally:
        release.set()
        watchdog.stop()
        link.stop()
        listener.close()


# -- the notifier -------------------------------------------------------------------------


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier.from_environment({"WATCHDOG_USEC": "400000"})
    assert not notifier.enabled
    assert notifier.ready("x") is False
    assert Watchdog.for_systemd(notifier, lambda job: None) is None


def test_the_watchdog_is_only_for_the_process_systemd_meant() -> None:
    mine = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "400000", "WATCHDOG_PID": str(os.getpid())}
    assert Notifier.from_environment(mine).watchdog_s == pytest.approx(0.4)
    parents = {**mine, "WATCHDOG_PID": str(os.getpid() + 1)}
    assert Notifier.from_environment(parents).watchdog_s is None
    assert Notifier.from_environment({"NOTIFY_SOCKET": "@x"}).watchdog_s is None


def test_a_missing_listener_is_logged_once_and_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notifier = Notifier(f"@mpp-test-nobody-{uuid.uuid4().hex}")
    with caplog.at_level(logging.WARNING, logger="hub.health"):
        assert notifier.ping() is False
        assert notifier.ping() is False
    assert len(caplog.records) == 1
    assert "cannot notify systemd" in caplog.records[0].getMessage()
