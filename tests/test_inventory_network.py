"""The network part of the inventory under `mpp config validate`: every fault in one run.

A copy of the bundled inventory gets one fault per file (a static address
missing, a gateway off the network, a Wi-Fi key written into the file, two
Pis with one host name or address, a device the hub serves no time to, a hub
address that is not the hub's); the command lists each as
`file: field: message`, exits 2, and never prints a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "firmware_config"


def _validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", "config", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    root = tmp_path / "inventory"
    shutil.copytree(INVENTORY, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


DHCP = 'mode = "dhcp"\ninterface = "ethernet"'
FAULTS = {
    "counter-03": (DHCP, 'mode = "static"\ninterface = "ethernet"'),
    "display-01": ('gateway = "192.168.10.1"', 'gateway = "192.168.20.1"'),
    "kiosk-02": ('wifi_psk_ref = "wifi-mpp-perangkat"\n', ""),
    "kiosk-01": (DHCP, DHCP + '\nwifi_psk = "rahasia-lobi"'),
    "counter-04": (DHCP, DHCP + '\nhostname = "mpp-counter-05"'),
    "runtext-01": ('address = "192.168.10.21/24"', 'address = "192.168.10.2/24"'),
    "counter-06": (DHCP, 'mode = "static"\naddress = "10.0.0.5/24"\ninterface = "ethernet"'),
    "counter-07": ('hub = "192.168.10.2"', 'hub = "192.168.10.99"'),
    "counter-08": (DHCP, DHCP + '\nhostname = "Loket_8"'),
    "counter-09": (DHCP, DHCP + '\naddress = "192.168.10.30/24"'),
    "counter-10": (DHCP, DHCP + '\nwifi_country = "id"'),
}
EXPECTED = {
    "counter-03": "network: Value error, mode = 'static' needs an address",
    "display-01": "network: Value error, gateway 192.168.20.1 is outside the address's network "
    "192.168.10.0/24",
    "kiosk-02": "network: Value error, interface = 'wifi' needs wifi_psk_ref",
    "kiosk-01": "network.wifi_psk: Extra inputs are not permitted",
    "counter-05": "network.hostname: 'mpp-counter-05' is already the host name of counter-04.toml",
    "runtext-01": "network.address: 192.168.10.2 is already the address of hub.toml",
    "counter-06": "network.address: 10.0.0.5 is outside the networks the hub serves the time to "
    "(192.168.10.0/24; see time.allow in hub.toml)",
    "counter-07": "hub: warning: '192.168.10.99' is not the hub of",
    "counter-08": "network.hostname: String should match pattern",
    "counter-09": "network: Value error, address is set but mode = 'dhcp' (set mode = 'static')",
    "counter-10": "network.wifi_country: String should match pattern '^[A-Z]{2}$'",
}


def test_every_network_fault_is_reported_in_one_run(inventory: Path) -> None:
    for device_id, (old, new) in FAULTS.items():
        _edit(inventory / "devices" / f"{device_id}.toml", old, new)
    result = _validate(inventory)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for device_id, message in EXPECTED.items():
        prefix = f"{inventory / 'devices' / device_id}.toml: "
        mine = [line for line in lines if line.startswith(prefix)]
        assert any(line[len(prefix) :].startswith(message) for line in mine), (device_id, mine)
    assert "rahasia-lobi" not in result.stderr  # a key typed into the file is not echoed


def test_the_hub_file_is_checked(inventory: Path) -> None:
    hub = inventory / "hub.toml"
    _edit(hub, 'mode = "static"', 'mode = "dhcp"')
    _edit(hub, 'address = "192.168.10.2/24"\ngateway = "192.168.10.1"\n', "")
    _edit(hub, 'allow = ["192.168.10.0/24"]\n', "")
    result = _validate(inventory)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{hub}: ")]
    assert lines == [
        f"{hub}: (file): Value error, time.allow is needed when the hub has no static address "
        "(the LAN the hub serves the time to, e.g. ['192.168.10.0/24'])"
    ]
    _edit(hub, "[time]\n", '[time]\nallow = ["192.168.10.0/24"]\n')
    _edit(
        hub, 'interface = "ethernet"', 'interface = "wifi"\nwifi_ssid = "MPP"\nwifi_psk_ref = "k"'
    )
    result = _validate(inventory)
    warnings = [line for line in result.stderr.splitlines() if line.startswith(f"{hub}: ")]
    assert warnings == [
        f"{hub}: network.interface: warning: the hub on Wi-Fi: every device of the building "
        "goes through it; cable it",
        f"{hub}: network.mode: warning: the hub takes its address from DHCP: devices find it "
        "only as mpp-hub.local (mDNS); give it a static address or a DHCP reservation and set "
        "address",
    ]
    _edit(hub, 'role = "hub"', 'role = "kiosk"')
    result = _validate(inventory)
    assert f"{hub}: role: Input should be 'hub' (got 'kiosk')" in result.stderr.splitlines()


def test_the_sample_inventory_has_a_hub_and_every_kind_of_network() -> None:
    from firmware_config.inventory import load_inventory

    inventory = load_inventory(INVENTORY)
    assert inventory.hub is not None
    assert inventory.hub.reach_address() == "192.168.10.2"
    networks = {(d.network.mode, d.network.interface) for d in inventory.devices}
    assert networks == {("dhcp", "ethernet"), ("static", "ethernet"), ("dhcp", "wifi")}
    assert all(d.hub == "192.168.10.2" for d in inventory.devices)
    assert all(d.network.hostname == f"mpp-{d.device_id}" for d in inventory.devices)
