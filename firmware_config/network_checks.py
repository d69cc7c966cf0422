"""Cross-checks of the network part of an inventory: the hub and every device together.

Each file can be valid alone and the building still broken: two Pis given
the same static address or host name, a device pointed at a hub address
that is not the hub's, a static device outside the networks the hub serves
the time to (its clock would drift and stamp tickets wrongly).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address
from pathlib import Path
from typing import TYPE_CHECKING

from firmware_config.problems import Problem
from firmware_config.schema import HubConfig

if TYPE_CHECKING:
    from firmware_config.inventory import DeviceFile


def network_problems(
    hub_file: Path, hub: HubConfig | None, devices: Sequence[DeviceFile]
) -> list[Problem]:
    """Doubled host names and addresses; devices that do not reach the hub it describes."""
    problems: list[Problem] = []
    hostnames: dict[str, str] = {}
    addresses: dict[IPv4Address, str] = {}
    if hub is not None:
        problems += _hub_advice(hub_file, hub)
        hostnames[hub.network.hostname or ""] = hub_file.name
        if hub.network.address is not None:
            addresses[hub.network.address.ip] = hub_file.name
    for device in devices:
        network = device.config.network
        hostname = network.hostname or ""
        if hostname in hostnames:
            problems.append(
                Problem(
                    device.path,
                    "network.hostname",
                    f"{hostname!r} is already the host name of {hostnames[hostname]}",
                )
            )
        hostnames.setdefault(hostname, device.path.name)
        if network.address is not None:
            ip = network.address.ip
            if ip in addresses:
                problems.append(
                    Problem(
                        device.path,
                        "network.address",
                        f"{ip} is already the address of {addresses[ip]}",
                    )
                )
            addresses.setdefault(ip, device.path.name)
        if hub is not None:
            problems += _reaches_hub(hub_file, hub, device)
    return problems


def _reaches_hub(hub_file: Path, hub: HubConfig, device: DeviceFile) -> list[Problem]:
    config = device.config
    problems = []
    names = {hub.reach_address(), hub.network.hostname, f"{hub.network.hostname}.local"}
    if hub.network.address is not None:
        names.add(str(hub.network.address.ip))
    if config.hub not in names:
        problems.append(
            Problem(
                device.path,
                "hub",
                f"{config.hub!r} is not the hub of {hub_file} (set hub = {hub.reach_address()!r})",
                warning=True,
            )
        )
    address = config.network.address
    if address is not None:
        clients = hub.time_clients()
        if not any(address.ip in network for network in clients):
            served = ", ".join(str(network) for network in clients)
            problems.append(
                Problem(
                    device.path,
                    "network.address",
                    f"{address.ip} is outside the networks the hub serves the time to "
                    f"({served}; see time.allow in {hub_file.name})",
                )
            )
    return problems


def _hub_advice(hub_file: Path, hub: HubConfig) -> list[Problem]:
    """What works but should not be: the whole building hangs on the hub's link."""
    problems = []
    if hub.network.interface == "wifi":
        problems.append(
            Problem(
                hub_file,
                "network.interface",
                "the hub on Wi-Fi: every device of the building goes through it; cable it",
                warning=True,
            )
        )
    if hub.network.mode == "dhcp" and hub.address is None:
        problems.append(
            Problem(
                hub_file,
                "network.mode",
                f"the hub takes its address from DHCP: devices find it only as "
                f"{hub.reach_address()} (mDNS); give it a static address or a DHCP "
                "reservation and set address",
                warning=True,
            )
        )
    return problems
