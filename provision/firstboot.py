"""The first-boot mover: the identity on the boot partition becomes this device.

Runs once on the Pi, as root, from ``mpp-firstboot.service``. It checks the
files under ``<boot>/mpp/`` against their manifest, installs them into
``<root>/etc/mpp/`` with mode 0600 owned by the service user, enables
exactly the service of the device's role (the image ships them all
disabled), removes the identity from the FAT partition, and, on edge
roles, asks for the read-only root once the agent runs. Every step is a
function of the two folders, so it is tested against a fake root on any PC.

Only the standard library: it runs before anything else of the product.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("mpp.firstboot")

BOOT_DIR = "mpp"
MANIFEST = "manifest.json"
SERVICE_USER = "mpp"
UNIT_DIRS = ("etc/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")
EDGE_ROLES = {"kiosk", "counter", "display", "running_text", "signature_pad"}
ROLE_UNITS = {f"mpp-{role.replace('_', '-')}.service" for role in (*EDGE_ROLES, "hub")}
OVERLAY_PENDING = "etc/mpp/readonly-root-pending"
# Files that go elsewhere than /etc/mpp, readable by their daemon (root-owned, 0644).
PUBLIC_FILES = {"chrony.conf": "etc/chrony/chrony.conf"}
# The hub's credentials store lives with its state, where its units look.
PRIVATE_ELSEWHERE = {"mqtt-credentials.json": "var/lib/mpp/mqtt-credentials.json"}
# The hub's inventory and site TLS directory (CA, hub certificate) travel as tars.
TARS = {"inventory.tar": "etc/mpp/inventory", "tls.tar": "var/lib/mpp/tls"}


class FirstBootError(RuntimeError):
    """The identity on the card cannot be installed; the card is left as it is."""


@dataclass(frozen=True)
class Installed:
    device_id: str
    role: str
    unit: str
    files: tuple[Path, ...]


def _read_manifest(source: Path) -> dict[str, object]:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FirstBootError(f"{source / MANIFEST}: missing (customisation interrupted?)") from None
    except ValueError as error:
        raise FirstBootError(f"{source / MANIFEST}: not JSON: {error}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise FirstBootError(f"{source / MANIFEST}: no file list")
    return manifest


def _verified(source: Path, files: dict[str, str]) -> dict[str, bytes]:
    """Every listed file, read and checked against its SHA-256."""
    contents = {}
    for name, digest in files.items():
        if "/" in name or name.startswith(".") or not name:
            raise FirstBootError(f"{source / MANIFEST}: bad file name {name!r}")
        try:
            data = (source / name).read_bytes()
        except FileNotFoundError:
            raise FirstBootError(f"{source / name}: listed in the manifest but missing") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise FirstBootError(f"{source / name}: does not match its SHA-256 (damaged card?)")
        contents[name] = data
    return contents


def _service_user(root: Path) -> tuple[int, int] | None:
    """uid and gid of the service user in ``<root>/etc/passwd``."""
    try:
        lines = (root / "etc/passwd").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == SERVICE_USER:
            return int(fields[2]), int(fields[3])
    return None


def _write_file(path: Path, data: bytes, owner: tuple[int, int] | None, mode: int) -> None:
    """Atomically and durably, with ``mode``, owned by ``owner`` when we may chown."""
    temporary = path.with_name(f".{path.name}.new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, mode)
        if owner is not None and os.geteuid() == 0:
            os.fchown(descriptor, *owner)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    temporary.replace(path)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def unit_for_role(root: Path, role: str) -> tuple[str, Path]:
    """The role's unit (``mpp-<role>.service``) and where it lies inside ``root``."""
    name = f"mpp-{role.replace('_', '-')}.service"
    if name not in ROLE_UNITS:
        raise FirstBootError(f"unknown role {role!r}")
    for directory in UNIT_DIRS:
        if (root / directory / name).is_file():
            return name, Path("/") / directory / name
    raise FirstBootError(f"no {name} in this image (a hub card in an edge image?)")


def _wanted_by(unit_file: Path) -> list[str]:
    targets: list[str] = []
    for line in unit_file.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "WantedBy":
            targets += value.split()
    return targets or ["multi-user.target"]


def enable_only(root: Path, unit: str, unit_path: Path) -> None:
    """Enable ``unit`` as ``systemctl enable`` would (wants symlinks) and disable every
    role's service, so a re-provisioned card runs exactly one role."""
    system = root / "etc/systemd/system"
    for wants in system.glob("*.wants"):
        for link in wants.glob("mpp-*.service"):
            if link.name in ROLE_UNITS and link.name != unit:
                link.unlink()
    for target in _wanted_by(root / unit_path.relative_to("/")):
        wants = system / f"{target}.wants"
        wants.mkdir(parents=True, exist_ok=True)
        link = wants / unit
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(unit_path)


