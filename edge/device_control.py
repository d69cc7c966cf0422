"""An admin's requests to this device, forwarded by the hub on its control topic.

``identify`` (blink and beep, or whatever the agent can show), ``restart``
(the agent stops; ``mpp edge`` exits 0 and systemd's ``Restart=always``
starts it again), ``report`` (republish the birth with the hardware state
now) and, for a kiosk, ``reprint``. Each request is obeyed once per
``command_id`` (MQTT QoS 1 may deliver twice). Agents opt in to what they can
do by having ``identify(seconds)`` or ``reprint(ticket)``; the rest is common.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from protocol.codec import Decoded
from protocol.models import DeviceControl
from protocol.topics import spec

log = logging.getLogger(__name__)
REMEMBERED = 64


class DeviceControlHandler:
    def __init__(self, agent: Any, device_id: str) -> None:
        self.agent = agent
        self.device_id = device_id
        self._seen: deque[str] = deque(maxlen=REMEMBERED)
        agent.link.subscribe(spec("device.control"), self._on_control, device_id=device_id)

    def _on_control(self, decoded: Decoded, _properties: Any) -> None:
        control = decoded.message
        if not isinstance(control, DeviceControl) or control.command_id in self._seen:
            return
        self._seen.append(control.command_id)
        log.info("%s requested by %s", control.action, control.account)
        if control.action == "restart":
            self.agent.request_stop()
        elif control.action == "report":
            self.agent.link.update_presence()
        elif control.action == "identify":
            identify = getattr(self.agent, "identify", None)
            if identify is not None:
                identify(control.seconds)
        elif control.action == "reprint" and control.ticket is not None:
            reprint = getattr(self.agent, "reprint", None)
            if reprint is None:
                log.warning("reprint of %s asked of a device that cannot print", control.ticket)
            else:
                reprint(control.ticket)
