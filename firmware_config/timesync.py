"""chrony configurations rendered from the inventory: the hub is the building's clock.

A queue stamps everything with the time: tickets, calls, waits, the SKM
survey, command expiry. The building must agree on it with no internet:

- the hub runs chrony as an NTP server for the LAN (``allow``), follows the
  internet's pools when it has them, and otherwise serves its own clock
  (``local stratum 8``, kept across power cuts by a battery RTC, ``rtcsync``);
- every device follows the hub and nothing else (``server <hub> iburst``, no
  pool, no DHCP-provided servers) and steps its clock whenever it is more than
  a second off (``makestep 1 -1``): a Pi has no RTC and boots with the time it
  was switched off at.

Each function returns a whole ``/etc/chrony/chrony.conf`` (Debian's layout),
so nothing of the stock file (its pool, its DHCP sources) is left to disagree.
"""

from __future__ import annotations

from firmware_config.schema import DeviceConfig, HubConfig

CHRONY_CONF = "/etc/chrony/chrony.conf"
_COMMON = """\
keyfile /etc/chrony/chrony.keys
driftfile /var/lib/chrony/chrony.drift
ntsdumpdir /var/lib/chrony
logdir /var/log/chrony
maxupdateskew 100.0
leapsectz right/UTC
"""


def _source(host: str) -> str:
    kind = "pool" if "pool.ntp.org" in host else "server"
    return f"{kind} {host} iburst"


def hub_chrony_conf(hub: HubConfig, site_id: str) -> str:
    """The hub's chrony.conf: upstream pools when online, the LAN's server always."""
    lines = [
        f"# {CHRONY_CONF} of the hub of site {site_id}: rendered by `mpp config render-time`",
        "# from the inventory's hub.toml. Edit hub.toml and render again, not this file.",
        "",
        "# Upstream when the internet is up (unreachable pools cost nothing offline).",
        *(_source(host) for host in hub.time.upstream),
        "",
        _COMMON.rstrip("\n"),
        "# Step at start if the RTC was far off, then only slew.",
        "makestep 1 3",
    ]
    if hub.time.rtc:
        lines += ["# Keep the battery RTC in step: the time survives a power cut.", "rtcsync"]
    lines += [
        "",
        "# Serve the building's devices, internet or not.",
        *(f"allow {network}" for network in hub.time_clients()),
        f"local stratum {hub.time.local_stratum}",
        "",
    ]
    return "\n".join(lines)


def device_chrony_conf(device: DeviceConfig, site_id: str) -> str:
    """A device's chrony.conf: the hub as its only clock, stepped whenever it is off."""
    return "\n".join(
        [
            f"# {CHRONY_CONF} of {device.device_id} ({device.role.value}) of site {site_id}:",
            "# rendered by `mpp config render-time` from its device file. Edit the device",
            "# file (its hub address) and render again, not this file.",
            "",
            "# The hub is the only clock this device follows (no pool, no DHCP servers):",
            "# every Pi of the building then agrees with the hub that stamps the tickets.",
            f"server {device.hub} iburst minpoll 4 maxpoll 6",
            "",
            _COMMON.rstrip("\n"),
            "# No RTC on a Pi: step whenever the clock is more than 1 s off, at any time.",
            "makestep 1 -1",
            "",
        ]
    )
