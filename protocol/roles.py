"""Who is on the bus: device roles and the service accounts (hub, admins, upstream)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """An MQTT account's role; the broker ACL and command authorisation use it."""

    HUB = "hub"
    ADMIN = "admin"
    KIOSK = "kiosk"
    COUNTER = "counter"
    DISPLAY = "display"
    RUNNING_TEXT = "running_text"
    SIGNATURE_PAD = "signature_pad"
    UPSTREAM = "upstream"  # the online booking system (and later the regional uplink)

    @property
    def is_device(self) -> bool:
        """True for the roles that run on a device flashed from an image."""
        return self in DEVICE_ROLES


DEVICE_ROLES: frozenset[Role] = frozenset(
    {Role.KIOSK, Role.COUNTER, Role.DISPLAY, Role.RUNNING_TEXT, Role.SIGNATURE_PAD}
)
ALL_ROLES: frozenset[Role] = frozenset(Role)
