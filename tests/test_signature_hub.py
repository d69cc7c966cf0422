"""The hub keeps a citizen's signature, against a real broker: stored durably with its
ticket, counter, service and agency, and refused with a clear error when it does not
belong to a ticket served at the pad's counter. Nothing refused is stored."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.app import HubApp
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.models import (
    CounterNext,
    CounterOpen,
    SignatureSubmit,
    Stroke,
    StrokePoint,
    TicketPrinted,
    TicketReserve,
)
from protocol.models.signature import strokes_sha256
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.mqtt_client import RecordingClient

Devices = Callable[[str, Role], DeviceClient]
OUTPUT = Path(__file__).parent / "output"


@pytest.fixture
def device(fresh_broker: LocalBroker) -> Iterator[Devices]:
    made: list[DeviceClient] = []

    def make(device_id: str, role: Role) -> DeviceClient:
        made.append(DeviceClient(fresh_broker, device_id, role))
        return made[-1]

    yield make
    for client in made:
        client.stop()


def strokes() -> list[Stroke]:
    first = [
        StrokePoint(
            x=round(0.1 + i / 60, 4),
            y=round(0.5 + 0.2 * math.sin(i / 3), 4),
            pressure=0.4 + (i % 5) / 10,
            t=i * 7,
        )
        for i in range(30)
    ]
    second = [
        StrokePoint(
            x=round(0.7 + i / 100, 4), y=round(0.3 + i / 40, 4), pressure=0.6, t=600 + i * 7
        )
        for i in range(12)
    ]
    return [Stroke(points=first), Stroke(points=second)]


def _serve(kiosk: DeviceClient, counter: DeviceClient, officer: str | None = None) -> str:
    reply = kiosk.ok(TicketReserve, service="DUK-KTP")
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
    counter.ok(CounterOpen, officer=officer)
    called = counter.ok(CounterNext)
    assert called.counter is not None and called.counter.current is not None
    return called.counter.current.ticket_id


def _listening_pad(broker: LocalBroker) -> tuple[RecordingClient, str]:
    """sigpad-01's own connection, listening on its request topic (what the hub asks)."""
    pad = RecordingClient(
        broker.host,
        broker.port,
        "sigpad-01",
        broker.password("sigpad-01"),
        tls=broker.tls("sigpad-01"),
    )
    pad.connect()
    topic = "mpp/device/sigpad-01/sign"
    pad.subscribe(topic)
    return pad, topic


