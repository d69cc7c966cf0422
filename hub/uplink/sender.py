"""Delivery of the outbox upstream: go-back-N per stream over the site broker's bridge.

The hub publishes each waiting item on ``mpp/uplink/item/{stream}`` (QoS 1)
on its own broker; the bridge ``mpp broker render`` writes carries it to the
regional broker under the site's prefix, and carries upstream's
acknowledgements back on ``mpp/uplink/ack``. The bridge is transport only:
when the internet is down it queues a little and loses the rest, and that is
fine, because nothing leaves the outbox until upstream has acknowledged it.

Per stream at most :data:`WINDOW` items are unacknowledged at a time. An
acknowledgement forgets the items up to its ``through`` (one transaction) and
sends the next ones at once. With no progress for a while every
unacknowledged item is sent again, waiting longer after each fruitless try
(:data:`RESEND_FIRST_S` doubling up to :data:`RESEND_MAX_S`), so an outage
of a morning costs a few messages a minute, not a flood; upstream keeps only
the first copy and answers every copy.

Runs on the hub's link worker (the store's thread), from the ticker and after
each command that queued something.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from paho.mqtt.properties import Properties

from hub.clock import Clock
from hub.store import EventStore, StoreError
from hub.uplink.outbox import Item
from protocol.codec import Decoded
from protocol.errors import ContractError
from protocol.link import MqttLink
from protocol.models import UplinkAck, UplinkItem
from protocol.topics import spec

log = logging.getLogger(__name__)

WINDOW = 50
RESEND_FIRST_S = 5.0
RESEND_MAX_S = 60.0


class UplinkSender:
    """Sends the outbox's waiting items and takes upstream's acknowledgements."""

    def __init__(
        self,
        site_id: str,
        store: EventStore,
        link: MqttLink,
        clock: Clock,
        window: int = WINDOW,
        resend_first_s: float = RESEND_FIRST_S,
        resend_max_s: float = RESEND_MAX_S,
        monotonic: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled  # False: no [upstream], no bridge; items are kept, not sent
        self.site_id = site_id
        self.store = store
        self.link = link
        self.clock = clock
        self.window = window
        self.resend_first_s = resend_first_s
        self.resend_max_s = resend_max_s
        self._monotonic = monotonic
        self._sent: dict[str, int] = {}  # highest sequence number sent, per stream
        self._since: dict[str, float] = {}  # last progress (or first send) per stream
        self._wait: dict[str, float] = {}  # how long to wait for progress before resending
        self.sent = 0
        self.resent = 0
        self.last_ack_at: datetime | None = None
        self._refused_acks = 0
        self._acks: dict[str, int] = {}  # highest ``through`` per stream, not yet applied
        self._flush_queued = False

    def start(self) -> None:
        if self.enabled:
            self.link.subscribe(spec("uplink.ack"), self.on_ack)

    def reconnected(self) -> None:
        """The hub's link to its broker was (re)made: what was in flight may have died with
        a broker restart (the bridge's queue is in memory), so send it all again now."""
        self._sent.clear()
        self._since.clear()
        self._wait.clear()

    def pump(self) -> None:
        """Send what the window allows; resend what went unanswered too long."""
        if not self.enabled or not self.link.connected.is_set() or self.store.full:
            return
        now = self._monotonic()
        for stream, acked in self.store.outbox.streams().items():
            sent = max(self._sent.get(stream, acked), acked)
            if sent > acked and now - self._since.get(stream, now) >= self._wait_of(stream):
                self._wait[stream] = min(self._wait_of(stream) * 2, self.resend_max_s)
                log.info(
                    "uplink: no answer for %s items %d–%d; sending them again",
                    stream,
                    acked + 1,
                    sent,
                )
                self.resent += sent - acked
                sent = acked
            room = self.window - (sent - acked)
            if room <= 0:
                continue
            items = self.store.outbox.pending(stream, sent, room)
            if not items:
                continue
            if sent == acked:
                self._since[stream] = now  # the clock for an answer starts now
            for item in items:
                self._publish(item)
            self._sent[stream] = items[-1].seq
            self.sent += len(items)

    def _wait_of(self, stream: str) -> float:
        return self._wait.get(stream, self.resend_first_s)

    def _publish(self, item: Item) -> None:
        message = UplinkItem(
            id=f"{self.site_id}:{item.stream}:{item.seq}",
            site_id=self.site_id,
            stream=item.stream,
            seq=item.seq,
            follows=item.follows,
            kind=item.kind,
            at=item.at,
            payload=item.payload,
        )
        try:
            self.link.publish(spec("uplink.item"), message, stream=item.stream)
        except ContractError as error:  # too large for the topic: it would block its stream
            log.error("uplink: %s cannot be sent: %s", message.id, error)

    def on_ack(self, decoded: Decoded, _properties: Properties | None) -> None:
        """Note an acknowledgement; applied after the ones already queued behind it, so a
        burst of them (a backlog draining) costs one transaction, not one each."""
        ack = decoded.message
        assert isinstance(ack, UplinkAck)
        if ack.through > self._acks.get(ack.stream, -1):
            self._acks[ack.stream] = ack.through
        if not self._flush_queued:
            self._flush_queued = True
            self.link.call_soon(self._apply_acks)

    def _apply_acks(self) -> None:
        self._flush_queued = False
        acks, self._acks = self._acks, {}
        forgotten: dict[str, int] = {}
        try:
            with self.store.transaction():
                for stream, through in acks.items():
                    try:
                        forgotten[stream] = self.store.outbox.acknowledged(
                            stream, through, self.clock.now()
                        )
                    except ValueError as error:
                        self._refused_acks += 1
                        if self._refused_acks <= 3 or self._refused_acks % 100 == 0:
                            log.error("uplink: acknowledgement refused: %s", error)
        except StoreError as error:  # a full disk: the next acknowledgement forgets them
            log.warning("uplink: acknowledgements not stored: %s", error)
            return
        self.last_ack_at = self.clock.now()
        now = self._monotonic()
        for stream, count in forgotten.items():
            if count:
                self._since[stream] = now
                self._wait.pop(stream, None)
            if acks[stream] > self._sent.get(stream, 0):
                self._sent[stream] = acks[stream]
        self.pump()
