"""cloud-init NoCloud files for one device: ``user-data``, ``meta-data``, ``network-config``.

cloud-init does the operating-system part of first boot (host name, the
technician's account with SSH keys only, the network); the product's own
identity travels separately (:mod:`provision.identity`). A new instance id
per flash makes cloud-init treat a re-flashed card as a new machine.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import yaml

from firmware_config.schema import NetworkSettings

TECHNICIAN_USER = "technician"
ETHERNET = "eth0"
WIFI = "wlan0"


@dataclass(frozen=True)
class CloudInitFiles:
    """The three files as written into the boot partition."""

    user_data: str
    meta_data: str
    network_config: str
    instance_id: str

    def by_name(self) -> dict[str, str]:
        return {
            "user-data": self.user_data,
            "meta-data": self.meta_data,
            "network-config": self.network_config,
        }


def new_instance_id(device_id: str) -> str:
    """``<device id>-<random>``: unique per flash, still readable in logs."""
    return f"{device_id}-{secrets.token_hex(6)}"


def _yaml(data: object) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096
    )


def user_data(hostname: str, ssh_keys: list[str], timezone: str) -> str:
    """``#cloud-config``: host name, time zone, the technician's key-only sudo account.

    With no key the list is left out: cloud-init's schema refuses an empty one
    (``users.0: … is not valid under any of the given schemas``). The account is
    still made, locked, so a later card with a key gives the same account.
    """
    technician: dict[str, object] = {
        "name": TECHNICIAN_USER,
        "gecos": "MPP technician",
        "groups": ["sudo", "adm", "systemd-journal"],
        "shell": "/bin/bash",
        "lock_passwd": True,
        "sudo": "ALL=(ALL) NOPASSWD:ALL",
    }
    if ssh_keys:
        technician["ssh_authorized_keys"] = ssh_keys
    config = {
        "hostname": hostname,
        "manage_etc_hosts": True,
        "timezone": timezone,
        "users": [technician],
        "ssh_pwauth": False,
        "disable_root": True,
    }
    return "#cloud-config\n" + _yaml(config)


def meta_data(instance_id: str, hostname: str) -> str:
    return _yaml({"instance-id": instance_id, "local-hostname": hostname, "dsmode": "local"})


def network_config(network: NetworkSettings, wifi_psk: str | None) -> str:
    """Netplan-style version 2, as Raspberry Pi Imager writes it."""
    interface: dict[str, object] = {}
    if network.mode == "static":
        assert network.address is not None  # the schema requires it
        interface["dhcp4"] = False
        interface["addresses"] = [str(network.address)]
        if network.gateway is not None:
            # 0.0.0.0/0 rather than "default": cloud-init before 23 rejects the latter.
            interface["routes"] = [{"to": "0.0.0.0/0", "via": str(network.gateway)}]
    else:
        interface["dhcp4"] = True
    if network.dns:
        interface["nameservers"] = {"addresses": [str(server) for server in network.dns]}
    body: dict[str, object] = {"version": 2}
    if network.interface == "wifi":
        if not wifi_psk:
            raise ValueError("a Wi-Fi device needs its pre-shared key")
        interface["regulatory-domain"] = network.wifi_country
        interface["access-points"] = {network.wifi_ssid: {"password": wifi_psk}}
        body["wifis"] = {WIFI: interface}
    else:
        body["ethernets"] = {ETHERNET: interface}
    return _yaml({"network": body})


def render(
    hostname: str,
    network: NetworkSettings,
    *,
    ssh_keys: list[str],
    timezone: str,
    instance_id: str,
    wifi_psk: str | None = None,
) -> CloudInitFiles:
    return CloudInitFiles(
        user_data=user_data(hostname, ssh_keys, timezone),
        meta_data=meta_data(instance_id, hostname),
        network_config=network_config(network, wifi_psk),
        instance_id=instance_id,
    )


def with_datasource(cmdline: str, instance_id: str) -> str:
    """``cmdline.txt`` (one line) pointing cloud-init at NoCloud with this instance id."""
    words = [word for word in cmdline.split() if not word.startswith("ds=")]
    words.append(f"ds=nocloud;i={instance_id}")
    return " ".join(words) + "\n"
