"""Capacity-aware admission and the end of the day.

Against a real broker and hub: late in the day the kiosk is refused
``agency_full`` (with the agency and the next opening) once Dukcapil's
counters cannot serve one more citizen before closing plus the grace, while
other agencies still issue, and the retained service status says so for the
kiosk's grey button. On the queue service itself (real SQLite, a manual
clock): counters stop calling when the site's day is over and whoever still
waits is handled as the site configures, never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edge.kiosk.reasons import REASONS, refusal
from hub.admission import capacity_full
from hub.app import HubApp
from hub.clock import ManualClock
from hub.day_plan import admission
from hub.site.schema import ClosingRules, EndOfDay
from mqtt_broker.local import LocalBroker
from protocol.errors import ErrorCode
from protocol.models import (
    Admission,
    CounterNext,
    PriorityCategory,
    ReplyError,
    TicketPrinted,
    TicketReserve,
    TicketState,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.hub_harness import MONDAY_0800, Harness
from tests.mqtt_client import RecordingClient

MONDAY_1400 = MONDAY_0800 + timedelta(hours=6)
TUESDAY_0800_WIB = "2026-11-24T08:00:00+07:00"


@pytest.fixture
def kiosk(fresh_broker: LocalBroker) -> Iterator[DeviceClient]:
    client = DeviceClient(fresh_broker, "kiosk-01", Role.KIOSK)
    yield client
    client.stop()


def _reserve(kiosk: DeviceClient, service: str) -> ReplyError | None:
    reply = kiosk.send(TicketReserve, service=service, category=PriorityCategory.REGULAR)
    if not reply.ok:
        return reply.error
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
    return None


def test_the_kiosk_learns_an_agency_is_full_for_today(
    hub_app: Callable[..., HubApp],
    kiosk: DeviceClient,
    fresh_broker: LocalBroker,
    mqtt_client: Callable[..., RecordingClient],
) -> None:
    """At 14.00 Dukcapil's 4 counters have 4 × 60 minutes before closing: about 34
    citizens at 7 minutes. The next one is refused before anything is printed."""
    hub_app(clock=ManualClock(MONDAY_1400))
    issued = 0
    refusal = None
    while refusal is None and issued < 60:
        refusal = _reserve(kiosk, "DUK-KTP")
        issued += refusal is None
    assert refusal is not None, "60 tickets in the last hour: admission never refused"
    assert refusal.code is ErrorCode.AGENCY_FULL
    assert 30 <= issued <= 36, issued
    assert refusal.agency_name == "Dukcapil"
    assert refusal.next_open_at is not None
    assert refusal.next_open_at.isoformat() == TUESDAY_0800_WIB
    assert "Dukcapil is full for today" in refusal.message
    # The whole agency is full (its counters are shared), not other agencies.
    assert _reserve(kiosk, "DUK-KK") is not None
    assert _reserve(kiosk, "POL-SKCK") is None

    watcher = mqtt_client("kiosk-02", on=fresh_broker)
    watcher.subscribe("mpp/state/service/DUK-KTP")
    status = watcher.wait_until("mpp/state/service/DUK-KTP", lambda p: p.get("accepting") is False)
    assert (
        status["reason"] == "Dukcapil sudah penuh untuk hari ini, buka kembali Selasa pukul 08.00"
    )
    assert status["reason_code"] == "agency_full"
    assert status["reopens_at"].startswith("2026-11-24T")


def test_the_kiosk_says_it_in_bahasa_indonesia() -> None:
    assert refusal(ErrorCode.AGENCY_FULL) == (
        "Layanan ini sudah penuh untuk hari ini. Silakan daftar online untuk hari lain "
        "atau datang kembali pada hari layanan berikutnya."
    )
    assert REASONS[ErrorCode.AGENCY_FULL].label == "Sudah penuh untuk hari ini"


def test_a_reply_error_with_agency_full_round_trips_the_contract() -> None:
    error = ReplyError(
        code=ErrorCode.AGENCY_FULL,
        message="full",
        agency_name="Dukcapil",
        next_open_at=datetime.fromisoformat(TUESDAY_0800_WIB),
    )
    again = ReplyError.model_validate(json.loads(error.model_dump_json()))
    assert again == error


def test_admission_state_per_service_for_the_console(tmp_path: Path) -> None:
    """hub.day_plan.admission, what the console and the retained service state show."""
    hub = Harness(tmp_path, start=MONDAY_1400)

    def state(code: str) -> Admission:
        return admission(hub.site, hub.service.state, code, hub.clock.now()).state

    assert state("DUK-KTP") is Admission.OPEN
    while hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP").ok:
        pass  # a reservation counts as queued work, printed or not
    assert state("DUK-KK") is Admission.CAPACITY
    full = capacity_full(hub.site, hub.service.state, hub.site.service("DUK-KK"), hub.clock.now())
    assert full is not None
    assert full.queued_minutes > 4 * 60 >= full.queued_minutes - 7
    assert state("POL-SIM") is Admission.OPEN
    hub.clock.set(MONDAY_0800 + timedelta(hours=6, minutes=31))  # past the 14.30 cut-off
    assert {state(s.code) for s in hub.site.services} == {Admission.OUT_OF_HOURS}


def test_a_booking_is_a_promise_checked_in_even_when_full(tmp_path: Path) -> None:
    from hub.bookings import Booking, StaticBookings
    from protocol.models import BookingCheckIn

    slot = MONDAY_1400 + timedelta(minutes=20)
    bookings = StaticBookings([Booking(code="BK-0001", service="DUK-KTP", appointment_at=slot)])
    hub = Harness(tmp_path, start=MONDAY_1400, bookings=bookings)
    while hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP").ok:
        pass
    full = hub.cmd(TicketReserve, "kiosk-01", service="DUK-KTP")
    assert full.error is not None and full.error.code is ErrorCode.AGENCY_FULL
    assert hub.ok(BookingCheckIn, "kiosk-01", booking_code="BK-0001").ticket is not None


def _day_end_site(tmp_path: Path, rule: EndOfDay) -> Harness:
    plain = Harness(tmp_path / "plain")
    site = plain.site.model_copy(
        update={
            "closing": ClosingRules(
                admission=False, grace_minutes=15, end_of_day=rule, overtime_minutes=30
            )
        }
    )
    return Harness(tmp_path / rule.value, site=site, start=MONDAY_1400)


@pytest.mark.parametrize(
    ("rule", "calls_until", "reason"),
    [
        (EndOfDay.OVERTIME, timedelta(hours=1, minutes=45), "not_served"),
        (EndOfDay.RETURN_TICKET, timedelta(hours=1, minutes=15), "return_ticket"),
    ],
)
def test_calls_end_and_whoever_waits_is_handled_as_configured(
    tmp_path: Path, rule: EndOfDay, calls_until: timedelta, reason: str
) -> None:
    """15.00 closing, 15 minutes' grace (and 30 of overtime where the site allows):
    a counter calls until then, not after; the tickets still waiting are cancelled
    with a reason that says what happens to the citizen, and the summary counts them."""
    hub = _day_end_site(tmp_path, rule)
    tickets = [hub.issue("BPJSKES-DAFTAR") for _ in range(3)]
    hub.open_counter(8)
    end = MONDAY_1400 + calls_until
    hub.clock.set(end - timedelta(seconds=1))
    assert hub.next(8) == tickets[0]  # still within the day
    hub.clock.set(end)
    reply = hub.ok(CounterNext, "counter-08")  # finishes the citizen, calls nobody
    assert reply.counter is not None and reply.counter.current is None
    refused = hub.cmd(CounterNext, "counter-08")  # tickets wait, but the day is over
    assert refused.error is not None and refused.error.code is ErrorCode.CLOSED
    assert "calls have ended" in refused.error.message
    events = hub.service.tick()
    state = hub.service.state
    left = [state.tickets[t] for t in tickets[1:]]
    assert [t.state for t in left] == [TicketState.CANCELLED] * 2
    assert {t.cancel_reason for t in left} == {reason}
    cancels = [e for e in events if e.kind == "ticket.cancelled"]
    assert len(cancels) == 2
    # a return ticket is announced on the running text (tests/test_return_ticket.py)
    assert [e.kind for e in events if e not in cancels] == (
        ["announcements.set"] if rule is EndOfDay.RETURN_TICKET else []
    )
    summary = json.loads(hub.service._summary(state.day))  # what the archive keeps
    assert summary["end_of_day"] == {reason: 2}


def test_nothing_is_cancelled_before_the_day_is_over(tmp_path: Path) -> None:
    hub = _day_end_site(tmp_path, EndOfDay.OVERTIME)
    hub.issue("BPJSKES-DAFTAR")
    hub.clock.set(datetime(2026, 11, 23, 8, 44, tzinfo=UTC))  # 15.44 WIB: overtime still on
    assert hub.service.tick() == []
    assert next(hub.service.state.waiting()).state is TicketState.WAITING


def test_estimate_counts_every_counter_of_the_agency_and_the_breaks(tmp_path: Path) -> None:
    """Twelve KTP citizens queued at 11.30 with Dukcapil's four counters open: a new one
    waits for 12 × 7 minutes of work shared by four counters, less what the other three
    counters still have in hand when its turn comes (18 min); at 11.50 the same
    queue runs into the staggered lunch (two counters away 12.00–13.00) and waits longer."""
    hub = Harness(tmp_path, start=MONDAY_0800 + timedelta(hours=3, minutes=30))
    for number in (1, 2, 3, 4):
        hub.open_counter(number)
    for _ in range(12):
        hub.issue("DUK-KTP")
    reply = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP")
    assert reply.ticket is not None
    # 12 × 7 min of work (less the 4 % expected absent, recalled in 2 min), less half a
    # citizen at each of the three other counters when a counter frees, over four counters
    assert reply.ticket.estimated_wait_min == 18
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    hub.clock.set(MONDAY_0800 + timedelta(hours=3, minutes=50))
    later = hub.ok(TicketReserve, "kiosk-01", service="DUK-KTP")
    assert later.ticket is not None
    # ~78 min of work (as above, 13 ahead): 40 in the 10 minutes at four counters, the rest
    # at two (29 min); without the lunch it would be 20
    assert later.ticket.estimated_wait_min >= 28


def test_the_kiosk_names_the_full_agency_and_when_to_come_back() -> None:
    """With the reply's data the citizen hears which agency and which day, not
    'the next service day'."""
    from zoneinfo import ZoneInfo

    now = datetime.fromisoformat(TUESDAY_0800_WIB).astimezone(ZoneInfo("Asia/Jakarta"))
    error = ReplyError(
        code=ErrorCode.AGENCY_FULL,
        message="full",
        agency_name="Dukcapil",
        next_open_at=now + timedelta(days=1),
    )
    sentence = refusal(ErrorCode.AGENCY_FULL, False, error, now=now - timedelta(days=1))
    assert sentence == (
        "Dukcapil sudah penuh untuk hari ini. Silakan daftar online untuk hari lain, "
        "atau datang kembali Rabu, 25 November pukul 08.00."
    ), sentence
    tomorrow = refusal(ErrorCode.AGENCY_FULL, False, error, now=now + timedelta(hours=6))
    assert tomorrow.endswith("atau datang kembali besok pukul 08.00."), tomorrow
