"""``mpp image batch`` as a process: cards for a whole role group, one label line each."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from firmware_config.inventory import load_inventory
from tests.image_fixtures import build_base_image, mpp, read_boot

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp_path = tmp_path_factory.mktemp("batch")
    state = tmp_path / "state"
    env = {"XDG_STATE_HOME": str(state)}
    assert (
        mpp(
            "broker",
            "render",
            "--inventory",
            REPO / "firmware_config",
            "--out",
            tmp_path / "broker",
            env=env,
        ).returncode
        == 0
    )
    (tmp_path / "key.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake tech@laptop\n")
    return {
        "tmp": tmp_path,
        "state": state,
        "key": tmp_path / "key.pub",
        "base": build_base_image(tmp_path / "base.img"),
    }


def _batch(
    workspace: dict[str, Path], out: Path, *extra: object
) -> subprocess.CompletedProcess[str]:
    return mpp(
        "image", "batch", workspace["base"], "--drive", f"{out}/{{device}}.img", "--yes",
        "--ssh-key", workspace["key"], "--labels", out / "labels.txt", *extra,
        env={"XDG_STATE_HOME": str(workspace["state"])},
    )  # fmt: skip


def test_batch_writes_one_card_per_device_with_a_label(
    workspace: dict[str, Path], tmp_path: Path
) -> None:
    psks = workspace["state"] / "mpp" / "wifi-psks.json"
    psks.write_text(json.dumps({"wifi-mpp-perangkat": "kata-sandi-wifi-mpp"}))
    result = _batch(workspace, tmp_path, "--role", "kiosk", "--role", "display")
    assert result.returncode == 0, result.stderr
    expected = sorted(
        device.device_id
        for device in load_inventory(REPO / "firmware_config").devices
        if device.role.value in ("kiosk", "display")
    )
    assert {"display-01", "kiosk-01", "kiosk-02"} <= set(expected)
    labels = [line for line in result.stdout.splitlines() if line.startswith("LABEL ")]
    assert [line.split()[1] for line in labels] == expected
    for device_id, line in zip(expected, labels, strict=True):
        card = tmp_path / f"{device_id}.img"
        identity = tomllib.loads(read_boot(card, "mpp/device.toml").decode())
        assert identity["device_id"] == device_id, "each card holds its own device"
        instance = yaml.safe_load(read_boot(card, "meta-data"))["instance-id"]
        assert instance in line and f"mpp-{device_id}" in line
    position = expected.index("kiosk-01") + 1
    assert f"card {position}/{len(expected)}: kiosk-01 (kiosk)" in result.stderr
    assert "next card is for kiosk-02" in result.stderr
    assert len((tmp_path / "labels.txt").read_text().splitlines()) == len(expected)
    assert "dhcp wifi:" in labels[expected.index("kiosk-02")]


def test_batch_checks_every_secret_before_the_first_card(
    workspace: dict[str, Path], tmp_path: Path
) -> None:
    psks = workspace["state"] / "mpp" / "wifi-psks.json"
    psks.write_text("{}")
    result = _batch(workspace, tmp_path, "--role", "kiosk")
    assert result.returncode == 2
    assert (
        "kiosk-02:" in result.stderr and "no Wi-Fi key named 'wifi-mpp-perangkat'" in result.stderr
    )
    assert not list(tmp_path.glob("*.img")), "no card written before every secret is there"


def test_batch_resumes_from_a_device(workspace: dict[str, Path], tmp_path: Path) -> None:
    result = _batch(workspace, tmp_path, "--role", "counter", "--from", "counter-21")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.glob("*.img")) == [
        "counter-21.img",
        "counter-22.img",
        "counter-23.img",
    ]
