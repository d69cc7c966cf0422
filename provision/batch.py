"""``mpp image batch``: a building's cards, one after another, from the inventory.

For each device: customise a private copy of the base image, tell the
technician which device the next card is for, write and verify it, and print
one label line to stick on the card (device, role, host name, address, the
flash's instance id). A failed card stops the batch; ``--from ID`` resumes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from firmware_config.credentials import CredentialStoreError
from firmware_config.inventory import ConfigError, load_inventory
from firmware_config.schema import DeviceConfig
from provision.customize import Customized, copy_image
from provision.flash import Written
from provision.preparer import Preparer

TargetFor = Callable[[DeviceConfig, int, int], Path]  # device, position, total → drive


@dataclass(frozen=True)
class Label:
    customized: Customized
    address: str
    written: Written

    def line(self) -> str:
        """One line per card: what a technician writes on it or prints on a label."""
        c = self.customized
        return (
            f"{c.device_id:<12} {c.role:<13} {c.hostname:<18} {self.address:<24} "
            f"{c.instance_id}  sha256:{self.written.sha256[:12]}"
        )


def select(
    inventory: Path, ids: list[str], roles: list[str], start: str | None
) -> list[DeviceConfig]:
    """Devices in inventory order (by id), filtered; ``start`` resumes at that id."""
    devices = sorted(load_inventory(inventory).devices, key=lambda device: device.device_id)
    known = {device.device_id for device in devices}
    for device_id in [*ids, *([start] if start else [])]:
        if device_id not in known:
            raise ConfigError(f"{inventory}: no device {device_id!r} in the inventory")
    if ids:
        devices = [device for device in devices if device.device_id in ids]
    if roles:
        devices = [device for device in devices if device.role.value in roles]
    if start:
        ids_in_order = [device.device_id for device in devices]
        if start in ids_in_order:
            devices = devices[ids_in_order.index(start) :]
    if not devices:
        raise ConfigError("no device selected for the batch")
    return devices


def address_of(device: DeviceConfig) -> str:
    """``192.168.10.20/24 eth`` or ``dhcp wifi:MPP-Lantai-1``."""
    network = device.network
    where = str(network.address) if network.mode == "static" else "dhcp"
    link = f"wifi:{network.wifi_ssid}" if network.interface == "wifi" else "eth"
    return f"{where} {link}"


def preflight(devices: list[DeviceConfig], preparer: Preparer) -> None:
    """Every password and Wi-Fi key is there before the first card, not at the tenth."""
    problems = []
    for device in devices:
        try:
            preparer.identity(device.device_id)
        except (ConfigError, CredentialStoreError) as error:
            problems.append(f"{device.device_id}: {error}")
    if problems:
        raise ConfigError("\n".join(problems))


def run_batch(
    base: Path,
    devices: list[DeviceConfig],
    preparer: Preparer,
    target_for: TargetFor,
    flash: Callable[[Path, Path], Written],
    labels: Path | None,
    err: Console,
) -> list[Label]:
    done: list[Label] = []
    with tempfile.TemporaryDirectory(prefix="mpp-batch-") as scratch:
        for position, device in enumerate(devices, start=1):
            image = Path(scratch) / f"{device.device_id}.img"
            copy_image(base, image)
            customized = preparer.customize(image, device.device_id)
            err.rule(f"card {position}/{len(devices)}: {device.device_id} ({device.role.value})")
            err.print(
                f"next card is for [bold]{device.device_id}[/] — {device.name}", highlight=False
            )
            target = target_for(device, position, len(devices))
            written = flash(image, target)
            image.unlink()
            label = Label(customized, address_of(device), written)
            print(f"LABEL {label.line()}", flush=True)
            if labels is not None:
                with labels.open("a", encoding="utf-8") as handle:
                    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    handle.write(f"{stamp} {label.line()}\n")
            err.print(
                f"done: write [bold]{device.device_id}[/] on this card and take it out",
                highlight=False,
            )
            done.append(label)
    return done
