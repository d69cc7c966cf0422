"""Birth, death and heartbeat of devices and of the hub.

Presence follows the Sparkplug birth/death pattern: on every connect a client
publishes a retained ``online`` status, and registers the same topic with a
retained ``offline`` last-will. Both carry a ``session`` number that grows
with each connection, so a late ``offline`` from an old connection can be
recognised and ignored instead of hiding a newer ``online``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from protocol.models.base import Envelope, WireModel
from protocol.models.fields import DeviceId, ShortText, Timestamp
from protocol.roles import Role


class Presence(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class HardwareHealth(StrEnum):
    """Health of one component. UNKNOWN means "could not read", never "broken"."""

    OK = "ok"
    WARNING = "warning"
    FAULT = "fault"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Degradation(StrEnum):
    """Why a running hub cannot do all of its work (it still answers what it can)."""

    STORAGE_FULL = "storage_full"  # commands that change state are answered storage_full


class ComponentState(WireModel):
    """State of one piece of hardware (printer, buttons, display, speaker, pad)."""

    health: HardwareHealth
    detail: str | None = Field(default=None, max_length=200, description="Why, for people.")


class DeviceStatus(Envelope):
    """Retained birth (``online``) or last-will (``offline``) of a device."""

    summary = "Device birth/death (retained)"
    type: Literal["device.status"] = "device.status"
    device_id: DeviceId
    role: Role
    state: Presence
    session: int = Field(ge=0, description="Grows with every connection (Sparkplug bdSeq).")
    software_version: ShortText
    capabilities: list[ShortText] = Field(
        default_factory=list, max_length=32, description="Features this unit offers."
    )
    hardware: dict[ShortText, ComponentState] = Field(
        default_factory=dict, max_length=32, description="Hardware component states by name."
    )

    @field_validator("role")
    @classmethod
    def _device_role(cls, role: Role) -> Role:
        if not role.is_device:
            raise ValueError(f"role {role.value!r} is not a device role")
        return role


class HubStatus(Envelope):
    """Retained birth/death of the hub service; devices wait for ``online``."""

    summary = "Hub birth/death (retained)"
    type: Literal["hub.status"] = "hub.status"
    state: Presence
    session: int = Field(ge=0)
    software_version: ShortText
    site_id: DeviceId
    started_at: Timestamp | None = None
    degraded: list[Degradation] = Field(
        default_factory=list,
        max_length=8,
        description="What the hub cannot do now (empty when healthy). Since 1.1.",
    )


class Heartbeat(Envelope):
    """Periodic health of a running device (not retained)."""

    summary = "Device heartbeat"
    type: Literal["device.heartbeat"] = "device.heartbeat"
    device_id: DeviceId
    uptime_s: float = Field(ge=0)
    cpu_temp_c: float | None = Field(default=None, ge=-50, le=150)
    rss_bytes: int | None = Field(default=None, ge=0)
