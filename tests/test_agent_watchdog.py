"""systemd's watchdog on a real `mpp edge --simulate` process: pings while the loop turns.

The test plays systemd: it binds the `$NOTIFY_SOCKET` datagram socket (the
abstract `@` form, as systemd uses), sets `WATCHDOG_USEC`, and reads what
the agent says. Each role must say READY=1, then ping WATCHDOG=1 at half the
interval; when its main loop hangs (the simulation's `hang` hook through the
control socket) the pings stop, so systemd would restart it. Each test has a
broker of its own: the agents' retained births must not reach tests sharing
the session's broker. Nothing sleeps: the test waits on datagrams and log
lines with timeouts.
"""

from __future__ import annotations

import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR
from mpp.process import EdgeProcess
from mqtt_broker.local import LocalBroker

WATCHDOG_S = 0.6  # pings every 0.3 s
ROLES = ["counter-01", "kiosk-01", "display-01", "runtext-01"]


class FakeSystemd:
    """The receiving end of sd_notify: one abstract datagram socket."""

    def __init__(self) -> None:
        self.name = f"mpp-test-notify-{uuid.uuid4().hex}"
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind("\0" + self.name)

    @property
    def env(self) -> dict[str, str]:
        return {"NOTIFY_SOCKET": "@" + self.name, "WATCHDOG_USEC": str(int(WATCHDOG_S * 1e6))}

    def next(self, timeout: float) -> dict[str, str] | None:
        """The next message as a dict, or None when none comes within ``timeout``."""
        self.socket.settimeout(timeout)
        try:
            data = self.socket.recv(4096)
        except TimeoutError:
            return None
        return dict(line.split("=", 1) for line in data.decode().splitlines())

    def until(self, key: str, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.next(left)
            if message is not None and key in message:
                return message
        raise AssertionError(f"no {key} within {timeout} s")

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def systemd() -> Iterator[FakeSystemd]:
    listener = FakeSystemd()
    yield listener
    listener.close()


@pytest.fixture
def state_dir(tmp_path: Path, clip_dir: Path) -> Path:
    shutil.copytree(clip_dir, tmp_path / "voice-clips")
    return tmp_path


@pytest.mark.parametrize("device_id", ROLES)
def test_pings_follow_the_agent_loop_and_stop_when_it_hangs(
    fresh_broker: LocalBroker, systemd: FakeSystemd, state_dir: Path, device_id: str
) -> None:
    config = DEFAULT_INVENTORY / DEVICES_DIR / f"{device_id}.toml"
    device = EdgeProcess.on(fresh_broker, config, state_dir, env=systemd.env)
    device.start(timeout=60)
    try:
        ready = systemd.until("READY", 20)
        assert device_id in ready["STATUS"]
        status = ready["STATUS"]
        while "broker" not in status or "unreachable" in status:  # says when it connects
            status = systemd.until("STATUS", 20)["STATUS"]
        assert status.endswith("connected"), status
        for _ in range(3):
            assert "WATCHDOG" in systemd.until("WATCHDOG", 5 * WATCHDOG_S)
        with ControlClient(socket_path(state_dir, device_id)) as hand:
            assert hand.ask("hang")["ok"]
        # A ping already on its way may still come; then three intervals of silence.
        deadline = time.monotonic() + 10
        while (message := systemd.next(3 * WATCHDOG_S)) is not None:
            assert time.monotonic() < deadline, f"still pinging after the hang: {message}"
        device.wait_for("main loop has not turned", 5)
        assert "Traceback" not in "".join(device.lines)
    finally:
        device.kill()


def test_no_socket_no_watchdog_thread(fresh_broker: LocalBroker, state_dir: Path) -> None:
    """Without NOTIFY_SOCKET (a terminal, the demo) the agent runs exactly as before."""
    config = DEFAULT_INVENTORY / DEVICES_DIR / "runtext-01.toml"
    device = EdgeProcess.on(fresh_broker, config, state_dir, env={"NOTIFY_SOCKET": ""})
    device.start(timeout=60)
    try:
        with ControlClient(socket_path(state_dir, "runtext-01")) as hand:
            assert hand.ask("status")["ok"]
        assert "notify" not in "".join(device.lines).lower()
    finally:
        device.stop()
