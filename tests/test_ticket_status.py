"""``ticket.status``: a kiosk, a counter or the admin asks where a ticket stands.

Against a real broker and hub: the answer is the ticket's state with people
ahead and estimated wait as of now (not the figures printed at issue), a
called ticket has nobody ahead, an unknown id is a clear error, and being a
read the query writes nothing and is answered afresh when repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from hub.app import HubApp
from hub.clock import ManualClock
from mpp.process import HubProcess
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.link import MqttLink
from protocol.models import (
    AdminTicketStatus,
    CounterNext,
    CounterOpen,
    PriorityCategory,
    Reply,
    TicketPrinted,
    TicketReserve,
    TicketState,
    TicketStatusQuery,
    TicketView,
    utc_now,
)
from protocol.roles import Role
from protocol.topics import spec
from tests.device_client import WAIT, DeviceClient
from tests.hub_harness import MONDAY_0800

Devices = Callable[[str, Role], DeviceClient]


@pytest.fixture
def device(fresh_broker: LocalBroker) -> Iterator[Devices]:
    made: list[DeviceClient] = []

    def make(device_id: str, role: Role) -> DeviceClient:
        made.append(DeviceClient(fresh_broker, device_id, role))
        return made[-1]

    yield make
    for client in made:
        client.stop()


@pytest.fixture
def admin(fresh_broker: LocalBroker) -> Iterator[Callable[[str], Reply]]:
    """Sends ``ticket.status`` from the admin account and returns the reply."""
    link = MqttLink(fresh_broker.link_settings("admin"))
    link.expect_replies(spec("admin.reply"), account="admin")
    link.start(wait=WAIT)

    def ask(ticket_id: str) -> Reply:
        query = AdminTicketStatus(
            command_id=uuid4(), account="admin", issued_at=utc_now(), ticket_id=ticket_id
        )
        return link.request(
            spec("admin.cmd"), query, spec("admin.reply"), timeout=WAIT, account="admin"
        )

    yield ask
    link.stop()


def _issue(kiosk: DeviceClient, priority: bool = False) -> str:
    category = PriorityCategory.PRIORITY if priority else PriorityCategory.REGULAR
    reply = kiosk.ok(TicketReserve, service="DUK-KTP", category=category)
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
    return reply.ticket.ticket_id


def _status(client: DeviceClient, ticket_id: str) -> TicketView:
    reply = client.ok(TicketStatusQuery, ticket_id=ticket_id)
    assert reply.ticket is not None and reply.counter is None
    return reply.ticket


def test_a_waiting_ticket_shows_the_people_ahead_now(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    clock = ManualClock(MONDAY_0800)
    hub_app(clock=clock)
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    counter.ok(CounterOpen)  # the estimate divides by the open counters: keep them fixed
    first, _, third = _issue(kiosk), _issue(kiosk), _issue(kiosk)

    before = _status(kiosk, third)
    assert (before.ticket_id, before.state) == (third, TicketState.WAITING)
    assert before.people_ahead == 2 and before.estimated_wait_min > 0
    assert (_status(kiosk, first).people_ahead, _status(kiosk, first).estimated_wait_min) == (0, 0)

    counter.ok(CounterNext)  # calls the first ticket: one fewer ahead of the third
    clock.advance(minutes=3)  # and it has been at the counter a while (the estimate counts
    # what is left of a service under way, so the call alone changes nothing)

    after = _status(kiosk, third)
    assert after.state is TicketState.WAITING
    assert after.people_ahead == 1
    assert 0 < after.estimated_wait_min < before.estimated_wait_min


def test_a_priority_ticket_counts_only_priority_tickets_ahead(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    hub_app()
    kiosk = device("kiosk-01", Role.KIOSK)
    _issue(kiosk)
    _issue(kiosk, priority=True)
    _issue(kiosk)
    late_priority = _issue(kiosk, priority=True)
    late_regular = _issue(kiosk)
    assert _status(kiosk, late_priority).people_ahead == 1
    assert _status(kiosk, late_regular).people_ahead == 4


def test_a_called_ticket_is_at_its_counter_with_nobody_ahead(
    hub_app: Callable[..., HubApp], device: Devices, admin: Callable[[str], Reply]
) -> None:
    hub_app()
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    ticket_id = _issue(kiosk)
    _issue(kiosk)
    counter.ok(CounterOpen)
    counter.ok(CounterNext)

    called = _status(kiosk, ticket_id)
    assert called.state is TicketState.CALLED
    assert called.counter == 1
    assert (called.people_ahead, called.estimated_wait_min) == (0, 0)

    assert _status(counter, ticket_id) == called  # a counter may ask too
    by_admin = admin(ticket_id)
    assert by_admin.ok and by_admin.ticket == called


def test_an_unknown_ticket_is_a_clear_error(
    hub_app: Callable[..., HubApp], device: Devices, admin: Callable[[str], Reply]
) -> None:
    hub_app()
    kiosk = device("kiosk-01", Role.KIOSK)
    _issue(kiosk)
    for reply in (
        kiosk.send(TicketStatusQuery, ticket_id="20261122-A-001"),
        admin("20261123-Z-999"),
    ):
        assert not reply.ok and reply.error is not None
        assert reply.error.code is ErrorCode.UNKNOWN_TICKET
        assert reply.error.message.startswith("unknown ticket 2026112")
        assert "2026-11-23" in reply.error.message  # says which day the hub holds


def test_only_kiosks_counters_and_admins_may_ask(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    hub_app()
    ticket_id = _issue(device("kiosk-01", Role.KIOSK))
    pad = device("sigpad-01", Role.SIGNATURE_PAD)
    refused = pad.send(TicketStatusQuery, ticket_id=ticket_id)
    assert refused.error is not None and refused.error.code is ErrorCode.NOT_AUTHORISED


def test_a_query_writes_nothing_and_a_repeat_is_answered_afresh(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    hub = hub_app()
    kiosk = device("kiosk-01", Role.KIOSK)
    counter = device("counter-01", Role.COUNTER)
    _issue(kiosk)
    second = _issue(kiosk)
    counter.ok(CounterOpen)
    events = hub.service.store.count_events()

    query = kiosk.command(TicketStatusQuery, ticket_id=second)
    first = kiosk.request(query)
    unknown = kiosk.send(TicketStatusQuery, ticket_id="20261123-A-999")
    assert first.ticket is not None and first.ticket.people_ahead == 1
    assert not unknown.ok
    assert hub.service.store.count_events() == events, "a read appended events"
    assert hub.service.store.stored_reply(str(query.command_id), query.device_id) is None

    counter.ok(CounterNext)
    again = kiosk.request(query)  # same command id, after the queue moved
    assert again.command_id == query.command_id
    assert again.ticket is not None and again.ticket.people_ahead == 0


def test_mpp_hub_run_answers_ticket_status(
    fresh_broker: LocalBroker, tmp_path: Path, device: Devices
) -> None:
    hub = HubProcess.on(fresh_broker, tmp_path / "hub.db")
    hub.start()
    try:
        kiosk = device("kiosk-01", Role.KIOSK)
        _issue(kiosk)
        ticket_id = _issue(kiosk)
        view = _status(kiosk, ticket_id)
        assert (view.state, view.people_ahead) == (TicketState.WAITING, 1)
        missing = kiosk.send(TicketStatusQuery, ticket_id="20261123-A-999")
        assert missing.error is not None and missing.error.code is ErrorCode.UNKNOWN_TICKET
    finally:
        assert hub.stop() == 0


def test_after_midnight_yesterdays_ticket_is_unknown_before_the_ticker_runs(
    hub_app: Callable[..., HubApp], device: Devices
) -> None:
    clock = ManualClock(MONDAY_0800)
    hub_app(clock)  # ticks hourly: the day is rolled over by the query itself
    kiosk = device("kiosk-01", Role.KIOSK)
    ticket_id = _issue(kiosk)
    clock.advance(days=1)
    reply = kiosk.send(TicketStatusQuery, ticket_id=ticket_id)
    assert reply.error is not None and reply.error.code is ErrorCode.UNKNOWN_TICKET
    assert "2026-11-24" in reply.error.message
