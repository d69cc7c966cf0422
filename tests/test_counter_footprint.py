"""What a counter unit builds and loads: only what its role uses (its goal is 45 MB).

A counter unit is run as systemd runs it, ``mpp edge --config counter-01.toml
--simulate``, against a real Mosquitto and ``mpp hub run``; an officer opens the
counter (a command and the hub's reply). When it has stopped, a probe on its
``PYTHONPATH`` (tests/memory_probe/sitecustomize.py) says which pydantic models
it built and which modules it imported. Every validator built stays resident
all day: these fail when a saving is undone, without timing or weighing memory
(the figures are bench/soak.py's and bench/counter_footprint.py's).
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory
from mpp.process import EdgeProcess, HubProcess
from mqtt_broker.local import start_local_broker

PROBE = Path(__file__).parent / "memory_probe"


@pytest.fixture(scope="module")
def counter_record(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> Iterator[dict]:
    """The probe's record of a counter unit that opened its counter and stopped."""
    directory = tmp_path_factory.mktemp("footprint")
    broker = start_local_broker(directory, inventory)
    hub = HubProcess.on(broker, directory / "hub.db")
    hub.start()
    record = directory / "probe.json"
    state = directory / "state"
    env = {"PYTHONPATH": str(PROBE), "MPP_MEMORY_PROBE": str(record)}
    device = EdgeProcess.on(
        broker, DEFAULT_INVENTORY / DEVICES_DIR / "counter-01.toml", state, env=env
    )
    try:
        device.start(timeout=60)
        device.wait_for("connected as counter-01", 20)
        with ControlClient(socket_path(state, "counter-01")) as officer:
            officer.ask("hold", button="next")  # the officer picks their name…
            opened = officer.ask("press", button="finish")  # …and the hub opens the counter
        assert opened["state"] == "open", opened
        device.send(signal.SIGTERM)
        assert device.wait(10) == 0, "".join(device.lines[-20:])
        yield json.loads(record.read_text())
    finally:
        device.stop()
        hub.stop()
        broker.stop()


def test_the_device_file_is_read_with_the_counters_model_only(counter_record: dict) -> None:
    built = set(counter_record["built"])
    assert "firmware_config.schema.CounterDeviceConfig" in built
    others = {
        f"firmware_config.schema.{name}"
        for name in (
            "DeviceConfig",  # every role's sections
            "KioskUnitConfig",
            "DisplayUnitConfig",
            "RunningTextConfig",
            "SignaturePadConfig",
            "HubConfig",
            "AccountsFile",
        )
    }
    assert built & others == set(), "built at import or read with every role's sections"


def test_replies_are_read_without_the_admins_answers(counter_record: dict) -> None:
    built = set(counter_record["built"])
    assert "protocol.models.replies.DeviceReply" in built, "the hub's reply was read"
    admin_only = {
        "protocol.models.replies.Reply",
        "protocol.models.overview.HubOverview",
        "protocol.models.reports.Report",
        "protocol.models.signature.Receipt",
    }
    assert built & admin_only == set()


def test_the_counter_loads_no_other_part_of_the_system(counter_record: dict) -> None:
    parts = ("hub", "admin", "upstream", "provision", "mqtt_broker", "pygame", "numpy", "rich")
    loaded = [m for m in counter_record["modules"] if m.split(".")[0] in parts]
    assert loaded == []
