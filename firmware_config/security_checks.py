"""Cross-checks of the LAN link security: the site's choice against each device file.

A device whose file says another security than the site's (``[mqtt] lan`` in
accounts.toml) cannot connect at all — an error found at flashing time, not
in the building. A site that chose plain MQTT on the LAN is allowed but warned
about: every password then crosses the LAN in clear text.
"""

from __future__ import annotations

from firmware_config.inventory import ACCOUNTS_FILE, InventoryReport
from firmware_config.problems import Problem
from firmware_config.schema import PLAIN_PORT, TLS_PORT

PLAIN_WARNING = (
    "lan = 'plain': MQTT passwords cross the building LAN in clear text; anyone on the "
    "same network (shared Wi-Fi) can act as a kiosk or counter. Use 'tls' unless a device "
    "truly cannot"
)


def security_problems(report: InventoryReport) -> list[Problem]:
    """The plain-LAN warning, and one error per device whose security differs from the site's."""
    problems: list[Problem] = []
    if report.lan == "plain":
        problems.append(Problem(report.root / ACCOUNTS_FILE, "mqtt.lan", PLAIN_WARNING, True))
    for device in report.devices:
        mqtt = device.config.mqtt
        if mqtt.security != report.lan:
            problems.append(
                Problem(
                    device.path,
                    "mqtt.security",
                    f"{mqtt.security!r} but the site's LAN is {report.lan!r} "
                    f"({ACCOUNTS_FILE} [mqtt] lan): this device could not connect",
                )
            )
        elif mqtt.security != "plain" and mqtt.port == PLAIN_PORT:
            problems.append(
                Problem(
                    device.path,
                    "mqtt.port",
                    f"{PLAIN_PORT} is the plain MQTT port; TLS is on {TLS_PORT}",
                    True,
                )
            )
    return problems
