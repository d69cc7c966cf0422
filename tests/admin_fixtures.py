"""A building for the admin console's tests: a real broker, a real `mpp hub run`, and
`mpp admin …` run as a process, all on one Monday-morning clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mpp.process import PROJECT_ROOT, HubProcess
from mqtt_broker.local import LocalBroker, start_local_broker
from protocol.clock import CLOCK_OFFSET_ENV, clock_offset
from protocol.models import Reply, TicketPrinted, TicketReserve
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.hub_harness import MONDAY_0800
from tests.mqtt_client import RecordingClient

COMMAND_TIMEOUT_S = 60.0  # a whole `mpp admin` process on a loaded 2-core machine


def monday_env() -> dict[str, str]:
    offset = (MONDAY_0800 - datetime.now(MONDAY_0800.tzinfo)).total_seconds()
    return {CLOCK_OFFSET_ENV: f"{offset:.3f}"}


@contextmanager
def shared_clock(env: dict[str, str]) -> Iterator[None]:
    """This test process on the building's clock too (device clients stamp with it)."""
    before = os.environ.get(CLOCK_OFFSET_ENV)
    os.environ[CLOCK_OFFSET_ENV] = env[CLOCK_OFFSET_ENV]
    clock_offset.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CLOCK_OFFSET_ENV, None)
        else:
            os.environ[CLOCK_OFFSET_ENV] = before
        clock_offset.cache_clear()


@dataclass
class Building:
    broker: LocalBroker
    hub: HubProcess
    env: dict[str, str]
    db: Path
    devices: dict[str, DeviceClient] = field(default_factory=dict)

    @property
    def secrets(self) -> Path:
        return self.broker.directory / "mqtt-credentials.json"

    def admin_args(self, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "mpp.cli", "admin",
            "--broker", f"{self.broker.host}:{self.broker.port}",
            "--secrets", str(self.secrets),
            *args,
        ]  # fmt: skip

    def admin(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``mpp admin …`` as a process; its output and exit code."""
        return subprocess.run(
            self.admin_args(*args),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            env={**os.environ, **self.env, "COLUMNS": "200", **(env or {})},
            check=False,
        )

    def admin_ok(self, *args: str) -> str:
        result = self.admin(*args)
        assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stderr}"
        return result.stdout

    def admin_json(self, *args: str) -> Any:
        return json.loads(self.admin_ok(*args, "--json"))

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = self.admin_json("status")
        return data

    def device(self, device_id: str, role: Role) -> DeviceClient:
        if device_id not in self.devices:
            self.devices[device_id] = DeviceClient(self.broker, device_id, role)
        return self.devices[device_id]

    def issue(self, service: str, kiosk: str = "kiosk-01") -> Reply:
        """A ticket printed at a kiosk, as the kiosk does it."""
        device = self.device(kiosk, Role.KIOSK)
        reserved = device.ok(TicketReserve, service=service)
        assert reserved.ticket is not None
        device.ok(TicketPrinted, ticket_id=reserved.ticket.ticket_id)
        return reserved

    def watcher(self) -> RecordingClient:
        """Reads retained state as a display does."""
        client = RecordingClient(
            self.broker.host,
            self.broker.port,
            "display-01",
            self.broker.password("display-01"),
            tls=self.broker.tls("display-01"),
        )
        client.connect()
        client.subscribe("mpp/state/#")
        return client

    def stop(self) -> None:
        for device in self.devices.values():
            device.stop()
        self.hub.stop()
        self.broker.stop()


def start_building(directory: Path, inventory: Any) -> Building:
    broker = start_local_broker(directory, inventory)
    env = monday_env()
    db = directory / "hub.db"
    hub = HubProcess.on(broker, db, clock_start=None, env=env)
    hub.start()
    return Building(broker, hub, env, db)


def status_of(status: dict[str, Any], kind: str, key: str, value: object) -> dict[str, Any]:
    """One row of ``status --json`` (``kind`` counters/services/devices)."""
    field_name = {"counters": "counter", "services": "service", "devices": "device_id"}[kind]
    rows = [row for row in status[kind] if row[field_name] == value]
    assert rows, f"no {kind} row {key}={value}"
    return rows[0]