def _who(source: Path, manifest: dict[str, object], contents: dict[str, bytes]) -> tuple[str, str]:
    """Device id and role: from the device file, or the manifest for the hub."""
    if "device.toml" in contents:
        device = tomllib.loads(contents["device.toml"].decode("utf-8"))
        device_id, role = str(device.get("device_id", "")), str(device.get("role", ""))
    else:
        device_id, role = str(manifest.get("device_id", "")), str(manifest.get("role", ""))
        if role != "hub":
            raise FirstBootError(f"{source}: no device.toml")
    if not device_id or not role:
        raise FirstBootError(f"{source / 'device.toml'}: no device_id or role")
    return device_id, role


def _unpack(data: bytes, target: Path, owner: tuple[int, int] | None) -> list[Path]:
    """A tar of the hub's identity into ``target``: plain files only, 0600, nothing outside."""
    written = []
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            name = Path(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                raise FirstBootError(f"{target.name}: refusing tar member {member.name!r}")
            extracted = archive.extractfile(member)
            assert extracted is not None  # a regular file
            path = target / name
            path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
            _write_file(path, extracted.read(), owner, 0o600)
            written.append(path)
    for directory in {path.parent for path in written} | {target}:
        if owner is not None and os.geteuid() == 0:
            os.chown(directory, *owner)
        _fsync_dir(directory)
    return written


def install(boot: Path, root: Path) -> Installed:
    """Move the identity from ``boot`` into ``root`` and enable the role's service."""
    source = boot / BOOT_DIR
    manifest = _read_manifest(source)
    contents = _verified(source, manifest["files"])  # type: ignore[arg-type]
    device_id, role = _who(source, manifest, contents)
    unit, unit_path = unit_for_role(root, role)
    owner = _service_user(root)
    etc = root / "etc/mpp"
    etc.mkdir(mode=0o750, parents=True, exist_ok=True)
    if owner is not None and os.geteuid() == 0:
        os.chown(etc, 0, owner[1])
    installed: list[Path] = []
    for name, data in contents.items():
        if name in TARS:
            installed += _unpack(data, root / TARS[name], owner)
            continue
        if name in PUBLIC_FILES:
            target = root / PUBLIC_FILES[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_file(target, data, None, 0o644)
        else:
            target = root / PRIVATE_ELSEWHERE.get(name, f"etc/mpp/{name}")
            target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
            _write_file(target, data, owner, 0o600)
        _fsync_dir(target.parent)
        installed.append(target)
    # What was installed and from which flash (instance id), for the technician.
    _write_file(etc / "provisioned.json", (source / MANIFEST).read_bytes(), owner, 0o600)
    _fsync_dir(etc)
    enable_only(root, unit, unit_path)
    if role in EDGE_ROLES:
        (root / OVERLAY_PENDING).write_text(f"{unit}\n", encoding="utf-8")
    # Only now that everything is durable in /etc/mpp: the secrets leave the FAT partition.
    shutil.rmtree(source)
    _fsync_dir(boot)
    return Installed(device_id, role, unit, tuple(installed))


def _render_broker() -> None:
    """The hub's Mosquitto configuration from the inventory just installed."""
    mpp = Path(sys.executable).parent / "mpp"
    subprocess.run(
        [str(mpp), "broker", "render", "--inventory", "/etc/mpp/inventory",
         "--out", "/etc/mosquitto/mpp", "--secrets", "/var/lib/mpp/mqtt-credentials.json"],
        check=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mpp-firstboot", description=__doc__.splitlines()[0])
    parser.add_argument("--boot", type=Path, default=Path("/boot/firmware"))
    parser.add_argument("--root", type=Path, default=Path("/"))
    parser.add_argument(
        "--start", action="store_true", help="reload systemd and start the unit (on the device)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    if not (args.boot / BOOT_DIR).is_dir():
        log.info("no identity on %s: nothing to do", args.boot)
        return 0
    try:
        result = install(args.boot, args.root)
    except (FirstBootError, OSError, ValueError, tarfile.TarError) as error:
        print(f"mpp-firstboot: error: {error}", file=sys.stderr)
        return 1
    log.info(
        "installed %s (%s): %s enabled, %d files in %s",
        result.device_id,
        result.role,
        result.unit,
        len(result.files),
        args.root / "etc/mpp",
    )
    if args.start:
        if result.role == "hub":
            try:
                _render_broker()
            except (OSError, subprocess.CalledProcessError) as error:
                print(f"mpp-firstboot: error: broker render failed: {error}", file=sys.stderr)
                return 1
        subprocess.run(["systemctl", "daemon-reload"], check=False)
        # chronyd may have started with the stock configuration before us.
        subprocess.run(["systemctl", "try-restart", "chrony.service"], check=False)
        subprocess.run(["systemctl", "start", "--no-block", result.unit], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
