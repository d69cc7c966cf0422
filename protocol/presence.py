"""Ready-made birth/death descriptions for a device and for the hub."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from protocol.link import Presence
from protocol.models import ComponentState, Degradation, DeviceStatus, HubStatus
from protocol.models import Presence as PresenceState
from protocol.models.base import utc_now
from protocol.roles import Role
from protocol.topics import spec

HardwareReader = Callable[[], Mapping[str, ComponentState]]


def device_presence(
    device_id: str,
    role: Role,
    software_version: str,
    capabilities: Sequence[str] = (),
    hardware: HardwareReader | None = None,
) -> Presence:
    """Presence of a device; ``hardware`` is read afresh for every birth."""

    def make(online: bool, session: int) -> DeviceStatus:
        return DeviceStatus(
            device_id=device_id,
            role=role,
            state=PresenceState.ONLINE if online else PresenceState.OFFLINE,
            session=session,
            software_version=software_version,
            capabilities=list(capabilities) if online else [],
            hardware=dict(hardware()) if (online and hardware is not None) else {},
        )

    return Presence(spec("device.status"), {"device_id": device_id}, make)


def hub_presence(
    site_id: str,
    software_version: str,
    degraded: Callable[[], Sequence[Degradation]] | None = None,
) -> Presence:
    """Presence of the hub service; devices wait for its ``online``.

    ``degraded`` is read afresh for every birth, so :meth:`MqttLink.update_presence`
    tells devices and the admin when the hub can no longer do all its work.
    """
    started_at = utc_now()

    def make(online: bool, session: int) -> HubStatus:
        return HubStatus(
            state=PresenceState.ONLINE if online else PresenceState.OFFLINE,
            session=session,
            software_version=software_version,
            site_id=site_id,
            started_at=started_at,
            degraded=list(degraded()) if (online and degraded is not None) else [],
        )

    return Presence(spec("hub.status"), {}, make)


class HubWatch:
    """The hub's presence as a device should believe it: the newest session wins.

    After a broker restart Mosquitto may deliver the hub's old-session
    ``offline`` will after its new-session ``online`` birth; believing the
    last message would leave a device showing "tidak terhubung" while the
    hub is up. A status of an older session is ignored.
    """

    def __init__(self) -> None:
        self.session = -1
        self.online = False
        self.restarted = False  # the last update brought a new hub session online

    def update(self, status: HubStatus) -> bool:
        """Apply ``status`` unless it is stale; returns whether the hub is online now."""
        self.restarted = False
        if status.session >= self.session:
            online = status.state is PresenceState.ONLINE
            # a hub session we have not seen online before (a restarted hub; not the first)
            self.restarted = online and status.session > self.session and self.session >= 0
            self.session = status.session
            self.online = online
        return self.online
