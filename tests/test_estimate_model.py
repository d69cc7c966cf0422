"""What the estimate counts that the queue of the service alone does not show.

Issue 12: on the busy day the estimate missed in two ways that the hub could
see at issue time. A payment at the bank is overtaken by citizens still at
Polres: a transfer keeps its place in line, so a SIM citizen queued before
the payment reaches the bank after their SIM renewal and is called first —
counting transfers at the rate of the last half hour saw none in the morning
(the bank's late estimates: 220 of 1,166). On the queue service itself
(real SQLite, a manual clock).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hub.queries import ticket_status
from protocol.models import TicketReserve
from tests.hub_harness import MONDAY_0800, Harness

MONDAY_1000 = MONDAY_0800 + timedelta(hours=2)
BANK = (7, 22)
POLRES = (5, 6, 21)


def _estimate(hub: Harness, service: str) -> int:
    reply = hub.ok(TicketReserve, "kiosk-01", service=service)
    assert reply.ticket is not None
    return reply.ticket.estimated_wait_min


def _busy_bank(hub: Harness, waiting: int) -> None:
    for number in BANK:
        hub.open_counter(number)
        hub.issue("BL-BAYAR")
        assert hub.next(number) is not None
    for _ in range(waiting):
        hub.issue("BL-BAYAR")


def test_citizens_queued_for_a_service_that_continues_to_payment_go_ahead(
    tmp_path: Path,
) -> None:
    """Both bank counters busy and four payments waiting: a new payment's wait is that
    work. With twelve SIM citizens queued at Polres (issued before it: their payment
    keeps their place), some of whom finish there and pay before its turn, it waits
    longer — though no transfer has come today yet."""
    alone = Harness(tmp_path / "alone", start=MONDAY_1000)
    _busy_bank(alone, waiting=4)
    without = _estimate(alone, "BL-BAYAR")

    hub = Harness(tmp_path / "ktp", start=MONDAY_1000)
    for number in POLRES:
        hub.open_counter(number)
        hub.issue("POL-SIM")
        assert hub.next(number) is not None
    for _ in range(12):
        hub.issue("POL-SIM")
    _busy_bank(hub, waiting=4)
    assert _estimate(hub, "BL-BAYAR") > without


def test_citizens_who_reach_the_feeding_service_later_queue_behind(tmp_path: Path) -> None:
    """SIM citizens issued after the payment do not go ahead of it (their payment queues
    behind it): the estimate of a payment already waiting counts only the SIM citizens
    queued before it — and a new payment issued after them does count them."""
    hub = Harness(tmp_path, start=MONDAY_1000)
    for number in POLRES:
        hub.open_counter(number)
    _busy_bank(hub, waiting=4)
    payment = hub.issue("BL-BAYAR")
    before = _status_wait(hub, payment)
    for _ in range(12):
        hub.issue("POL-SIM")
    assert hub.service.state.tickets[payment].state.value == "waiting"
    assert _status_wait(hub, payment) == before
    assert _estimate(hub, "BL-BAYAR") > before


def _status_wait(hub: Harness, ticket_id: str) -> int:
    view = ticket_status(hub.site, hub.service.state, ticket_id, hub.clock.now())
    return view.estimated_wait_min
