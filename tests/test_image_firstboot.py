"""The first-boot mover against a fake root: a customised card's boot partition,
extracted as the Pi mounts it, becomes /etc/mpp and exactly one enabled service."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.image_fixtures import build_base_image, extract_boot, mpp

REPO = Path(__file__).resolve().parent.parent
UNITS = REPO / "systemd"
PASSWD = "root:x:0:0:root:/root:/bin/bash\nmpp:x:998:997::/var/lib/mpp:/usr/sbin/nologin\n"


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A counter-01 image customised by ``mpp image customize``."""
    tmp_path = tmp_path_factory.mktemp("card")
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    rendered = mpp(
        "broker",
        "render",
        "--inventory",
        REPO / "firmware_config",
        "--out",
        tmp_path / "broker",
        env=env,
    )
    assert rendered.returncode == 0, rendered.stderr
    (tmp_path / "key.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake tech@laptop\n")
    image = build_base_image(tmp_path / "counter-01.img")
    result = mpp(
        "image",
        "customize",
        image,
        "--device",
        "counter-01",
        "--ssh-key",
        tmp_path / "key.pub",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return image


def _fake_root(root: Path) -> Path:
    """What the image ships: the service user, every product unit disabled, a stale link."""
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(PASSWD)
    units = root / "usr/lib/systemd/system"
    units.mkdir(parents=True)
    for unit in UNITS.glob("*.service"):
        shutil.copy(unit, units / unit.name)
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    (wants / "mpp-hub.service").symlink_to("/usr/lib/systemd/system/mpp-hub.service")
    for kept in ("ssh.service", "mpp-firstboot.service", "mpp-readonly-root.service"):
        (wants / kept).symlink_to(f"/etc/systemd/system/{kept}")
    return root


def _mover(boot: Path, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provision.firstboot", "--boot", str(boot), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _role_unit(root: Path) -> str:
    return "mpp-counter.service"


def test_mover_installs_identity_and_enables_only_the_role(card: Path, tmp_path: Path) -> None:
    boot = extract_boot(card, tmp_path / "boot")
    expected = {
        name: (boot / "mpp" / name).read_bytes() for name in ("device.toml", "mqtt-password")
    }
    root = _fake_root(tmp_path / "root")

    result = _mover(boot, root)
    assert result.returncode == 0, result.stderr
    assert "installed counter-01 (counter)" in result.stderr

    etc = root / "etc/mpp"
    assert stat.S_IMODE(etc.stat().st_mode) == 0o750
    for name, data in expected.items():
        path = etc / name
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        if os.geteuid() == 0:
            assert (path.stat().st_uid, path.stat().st_gid) == (998, 997), "owned by user mpp"
    assert json.loads((etc / "provisioned.json").read_text())["device_id"] == "counter-01"

    unit = _role_unit(root)
    wants = root / "etc/systemd/system/multi-user.target.wants"
    link = wants / unit
    assert link.is_symlink()
    assert str(link.readlink()) == f"/usr/lib/systemd/system/{unit}"
    enabled = sorted(path.name for path in wants.iterdir())
    assert enabled == sorted(
        [unit, "ssh.service", "mpp-firstboot.service", "mpp-readonly-root.service"]
    ), "exactly the role's service, besides the image's own"

    chrony = root / "etc/chrony/chrony.conf"
    assert "server 192.168.10.2 iburst" in chrony.read_text()
    assert stat.S_IMODE(chrony.stat().st_mode) == 0o644, "chronyd reads it"

    assert not (boot / "mpp").exists(), "secrets leave the FAT partition"
    assert (boot / "cmdline.txt").exists()
    assert (root / "etc/mpp/readonly-root-pending").read_text().strip() == unit

    again = _mover(boot, root)
    assert again.returncode == 0 and "nothing to do" in again.stderr


def test_damaged_identity_is_left_alone(card: Path, tmp_path: Path) -> None:
    boot = extract_boot(card, tmp_path / "boot")
    root = _fake_root(tmp_path / "root")
    password = boot / "mpp" / "mqtt-password"
    password.write_text("truncated")

    result = _mover(boot, root)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"mpp-firstboot: error: {password}: does not match its SHA-256 (damaged card?)"
    ]
    assert not (root / "etc/mpp").exists()
    assert password.exists(), "kept for the technician to look at"
    assert not (root / "etc/systemd/system/multi-user.target.wants" / _role_unit(root)).exists()


def test_missing_manifest_means_interrupted_customisation(card: Path, tmp_path: Path) -> None:
    boot = extract_boot(card, tmp_path / "boot")
    (boot / "mpp" / "manifest.json").unlink()
    result = _mover(boot, _fake_root(tmp_path / "root"))
    assert result.returncode == 1
    assert "missing (customisation interrupted?)" in result.stderr


def test_hub_card_installs_site_inventory_credentials_and_time_server(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    inventory = REPO / "firmware_config"
    assert (
        mpp(
            "broker", "render", "--inventory", inventory, "--out", tmp_path / "b", env=env
        ).returncode
        == 0
    )
    (tmp_path / "key.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake tech@laptop\n")
    tls = tmp_path / "state/mpp/tls"  # the site CA `mpp broker render` keeps beside the store
    (tls / "clients").mkdir(parents=True, exist_ok=True)
    (tls / "ca.crt").write_text("CA CERT\n")
    (tls / "ca.key").write_text("CA KEY\n")
    image = build_base_image(tmp_path / "hub.img")
    result = mpp(
        "image", "customize", image, "--device", "hub", "--ssh-key", tmp_path / "key.pub", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "for hub (hub): host mpp-hub" in result.stdout

    boot = extract_boot(image, tmp_path / "boot")
    network = yaml.safe_load((boot / "network-config").read_text())["network"]
    assert network["ethernets"]["eth0"]["addresses"] == ["192.168.10.2/24"]
    root = _fake_root(tmp_path / "root")
    moved = _mover(boot, root)
    assert moved.returncode == 0, moved.stderr

    assert (root / "etc/mpp/site.toml").read_bytes() == (
        REPO / "hub/site/sites/lampung-timur.toml"
    ).read_bytes()
    for name in ("accounts.toml", "hub.toml", "devices/counter-01.toml", "devices/kiosk-02.toml"):
        installed = root / "etc/mpp/inventory" / name
        assert installed.read_bytes() == (inventory / name).read_bytes(), name
        assert stat.S_IMODE(installed.stat().st_mode) == 0o600
    credentials = root / "var/lib/mpp/mqtt-credentials.json"
    assert json.loads(credentials.read_text()) == json.loads(
        (tmp_path / "state/mpp/mqtt-credentials.json").read_text()
    )
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    for name in ("ca.crt", "ca.key"):
        copied = root / "var/lib/mpp/tls" / name
        assert copied.read_bytes() == (tls / name).read_bytes(), "the hub keeps the site CA"
        assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    chrony = (root / "etc/chrony/chrony.conf").read_text()
    assert "allow 192.168.10.0/24" in chrony and "local stratum 8" in chrony
    wants = root / "etc/systemd/system/multi-user.target.wants"
    assert (wants / "mpp-hub.service").readlink() == Path("/usr/lib/systemd/system/mpp-hub.service")
    assert not (wants / "mpp-counter.service").exists()
    assert not (root / "etc/mpp/readonly-root-pending").exists(), "the hub keeps a writable root"
