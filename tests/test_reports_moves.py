"""A ticket the admin moved to another service is reported at the service that served it."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from hub.reports.compute import compute_report
from hub.reports.source import read_events
from protocol.clock import wall_now
from protocol.models import AdminTicketTransfer, CounterFinish
from tests.hub_harness import MONDAY_0800, Harness


def test_a_moved_ticket_is_waited_for_and_served_at_its_new_service(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    ticket = hub.issue("DUK-KK")
    hub.clock.advance(minutes=4)
    moved = hub.service.handle_admin(
        AdminTicketTransfer(
            command_id=uuid4(),
            account="admin",
            issued_at=wall_now(),
            ticket=ticket,
            target_service="DUK-KTP",
        )
    )
    assert moved.reply.ok, moved.reply.error
    assert [e.kind for e in moved.events] == ["ticket.moved"]
    hub.clock.advance(minutes=6)
    hub.open_counter(1)  # Dukcapil KTP-el
    assert hub.next(1) == ticket
    hub.clock.advance(minutes=5)
    hub.ok(CounterFinish, "counter-01")
    hub.service.store.close()

    day = MONDAY_0800.date()
    report = compute_report(hub.site, read_events(tmp_path / "hub.db", day, day), day, day)
    services = {s.key: s for s in report.services}
    assert services["DUK-KK"].issued == 1 and services["DUK-KK"].served == 0
    assert services["DUK-KTP"].served == 1 and services["DUK-KTP"].wait.count == 1
    assert services["DUK-KTP"].wait.mean == 10.0  # kept its place: queued at printing
    assert services["DUK-KK"].wait.count == 0
