"""Sending contract commands from a device and waiting for the hub's answer.

Every command gets a fresh id and the next per-device sequence number; a
retry re-sends the *same* command (same id), so the hub applies it once.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import timedelta
from typing import Any
from uuid import uuid4

from protocol.link import MqttLink, RequestCancelledError, RequestTimeoutError
from protocol.models import Command, DeviceReply, Reply, utc_now
from protocol.topics import TopicSpec, spec

# The topic each device command travels on: device.cmd, or a topic of its own
# for one too large for it (a signature's strokes).
_TOPIC_OF: dict[type, TopicSpec] = {
    model: topic
    for topic in (spec("device.cmd"), spec("device.signature"))
    for model in topic.messages
}


class CommandClient:
    def __init__(self, link: MqttLink, device_id: str) -> None:
        self.link = link
        self.device_id = device_id
        self.seq = 0
        self._abandoned = threading.Event()
        # Read as a device reads them: the admin's answers can only be null here.
        link.expect_replies(spec("device.reply"), DeviceReply, device_id=device_id)

    def build(
        self, model: type[Command], expires_in: float | None = None, **fields: Any
    ) -> Command:
        self.seq += 1
        issued = utc_now()
        expires = issued + timedelta(seconds=expires_in) if expires_in else None
        return model(
            command_id=uuid4(),
            device_id=self.device_id,
            seq=self.seq,
            issued_at=issued,
            expires_at=expires,
            **fields,
        )

    def request(self, command: Command, timeout: float = 5.0, tries: int = 1) -> Reply:
        """Send and wait; on a timeout re-send the same command up to ``tries`` times."""
        expiry = None
        if command.expires_at is not None:
            expiry = math.ceil((command.expires_at - utc_now()).total_seconds())
        for attempt in range(tries):
            try:
                return self.link.request(
                    _TOPIC_OF[type(command)],
                    command,
                    spec("device.reply"),
                    timeout=timeout,
                    expiry_s=expiry,
                    device_id=self.device_id,
                )
            except RequestTimeoutError:
                if attempt == tries - 1:
                    raise
        raise AssertionError("unreachable")

    def request_until(
        self, command: Command, deadline: float, per_try: float = 1.0
    ) -> Reply | None:
        """Re-send the same command until answered or ``deadline`` (monotonic) passes.

        A link blip may lose the request or the reply; the hub applies the
        command id once and answers a repeat with the stored reply.
        """
        while (left := deadline - time.monotonic()) > 0 and not self._abandoned.is_set():
            if not self.link.connected.is_set():
                self.link.connected.wait(min(per_try, left))
                continue
            try:
                return self.request(command, timeout=min(per_try, left))
            except RequestTimeoutError:
                continue
            except RequestCancelledError:
                return None
        return None

    def abandon(self) -> None:
        """Stop retrying (the device is shutting down); waiting senders return None."""
        self._abandoned.set()
        self.link.cancel_requests()

    def send(self, model: type[Command], timeout: float = 5.0, **fields: Any) -> Reply:
        return self.request(self.build(model, **fields), timeout=timeout)
