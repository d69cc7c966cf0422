"""``mpp image customize`` as a process on a tiny real image: everything read back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from firmware_config.schema import DeviceConfig
from tests.image_fixtures import (
    BOOT_START,
    SECTOR,
    boot_listing,
    build_base_image,
    fsck_boot,
    mpp,
    read_boot,
)

REPO = Path(__file__).resolve().parent.parent
INVENTORY = REPO / "firmware_config"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A technician's machine: state dir with rendered credentials, an SSH key, a base image."""
    tmp_path = tmp_path_factory.mktemp("technician")
    state = tmp_path / "state"
    env = {"XDG_STATE_HOME": str(state)}
    broker = tmp_path / "broker"
    rendered = mpp("broker", "render", "--inventory", INVENTORY, "--out", broker, env=env)
    assert rendered.returncode == 0, rendered.stderr
    key = tmp_path / "technician.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests technician@laptop\n")
    return {
        "state": state,
        "broker": broker,
        "key": key,
        "base": build_base_image(tmp_path / "base.img"),
        "credentials": state / "mpp" / "mqtt-credentials.json",
    }


@pytest.fixture
def site(rendered: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    """The technician's machine with a broker directory of the test's own."""
    broker = tmp_path / "broker"
    shutil.copytree(rendered["broker"], broker)
    return {**rendered, "broker": broker}


def _customize(
    site: dict[str, Path], out: Path, *extra: object
) -> subprocess.CompletedProcess[str]:
    return mpp(
        "image", "customize", site["base"], "--device", "counter-01", "--out", out,
        "--ssh-key", site["key"], *extra,
        env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip


def _require_cloud_init() -> str:
    tool = shutil.which("cloud-init")
    if tool is None:
        pytest.fail(
            "cloud-init is needed (Debian's cloud-init; scripts/bootstrap.sh)", pytrace=False
        )
    return tool


def test_customize_writes_identity_and_cloud_init(site: dict[str, Path], tmp_path: Path) -> None:
    (site["broker"] / "ca.crt").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    )
    base_before = site["base"].read_bytes()
    out = tmp_path / "counter-01.img"
    result = _customize(site, out, "--broker-dir", site["broker"])
    assert result.returncode == 0, result.stderr
    assert "counter-01 (counter)" in result.stdout
    assert site["base"].read_bytes() == base_before, "the base image must stay untouched"

    assert boot_listing(out) == sorted(
        [
            "/cmdline.txt", "/config.txt", "/meta-data", "/network-config", "/user-data",
            "/mpp/", "/mpp/ca.crt", "/mpp/chrony.conf", "/mpp/device.toml", "/mpp/manifest.json",
            "/mpp/mqtt-password",
        ]
    )  # fmt: skip

    # The product identity: a valid device file pointing at the secrets beside it.
    device = DeviceConfig.model_validate(tomllib.loads(read_boot(out, "mpp/device.toml").decode()))
    assert device.device_id == "counter-01"
    assert device.counter_unit().buttons.next == 5
    assert str(device.mqtt.password_file) == "/etc/mpp/mqtt-password"
    assert str(device.mqtt.tls_ca_file) == "/etc/mpp/ca.crt"
    stored = json.loads(site["credentials"].read_text())
    assert read_boot(out, "mpp/mqtt-password").decode().strip() == stored["counter-01"]
    assert read_boot(out, "mpp/ca.crt") == (site["broker"] / "ca.crt").read_bytes()
    manifest = json.loads(read_boot(out, "mpp/manifest.json"))
    assert manifest["device_id"] == "counter-01" and manifest["role"] == "counter"
    assert set(manifest["files"]) == {"device.toml", "mqtt-password", "ca.crt", "chrony.conf"}
    chrony = read_boot(out, "mpp/chrony.conf").decode()
    assert "\nserver 192.168.10.2 iburst" in chrony and "\nmakestep 1 -1\n" in chrony

    # cloud-init: user-data passes cloud-init's own schema check.
    user_data = read_boot(out, "user-data")
    assert user_data.startswith(b"#cloud-config\n")
    (tmp_path / "user-data").write_bytes(user_data)
    check = subprocess.run(
        [_require_cloud_init(), "schema", "-c", str(tmp_path / "user-data")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    config = yaml.safe_load(user_data)
    assert config["hostname"] == "mpp-counter-01"
    assert config["ssh_pwauth"] is False
    (user,) = config["users"]
    assert user["lock_passwd"] is True
    assert user["ssh_authorized_keys"] == [site["key"].read_text().strip()]

    meta = yaml.safe_load(read_boot(out, "meta-data"))
    assert meta["local-hostname"] == "mpp-counter-01"
    assert meta["instance-id"] == manifest["instance_id"]
    cmdline = read_boot(out, "cmdline.txt").decode()
    assert cmdline.count("\n") == 1 and cmdline.startswith("console=serial0")
    assert cmdline.split()[-1] == f"ds=nocloud;i={meta['instance-id']}"
    network = yaml.safe_load(read_boot(out, "network-config"))
    assert network == {"network": {"version": 2, "ethernets": {"eth0": {"dhcp4": True}}}}

    fsck = fsck_boot(out, tmp_path / "boot.part")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def test_customize_without_an_ssh_key_writes_valid_user_data(
    site: dict[str, Path], tmp_path: Path
) -> None:
    """A laptop with no ~/.ssh/id_*.pub and no --ssh-key: an empty key list is not
    valid cloud-config (the card would boot with cloud-init's user step failed)."""
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "counter-01.img"
    result = mpp(
        "image", "customize", site["base"], "--device", "counter-01", "--out", out,
        env={"XDG_STATE_HOME": str(site["state"]), "HOME": str(home)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.strip().splitlines()
    assert warning.startswith("mpp: warning: no SSH public key")
    assert "nobody can log in" in warning and "--ssh-key FILE" in warning

    user_data = read_boot(out, "user-data")
    (tmp_path / "user-data").write_bytes(user_data)
    check = subprocess.run(
        [_require_cloud_init(), "schema", "-c", str(tmp_path / "user-data")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    (user,) = yaml.safe_load(user_data)["users"]
    assert user["name"] == "technician" and user["lock_passwd"] is True
    assert "ssh_authorized_keys" not in user


def test_hub_card_takes_the_site_file_of_its_inventory(
    site: dict[str, Path], tmp_path: Path
) -> None:
    """An inventory from `mpp config init` carries its site.toml: the hub's card gets
    that building's site, not the bundled one, without --site."""
    building = tmp_path / "gedung-mpp"
    assert mpp("config", "init", building).returncode == 0
    own = (building / "site.toml").read_text() + "# this building's own site file\n"
    (building / "site.toml").write_text(own)
    hub = tmp_path / "hub.img"
    shutil.copy(site["base"], hub)
    subprocess.run(
        ["mcopy", "-i", f"{hub}@@{BOOT_START * SECTOR}", "-", "::/mpp-image.txt"],
        input=b"antrian-mpp hub\n",
        check=True,
        env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
    )
    out = tmp_path / "hub-card.img"
    result = mpp(
        "image", "customize", hub, "--device", "hub", "--inventory", building, "--out", out,
        "--ssh-key", site["key"], env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"  site file: {building / 'site.toml'}" in result.stdout.splitlines()
    assert read_boot(out, "mpp/site.toml").decode() == own


def test_each_flash_gets_its_own_instance_id(site: dict[str, Path], tmp_path: Path) -> None:
    ids = set()
    for name in ("a.img", "b.img"):
        result = _customize(site, tmp_path / name)
        assert result.returncode == 0, result.stderr
        ids.add(yaml.safe_load(read_boot(tmp_path / name, "meta-data"))["instance-id"])
    assert len(ids) == 2 and all(value.startswith("counter-01-") for value in ids)


def test_customize_again_replaces_the_identity(site: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "card.img"
    (site["broker"] / "ca.crt").write_text(
        "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n"
    )
    assert _customize(site, out, "--broker-dir", site["broker"]).returncode == 0
    again = mpp(
        "image", "customize", out, "--device", "display-01", "--ssh-key", site["key"],
        env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    device = tomllib.loads(read_boot(out, "mpp/device.toml").decode())
    assert device["device_id"] == "display-01"
    assert "/mpp/ca.crt" not in boot_listing(out) or b"OLD" not in read_boot(out, "mpp/ca.crt")
    assert read_boot(out, "cmdline.txt").decode().count("ds=nocloud") == 1


def test_wifi_static_device(site: dict[str, Path], tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    device = inventory / "devices" / "runtext-01.toml"
    text = device.read_text()
    text = text.split("[network]")[0] if "[network]" in text else text
    head, _, rest = text.partition("\n[")
    device.write_text(
        head
        + '\n[network]\nmode = "static"\naddress = "192.168.10.61/24"\ngateway = "192.168.10.1"\n'
        'dns = ["192.168.10.1"]\ninterface = "wifi"\nwifi_ssid = "MPP-Lantai-1"\n'
        'wifi_psk_ref = "wifi-lantai-1"\n' + ("\n[" + rest if rest else "")
    )
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"wifi-lantai-1": "rahasia-sekali-123"}))
    out = tmp_path / "runtext.img"
    result = mpp(
        "image", "customize", site["base"], "--device", "runtext-01", "--out", out,
        "--inventory", inventory, "--wifi-keys", secrets, "--ssh-key", site["key"],
        env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    network = yaml.safe_load(read_boot(out, "network-config"))["network"]
    # The card carries the derived key (wpa_passphrase), never the passphrase.
    psk = hashlib.pbkdf2_hmac("sha1", b"rahasia-sekali-123", b"MPP-Lantai-1", 4096, 32).hex()
    assert b"rahasia" not in read_boot(out, "network-config")
    assert network["wifis"]["wlan0"] == {
        "dhcp4": False,
        "addresses": ["192.168.10.61/24"],
        "routes": [{"to": "0.0.0.0/0", "via": "192.168.10.1"}],
        "nameservers": {"addresses": ["192.168.10.1"]},
        "regulatory-domain": "ID",
        "access-points": {"MPP-Lantai-1": {"password": psk}},
    }
    assert b"rahasia" not in read_boot(out, "mpp/device.toml")

    secrets.write_text("{}")
    missing = mpp(
        "image", "customize", out, "--device", "runtext-01", "--inventory", inventory,
        "--wifi-keys", secrets, "--ssh-key", site["key"],
        env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip
    assert missing.returncode == 5
    assert missing.stderr.strip().splitlines() == [
        f"mpp: error: {secrets}: no Wi-Fi key named 'wifi-lantai-1'; "
        "set it with `mpp config secrets wifi wifi-lantai-1`"
    ]


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("compressed", 11, "xz-compressed; decompress it first"),
        ("not-an-image", 11, "not a disk image with a partition table"),
        ("unknown-device", 2, "no device 'counter-99' in the inventory"),
        ("no-credentials", 5, "no password for 'counter-01'; run `mpp broker render` first"),
        ("hub-image", 11, "this is the hub image; a counter device needs the edge image"),
    ],
)
def test_customize_refusals_are_one_line(
    site: dict[str, Path], tmp_path: Path, case: str, code: int, message: str
) -> None:
    image, device, state = site["base"], "counter-01", site["state"]
    if case == "compressed":
        image = tmp_path / "raspios.img.xz"
        image.write_bytes(b"\xfd7zXZ\x00\x00rest")
    elif case == "not-an-image":
        image = tmp_path / "notes.img"
        image.write_bytes(b"hello" * 1000)
    elif case == "unknown-device":
        device = "counter-99"
    elif case == "hub-image":
        image = tmp_path / "hub.img"
        shutil.copy(site["base"], image)
        subprocess.run(
            ["mcopy", "-i", f"{image}@@{BOOT_START * SECTOR}", "-", "::/mpp-image.txt"],
            input=b"antrian-mpp hub\n",
            check=True,
            env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
        )
    else:
        state = tmp_path / "empty-state"
    result = mpp(
        "image", "customize", image, "--device", device, "--out", tmp_path / "out.img",
        "--ssh-key", site["key"], env={"XDG_STATE_HOME": str(state)},
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    assert not (tmp_path / "out.img").exists(), "no half-customised image left"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    if code == 11:  # the image the technician named, not the --out copy
        assert lines[0].startswith(f"mpp: error: {image}: "), lines[0]
        assert "out.img" not in lines[0]


def test_static_ethernet_network_config_parses_in_cloud_init(
    site: dict[str, Path], tmp_path: Path
) -> None:
    """Debian 12's cloud-init has no network-config schema: its own parser (the one
    that renders the network at boot) must read the file into the intended state."""
    # cloud-init's own interpreter (its script's #! line) has its library.
    interpreter = Path(_require_cloud_init()).read_text().splitlines()[0][2:].split()[0]
    out = tmp_path / "display.img"
    result = mpp(
        "image", "customize", site["base"], "--device", "display-01", "--out", out,
        "--ssh-key", site["key"], env={"XDG_STATE_HOME": str(site["state"])},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (tmp_path / "network-config").write_bytes(read_boot(out, "network-config"))
    probe = (
        "import json, sys, yaml\n"
        "from cloudinit.net.network_state import parse_net_config_data\n"
        "data = yaml.safe_load(open(sys.argv[1]))['network']\n"
        "state = parse_net_config_data(data, skip_broken=False)\n"
        "print(json.dumps(list(state.iter_interfaces()), default=str))\n"
    )
    parsed = subprocess.run(
        [interpreter, "-c", probe, str(tmp_path / "network-config")],
        capture_output=True,
        text=True,
    )
    assert parsed.returncode == 0, parsed.stderr
    (eth0,) = json.loads(parsed.stdout)
    (subnet,) = eth0["subnets"]
    assert eth0["name"] == "eth0" and subnet["type"] == "static"
    assert (subnet["address"], subnet["prefix"]) == ("192.168.10.20", 24)
    assert subnet["routes"][0]["gateway"] == "192.168.10.1"
