"""The sample inventory matches the default site, and where each unit sits is checked.

A counter unit's `number` and a signature pad's `counter` must be counters of
the site (and the unit's number the one the site gives its device id); a
section for another role is refused. Run through `mpp config validate`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

from firmware_config.inventory import load_inventory
from protocol.roles import Role

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "firmware_config"
SITE = ROOT / "hub/site/sites/lampung-timur.toml"


def _validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", "config", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def test_sample_inventory_is_the_default_site() -> None:
    inventory = load_inventory(INVENTORY)
    site = tomllib.loads(SITE.read_text())
    roles = Counter(device.role for device in inventory.devices)
    assert inventory.hub is not None
    assert roles[Role.KIOSK] == 2
    assert roles[Role.COUNTER] == len(site["counters"])
    assert roles[Role.DISPLAY] == 2 and roles[Role.RUNNING_TEXT] == 1
    numbers = {c["device_id"]: c["number"] for c in site["counters"]}
    for device in inventory.devices:
        if device.role is Role.COUNTER:
            assert device.counter_unit().number == numbers[device.device_id]
    signing = {s["code"] for s in site["services"] if s.get("needs_signature")}
    handing_over = {
        c["number"] for c in site["counters"] if signing & {*c["primary"], *c.get("secondary", [])}
    }
    pads = {
        d.signature_pad_unit().counter for d in inventory.devices if d.role is Role.SIGNATURE_PAD
    }
    assert pads == handing_over  # a pad at every counter that hands over a signed document


def test_unit_placement_is_checked_against_the_site(tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(INVENTORY, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    devices = root / "devices"
    counter = devices / "counter-05.toml"
    counter.write_text(counter.read_text().replace("number = 5", "number = 7"))
    pad = devices / "sigpad-02.toml"
    pad.write_text(pad.read_text().replace("counter = 2", "counter = 40"))
    kiosk = devices / "kiosk-01.toml"
    kiosk.write_text(kiosk.read_text() + "\n[signature_pad]\ncounter = 1\n")
    result = _validate(root)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (
        f"{counter}: counter.number: 7, but {SITE} puts counter-05 at counter 5 (Loket 5)"
    ) in lines
    assert f"{pad}: signature_pad.counter: site mpp-lampung-timur has no counter 40" in lines
    assert f"{kiosk}: (file): Value error, a [signature_pad] section on a kiosk device" in lines
