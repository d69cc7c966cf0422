"""Which drive may be flashed: a pure decision over a ``lsblk --json`` listing.

The rules of rpi-imager and Etcher: only a whole, removable, writable, real
drive that is big enough, holds nothing mounted (least of all the running
system) and is not where the image itself lies. Drives above 128 GB are
allowed with a warning: SD cards that big are rare, backup disks are not.
Kept free of I/O so every rule is tested on recorded listings.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

LSBLK_COLUMNS = (
    "NAME,PATH,MAJ:MIN,TYPE,SIZE,RM,RO,HOTPLUG,TRAN,VENDOR,MODEL,SERIAL,FSTYPE,LABEL,MOUNTPOINTS"
)
SYSTEM_MOUNTS = ("/", "/boot", "/boot/efi", "/boot/firmware", "/usr", "/var", "/home", "[SWAP]")
VIRTUAL_PREFIXES = ("loop", "ram", "zram", "dm-", "md", "nbd", "sr", "vd", "xvd")
VIRTUAL_VENDORS = ("qemu", "vmware", "vbox", "virtual", "msft", "0x1af4", "red hat")
LARGE_BYTES = 128 * 1000**3


@dataclass(frozen=True)
class Drive:
    """One whole drive of the listing, as the technician will see it."""

    path: str
    name: str
    size: int
    model: str
    transport: str

    def describe(self) -> str:
        what = self.model or "unknown model"
        via = f", {self.transport}" if self.transport else ""
        return f"{self.path}: {what} ({human_size(self.size)}{via})"


@dataclass(frozen=True)
class Verdict:
    """Why a drive must not be written (``refusals``) and what to tell anyway."""

    drive: Drive | None
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.drive is not None and not self.refusals


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def read_listing() -> dict[str, object]:
    """``lsblk --json`` of every block device, sizes in bytes."""
    try:
        result = subprocess.run(
            ["lsblk", "--json", "--bytes", "--output", LSBLK_COLUMNS],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise DriveRefusedError(
            "lsblk not found (Debian's util-linux): cannot check drives"
        ) from None
    if result.returncode != 0:
        raise DriveRefusedError(f"lsblk failed: {result.stderr.strip()}; cannot check drives")
    return json.loads(result.stdout)


def _walk(device: dict[str, object]) -> Iterator[dict[str, object]]:
    yield device
    for child in device.get("children") or []:  # type: ignore[union-attr]
        yield from _walk(child)  # type: ignore[arg-type]


def _find(listing: dict[str, object], target: str) -> tuple[dict, dict] | None:
    """The node named ``target`` (path or name) and the top-level drive it belongs to."""
    for top in listing.get("blockdevices") or []:  # type: ignore[union-attr]
        for node in _walk(top):
            if target in (node.get("path"), node.get("name"), f"/dev/{node.get('name')}"):
                return node, top
    return None


def _text(node: dict, key: str) -> str:
    return str(node.get(key) or "").strip()


def _mounts(node: dict) -> list[str]:
    return [point for point in node.get("mountpoints") or [] if point]


def _is_virtual(node: dict) -> bool:
    name = _text(node, "name")
    vendor = f"{_text(node, 'vendor')} {_text(node, 'model')}".lower()
    return (
        name.startswith(VIRTUAL_PREFIXES)
        or node.get("type") in ("loop", "rom")
        or any(mark in vendor for mark in VIRTUAL_VENDORS)
    )


def _is_removable(node: dict) -> bool:
    """Removable media, a hot-plugged (USB) drive, or an SD slot (``mmcblk``)."""
    return bool(
        node.get("rm")
        or node.get("hotplug")
        or _text(node, "tran") in ("usb", "mmc")
        or _text(node, "name").startswith("mmcblk")
    )


def assess(
    listing: dict[str, object],
    target: str,
    image_size: int,
    image_device: str | None = None,
) -> Verdict:
    """May ``target`` take an image of ``image_size`` bytes?

    ``image_device`` is the ``MAJ:MIN`` of the file system holding the image.
    """
    found = _find(listing, target)
    if found is None:
        return Verdict(None, [f"{target}: not a drive of this computer (see lsblk)"])
    node, top = found
    drive = Drive(
        path=_text(node, "path") or f"/dev/{_text(node, 'name')}",
        name=_text(node, "name"),
        size=int(node.get("size") or 0),
        model=" ".join(part for part in (_text(top, "vendor"), _text(top, "model")) if part),
        transport=_text(top, "tran"),
    )
    refusals: list[str] = []
    if node is not top or node.get("type") == "part":
        refusals.append(f"{drive.path} is a partition; give the whole card ({_text(top, 'path')})")
    if _is_virtual(node):
        refusals.append(f"{drive.path} is a virtual drive ({_text(node, 'type') or 'virtual'})")
    elif not _is_removable(top):
        refusals.append(f"{drive.path} is not a removable drive (an internal disk?)")
    if node.get("ro") or top.get("ro"):
        refusals.append(f"{drive.path} is read-only (the card's lock switch?)")
    if drive.size < image_size:
        refusals.append(
            f"{drive.path} is too small: {human_size(drive.size)} for a "
            f"{human_size(image_size)} image"
        )
    system, mounted = [], []
    for part in _walk(top):
        for point in _mounts(part):
            where = f"{point} ({_text(part, 'path') or _text(part, 'name')})"
            (system if point in SYSTEM_MOUNTS else mounted).append(where)
    if system:
        refusals.append(f"{drive.path} holds this computer's system: {', '.join(system)}")
    if mounted:
        refusals.append(
            f"{drive.path} has mounted file systems: {', '.join(mounted)} "
            f"(unmount them first, e.g. udisksctl unmount -b PARTITION)"
        )
    if image_device is not None and any(part.get("maj:min") == image_device for part in _walk(top)):
        refusals.append(f"{drive.path} holds the image being written")
    warnings = []
    if drive.size > LARGE_BYTES:
        warnings.append(
            f"{drive.path} is {human_size(drive.size)}: bigger than any usual SD card, "
            "make sure it is the card"
        )
    return Verdict(drive, refusals, warnings)


def removable_drives(listing: dict[str, object]) -> list[Drive]:
    """Whole removable drives, for ``--wait`` and the batch to show."""
    drives = []
    for top in listing.get("blockdevices") or []:  # type: ignore[union-attr]
        verdict = assess(listing, _text(top, "path") or f"/dev/{_text(top, 'name')}", 0)
        if verdict.drive is not None and _is_removable(top) and not _is_virtual(top):
            drives.append(verdict.drive)
    return drives


class DriveRefusedError(RuntimeError):
    """The drive must not be written; each line says why."""
