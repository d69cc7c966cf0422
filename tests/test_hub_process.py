"""``mpp hub run`` as systemd runs it: a process, stopped by a signal, on a real broker.

Nothing here sleeps: the tests wait on the hub's log lines, on retained MQTT
messages and on the process's exit.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import Inventory
from mpp.process import HubProcess
from mqtt_broker.local import LOOPBACK, LocalBroker, local_settings
from mqtt_broker.render import render_broker
from mqtt_broker.runner import MosquittoProcess, free_port
from protocol.models import Command, CounterSync, TicketReserve, utc_now
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.mqtt_client import RecordingClient

STOP_WITHIN_S = 2.0
WAITING_WITHIN_S = 5.0


@pytest.fixture
def hub(fresh_broker: LocalBroker, tmp_path: Path) -> Iterator[HubProcess]:
    """A hub process on the test's broker, on the system clock (as in a building)."""
    process = HubProcess.on(fresh_broker, tmp_path / "hub.db", clock_start=None)
    process.start()
    yield process
    process.stop()


def _hub_status(broker: LocalBroker) -> dict[str, object]:
    """The retained hub status, as a device connecting now reads it."""
    reader = RecordingClient(
        broker.host,
        broker.port,
        "display-01",
        broker.password("display-01"),
        "status-reader",
        tls=broker.tls("display-01"),
    )
    reader.connect()
    try:
        reader.subscribe("mpp/hub/status")
        message = reader.wait_for("mpp/hub/status")
        assert message.retain
        return json.loads(message.payload)  # type: ignore[no-any-return]
    finally:
        reader.stop()


def _stop(hub: HubProcess, signum: int) -> tuple[int, float]:
    """Send ``signum``; the exit code and the seconds until the process had ended."""
    sent = time.perf_counter()
    hub.send(signum)
    code = hub.wait(timeout=10)
    return code, time.perf_counter() - sent


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_hub_quickly_and_cleanly(
    hub: HubProcess, fresh_broker: LocalBroker, tmp_path: Path, signum: int
) -> None:
    online = _hub_status(fresh_broker)
    assert online["state"] == "online"

    code, took = _stop(hub, signum)

    assert code == 0, "".join(hub.lines[-20:])
    assert took < STOP_WITHIN_S, f"stopped in {took:.2f} s"
    offline = _hub_status(fresh_broker)
    assert offline["state"] == "offline"
    assert offline["session"] == online["session"]  # its own goodbye, not a stale will
    # The store was closed: SQLite removes the WAL with the last connection.
    assert (tmp_path / "hub.db").exists()
    assert not (tmp_path / "hub.db-wal").exists()
    output = "".join(hub.lines)
    assert "hub stopped" in output
    assert "Traceback" not in output


def _send_with_clock_off(device: DeviceClient, command: Command, skew: timedelta) -> None:
    """Send ``command`` as if the device's clock were ``skew`` off; any answer will do
    (the hub has judged the clock before it answers)."""
    issued = utc_now() + skew
    device.request(
        command.model_copy(
            update={"issued_at": issued, "expires_at": issued + timedelta(minutes=1)}
        )
    )


def test_a_skewed_device_clock_is_reported_once_until_it_is_right_again(
    hub: HubProcess, fresh_broker: LocalBroker
) -> None:
    counter = DeviceClient(fresh_broker, "counter-01", Role.COUNTER)
    kiosk = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    an_hour = timedelta(hours=1)
    try:
        for _ in range(3):
            _send_with_clock_off(counter, counter.command(CounterSync), an_hour)
        for _ in range(2):
            reserve = kiosk.command(TicketReserve, service="DUK-KTP")
            _send_with_clock_off(kiosk, reserve, -an_hour)
        _send_with_clock_off(counter, counter.command(CounterSync), timedelta())  # synced
        for _ in range(2):
            _send_with_clock_off(counter, counter.command(CounterSync), -an_hour)  # off again
    finally:
        counter.stop()
        kiosk.stop()
    assert hub.stop() == 0

    def count(text: str) -> int:
        return sum(text in line for line in hub.lines)

    assert count("clock of counter-01 is off by") == 2
    assert count("clock of counter-01 is back in range") == 1
    assert count("clock of kiosk-01 is off by") == 1


def test_hub_started_before_its_broker_waits_for_it_and_then_serves(
    tmp_path: Path, inventory: Inventory
) -> None:
    """systemd may start the hub first: it says it is waiting, keeps trying, then serves."""
    settings = local_settings(tmp_path)
    settings.persistence_dir.mkdir(parents=True)
    secrets = tmp_path / "mqtt-credentials.json"
    rendered = render_broker(inventory, tmp_path / "broker", settings, CredentialStore(secrets))
    hub = HubProcess(settings.local_port, secrets, tmp_path / "hub.db")
    broker = MosquittoProcess(rendered.conf, settings.lan_port, LOOPBACK)
    hub.spawn()
    try:
        waiting = hub.wait_for(f"waiting for broker at {LOOPBACK}:{settings.local_port}", 10)
        assert waiting < WAITING_WITHIN_S
        assert hub.process is not None and hub.process.poll() is None
        broker.start()
        hub.wait_for("hub ready", 15)
        code, took = _stop(hub, signal.SIGTERM)
        assert code == 0 and took < STOP_WITHIN_S, f"exit {code} after {took:.2f} s"
    finally:
        hub.stop()
        broker.stop()
    assert "Traceback" not in "".join(hub.lines)


def test_hub_with_no_broker_keeps_waiting_and_stops_on_sigterm(tmp_path: Path) -> None:
    secrets = tmp_path / "mqtt-credentials.json"
    CredentialStore(secrets).ensure(["hub"], {})
    port = free_port()  # nothing listens there
    hub = HubProcess(port, secrets, tmp_path / "hub.db")
    hub.spawn()
    try:
        waiting = hub.wait_for(f"waiting for broker at 127.0.0.1:{port} (attempt ", 10)
        assert waiting < WAITING_WITHIN_S, f"first said after {waiting:.2f} s"
        assert hub.process is not None and hub.process.poll() is None
        code, took = _stop(hub, signal.SIGTERM)
    finally:
        hub.stop()
    assert code == 0, "".join(hub.lines[-20:])
    assert took < STOP_WITHIN_S, f"stopped in {took:.2f} s"
    output = "".join(hub.lines)
    assert "Traceback" not in output
    assert "hub ready" not in output


def test_hub_warns_at_start_when_quotas_exceed_what_counters_serve(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """A site whose Dukcapil quotas (470) exceed its counters' day (≈ 222) still runs;
    `mpp hub run` says so once at start, naming the agency."""
    site = tmp_path / "site.toml"
    default = Path(__file__).resolve().parent.parent / "hub/site/sites/lampung-timur.toml"
    site.write_text(default.read_text().replace("daily_quota = 80\n", "daily_quota = 330\n", 1))
    process = HubProcess.on(fresh_broker, tmp_path / "hub.db", site=site)
    process.start()
    try:
        process.wait_for("agencies (DUKCAPIL): daily quotas need 3,")
        assert "about 222 tickets" in "".join(process.lines)
    finally:
        process.stop()
