"""The pi-gen recipe, checked statically as CI can (no ARM build here).

``images/build.sh assemble`` lays the custom stages out exactly as a build
would (product wheel and systemd units copied in); then: shellcheck, pi-gen's
naming and run-bit rules, every ``files/…`` a script names exists, the
configs chain the stages, the watchdog, every role's service installed and
never enabled by the image.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from protocol.roles import DEVICE_ROLES

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "images"
STAGES = ("stage-mpp-base", "stage-mpp-edge", "stage-mpp-hub")
PI_GEN_STAGES = {"stage0", "stage1", "stage2"}
STAGE_ENTRY = re.compile(
    r"^(\d\d-[a-z0-9-]+|prerun\.sh|EXPORT_IMAGE|EXPORT_NOOBS|SKIP|SKIP_IMAGES)$"
)
SUBSTAGE_ENTRY = re.compile(
    r"^(\d\d-(packages|packages-nr|debconf|run\.sh|run-chroot\.sh|patches)|files)$"
)
RUNNABLE = re.compile(r"^(\d\d-run\.sh|\d\d-run-chroot\.sh|prerun\.sh)$")
FILE_REFERENCE = re.compile(r"\bfiles/[A-Za-z0-9_.*/-]+")


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pi-gen")
    result = subprocess.run(
        ["bash", str(IMAGES / "build.sh"), "assemble", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def _shell_scripts() -> list[Path]:
    scripts = []
    for path in sorted(IMAGES.rglob("*")):
        if path.is_file() and path.read_bytes()[:2] == b"#!":
            first = path.read_text(encoding="utf-8").splitlines()[0]
            if "bash" in first or first.endswith("/sh"):
                scripts.append(path)
    return scripts


def test_shellcheck_passes_on_every_script() -> None:
    tool = shutil.which("shellcheck")
    if tool is None:
        pytest.fail(
            "shellcheck is needed (Debian's shellcheck; scripts/bootstrap.sh)", pytrace=False
        )
    scripts = _shell_scripts()
    names = {path.name for path in scripts}
    assert {
        "build.sh",
        "prerun.sh",
        "00-run.sh",
        "mpp-install-release",
        "mpp-readonly-root",
    } <= names
    result = subprocess.run(
        [tool, "-s", "bash", *map(str, scripts)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_stage_layout_follows_pi_gen_naming(assembled: Path) -> None:
    for stage in STAGES:
        for entry in (assembled / stage).iterdir():
            assert STAGE_ENTRY.match(entry.name), f"{stage}/{entry.name}: not a pi-gen stage entry"
            if entry.is_dir():
                for item in entry.iterdir():
                    assert SUBSTAGE_ENTRY.match(item.name), (
                        f"{stage}/{entry.name}/{item.name}: pi-gen ignores it"
                    )


def test_scripts_are_executable_and_stop_on_errors(assembled: Path) -> None:
    """pi-gen silently skips a run script without its execute bit."""
    checked = 0
    for stage in STAGES:
        for path in (assembled / stage).rglob("*"):
            if RUNNABLE.match(path.name) and "files" not in path.parts:
                assert path.stat().st_mode & stat.S_IXUSR, (
                    f"{path.relative_to(assembled)}: not executable"
                )
                assert path.read_text().startswith("#!/bin/bash -e\n"), path
                checked += 1
    assert checked >= 8
    for source in IMAGES.rglob("*"):  # the bits must be in git's tree, not only after assembling
        if RUNNABLE.match(source.name) or source.name in (
            "build.sh",
            "mpp-install-release",
            "mpp-readonly-root",
        ):
            assert source.stat().st_mode & stat.S_IXUSR, (
                f"{source.relative_to(REPO)}: not executable"
            )


def test_every_referenced_file_exists(assembled: Path) -> None:
    for stage in STAGES:
        for script in (assembled / stage).rglob("*.sh"):
            for reference in FILE_REFERENCE.findall(script.read_text()):
                matches = list(script.parent.glob(reference))
                assert matches, (
                    f"{script.relative_to(assembled)} names {reference}, which is missing"
                )


def test_packages_lists_are_package_names(assembled: Path) -> None:
    for path in (path for path in assembled.rglob("*-packages") if path.is_file()):
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            for name in line.split():
                assert re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", name), f"{path}: {name!r}"


def _config(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r'([A-Z_]+)="?([^"]*)"?', line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


@pytest.mark.parametrize(
    ("role", "exports"), [("edge", "stage-mpp-edge"), ("hub", "stage-mpp-hub")]
)
def test_configs_chain_stages_after_lite(assembled: Path, role: str, exports: str) -> None:
    config = _config(assembled / f"{role}.conf")
    stages = config["STAGE_LIST"].split()
    assert stages[:3] == ["stage0", "stage1", "stage2"], "custom stages come after stage2 (Lite)"
    for stage in stages[3:]:
        assert (assembled / stage).is_dir(), stage
    assert stages[-1] == exports and (assembled / exports / "EXPORT_IMAGE").is_file()
    assert not any((assembled / stage / "EXPORT_IMAGE").exists() for stage in stages[3:-1])
    assert config["ENABLE_CLOUD_INIT"] == "1"
    marker = f'echo "antrian-mpp {role}" > "${{ROOTFS_DIR}}/boot/firmware/mpp-image.txt"'
    assert marker in (assembled / exports / "01-services/00-run.sh").read_text()
    assert "FIRST_USER_PASS" not in config, "never a password in git"


def test_hardware_watchdog_at_most_15_seconds(assembled: Path) -> None:
    conf = (assembled / "stage-mpp-base/00-system/files/mpp-watchdog.conf").read_text()
    seconds = int(re.search(r"^RuntimeWatchdogSec=(\d+)s$", conf, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert 0 < seconds <= 15
    assert "dtparam=watchdog=on" in (assembled / "stage-mpp-base/00-system/01-run.sh").read_text()


def test_role_services_installed_and_never_enabled_by_the_image(assembled: Path) -> None:
    units = {path.name for path in (assembled / "stage-mpp-edge/01-services/files/units").iterdir()}
    for role in DEVICE_ROLES:
        unit = f"mpp-{role.value.replace('_', '-')}.service"
        assert unit in units, f"no service for {role.value}"
    assert (assembled / "stage-mpp-hub/01-services/files/units/mpp-hub.service").is_file()
    for script in assembled.rglob("*.sh"):
        for enabled in re.findall(r"systemctl enable (\S+)", script.read_text()):
            assert enabled in ("mpp-firstboot.service", "mpp-readonly-root.service"), (
                f"{script.relative_to(assembled)} enables {enabled}: role services stay disabled"
            )


def test_the_wheel_carries_the_first_boot_mover(assembled: Path) -> None:
    (wheel,) = (assembled / "stage-mpp-base/01-product/files").glob("antrian_mpp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "provision/firstboot.py" in names
    assert "firmware_config/schema.py" in names
    unit = (assembled / "stage-mpp-base/02-firstboot/files/mpp-firstboot.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE).group(1).split()  # type: ignore[union-attr]
    assert exec_start[:3] == ["/opt/mpp/current/bin/python", "-m", "provision.firstboot"]
    help_text = subprocess.run(
        [sys.executable, "-m", "provision.firstboot", *exec_start[3:], "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert help_text.returncode == 0, help_text.stderr


def test_the_wheel_alone_runs_the_hub_and_the_devices_on_their_defaults(
    assembled: Path, tmp_path: Path
) -> None:
    """The image installs the wheel, not the repository: the default site, the bundled
    inventory and the broker's template it reads must be in it (the site files were
    not: a hub from the image could not load its site)."""
    (wheel,) = (assembled / "stage-mpp-base/01-product/files").glob("antrian_mpp-*.whl")
    unpacked = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = (
        "import hub.site.loader as l, firmware_config.inventory as i, mqtt_broker.render as r;"
        "assert l.SITES_DIR.is_relative_to(p) and i.DEFAULT_INVENTORY.is_relative_to(p);"
        "print(l.load_site().name, len(i.load_inventory().devices), r.TEMPLATE.is_file())"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys, pathlib; p = pathlib.Path({str(unpacked)!r});"
            f"sys.path.insert(0, str(p)); {probe}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *_, devices, template = done.stdout.split(" ")
    assert "Lampung Timur" in done.stdout and int(devices) > 30 and template.strip() == "True"


def test_image_units_verify(assembled: Path, tmp_path: Path) -> None:
    """The image's own units (first boot, read-only root) as systemd reads them."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail(
            "systemd-analyze is needed (Debian's systemd; scripts/bootstrap.sh)", pytrace=False
        )
    root = tmp_path / "root"
    shutil.copytree("/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "bin").symlink_to("usr/bin")
    (root / "sbin").symlink_to("usr/sbin")
    for program in ("opt/mpp/current/bin/python", "usr/local/sbin/mpp-readonly-root"):
        (root / program).parent.mkdir(parents=True, exist_ok=True)
        (root / program).write_text("#!/bin/sh\n")
        (root / program).chmod(0o755)
    etc = root / "etc/systemd/system"
    etc.mkdir(parents=True)
    units = [
        assembled / "stage-mpp-base/02-firstboot/files/mpp-firstboot.service",
        assembled / "stage-mpp-edge/02-readonly-root/files/mpp-readonly-root.service",
    ]
    for unit in units:
        shutil.copy(unit, etc / unit.name)
    result = subprocess.run(
        [
            analyze,
            "verify",
            f"--root={root}",
            *(f"/etc/systemd/system/{unit.name}" for unit in units),
        ],
        capture_output=True,
        text=True,
    )
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "mpp-" in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr
