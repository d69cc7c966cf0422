"""The units in systemd/ as systemd itself reads them: `systemd-analyze verify` and
`systemd-analyze security --offline=true`, against a stub root.

verify needs every program a unit runs to exist and every unit it names to
load, so the stub root holds the host's own units (the targets), Debian's
mosquitto and chrony units, our units and drop-ins where they are installed,
and empty executables where /opt/mpp/current/bin/mpp, mosquitto and chronyc
would be. Any warning (an unknown key, a typo in a section) fails the test.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from firmware_config.units import HUB_UNIT, unit_for
from protocol.roles import DEVICE_ROLES, Role
from tests.tools import chrony_units

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "systemd"
HOST_UNITS = Path("/lib/systemd/system")
EXECUTABLES = [
    "opt/mpp/current/bin/mpp",
    "usr/sbin/mosquitto",
    "usr/bin/chronyc",
    "usr/sbin/chronyd",
    "usr/bin/mkdir",
    "usr/bin/chown",
    "usr/bin/kill",
]
# The exposure score systemd gives (0 safest, 10 unprotected); "OK" is below 4.
EXPOSURE_AT_MOST = {HUB_UNIT: 1.2, "mosquitto.service": 3.0} | {
    unit_for(role): 2.0 for role in DEVICE_ROLES
}
ROLE_GROUPS = {
    Role.COUNTER: {"gpio", "i2c"},
    Role.KIOSK: {"video", "render", "input", "lp", "dialout"},
    Role.DISPLAY: {"video", "render", "audio"},
    Role.RUNNING_TEXT: {"spi", "gpio", "dialout"},
    Role.SIGNATURE_PAD: {"input", "video", "render"},
}
OUR_UNITS = sorted(path.name for path in UNITS.glob("*.service"))


@pytest.fixture(scope="module")
def stub_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    system = root / "usr/lib/systemd/system"
    shutil.copytree(HOST_UNITS, system, symlinks=True)
    for name in ("chrony.service", "chrony-wait.service"):
        shutil.copy(chrony_units() / name, system / name)
    if not (system / "chronyd.service").exists():
        (system / "chronyd.service").symlink_to("chrony.service")
    assert (system / "mosquitto.service").exists(), "Debian's mosquitto package is needed"
    (root / "bin").symlink_to("usr/bin")
    (root / "sbin").symlink_to("usr/sbin")
    for relative in EXECUTABLES:
        program = root / relative
        program.parent.mkdir(parents=True, exist_ok=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    etc = root / "etc/systemd/system"
    etc.mkdir(parents=True)
    for unit in OUR_UNITS:
        shutil.copy(UNITS / unit, etc / unit)
    for dropins in UNITS.glob("*.service.d"):
        shutil.copytree(dropins, etc / dropins.name)
    return root


def _analyze(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *args, f"--root={root}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_unit_and_drop_in_verifies_cleanly(stub_root: Path) -> None:
    units = [f"/etc/systemd/system/{unit}" for unit in OUR_UNITS]
    dropped_into = [f"/usr/lib/systemd/system/{d.name[:-2]}" for d in UNITS.glob("*.service.d")]
    result = _analyze(stub_root, "verify", "--man=no", *units, *dropped_into)
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_verify_catches_a_broken_unit(stub_root: Path, tmp_path: Path) -> None:
    """The harness itself: a typo in a key is reported, so a clean run means something."""
    broken = stub_root / "etc/systemd/system/mpp-broken.service"
    broken.write_text((UNITS / HUB_UNIT).read_text().replace("WatchdogSec=", "WatchdogSek="))
    try:
        result = _analyze(stub_root, "verify", "/etc/systemd/system/mpp-broken.service")
    finally:
        broken.unlink()
    assert "WatchdogSek" in result.stderr


@pytest.mark.parametrize("unit", sorted(EXPOSURE_AT_MOST))
def test_hardening_exposure_is_low(stub_root: Path, unit: str) -> None:
    result = _analyze(stub_root, "security", "--offline=true", "--no-pager", unit)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout + result.stderr)
    assert found, result.stdout + result.stderr
    assert float(found[1]) <= EXPOSURE_AT_MOST[unit], result.stdout


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize("role", sorted(DEVICE_ROLES), ids=str)
def test_each_role_has_a_watched_unit_with_only_its_device_groups(role: Role) -> None:
    unit = _unit(unit_for(role))
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "always"
    assert service["WatchdogSec"]
    assert service["ExecStart"].startswith("/opt/mpp/current/bin/mpp edge --config /etc/mpp/")
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes"
    assert set(service["SupplementaryGroups"].split()) == ROLE_GROUPS[role]
    assert "time-sync.target" in unit["Unit"]["After"]


def test_the_hub_unit_waits_for_time_and_has_no_device_groups() -> None:
    unit = _unit(HUB_UNIT)
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "always"
    assert "SupplementaryGroups" not in service
    assert service["PrivateDevices"] == "yes"
    assert "time-sync.target" in unit["Unit"]["After"]


def test_no_unit_file_without_a_role() -> None:
    expected = {unit_for(role) for role in DEVICE_ROLES} | {HUB_UNIT}
    assert set(OUR_UNITS) == expected


def _journald_keys() -> set[str]:
    """Every key journald.conf(5) knows: the stock file lists them all, commented."""
    stock = Path("/etc/systemd/journald.conf").read_text()
    return set(re.findall(r"^#?([A-Za-z]+)=", stock, re.MULTILINE))


@pytest.mark.parametrize(
    ("name", "storage", "bound"),
    [
        ("mpp-edge.conf", "volatile", "RuntimeMaxUse"),
        ("mpp-hub.conf", "persistent", "SystemMaxUse"),
    ],
)
def test_journald_drop_ins(name: str, storage: str, bound: str) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(UNITS / "journald.conf.d" / name)
    journal = parser["Journal"]
    assert set(journal) <= _journald_keys()
    assert journal["Storage"] == storage
    assert journal[bound].endswith("M")


@pytest.mark.parametrize("unit", OUR_UNITS)
def test_each_unit_runs_an_mpp_command_line_that_parses(unit: str) -> None:
    """The ExecStart of every unit is a command line `mpp` accepts, with files where
    the image and first boot put them."""
    import shlex

    from mpp.cli import build_parser

    exec_start = _unit(unit)["Service"]["ExecStart"]
    program, *args = shlex.split(exec_start)
    assert program == "/opt/mpp/current/bin/mpp"
    parsed = build_parser().parse_args(args)
    paths = [str(value) for value in vars(parsed).values() if isinstance(value, Path)]
    assert all(path.startswith(("/etc/mpp/", "/var/lib/mpp")) for path in paths), paths
