"""``mpp config init DIR``: a technician's starting inventory, as the README's first step.

Run as processes: init, then the documented ``mpp config validate DIR --site
DIR/site.toml`` and ``mpp config secrets ensure --inventory DIR`` work on what
it wrote, and nothing of the Python package (code, schema) is in it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "firmware_config"
DEFAULT_SITE = ROOT / "hub/site/sites/lampung-timur.toml"


def _mpp(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def _tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def test_init_writes_an_inventory_the_documented_commands_take(tmp_path: Path) -> None:
    building = tmp_path / "gedung-mpp"
    done = _mpp("config", "init", building)
    assert done.returncode == 0, done.stderr
    devices = sorted(path.name for path in (INVENTORY / "devices").glob("*.toml"))
    assert _tree(building) == {
        "accounts.toml", "hub.toml", "site.toml", "devices",
        *(f"devices/{name}" for name in devices),
    }  # fmt: skip
    for name in ["accounts.toml", "hub.toml", *(f"devices/{name}" for name in devices)]:
        assert (building / name).read_bytes() == (INVENTORY / name).read_bytes(), name
    assert (building / "site.toml").read_bytes() == DEFAULT_SITE.read_bytes()
    assert done.stdout.splitlines() == [
        f"wrote a starting inventory to {building}: accounts.toml, hub.toml, "
        f"devices/ ({len(devices)} device files), site.toml (site mpp-lampung-timur, 23 counters)",
        f"  edit them for the building, then: mpp config validate {building} "
        f"--site {building / 'site.toml'}",
    ]
    assert done.stderr == ""

    # README, step 2: exactly as written there, from the technician's home directory.
    validate = _mpp("config", "validate", "gedung-mpp", "--site", "gedung-mpp/site.toml",
                    cwd=tmp_path)  # fmt: skip
    assert validate.returncode == 0, validate.stderr
    assert validate.stdout.splitlines() == [
        f"gedung-mpp: site mpp-lampung-timur, {len(devices)} devices, 1 admins: ok",
        "gedung-mpp/site.toml: site mpp-lampung-timur, 23 counters: ok",
    ]
    # Without --site the inventory's own site.toml is the one checked, not the bundled one.
    (building / "site.toml").write_text(
        (building / "site.toml").read_text().replace('id = "mpp-lampung-timur"', 'id = "mpp-x"', 1)
    )
    own = _mpp("config", "validate", "gedung-mpp", cwd=tmp_path)
    assert own.returncode == 2, own.stderr
    assert own.stderr.splitlines()[-1] == "mpp: error: config validate: 1 error"
    assert "mpp-x" in own.stderr and str(DEFAULT_SITE) not in own.stderr + own.stdout
    # README, step 3, with the store kept beside (not inside) the inventory.
    ensure = _mpp("config", "secrets", "ensure", "--inventory", building,
                  "--secrets", tmp_path / "secrets" / "mqtt-credentials.json")  # fmt: skip
    assert ensure.returncode == 2 and "no Wi-Fi key 'wifi-mpp-perangkat'" in ensure.stderr
    assert "Traceback" not in ensure.stderr


def test_init_never_writes_over_a_directory_in_use(tmp_path: Path) -> None:
    building = tmp_path / "gedung-mpp"
    building.mkdir()
    (building / "hub.toml").write_text("# the technician's own\n")
    done = _mpp("config", "init", building)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mpp: error: {building}: a directory that is not empty; give a new directory "
        "(nothing was written)"
    ]
    assert _tree(building) == {"hub.toml"}
    assert list(tmp_path.iterdir()) == [building]  # no scratch directory left behind

    empty = tmp_path / "empty"
    empty.mkdir()
    assert _mpp("config", "init", empty).returncode == 0
    assert (empty / "site.toml").is_file()

    broken = tmp_path / "broken-site.toml"
    broken.write_text("id = \n")
    refused = _mpp("config", "init", tmp_path / "other", "--site", broken)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert not (tmp_path / "other").exists()