def _rows(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM signatures")]


def test_a_signature_is_stored_with_its_ticket_counter_service_and_agency(
    hub_app: Callable[..., HubApp], device: Devices, tmp_path: Path
) -> None:
    app = hub_app()
    kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
    pad = device("sigpad-01", Role.SIGNATURE_PAD)
    officer = next(o for o in app.service.site.officers if o.agency == "DUKCAPIL")
    ticket_id = _serve(kiosk, counter, officer.nip)
    signed = strokes()
    command = pad.command(
        SignatureSubmit,
        ticket_id=ticket_id,
        counter=1,
        strokes=signed,
        sha256=strokes_sha256(signed),
        width_mm=216.0,
        height_mm=135.0,
    )
    reply = pad.request(command)
    assert reply.ok, reply.error
    assert reply.ticket is not None and reply.ticket.ticket_id == ticket_id

    # Durable before the reply: read by another connection, as after a crash.
    (row,) = _rows(tmp_path / "hub.db")
    assert (row["ticket_id"], row["counter"], row["service"], row["agency"]) == (
        ticket_id,
        1,
        "DUK-KTP",
        app.service.site.service("DUK-KTP").agency,
    )
    assert row["device_id"] == "sigpad-01" and row["points"] == 42
    assert row["officer"] == f"{officer.name} (NIP {officer.nip})", "who handed over"
    assert row["sha256"] == strokes_sha256(signed)
    stored = json.loads(row["strokes"])
    assert stored[1][0] == [0.7, 0.3, 0.6, 600]

    # A retry of the same command is answered from the stored reply, stored once.
    assert pad.request(command).ok
    assert len(_rows(tmp_path / "hub.db")) == 1


def test_signatures_that_do_not_belong_are_refused_and_not_stored(
    hub_app: Callable[..., HubApp], device: Devices, tmp_path: Path
) -> None:
    hub_app()
    kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
    pad = device("sigpad-01", Role.SIGNATURE_PAD)
    signed = strokes()
    sha = strokes_sha256(signed)

    unknown = pad.send(
        SignatureSubmit, ticket_id="20261123-A-999", counter=1, strokes=signed, sha256=sha
    )
    assert unknown.error is not None and unknown.error.code is ErrorCode.UNKNOWN_TICKET

    ticket_id = _serve(kiosk, counter)
    elsewhere = pad.send(
        SignatureSubmit, ticket_id=ticket_id, counter=2, strokes=signed, sha256=sha
    )
    assert elsewhere.error is not None and elsewhere.error.code is ErrorCode.INVALID_STATE
    assert "not served at counter 2" in elsewhere.error.message

    # A counter unit (a pad plugged into it) signs only for its own counter; a kiosk
    # may not publish there at all (the broker's ACL).
    other_unit = device("counter-02", Role.COUNTER)
    by_other = other_unit.send(
        SignatureSubmit, ticket_id=ticket_id, counter=1, strokes=signed, sha256=sha
    )
    assert by_other.error is not None and by_other.error.code is ErrorCode.NOT_AUTHORISED

    assert pad.send(SignatureSubmit, ticket_id=ticket_id, counter=1, strokes=signed, sha256=sha).ok
    other = [
        Stroke(points=[p.model_copy(update={"pressure": 0.9}) for p in s.points]) for s in signed
    ]
    again = pad.send(
        SignatureSubmit, ticket_id=ticket_id, counter=1, strokes=other, sha256=strokes_sha256(other)
    )
    assert again.error is not None and "signed already" in again.error.message
    assert len(_rows(tmp_path / "hub.db")) == 1


def test_malformed_stroke_data_is_refused_with_the_reason(
    hub_app: Callable[..., HubApp], device: Devices, tmp_path: Path
) -> None:
    """A tampered hash or a tap fails the contract: an `invalid` reply naming why."""
    hub_app()
    kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
    pad = device("sigpad-01", Role.SIGNATURE_PAD)
    ticket_id = _serve(kiosk, counter)
    signed = strokes()
    good = pad.command(
        SignatureSubmit,
        ticket_id=ticket_id,
        counter=1,
        strokes=signed,
        sha256=strokes_sha256(signed),
    )
    tampered = good.model_construct(**{**dict(good), "sha256": "0" * 64})
    reply = pad.request(tampered)
    assert reply.error is not None and reply.error.code is ErrorCode.INVALID
    assert "sha256 does not match" in reply.error.message
    assert _rows(tmp_path / "hub.db") == []


def test_finishing_a_flagged_ticket_asks_the_pad_of_its_counter(
    hub_app: Callable[..., HubApp], device: Devices, fresh_broker: LocalBroker
) -> None:
    """DUK-KTP needs a signature, DUK-KIA does not: only the KTP-el finish asks sigpad-01."""
    from protocol.models import CounterFinish

    hub_app()
    pad, topic = _listening_pad(fresh_broker)
    try:
        kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
        counter.ok(CounterOpen)
        for service in ("DUK-KIA", "DUK-KTP"):
            reply = kiosk.ok(TicketReserve, service=service)
            assert reply.ticket is not None
            kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
            called = counter.ok(CounterNext)
            assert called.ticket is not None and called.ticket.service == service
            counter.ok(CounterFinish)
        asked = pad.wait_until(topic, lambda p: p["service"] == "DUK-KTP")
        assert asked["number"] == reply.ticket.number and asked["counter"] == 1
        assert asked["document"] == "KTP-el"
        assert [json.loads(m.payload)["service"] for m in pad.messages if m.topic == topic] == [
            "DUK-KTP"
        ]
    finally:
        pad.stop()


def test_next_after_a_hand_over_waits_for_the_signature_before_calling(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    """BERIKUT on a KTP-el ticket at a counter with a pad finishes it and calls nobody:
    the citizen signs first (the unit's screen is theirs); the next BERIKUT calls. For a
    service without a hand-over (KIA) BERIKUT finishes and calls at once."""
    hub_app()
    kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)

    def reserve(service: str) -> None:
        reply = kiosk.ok(TicketReserve, service=service)
        assert reply.ticket is not None
        kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)

    reserve("DUK-KTP")
    reserve("DUK-KTP")
    counter.ok(CounterOpen)
    first = counter.ok(CounterNext)
    assert first.ticket is not None and first.ticket.number == "A-001"
    finished = counter.ok(CounterNext)
    assert finished.ticket is None, "nobody called while A-001 signs (A-002 waits)"
    assert finished.counter is not None and finished.counter.current is None
    assert finished.counter.signature is not None
    assert finished.counter.signature.number == "A-001"
    called = counter.ok(CounterNext)
    assert called.ticket is not None and called.ticket.number == "A-002"
    assert counter.ok(CounterNext).ticket is None, "A-002 signs too"
    reserve("DUK-KIA")
    kia = counter.ok(CounterNext).ticket
    assert kia is not None and kia.service == "DUK-KIA"
    reserve("DUK-KTP")
    after_kia = counter.ok(CounterNext).ticket
    assert after_kia is not None and after_kia.service == "DUK-KTP", "KIA hands nothing over"


