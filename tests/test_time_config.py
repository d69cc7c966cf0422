"""`mpp config render-time`: chrony.conf for the hub and every device, from the inventory.

Run as a technician runs it (a process), then each file is parsed by chronyd
itself (`chronyd -p`, which refuses an unknown directive).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from firmware_config.inventory import load_inventory
from tests.tools import chronyd

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "firmware_config"


def _mpp(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def _directives(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _chronyd_accepts(path: Path) -> None:
    parsed = subprocess.run(
        [chronyd(), "-p", "-f", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert parsed.returncode == 0, parsed.stderr


def test_hub_serves_the_lan_and_devices_follow_the_hub(tmp_path: Path) -> None:
    result = _mpp("config", "render-time", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    inventory = load_inventory(INVENTORY)
    assert {p.name for p in tmp_path.iterdir()} == {"hub"} | {
        d.device_id for d in inventory.devices
    }
    hub = _directives(tmp_path / "hub" / "chrony.conf")
    assert "allow 192.168.10.0/24" in hub
    assert "local stratum 8" in hub
    assert "rtcsync" in hub  # the sample hub has a battery RTC
    _chronyd_accepts(tmp_path / "hub" / "chrony.conf")
    for device in inventory.devices:
        conf = tmp_path / device.device_id / "chrony.conf"
        lines = _directives(conf)
        sources = [line for line in lines if line.split()[0] in {"server", "pool", "sourcedir"}]
        assert sources == [f"server {device.hub} iburst minpoll 4 maxpoll 6"]
        assert "makestep 1 -1" in lines
        assert not any(line.startswith(("allow", "local")) for line in lines)
    _chronyd_accepts(tmp_path / "kiosk-02" / "chrony.conf")


def test_a_dhcp_hub_serves_the_networks_it_is_told(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (inventory / "hub.toml").write_text(
        '[network]\nmode = "dhcp"\n[time]\nallow = ["10.20.0.0/16"]\nupstream = []\n'
    )
    for device in (inventory / "devices").glob("*.toml"):
        text = device.read_text().replace('hub = "192.168.10.2"', 'hub = "mpp-hub.local"')
        device.write_text(text.replace("192.168.10.", "10.20.0."))
    result = _mpp("config", "render-time", "--inventory", inventory, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    hub = _directives(tmp_path / "out" / "hub" / "chrony.conf")
    assert "allow 10.20.0.0/16" in hub
    assert not any(line.startswith(("pool", "server")) for line in hub)
    assert "rtcsync" not in hub
    _chronyd_accepts(tmp_path / "out" / "hub" / "chrony.conf")
    device = _directives(tmp_path / "out" / "counter-01" / "chrony.conf")
    assert "server mpp-hub.local iburst minpoll 4 maxpoll 6" in device


def test_an_inventory_without_a_hub_is_refused_in_one_line(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (inventory / "hub.toml").unlink()
    result = _mpp("config", "render-time", "--inventory", inventory, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "no hub.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
