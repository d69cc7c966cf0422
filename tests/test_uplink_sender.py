"""The sender's window, resends with backoff, and acknowledgements, on a recording link."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.clock import ManualClock
from hub.events import ComplaintRecorded
from hub.store import EventStore
from hub.uplink.sender import UplinkSender
from protocol.codec import Decoded
from protocol.models import UplinkAck, UplinkItem
from protocol.topics import spec
from tests.hub_harness import MONDAY_0800


@dataclass
class RecordingLink:
    connected: threading.Event = field(default_factory=threading.Event)
    sent: list[UplinkItem] = field(default_factory=list)

    def publish(self, _spec: Any, message: UplinkItem, **_params: str) -> None:
        self.sent.append(message)

    def subscribe(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def call_soon(self, job: Any) -> None:
        job()  # the hub's worker, with nothing else queued


class Steady:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _complaints(store: EventStore, count: int) -> None:
    with store.transaction():
        store.append(
            [
                ComplaintRecorded(
                    at=MONDAY_0800,
                    complaint_id=f"C-{n}",
                    category="saran",
                    text="Tambah kursi tunggu",
                    source="admin",
                    recorded_at=MONDAY_0800,
                )
                for n in range(count)
            ],
            MONDAY_0800.date(),
        )


def _ack(sender: UplinkSender, through: int) -> None:
    ack = UplinkAck(stream="complaints", through=through, id=f"s:complaints:{through}")
    sender.on_ack(Decoded(spec("uplink.ack"), {}, ack), None)


def test_a_window_at_a_time_resent_with_growing_waits_until_acknowledged(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "hub.db")
    link, steady = RecordingLink(), Steady()
    sender = UplinkSender(
        "mpp-a",
        store,
        link,
        ManualClock(MONDAY_0800),
        window=4,
        monotonic=steady,  # type: ignore[arg-type]
    )
    _complaints(store, 6)
    sender.pump()
    assert link.sent == []  # not connected to its broker: nothing goes
    link.connected.set()
    sender.pump()
    assert [m.seq for m in link.sent] == [1, 2, 3, 4]  # one window
    assert link.sent[0].id == "mpp-a:complaints:1" and link.sent[0].site_id == "mpp-a"
    sender.pump()
    assert len(link.sent) == 4  # nothing more until an answer
    steady.now = 5.0
    sender.pump()
    assert [m.seq for m in link.sent[4:]] == [1, 2, 3, 4]  # no answer in 5 s: all again
    steady.now = 9.0
    sender.pump()
    assert len(link.sent) == 8  # the next try waits 10 s
    steady.now = 15.0
    sender.pump()
    assert len(link.sent) == 12
    link.sent.clear()
    _ack(sender, 3)
    assert [m.seq for m in link.sent] == [5, 6]  # the window moves on at once
    assert [i.seq for i in store.outbox.pending("complaints", 0, 10)] == [4, 5, 6]
    _ack(sender, 2)  # a late, older answer changes nothing
    _ack(sender, 6)
    assert store.outbox.waiting() == 0
    assert store.outbox.last_ack_at == MONDAY_0800


def test_the_hub_queues_a_device_health_summary_when_it_has_an_upstream(
    hub_app: Any,
) -> None:
    app = hub_app()
    done = threading.Event()

    def queue_twice() -> None:
        app._queue_device_health(MONDAY_0800)  # no [upstream]: nothing
        app.uplink.enabled = True
        app._last_health = float("-inf")
        app._queue_device_health(MONDAY_0800)
        done.set()

    app.link.call_soon(queue_twice)
    assert done.wait(10)
    (item,) = app.service.store.outbox.pending("device_health", 0, 10)
    assert item.kind == "device.health"
    assert item.payload["online"] == 0 and item.payload["offline"] == len(app.devices.roles)
    kiosk = next(d for d in item.payload["devices"] if d["device_id"] == "kiosk-01")
    assert kiosk["role"] == "kiosk" and kiosk["online"] is False
