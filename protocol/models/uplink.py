"""What the hub's outbox sends upstream, and upstream's acknowledgement.

Each item of a stream (complaints, ratings, surveys, signatures, daily
statistics, device health) has a sequence number of its own stream and an id,
``{site_id}:{stream}:{seq}``. Upstream stores an item only when it follows the
last one it stored (``follows``), answers every item, repeat or not, with the
highest sequence number it holds in that stream, and the hub forgets items up
to there. A lost item or a lost answer is sent again; a repeat changes nothing
upstream: exactly once in effect, in order per stream.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from protocol.models.base import Envelope
from protocol.models.fields import DeviceId, Timestamp

STREAM_PATTERN = r"^[a-z][a-z_]{0,31}$"
ITEM_MAX_BYTES = 64 * 1024  # a device health summary of a 300-device building fits


class UplinkItem(Envelope):
    """One outbox item, sent by the hub (through the bridge) until acknowledged."""

    summary = "An item of the hub's outbox"
    type: Literal["uplink.item"] = "uplink.item"
    id: str = Field(
        max_length=80, description="`{site_id}:{stream}:{seq}`: unique across every site."
    )
    site_id: DeviceId
    stream: str = Field(pattern=STREAM_PATTERN)
    seq: int = Field(ge=1, description="Position in its stream, from 1, without reuse.")
    follows: int = Field(
        ge=0,
        description="The item this one follows: `seq - 1`, or less when the items between "
        "were dropped at the outbox's bound (a declared gap, never a silent one).",
    )
    kind: str = Field(max_length=64, description="The hub event (or record) it came from.")
    at: Timestamp = Field(description="When it happened at the site.")
    payload: dict[str, Any]


class UplinkAck(Envelope):
    """Upstream holds every item of ``stream`` up to ``through``: the hub may forget them."""

    summary = "Items stored upstream"
    type: Literal["uplink.ack"] = "uplink.ack"
    stream: str = Field(pattern=STREAM_PATTERN)
    through: int = Field(ge=0, description="Highest sequence number stored upstream.")
    id: str = Field(max_length=80, description="Id of the item this answers.")
    duplicate: bool = Field(default=False, description="The item was stored before.")
