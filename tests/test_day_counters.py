"""Admission and estimates count the counters as the day really is.

The admin's ``counters services`` changes of the day (a Polres counter lent
to Dukcapil, a Dukcapil counter taken away) and the counters opened or
closed from the console change how much an agency can serve: the kiosk's
"agency full" and the printed estimate follow them, not the site file.
On the queue service itself (real SQLite, a manual clock), through the same
admin commands the console sends.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from protocol.clock import wall_now
from protocol.errors import ErrorCode
from protocol.models import (
    AdminCounterServices,
    AdminCounterState,
    CounterAction,
    CounterFinish,
    TicketPrinted,
    TicketReserve,
    TicketStatusQuery,
)
from tests.hub_harness import MONDAY_0800, Harness

MONDAY_1400 = MONDAY_0800 + timedelta(hours=6)
MONDAY_1130 = MONDAY_0800 + timedelta(hours=3, minutes=30)


def _admin(hub: Harness, model: type, **fields: object) -> None:
    outcome = hub.service.handle_admin(
        model(command_id=uuid4(), account="admin", issued_at=wall_now(), **fields)
    )
    assert outcome.reply.ok, outcome.reply.error


def _fill(hub: Harness, service: str) -> int:
    """Issue until the kiosk is refused for capacity; how many were issued."""
    issued = 0
    while True:
        reply = hub.cmd(TicketReserve, "kiosk-01", service=service)
        if not reply.ok:
            assert reply.error is not None and reply.error.code is ErrorCode.AGENCY_FULL
            return issued
        assert reply.ticket is not None
        hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
        issued += 1
        assert issued < 100, "admission never refused"


def _estimate(hub: Harness, service: str) -> int:
    reply = hub.ok(TicketReserve, "kiosk-01", service=service)
    assert reply.ticket is not None
    return reply.ticket.estimated_wait_min


def test_a_counter_lent_to_a_full_agency_reopens_its_kiosk_button(tmp_path: Path) -> None:
    """At 14.00 Dukcapil fills; the admin lends Polres' counter 5 to KTP-el for the rest
    of the day: its 75 minutes until closing plus the grace take about ten more citizens."""
    hub = Harness(tmp_path, start=MONDAY_1400)
    before = _fill(hub, "DUK-KTP")
    _admin(hub, AdminCounterServices, counter=5, primary=["DUK-KTP"], secondary=[])
    more = _fill(hub, "DUK-KTP")
    assert 8 <= more <= 12, (before, more)


def test_a_counter_taken_from_an_agency_fills_it_sooner(tmp_path: Path) -> None:
    standing = _fill(Harness(tmp_path / "standing", start=MONDAY_1400), "DUK-KTP")
    hub = Harness(tmp_path / "changed", start=MONDAY_1400)
    _admin(hub, AdminCounterServices, counter=3, primary=["POL-SIM"], secondary=[])
    changed = _fill(hub, "DUK-KTP")
    assert changed <= standing * 3 / 4 + 1, (standing, changed)


def test_the_estimate_follows_the_days_counters(tmp_path: Path) -> None:
    """Twelve KTP citizens at 11.30 with Dukcapil's four counters open; a Polres counter
    lent to KTP-el shortens the printed wait, a Dukcapil counter closed from the
    console lengthens it."""
    hub = Harness(tmp_path, start=MONDAY_1130)
    for number in (1, 2, 3, 4, 5):
        hub.open_counter(number)
    for _ in range(12):
        hub.issue("DUK-KTP")
    standing = _estimate(hub, "DUK-KTP")
    _admin(hub, AdminCounterServices, counter=5, primary=["DUK-KTP"], secondary=[])
    lent = _estimate(hub, "DUK-KTP")
    assert lent < standing * 0.9, (standing, lent)
    _admin(hub, AdminCounterState, counter=4, action=CounterAction.CLOSE)
    closed = _estimate(hub, "DUK-KTP")
    assert closed > lent * 1.1, (lent, closed)


def test_an_agency_whose_counters_all_closed_for_the_day_takes_no_more_tickets(
    tmp_path: Path,
) -> None:
    """Counters that have not opened yet are late, not away: the kiosk still issues. Once
    they have served and the admin closes them all, nobody is left to call a new ticket."""
    hub = Harness(tmp_path, start=MONDAY_1130)
    assert hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP").ok  # none opened yet
    first = hub.issue("DUK-KTP")
    for number in (1, 2, 3, 4):
        hub.open_counter(number)
    assert hub.next(1) is not None
    hub.ok(CounterFinish, "counter-01")
    assert first in hub.service.state.tickets
    for number in (1, 2, 3, 4):
        _admin(hub, AdminCounterState, counter=number, action=CounterAction.CLOSE)
    refused = hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP")
    assert refused.error is not None and refused.error.code is ErrorCode.AGENCY_FULL
    _admin(hub, AdminCounterState, counter=2, action=CounterAction.OPEN)
    assert hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP").ok


def test_a_service_no_counter_calls_today_is_refused_not_crashed(tmp_path: Path) -> None:
    """Kemenag's one counter moved to Hajj and PA products only: a marriage ticket would
    never be called, so the kiosk is told it cannot have one; one already waiting
    still has its status answered."""
    hub = Harness(tmp_path, start=MONDAY_1130)
    waiting = hub.issue("KMG-NIKAH")
    _admin(hub, AdminCounterServices, counter=12, primary=["KMG-HAJI"], secondary=["PA-PRODUK"])
    refused = hub.cmd(TicketReserve, "kiosk-01", service="KMG-NIKAH")
    assert refused.error is not None and refused.error.code is ErrorCode.AGENCY_FULL
    assert hub.cmd(TicketReserve, "kiosk-01", service="KMG-HAJI").ok
    assert hub.cmd(TicketReserve, "kiosk-01", service="PA-PRODUK").ok
    status = hub.cmd(TicketStatusQuery, "kiosk-01", ticket_id=waiting)
    assert status.ok and status.ticket is not None and status.ticket.people_ahead == 0


def test_a_service_whose_counters_are_not_open_yet_is_still_estimated(tmp_path: Path) -> None:
    """Only counter 2 (KTP-el, KIA, KK) is open: a birth certificate ticket waits for the
    counters that serve it, which have not opened yet; the kiosk, the retained service
    state and the console all get an estimate, not a hub error."""
    hub = Harness(tmp_path, start=MONDAY_1130)
    hub.issue("DUK-KTP")
    hub.open_counter(2)
    reply = hub.ok(TicketReserve, "kiosk-01", service="DUK-AKTA")
    assert reply.ticket is not None and reply.ticket.estimated_wait_min >= 0
    overview = hub.service.overview(hub.service.state, hub.clock.now())
    assert any(s.service == "DUK-AKTA" for s in overview.services)
