"""A simulated device on the real broker: sends contract commands, waits for replies."""

from __future__ import annotations

from typing import Any

from edge.command_client import CommandClient
from mqtt_broker.local import LocalBroker
from protocol.link import MqttLink, RequestTimeoutError
from protocol.models import Command, Reply
from protocol.presence import device_presence
from protocol.roles import Role

WAIT = 10.0
CALL_VALIDITY_S = 30.0  # presses that call carry a validity; generous on a loaded test machine


class DeviceClient:
    def __init__(self, broker: LocalBroker, device_id: str, role: Role) -> None:
        self.device_id = device_id
        self.unanswered = 0
        self.link = MqttLink(
            broker.link_settings(device_id),
            presence=device_presence(device_id, role, "test"),
        )
        self.commands = CommandClient(self.link, device_id)
        self.link.start(wait=WAIT)

    def command(self, model: type[Command], **fields: Any) -> Command:
        if model.calls_citizen:
            fields.setdefault("expires_in", CALL_VALIDITY_S)
        return self.commands.build(model, **fields)

    def request(self, command: Command, timeout: float = WAIT) -> Reply:
        return self.commands.request(command, timeout=timeout)

    def send(self, model: type[Command], **fields: Any) -> Reply:
        return self.request(self.command(model, **fields))

    def ok(self, model: type[Command], **fields: Any) -> Reply:
        reply = self.send(model, **fields)
        assert reply.ok, reply.error
        return reply

    def retry_until_answered(
        self, command: Command, per_try: float = 1.0, tries: int = 60
    ) -> Reply:
        """Send the same command (same id) until the hub answers, as a device would."""
        for _ in range(tries):
            try:
                return self.request(command, timeout=per_try)
            except RequestTimeoutError:
                self.unanswered += 1
                continue
        raise AssertionError(f"{command.type} never answered")

    def stop(self) -> None:
        self.link.stop()
