"""``mpp image customize``: one device's identity into a copy of the base image.

Everything goes into the FAT boot partition (:mod:`provision.fat`): the
cloud-init NoCloud files, ``cmdline.txt`` pointing at them with a fresh
instance id, and the product identity under ``mpp/``. The manifest is written
last, so an interrupted customisation leaves nothing the first-boot mover
would install.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firmware_config.secrets import wpa_psk_hex
from provision import cloudinit
from provision.fat import BootPartition, ImageError
from provision.identity import BOOT_DIR, MANIFEST, Identity

# First bytes of compressed images people download (xz, gzip, zip, zstd).
COMPRESSED = {
    b"\xfd7zXZ": "xz",
    b"\x1f\x8b": "gzip",
    b"PK\x03\x04": "zip",
    b"\x28\xb5\x2f\xfd": "zstd",
}
CMDLINE = "cmdline.txt"
IMAGE_KIND = "mpp-image.txt"


@dataclass(frozen=True)
class Customized:
    """What was written, for the command's summary and the batch's label."""

    image: Path
    device_id: str
    role: str
    hostname: str
    instance_id: str
    files: tuple[str, ...]


def check_plain_image(path: Path) -> None:
    """A clear error for a compressed download instead of a partition-table error."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ImageError(f"{path}: no such image file") from None
    for magic, kind in COMPRESSED.items():
        if head.startswith(magic):
            raise ImageError(f"{path}: {kind}-compressed; decompress it first (e.g. xz -dk)")


def copy_image(base: Path, out: Path) -> None:
    """Copy keeping holes, so a mostly empty 4 GB image stays small on disk."""
    if out.resolve() == base.resolve():
        return
    cp = shutil.which("cp")
    if cp is None:  # pragma: no cover - every Debian has cp
        shutil.copyfile(base, out)
        return
    result = subprocess.run([cp, "--sparse=always", str(base), str(out)], capture_output=True)
    if result.returncode != 0:
        raise ImageError(f"{out}: cannot copy {base}: {result.stderr.decode().strip()}")


def check_image_kind(boot: BootPartition, role: str) -> None:
    """A hub identity only on the hub image, a device's only on the edge image.

    The recipe writes ``mpp-image.txt`` (``antrian-mpp edge`` or ``antrian-mpp hub``)
    into the boot partition; an image without it (another build) is not judged.
    """
    if not boot.exists(IMAGE_KIND):
        return
    kind = boot.read(IMAGE_KIND).decode(errors="replace").split()[-1:]
    wanted = "hub" if role == "hub" else "edge"
    if kind != [wanted]:
        raise ImageError(
            f"{boot.image}: this is the {' '.join(kind) or 'unknown'} image; "
            f"{'the hub' if wanted == 'hub' else 'a ' + role + ' device'} needs the {wanted} image"
        )


def check_base_image(base: Path, role: str) -> None:
    """Everything about the base image that can refuse it, checked on the base itself.

    Before the copy: a refusal names the image the technician gave (not the ``--out``
    copy, which is then never made) and costs no copy of a 4 GB image.
    """
    check_plain_image(base)
    boot = BootPartition.of(base)
    if not boot.exists(CMDLINE):
        raise ImageError(
            f"{base}: no {CMDLINE} in the boot partition (not a Raspberry Pi OS image)"
        )
    check_image_kind(boot, role)


def customize(
    image: Path,
    identity: Identity,
    *,
    ssh_keys: list[str],
    timezone: str,
    wifi_psk: Callable[[str], str],
    instance_id: str | None = None,
) -> Customized:
    """Write the device's first-boot files into ``image`` (modified in place)."""
    check_plain_image(image)
    boot = BootPartition.of(image)
    if not boot.exists(CMDLINE):
        raise ImageError(
            f"{image}: no {CMDLINE} in the boot partition (not a Raspberry Pi OS image)"
        )
    check_image_kind(boot, identity.role)
    network = identity.network
    instance = instance_id or cloudinit.new_instance_id(identity.device_id)
    psk = None
    if network.wifi_psk_ref and network.wifi_ssid:
        psk = wpa_psk_hex(wifi_psk(network.wifi_psk_ref), network.wifi_ssid)
    files = cloudinit.render(
        identity.hostname,
        network,
        ssh_keys=ssh_keys,
        timezone=timezone,
        instance_id=instance,
        wifi_psk=psk,
    )
    boot.remove_tree(BOOT_DIR)
    written: list[str] = []
    for name, data in identity.files.items():
        boot.write(f"{BOOT_DIR}/{name}", data)
        written.append(f"{BOOT_DIR}/{name}")
    for name, text in files.by_name().items():
        boot.write(name, text.encode())
        written.append(name)
    cmdline = boot.read(CMDLINE).decode()
    boot.write(CMDLINE, cloudinit.with_datasource(cmdline, instance).encode())
    boot.write(f"{BOOT_DIR}/{MANIFEST}", identity.manifest(instance))
    written += [CMDLINE, f"{BOOT_DIR}/{MANIFEST}"]
    return Customized(
        image, identity.device_id, identity.role, identity.hostname, instance, tuple(written)
    )
