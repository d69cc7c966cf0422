"""Which systemd unit runs which role (the unit files are in ``systemd/``).

An edge image carries every role's unit, disabled; the identity written at
flashing enables exactly :func:`unit_for` its role. The hub's unit is
:data:`HUB_UNIT`. Unit names use '-' where role names use '_'.
"""

from __future__ import annotations

from protocol.roles import Role

HUB_UNIT = "mpp-hub.service"


def unit_for(role: Role) -> str:
    """``mpp-running-text.service`` for ``running_text``; ``mpp-hub.service`` for the hub."""
    if role is Role.HUB:
        return HUB_UNIT
    if not role.is_device:
        raise ValueError(f"{role.value!r} is an account, not a service")
    return f"mpp-{role.value.replace('_', '-')}.service"
