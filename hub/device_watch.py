"""What the hub knows about each device for the admin: presence, health, last seen.

Births and wills come from :class:`~hub.presence_registry.PresenceRegistry`;
the latest heartbeat (CPU temperature, memory) and when anything was last
heard from the device are kept here. Bounded: one entry per device of the
inventory, nothing for strangers.
"""

from __future__ import annotations

from datetime import datetime

from hub.presence_registry import PresenceRegistry
from protocol.models import DeviceStatus, Heartbeat, Presence
from protocol.roles import Role


class DeviceWatch:
    def __init__(self, roles: dict[str, Role]) -> None:
        self.roles = {name: role for name, role in roles.items() if role.is_device}
        self.presence = PresenceRegistry(set(self.roles))
        self.heartbeats: dict[str, Heartbeat] = {}
        self.last_seen: dict[str, datetime] = {}

    def status(self, status: DeviceStatus, now: datetime) -> None:
        if self.presence.update(status) and status.state is Presence.ONLINE:
            self.last_seen[status.device_id] = now

    def heartbeat(self, beat: Heartbeat, now: datetime) -> None:
        if beat.device_id in self.roles:
            self.heartbeats[beat.device_id] = beat
            self.last_seen[beat.device_id] = now

    def heard(self, device_id: str, now: datetime) -> None:
        """A command from the device: it is alive now."""
        if device_id in self.roles:
            self.last_seen[device_id] = now

    def online(self, device_id: str) -> bool:
        status = self.presence.devices.get(device_id)
        return status is not None and status.state is Presence.ONLINE
