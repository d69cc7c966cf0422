"""The outbox as ``mpp admin status`` shows it."""

from __future__ import annotations

from datetime import datetime

from hub.uplink.outbox import Outbox
from protocol.models import UplinkOverview, UplinkStream


def uplink_overview(outbox: Outbox, now: datetime) -> UplinkOverview:
    streams = [
        UplinkStream(
            stream=s.stream,
            waiting=s.waiting,
            sent=s.last_seq,
            acknowledged=s.acked,
            dropped=s.dropped,
            oldest_at=s.oldest_at,
        )
        for s in outbox.backlog()
    ]
    return UplinkOverview(
        configured=outbox.limits.upstream,
        waiting=sum(s.waiting for s in streams),
        streams=streams,
        alert=outbox.alert(now),
        last_ack_at=outbox.last_ack_at,
    )
