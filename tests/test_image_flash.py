"""``mpp image flash``: the drive decision on recorded listings, the write and the
read-back through the command on a plain file, and the refusals as one line each."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from provision.drives import assess, removable_drives
from provision.wait import is_card_event
from tests.image_fixtures import mpp

LISTINGS = Path(__file__).resolve().parent / "data" / "lsblk"
IMAGE = 3_000_000_000  # a customised Raspberry Pi OS Lite image is about 3 GB


def listing(name: str) -> dict[str, object]:
    return json.loads((LISTINGS / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("target", "reasons"),
    [
        ("/dev/nvme0n1", ["not a removable drive", "holds this computer's system: /boot/efi"]),
        ("/dev/nvme0n1p2", ["is a partition; give the whole card (/dev/nvme0n1)"]),
        ("/dev/sdf", ["/dev/sdf is not a removable drive (an internal disk?)"]),
        ("/dev/loop0", ["/dev/loop0 is a virtual drive (loop)"]),
        ("/dev/sdd", ["/dev/sdd is read-only (the card's lock switch?)"]),
        ("/dev/mmcblk0", ["/dev/mmcblk0 is too small: 2.0 GB for a 3.0 GB image"]),
        (
            "/dev/sda",
            [
                "/dev/sda has mounted file systems: /media/tech/bootfs (/dev/sda1), "
                "/media/tech/rootfs (/dev/sda2) (unmount them first"
            ],
        ),
        ("/dev/sdz", ["/dev/sdz: not a drive of this computer"]),
    ],
)
def test_refused_drives_of_a_laptop(target: str, reasons: list[str]) -> None:
    verdict = assess(listing("laptop"), target, IMAGE)
    assert not verdict.allowed
    for reason in reasons:
        assert any(reason in refusal for refusal in verdict.refusals), verdict.refusals


def test_the_drive_holding_the_image_is_refused() -> None:
    verdict = assess(listing("laptop"), "/dev/sdc", IMAGE, image_device="8:33")
    assert "/dev/sdc holds the image being written" in verdict.refusals
    assert not assess(listing("laptop"), "/dev/sdb", IMAGE, image_device="8:33").refusals


def test_a_blank_card_is_allowed_and_described() -> None:
    verdict = assess(listing("laptop"), "/dev/sdb", IMAGE, image_device="259:2")
    assert verdict.allowed and not verdict.warnings
    assert verdict.drive is not None
    assert verdict.drive.describe() == "/dev/sdb: SanDisk Ultra (15.9 GB, usb)"


def test_big_drives_are_allowed_with_a_warning() -> None:
    verdict = assess(listing("laptop"), "sde", IMAGE)
    assert verdict.allowed
    assert verdict.warnings == [
        "/dev/sde is 2.0 TB: bigger than any usual SD card, make sure it is the card"
    ]


def test_nothing_on_the_ci_machine_may_be_written() -> None:
    recorded = listing("ci-vm")
    for device in recorded["blockdevices"]:  # type: ignore[union-attr]
        assert not assess(recorded, device["path"], IMAGE).allowed, device["path"]
    assert "holds this computer's system: / (/dev/vda)" in " ".join(
        assess(recorded, "/dev/vda", IMAGE).refusals
    )


def test_removable_drives_lists_cards_only() -> None:
    paths = [drive.path for drive in removable_drives(listing("laptop"))]
    assert paths == ["/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde", "/dev/mmcblk0"]


@pytest.mark.parametrize(
    ("action", "properties", "size", "card"),
    [
        ("change", {"DEVTYPE": "disk", "ID_BUS": "usb", "DEVNAME": "/dev/sdb"}, 31116288, True),
        ("add", {"DEVTYPE": "disk", "DEVNAME": "/dev/mmcblk0"}, 31116288, True),
        ("change", {"DEVTYPE": "disk", "ID_BUS": "usb", "DEVNAME": "/dev/sdb"}, 0, False),
        ("add", {"DEVTYPE": "partition", "ID_BUS": "usb", "DEVNAME": "/dev/sdb1"}, 100, False),
        ("add", {"DEVTYPE": "disk", "ID_BUS": "ata", "DEVNAME": "/dev/sdf"}, 100, False),
        ("remove", {"DEVTYPE": "disk", "ID_BUS": "usb", "DEVNAME": "/dev/sdb"}, 100, False),
    ],
)
def test_card_events(action: str, properties: dict[str, str], size: int, card: bool) -> None:
    assert is_card_event(action, properties, size) is card


def test_flash_writes_and_verifies_a_file(tmp_path: Path) -> None:
    image = tmp_path / "card.img"
    image.write_bytes(os.urandom(9 * 1024 * 1024 + 123))
    target = tmp_path / "target.bin"
    target.write_bytes(b"old contents " * 1000)
    result = mpp("image", "flash", image, target, "--yes")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == image.read_bytes()
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in result.stdout
    assert "verifying" in result.stderr and "MB" in result.stderr


def test_flash_without_terminal_or_yes_refuses_in_one_line(tmp_path: Path) -> None:
    image = tmp_path / "card.img"
    image.write_bytes(b"\0" * 4096)
    result = mpp("image", "flash", image, tmp_path / "target.bin", stdin="")
    assert result.returncode == 12
    assert result.stderr.strip().splitlines() == [
        f"mpp: error: no terminal to confirm on: pass --yes to erase "
        f"{tmp_path / 'target.bin'} (a file) without asking"
    ]
    assert not (tmp_path / "target.bin").exists()


def test_flash_refuses_the_system_disk_of_this_machine(tmp_path: Path) -> None:
    """Through the real lsblk: the disk holding / is never written, even with --yes."""
    root = Path("/").stat().st_dev
    system = Path(f"/sys/dev/block/{os.major(root)}:{os.minor(root)}")
    if not system.exists():
        pytest.skip("/ is not on a block device here (overlay/tmpfs root)")
    disk = system.resolve()
    if (disk / "partition").exists():
        disk = disk.parent
    image = tmp_path / "card.img"
    image.write_bytes(b"\0" * 4096)
    result = mpp("image", "flash", image, f"/dev/{disk.name}", "--yes")
    assert result.returncode == 12
    assert "holds this computer's system" in result.stderr
    assert all(
        line.startswith("mpp: error: refusing to write: ") for line in result.stderr.splitlines()
    )


def test_compressed_image_is_refused_before_any_drive_check(tmp_path: Path) -> None:
    image = tmp_path / "raspios.img.xz"
    image.write_bytes(b"\xfd7zXZ\x00\x00" + b"\0" * 100)
    result = mpp("image", "flash", image, tmp_path / "t.bin", "--yes")
    assert result.returncode == 11
    assert "xz-compressed; decompress it first" in result.stderr


@pytest.mark.parametrize(("answer", "written"), [("n", False), ("y", True)])
def test_flash_asks_on_a_terminal(tmp_path: Path, answer: str, written: bool) -> None:
    image = tmp_path / "card.img"
    image.write_bytes(os.urandom(64 * 1024))
    target = tmp_path / "target.bin"
    controller, terminal = pty.openpty()
    try:
        os.write(controller, f"{answer}\n".encode())
        result = subprocess.run(
            [sys.executable, "-m", "mpp.cli", "image", "flash", str(image), str(target)],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert f"Everything on {target} (a file) will be erased." in result.stderr
    assert "Write card.img (65.5 kB) to it? [y/N]" in result.stdout
    if written:
        assert result.returncode == 0, result.stderr
        assert target.read_bytes() == image.read_bytes()
    else:
        assert result.returncode == 12
        assert result.stderr.strip().endswith("mpp: error: not confirmed; nothing written")
        assert not target.exists()


def test_card_presence_from_sysfs(tmp_path: Path) -> None:
    """Batch --wait waits for the written card to leave before taking the next one."""
    from provision.wait import card_present

    (tmp_path / "sdb").mkdir()
    (tmp_path / "sdb" / "size").write_text("62333952\n")
    assert card_present("/dev/sdb", tmp_path)
    (tmp_path / "sdb" / "size").write_text("0\n")  # a USB reader with its card taken out
    assert not card_present("/dev/sdb", tmp_path)
    assert not card_present("/dev/sdc", tmp_path)  # a USB stick pulled out
