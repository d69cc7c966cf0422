"""Pydantic schema of a device file and of the admin accounts file.

Unknown keys are errors: a typo in a pin name must stop the technician at
flashing time, not show up as a dead button in the building.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from protocol.models.fields import DeviceId
from protocol.roles import Role


class ConfigModel(BaseModel):
    """Base of every configuration section: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MqttSettings(ConfigModel):
    """How the device reaches the hub's broker."""

    host: str = Field(
        default="mpp-hub.local", min_length=1, title="Broker host", description="Hub address."
    )
    port: int = Field(default=1883, ge=1, le=65535, title="Broker port")
    keepalive_s: int = Field(default=15, ge=5, le=300, title="MQTT keep-alive in seconds")
    password: SecretStr | None = Field(
        default=None,
        title="Password",
        description="Only for sites that manage passwords themselves; normally generated.",
    )
    password_file: Path | None = Field(
        default=None,
        title="Password file",
        description="File holding the password, written at provisioning (outside git).",
    )
    tls_ca_file: Path | None = Field(
        default=None, title="CA file", description="Enables TLS when set."
    )


class DeviceConfig(ConfigModel):
    """One device of the site: its identity, role and link to the hub."""

    device_id: DeviceId
    role: Role = Field(title="Role", description="What the device does in the building.")
    name: str = Field(min_length=1, max_length=80, title="Name", description="For people.")
    zone: str | None = Field(
        default=None, max_length=40, title="Zone", description="Floor or area, e.g. `lantai-1`."
    )
    mqtt: MqttSettings = Field(default_factory=MqttSettings)

    @field_validator("role")
    @classmethod
    def _device_role(cls, role: Role) -> Role:
        if not role.is_device:
            raise ValueError(f"{role.value!r} is an account role, not a device role")
        return role


class AdminAccount(ConfigModel):
    """A person allowed to use the admin console."""

    username: DeviceId
    name: str = Field(min_length=1, max_length=80)
    password: SecretStr | None = None


class AccountsFile(ConfigModel):
    """``accounts.toml``: the site id and the admin accounts."""

    site_id: DeviceId = Field(title="Site id", description="Short id of the MPP site.")
    admins: Annotated[list[AdminAccount], Field(default_factory=list)]
