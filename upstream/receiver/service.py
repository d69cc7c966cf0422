"""The receiver: items in from every site on the regional broker, stored, acknowledged.

It subscribes ``mpp/site/+/uplink/item/+`` and answers each site on its own
``mpp/site/{site_id}/uplink/ack``. The site is the one the *topic* names —
the regional broker's ACL lets each site's account publish under its own
prefix only — and an item claiming another site is refused. Every item,
repeat or not, is answered after the storage has committed, so a lost
acknowledgement costs one more repeat, never an item. Items that arrive
together (a site draining its backlog) are stored in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from paho.mqtt.properties import Properties

from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import UplinkAck, UplinkItem
from protocol.topics import spec
from upstream.receiver.storage import ReceivedItems, Verdict

log = logging.getLogger("mpp.upstream")


class Receiver:
    def __init__(
        self,
        storage: ReceivedItems,
        link: MqttLink,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.link = link
        self.now = now
        self.stored = 0
        self.duplicates = 0
        self._pending: list[UplinkItem] = []  # taken, not yet stored (worker thread only)

    def start(self, wait: float | None = None) -> None:
        self.link.subscribe(spec("regional.item"), self.on_item)
        self.link.start(wait=wait)

    def stop(self) -> None:
        self.link.stop()
        self.storage.close()

    def on_item(self, decoded: Decoded, _properties: Properties | None) -> None:
        """Take an item; stored with the others already queued in one transaction."""
        item = decoded.message
        assert isinstance(item, UplinkItem)
        site_id = decoded.params["site_id"]
        if item.site_id != site_id or item.stream != decoded.params["stream"]:
            log.warning(
                "item %s refused: sent under site %s, stream %s",
                item.id[:80],
                site_id,
                decoded.params["stream"],
            )
            return
        self._pending.append(item)
        if len(self._pending) == 1:
            self.link.call_soon(self._store_pending)

    def _store_pending(self) -> None:
        items, self._pending = self._pending, []
        verdicts = self.storage.accept_many(items, self.now())
        for item, verdict in zip(items, verdicts, strict=True):
            self._answer(item, verdict)

    def _answer(self, item: UplinkItem, verdict: Verdict) -> None:
        if verdict.stored:
            self.stored += 1
            log.info("stored %s (%s)", item.id, item.kind)
            if verdict.gap is not None:
                log.warning(
                    "%s %s: items %d–%d dropped at the site's outbox bound (declared)",
                    item.site_id,
                    item.stream,
                    *verdict.gap,
                )
        elif verdict.duplicate:
            self.duplicates += 1
            log.debug("repeat of %s: already held", item.id)
        else:
            log.info(
                "%s arrived before %s:%s:%d: asking for the rest again",
                item.id,
                item.site_id,
                item.stream,
                verdict.through + 1,
            )
        ack = UplinkAck(
            stream=item.stream, through=verdict.through, id=item.id, duplicate=verdict.duplicate
        )
        self.link.publish(spec("regional.ack"), ack, site_id=item.site_id)
