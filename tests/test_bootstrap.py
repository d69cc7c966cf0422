"""scripts/bootstrap.sh on a first run: it says what it installs instead of sitting silent.

Run as bash runs it, on a copy of the script beside a pyproject.toml, with a
stand-in virtual environment whose ``python`` records what it is asked to do
(no network, no real install) and stand-ins for the system tools it looks for
(nothing goes to apt: a ``sudo`` stand-in fails the run).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ["mosquitto", "mosquitto_pub", "espeak-ng", "chromium", "sfdisk", "mkfs.vfat",
         "mcopy", "shellcheck", "cloud-init", "chronyd"]  # fmt: skip
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    if not FONT.is_file():
        pytest.fail("fonts-dejavu-core is needed (scripts/bootstrap.sh)", pytrace=False)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/bootstrap.sh", tmp_path / "scripts/bootstrap.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv/bin").mkdir(parents=True)
    _script(tmp_path / ".venv/bin/python", f'echo "$*" >> {tmp_path / "pip.log"}\n')
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in TOOLS:
        _script(tools / tool, "exit 0\n")
    _script(tools / "sudo", 'echo "sudo $*" >&2; exit 99\n')
    return tmp_path


def _bootstrap(checkout: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{checkout / 'tools'}:{os.environ['PATH']}"
    clean = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        ["bash", "-c", f"source {checkout / 'scripts/bootstrap.sh'}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "PATH": path, **env},
    )


def test_first_run_says_each_step_and_lets_pip_show_its_progress(checkout: Path) -> None:
    done = _bootstrap(checkout)
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stderr.splitlines() if line.startswith("bootstrap:")]
    assert steps[0] == f"bootstrap: preparing {checkout / '.venv'}"
    assert steps[1] == "bootstrap: updating pip"
    assert steps[2].startswith("bootstrap: installing antrian-mpp with its dev extras")
    assert steps[-1] == f"bootstrap: {checkout / '.venv'} ready"
    upgrade, install = (checkout / "pip.log").read_text().splitlines()
    assert upgrade.startswith("-m pip install -q") and upgrade.endswith("-U pip")
    assert install.startswith("-m pip install --disable-pip-version-check -e")  # pip's own lines
    assert install.endswith(f"{checkout}[dev]")

    again = _bootstrap(checkout)  # installed: nothing to say, nothing run
    assert again.returncode == 0 and again.stderr == ""
    assert len((checkout / "pip.log").read_text().splitlines()) == 2


def test_ci_logs_keep_the_step_lines_only(checkout: Path) -> None:
    done = _bootstrap(checkout, CI="true")
    assert done.returncode == 0, done.stderr
    assert "bootstrap: updating pip" in done.stderr
    install = (checkout / "pip.log").read_text().splitlines()[-1]
    assert install.startswith("-m pip install -q --disable-pip-version-check -e")
