"""``--wait``: udev tells when a card goes in, so the technician never types a device name.

A card put into a USB reader is a ``change`` of an existing disk (media
appeared); a USB stick or a laptop's SD slot is an ``add``. Either way the
disk must now have a size. The choice is a pure function of the event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from provision.drives import DriveRefusedError

SECTOR = 512


def is_card_event(action: str, properties: Mapping[str, str], size_sectors: int) -> bool:
    """Did a removable disk just get media?"""
    if action not in ("add", "change") or size_sectors <= 0:
        return False
    if properties.get("DEVTYPE") != "disk":
        return False
    bus = properties.get("ID_BUS", "")
    name = properties.get("DEVNAME", "")
    return (
        bus in ("usb", "mmc")
        or name.startswith("/dev/mmcblk")
        or bool(properties.get("ID_DRIVE_FLASH_SD") or properties.get("ID_DRIVE_MEDIA_FLASH_SD"))
    )


def wait_for_card(timeout_s: float | None, announce: Callable[[str], None]) -> str | None:
    """Block until a card is inserted; its device node, or ``None`` on timeout."""
    import pyudev

    try:
        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        monitor.filter_by("block", device_type="disk")
        monitor.start()
    except (OSError, ImportError) as error:
        raise DriveRefusedError(
            f"cannot watch for cards (udev: {error}); give the card's device instead"
        ) from None
    announce("waiting for an SD card (put it into the reader; Ctrl-C stops)")
    while True:
        device = monitor.poll(timeout=timeout_s)
        if device is None:
            return None
        try:
            size = int(device.attributes.asint("size"))
        except (KeyError, ValueError):
            size = 0
        if is_card_event(device.action or "", dict(device.properties), size):
            model = device.properties.get("ID_MODEL", "card")
            announce(f"card inserted: {device.device_node} ({model}, {size * SECTOR:,} bytes)")
            return str(device.device_node)


def card_present(node: str, sys_block: Path = Path("/sys/class/block")) -> bool:
    """Does the drive at ``node`` still hold media (a size above zero in sysfs)?"""
    size = sys_block / Path(node).name / "size"
    try:
        return int(size.read_text().strip() or 0) > 0
    except (FileNotFoundError, ValueError):
        return False


def wait_for_removal(node: str, announce: Callable[[str], None], poll_s: float = 0.5) -> None:
    """Block until the card just written is taken out, so writing the next device's
    card can never pick the same one again (the kernel re-reading its partitions
    looks like a card being inserted)."""
    if card_present(node):
        announce(f"take the card out of {node}")
    while card_present(node):
        time.sleep(poll_s)  # the technician's hand, not a test: sysfs has no event to wait on here
