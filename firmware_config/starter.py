"""A starting inventory for a new building: ``mpp config init DIR``.

The bundled inventory lives inside the Python package (``firmware_config/``
beside ``cli.py``, ``schema/`` …): "copy firmware_config/" handed a
technician code along with the building. This writes only what a technician
edits — ``accounts.toml``, ``hub.toml``, ``devices/*.toml`` — and the site file
they are checked against as ``site.toml``, into a new directory of their own.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from firmware_config.inventory import (
    ACCOUNTS_FILE,
    DEFAULT_INVENTORY,
    DEVICES_DIR,
    HUB_FILE,
    SITE_FILE,
    ConfigError,
)


@dataclass(frozen=True)
class Started:
    """What was written, for the command's summary."""

    root: Path
    files: tuple[str, ...]
    devices: int


def inventory_files(source: Path = DEFAULT_INVENTORY) -> list[str]:
    """The inventory's own files, relative to ``source``: never the package's code."""
    devices = sorted(path.name for path in (source / DEVICES_DIR).glob("*.toml"))
    return [ACCOUNTS_FILE, HUB_FILE, *(f"{DEVICES_DIR}/{name}" for name in devices)]


def write_starting_inventory(
    target: Path, site_file: Path, source: Path = DEFAULT_INVENTORY
) -> Started:
    """Copy the sample inventory and ``site_file`` into ``target`` (new or empty).

    Written into a hidden sibling first and renamed into place: an interrupted
    copy leaves no half inventory that would later validate as a smaller building.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "a directory that is not empty" if target.is_dir() else "not a directory"
        raise ConfigError(f"{target}: {what}; give a new directory (nothing was written)")
    files = inventory_files(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for relative in files:
            (scratch / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, scratch / relative)
        shutil.copyfile(site_file, scratch / SITE_FILE)
        scratch.chmod(0o755)  # mkdtemp makes it 0700; an inventory holds no secret
        scratch.replace(target)  # an empty target directory is replaced
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    devices = sum(1 for name in files if name.startswith(f"{DEVICES_DIR}/"))
    return Started(target, (*files, SITE_FILE), devices)
