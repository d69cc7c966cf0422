"""Which hub events go upstream, on which stream, with which fields: the one mapping.

The outbox is filled from here inside the transaction that appends the events
(:meth:`hub.store.EventStore.append`), so an event is in the log and in the
outbox together or in neither. Only what the province needs crosses: a
rating's score but not who pressed it, a signature's hash but never its
strokes.

:data:`STREAMS` also orders the streams by what is kept longest at the
outbox's bound: the first is dropped from first (a newer device health summary
supersedes an older one), complaints last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

STREAMS: tuple[str, ...] = (
    "device_health",
    "ratings",
    "surveys",
    "signatures",
    "daily_stats",
    "complaints",
)

# event kind → (stream, the event's fields that go upstream, besides ``at``)
EVENT_STREAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "complaint.recorded": (
        "complaints",
        (
            "complaint_id",
            "category",
            "text",
            "contact",
            "ticket_id",
            "service",
            "agency",
            "source",
            "recorded_at",
        ),
    ),
    "skm.rated": ("ratings", ("ticket_id", "counter", "service", "agency", "rating")),
    "survey.answered": ("surveys", ("ticket_id", "counter", "service", "agency", "answers")),
    "signature.stored": (
        "signatures",
        ("ticket_id", "sha256", "counter", "service", "agency", "device_id", "signed_at"),
    ),
}
DAILY_STATS_KIND = "day.summary"
DEVICE_HEALTH_KIND = "device.health"


@dataclass(frozen=True)
class OutboxEntry:
    """What the outbox keeps for one item before it has a sequence number."""

    stream: str
    kind: str
    at: datetime
    payload: dict[str, Any]


def entry_of(event: BaseModel) -> OutboxEntry | None:
    """The outbox entry of a hub event, or ``None`` for events that stay on site."""
    kind = str(getattr(event, "kind", ""))
    mapped = EVENT_STREAMS.get(kind)
    if mapped is None:
        return None
    stream, fields = mapped
    data = event.model_dump(mode="json")
    at = getattr(event, "at")  # noqa: B009 - every event has it; BaseModel does not say so
    return OutboxEntry(stream, kind, at, {name: data.get(name) for name in fields})


def daily_stats_entry(day: date, summary: dict[str, Any], at: datetime) -> OutboxEntry:
    """The day's figures when the day is closed (archived at the next day's opening)."""
    return OutboxEntry("daily_stats", DAILY_STATS_KIND, at, {"day": day.isoformat(), **summary})


def device_health_entry(devices: list[dict[str, Any]], at: datetime) -> OutboxEntry:
    """A periodic summary of the building's devices: how many are online, and each one."""
    online = sum(1 for device in devices if device.get("online"))
    return OutboxEntry(
        "device_health",
        DEVICE_HEALTH_KIND,
        at,
        {"online": online, "offline": len(devices) - online, "devices": devices},
    )