def test_an_unanswered_request_expires_after_the_site_timeout(
    hub_app: Callable[..., HubApp], device: Devices, fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """Nobody signs or waives: after `signatures.request_timeout_s` the hub records
    `signature.expired`, tells the pad and clears the counter's state."""
    from hub.clock import ManualClock
    from protocol.models import CounterFinish, SignatureWaive, WaiveReason
    from tests.hub_harness import MONDAY_0800

    clock = ManualClock(MONDAY_0800)
    app = hub_app(clock)
    pad, topic = _listening_pad(fresh_broker)
    try:
        kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
        ticket_id = _serve(kiosk, counter)
        finished = counter.ok(CounterFinish)
        assert finished.counter is not None and finished.counter.signature is not None
        assert finished.counter.signature.ticket_id == ticket_id
        pad.wait_until(topic, lambda p: p["type"] == "signature.request")

        clock.advance(seconds=app.service.site.signatures.request_timeout_s - 1)
        app.link.call_soon(app._tick)
        clock.advance(seconds=2)
        app.link.call_soon(app._tick)
        closed = pad.wait_until(topic, lambda p: p["type"] == "signature.closed")
        assert (closed["ticket_id"], closed["outcome"]) == (ticket_id, "expired")
        late = counter.send(SignatureWaive, ticket_id=ticket_id, reason=WaiveReason.LEFT)
        assert late.error is not None and late.error.code is ErrorCode.INVALID_STATE
    finally:
        pad.stop()
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        rows = conn.execute("SELECT kind FROM events WHERE kind LIKE 'signature.%'")
        kinds = [kind for (kind,) in rows]
    assert kinds == ["signature.requested", "signature.expired"]


def test_strokes_past_the_retention_are_purged_and_the_hash_is_kept(
    hub_app: Callable[..., HubApp], device: Devices, tmp_path: Path
) -> None:
    """The hub's daily purge empties the strokes older than `signatures.retention_days`,
    keeps the row and its SHA-256, records `signature.purged`; the receipt still prints
    the hash and says the strokes were deleted."""
    from admin.receipt import render_receipt
    from hub.clock import ManualClock
    from hub.signatures import receipt
    from tests.hub_harness import MONDAY_0800

    clock = ManualClock(MONDAY_0800)
    app = hub_app(clock)
    kiosk, counter = device("kiosk-01", Role.KIOSK), device("counter-01", Role.COUNTER)
    pad = device("sigpad-01", Role.SIGNATURE_PAD)
    ticket_id = _serve(kiosk, counter)
    signed = strokes()
    assert pad.ok(
        SignatureSubmit,
        ticket_id=ticket_id,
        counter=1,
        strokes=signed,
        sha256=strokes_sha256(signed),
    ).ok
    retention = app.service.site.signatures.retention_days

    def purge_after(days: int) -> dict:
        clock.advance(days=days)
        done = threading.Event()
        app.link.call_soon(app._tick)
        app.link.call_soon(done.set)  # the worker ran the tick before this
        assert done.wait(10)
        (row,) = _rows(tmp_path / "hub.db")
        return row

    assert json.loads(purge_after(retention - 1)["strokes"]), "kept within the retention"
    row = purge_after(2)
    assert row["strokes"] == "" and row["sha256"] == strokes_sha256(signed)
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        (body,) = conn.execute("SELECT body FROM events WHERE kind = 'signature.purged'").fetchone()
    assert json.loads(body)["count"] == 1

    kept = receipt(app.service.site, app.service.store, ticket_id)
    assert kept.strokes_purged and kept.strokes == [] and kept.sha256 == row["sha256"]
    OUTPUT.mkdir(exist_ok=True)
    out = render_receipt(kept, OUTPUT / "receipt-purged.png")
    assert out.stat().st_size > 10_000


def test_a_backlog_of_strokes_is_purged_a_batch_per_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year's backlog does not hold the hub's worker: one short transaction per tick."""
    import hub.service as service_module
    from tests.hub_harness import Harness

    monkeypatch.setattr(service_module, "PURGE_BATCH", 2)
    hub = Harness(tmp_path)
    hub.open_counter(1)
    signed = strokes()
    for _ in range(5):
        ticket_id = hub.issue("DUK-KTP")
        assert hub.next(1) == ticket_id
        hub.ok(
            SignatureSubmit,
            "sigpad-01",
            ticket_id=ticket_id,
            counter=1,
            strokes=signed,
            sha256=strokes_sha256(signed),
        )
    hub.clock.advance(days=hub.site.signatures.retention_days + 1)

    def purged() -> int:
        return sum(1 for row in _rows(tmp_path / "hub.db") if row["strokes"] == "")

    seen = []
    for _ in range(4):
        hub.service.tick()
        seen.append(purged())
    assert seen == [2, 4, 5, 5]
    assert all(row["sha256"] == strokes_sha256(signed) for row in _rows(tmp_path / "hub.db"))
