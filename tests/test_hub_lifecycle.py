"""The ticket lifecycle through the queue service, on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from hub.bookings import Booking, StaticBookings
from hub.site.schema import CategoryCode
from hub.views import service_status
from protocol.errors import ErrorCode
from protocol.models import (
    BookingCheckIn,
    Command,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterPause,
    CounterRecall,
    CounterRequeue,
    CounterResume,
    CounterStartService,
    CounterSync,
    CounterTransfer,
    Reply,
    SatisfactionRate,
    SatisfactionRating,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketState,
)
from tests.hub_harness import MONDAY_0800, Harness


@pytest.fixture
def hub(tmp_path: Path) -> Harness:
    return Harness(tmp_path)


def _state(hub: Harness, ticket_id: str) -> TicketState:
    return hub.service.state.tickets[ticket_id].state


def _error(hub: Harness, *args: object, **kwargs: object) -> ErrorCode:
    reply = hub.cmd(*args, **kwargs)  # type: ignore[arg-type]
    assert not reply.ok and reply.error is not None
    return reply.error.code


def test_full_lifecycle(hub: Harness) -> None:
    ticket = hub.issue("DUK-KTP")
    assert ticket == "20261123-A-001"
    assert _state(hub, ticket) is TicketState.WAITING
    hub.open_counter(1)
    assert hub.next(1) == ticket
    recalled = hub.ok(CounterRecall, "counter-01")
    assert recalled.counter is not None and recalled.counter.current is not None
    assert recalled.counter.current.recalls == 1
    hub.ok(CounterStartService, "counter-01")
    assert _state(hub, ticket) is TicketState.SERVING
    hub.clock.advance(minutes=6)
    done = hub.ok(CounterFinish, "counter-01")
    assert done.ticket is not None and done.ticket.state is TicketState.DONE
    assert _error(hub, CounterFinish, "counter-01") is ErrorCode.INVALID_STATE
    assert hub.service.state.service_minutes_at("DUK-KTP", 1) == pytest.approx(6.0)


def test_reserved_ticket_is_not_called_until_printed(hub: Harness) -> None:
    reply = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP")
    hub.open_counter(1)
    assert _error(hub, CounterNext, "counter-01") is ErrorCode.NOTHING_WAITING
    assert reply.ticket is not None
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    assert hub.next(1) == reply.ticket.ticket_id


def test_failed_print_cancels_and_the_number_is_not_reused(hub: Harness) -> None:
    first = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP").ticket
    assert first is not None
    hub.ok(TicketPrintFailed, "kiosk-01", ticket_id=first.ticket_id, reason="paper out")
    assert _state(hub, first.ticket_id) is TicketState.CANCELLED
    second = hub.ok(TicketReserve, "kiosk-01", service="DUK-KK").ticket
    assert second is not None and second.number == "A-002"


def test_unconfirmed_reservation_expires(hub: Harness) -> None:
    ticket = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP").ticket
    assert ticket is not None
    hub.clock.advance(seconds=59)
    assert hub.service.tick() == []
    hub.clock.advance(seconds=1)
    [event] = hub.service.tick()
    assert event.kind == "ticket.cancelled"
    assert _state(hub, ticket.ticket_id) is TicketState.EXPIRED
    # A late confirmation still goes live: the citizen holds the printed ticket.
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=ticket.ticket_id)
    assert _state(hub, ticket.ticket_id) is TicketState.WAITING
    assert _error(hub, TicketPrinted, "kiosk-01", ticket_id=ticket.ticket_id) is (
        ErrorCode.INVALID_STATE
    )


def test_another_kiosk_cannot_confirm_a_reservation(hub: Harness) -> None:
    ticket = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP").ticket
    assert ticket is not None
    assert _error(hub, TicketPrinted, "kiosk-02", ticket_id=ticket.ticket_id) is (
        ErrorCode.NOT_AUTHORISED
    )


def test_no_show_needs_a_recall_then_can_be_requeued_within_grace(hub: Harness) -> None:
    first, second = hub.issue("DUK-KTP"), hub.issue("DUK-KTP")
    hub.open_counter(1)
    assert hub.next(1) == first
    assert _error(hub, CounterNoShow, "counter-01") is ErrorCode.INVALID_STATE
    hub.ok(CounterRecall, "counter-01")
    hub.ok(CounterNoShow, "counter-01")
    assert _state(hub, first) is TicketState.NO_SHOW
    hub.clock.advance(minutes=10)
    hub.ok(CounterRequeue, "counter-01", ticket_id=first)
    assert _state(hub, first) is TicketState.WAITING
    assert hub.next(1) == first, "a re-queued ticket keeps its place"
    assert hub.next(1) == second


def test_requeue_after_grace_is_refused(hub: Harness) -> None:
    ticket = hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    hub.ok(CounterRecall, "counter-01")
    hub.ok(CounterNoShow, "counter-01")
    hub.clock.advance(minutes=31)
    assert _error(hub, CounterRequeue, "counter-01", ticket_id=ticket) is ErrorCode.EXPIRED


def test_recalls_are_limited(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    for _ in range(3):
        hub.ok(CounterRecall, "counter-01")
    assert _error(hub, CounterRecall, "counter-01") is ErrorCode.INVALID_STATE


def test_transfer_keeps_place_at_the_payment_counter(hub: Harness) -> None:
    hub.clock.set(MONDAY_0800 + timedelta(minutes=10))
    sim = hub.issue("POL-SIM")
    hub.clock.advance(minutes=5)
    payer = hub.issue("BL-BAYAR")
    hub.open_counter(6)
    assert hub.next(6) == sim
    reply = hub.ok(CounterTransfer, "counter-06", target_service="BL-BAYAR")
    assert reply.ticket is not None and reply.ticket.service == "BL-BAYAR"
    assert reply.ticket.number == "H-001"
    hub.open_counter(7)
    assert hub.next(7) == sim, "transferred ticket keeps its original place"
    assert hub.next(7) == payer
    visits = hub.service.state.tickets[sim].visits
    assert [(v.service, v.counter) for v in visits] == [("POL-SIM", 6), ("BL-BAYAR", 7)]


def test_transfer_to_unknown_service_changes_nothing(hub: Harness) -> None:
    ticket = hub.issue("POL-SIM")
    hub.open_counter(6)
    hub.next(6)
    assert _error(hub, CounterTransfer, "counter-06", target_service="NOPE") is (
        ErrorCode.UNKNOWN_SERVICE
    )
    assert _state(hub, ticket) is TicketState.CALLED


def test_next_finishes_the_current_ticket(hub: Harness) -> None:
    first, second = hub.issue("DUK-KTP"), hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    assert hub.next(1) == second
    assert _state(hub, first) is TicketState.DONE
    assert hub.next(1) is None, "empty queue: current finished, nothing called"
    assert _error(hub, CounterNext, "counter-01") is ErrorCode.NOTHING_WAITING


def test_counter_states(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    assert _error(hub, CounterNext, "counter-01") is ErrorCode.CLOSED
    hub.open_counter(1)
    hub.next(1)
    assert _error(hub, CounterPause, "counter-01") is ErrorCode.INVALID_STATE
    hub.ok(CounterFinish, "counter-01")
    hub.ok(CounterPause, "counter-01", reason="Istirahat")
    assert _error(hub, CounterNext, "counter-01") is ErrorCode.INVALID_STATE
    hub.ok(CounterResume, "counter-01")
    hub.ok(CounterClose, "counter-01")
    sync = hub.ok(CounterSync, "counter-01")
    assert sync.counter is not None and sync.counter.state.value == "closed"


def test_two_counters_never_get_the_same_ticket(hub: Harness) -> None:
    tickets = [hub.issue("DUK-KTP") for _ in range(3)]
    hub.open_counter(1)
    hub.open_counter(2)
    called = [hub.next(1), hub.next(2), hub.next(1)]
    assert sorted(called) == sorted(tickets)


def test_unknown_device_and_wrong_role_are_refused(hub: Harness) -> None:
    assert _error(hub, CounterNext, "counter-99") is ErrorCode.UNKNOWN_DEVICE
    assert _error(hub, CounterNext, "kiosk-01") is ErrorCode.NOT_AUTHORISED
    assert _error(hub, TicketReserve, "counter-01", service="DUK-KTP") is (ErrorCode.NOT_AUTHORISED)
    assert hub.service.state.rejected == 3


def test_expired_command_is_refused(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    command = CounterNext(
        command_id=uuid4(),
        device_id="counter-01",
        seq=99,
        issued_at=hub.clock.now() - timedelta(seconds=30),
        expires_at=hub.clock.now() - timedelta(seconds=20),
    )
    reply = hub.service.handle(command).reply
    assert reply.error is not None and reply.error.code is ErrorCode.EXPIRED
    assert hub.service.state.counter(1).current is None


def test_a_clock_far_off_is_judged_by_its_learned_offset(hub: Harness) -> None:
    """A unit still on UTC-as-local time: its fresh press calls, a late one does not."""
    hub.issue("DUK-KTP")
    hub.issue("DUK-KTP")
    wrong = timedelta(hours=-7)

    def press(model: type[Command], late: timedelta = timedelta()) -> Reply:
        issued = hub.clock.now() + wrong - late
        command = model(
            command_id=uuid4(),
            device_id="counter-01",
            seq=hub.seq,
            issued_at=issued,
            expires_at=issued + timedelta(seconds=5),
        )
        hub.seq += 1
        return hub.service.handle(command).reply

    hub.service.heard_from("counter-01", hub.clock.now() + wrong, session=1)  # its birth
    hub.clock.advance(seconds=30)
    assert press(CounterOpen).ok
    hub.clock.advance(seconds=30)
    assert press(CounterNext).ok
    hub.clock.advance(seconds=30)
    late = press(CounterNext, late=timedelta(seconds=20))
    assert late.error is not None and late.error.code is ErrorCode.EXPIRED
    assert len(list(hub.service.state.waiting())) == 1, "the late press called nobody"


def test_repeated_command_is_applied_once(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    command = CounterNext(
        command_id=uuid4(),
        device_id="counter-01",
        seq=50,
        issued_at=hub.clock.now(),
        expires_at=hub.clock.now() + timedelta(seconds=5),
    )
    first = hub.service.handle(command)
    again = hub.service.handle(command)
    assert again.duplicate and again.reply == first.reply
    waiting = list(hub.service.state.waiting())
    assert len(waiting) == 1, "the second delivery did not call another ticket"
    hub.restart()
    assert hub.service.handle(command).reply == first.reply


def test_quota_full(hub: Harness) -> None:
    site = hub.site.model_copy(
        update={
            "services": [
                s.model_copy(update={"daily_quota": 2}) if s.code == "KMG-HAJI" else s
                for s in hub.site.services
            ]
        }
    )
    hub = Harness(hub.directory / "quota", site=site)
    hub.issue("KMG-HAJI")
    hub.issue("KMG-HAJI")
    refused = hub.cmd(TicketReserve, "kiosk-01", service="KMG-HAJI").error
    assert refused is not None and refused.code is ErrorCode.QUOTA_FULL
    assert refused.next_open_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC), (
        "the refusal says when, as the greyed service does"
    )
    status = service_status(hub.site, hub.service.state, "KMG-HAJI", hub.clock.now())
    assert (status.accepting, status.reason_code) == (False, ErrorCode.QUOTA_FULL)
    assert status.reopens_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC), (
        "the kiosk says it opens again tomorrow at 07.30 WIB"
    )


def test_outside_hours_no_ticket(tmp_path: Path) -> None:
    hub = Harness(tmp_path, start=datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # 06:00 WIB
    reply = hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP")
    assert reply.error is not None and reply.error.code is ErrorCode.CLOSED
    assert "Belum buka" in reply.error.message
    opens = service_status(hub.site, hub.service.state, "DUK-KTP", hub.clock.now()).reopens_at
    assert opens is not None and reply.error.next_open_at == opens, "when it opens today"


def test_skm_rating_once_within_the_window(hub: Harness) -> None:
    ticket = hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    assert (
        _error(
            hub, SatisfactionRate, "counter-01", ticket_id=ticket, rating=SatisfactionRating.PUAS
        )
        is ErrorCode.INVALID_STATE
    )
    hub.ok(CounterFinish, "counter-01")
    assert (
        _error(
            hub, SatisfactionRate, "counter-02", ticket_id=ticket, rating=SatisfactionRating.PUAS
        )
        is ErrorCode.INVALID_STATE
    )
    hub.ok(SatisfactionRate, "counter-01", ticket_id=ticket, rating=SatisfactionRating.PUAS)
    assert (
        _error(
            hub,
            SatisfactionRate,
            "counter-01",
            ticket_id=ticket,
            rating=SatisfactionRating.TIDAK_PUAS,
        )
        is ErrorCode.INVALID_STATE
    )


def test_skm_window_closes(hub: Harness) -> None:
    ticket = hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    hub.ok(CounterFinish, "counter-01")
    hub.clock.advance(seconds=121)
    assert (
        _error(
            hub, SatisfactionRate, "counter-01", ticket_id=ticket, rating=SatisfactionRating.PUAS
        )
        is ErrorCode.EXPIRED
    )


def test_day_rollover_restarts_numbering_and_closes_the_old_day(hub: Harness) -> None:
    left_waiting = hub.issue("DUK-KTP")
    hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.clock.set(MONDAY_0800 + timedelta(days=1))
    tuesday = hub.issue("DUK-KTP")
    assert tuesday == "20261124-A-001"
    assert left_waiting not in hub.service.state.tickets
    assert hub.service.state.counter(1).state.value == "closed"
    summary = hub.service.store.day_summary(datetime(2026, 11, 23).date())
    assert summary is not None and '"cancelled": 2' in summary
    assert hub.service.store.numbers_of_day(datetime(2026, 11, 23).date()) == ["A-001", "A-002"]


def test_restart_keeps_state_and_numbering(hub: Harness) -> None:
    for _ in range(3):
        hub.issue("DUK-KTP")
    hub.open_counter(1)
    hub.next(1)
    before = hub.service.state.model_dump()
    hub.restart()
    assert hub.service.state.model_dump() == before
    assert hub.issue("DUK-KTP") == "20261123-A-004"


def test_booking_check_in_gets_its_slot(tmp_path: Path) -> None:
    slot = MONDAY_0800 + timedelta(minutes=30)
    bookings = StaticBookings(
        [
            Booking(code="BK-1001", service="DUK-KTP", appointment_at=slot),
            Booking(
                code="BK-1002",
                service="DUK-KTP",
                appointment_at=slot,
                category=CategoryCode.PRIORITY,
            ),
        ]
    )
    hub = Harness(tmp_path, bookings=bookings)
    walk_in = hub.issue("DUK-KTP")
    hub.clock.advance(minutes=10)
    reply = hub.ok(BookingCheckIn, "kiosk-01", booking_code="bk-1001")
    assert reply.ticket is not None
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    assert _error(hub, BookingCheckIn, "kiosk-01", booking_code="BK-1001") is (
        ErrorCode.INVALID_STATE
    )
    assert _error(hub, BookingCheckIn, "kiosk-01", booking_code="BK-9999") is (
        ErrorCode.UNKNOWN_BOOKING
    )
    hub.open_counter(1)
    assert hub.next(1) == walk_in, "the slot is 20 minutes away: walk-ins first"
    hub.issue("DUK-KTP")
    hub.clock.advance(minutes=6)  # 14 minutes before the slot: inside the early window
    assert hub.next(1) == reply.ticket.ticket_id


def test_stored_replies_are_pruned_after_the_dedup_window(hub: Harness) -> None:
    hub.issue("DUK-KTP")
    count = hub.service.store.connection.execute("SELECT COUNT(*) FROM commands").fetchone()[0]
    assert count == 2
    hub.clock.advance(days=1)
    hub.service.tick()
    assert hub.service.store.connection.execute("SELECT COUNT(*) FROM commands").fetchone()[0] == 2
    hub.clock.advance(days=2)
    hub.service.tick()
    assert hub.service.store.connection.execute("SELECT COUNT(*) FROM commands").fetchone()[0] == 0
