"""The share of a service's day kept for online bookings: the arithmetic and the rule.

On the queue service itself (real SQLite, a manual clock, the default site
with Dukcapil's ``booking_share`` set): walk-ins are refused ``agency_full``
earlier while the reserve is kept, the reserve shrinks as the day goes by,
bookings already made fill it (their work is not counted twice), a booked
citizen still checks in, and the upstream is told the room per service and day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub.bookings import Booking, StaticBookings
from hub.dispatch.booking_reserve import (
    booking_room,
    reserve_held,
    service_minutes,
    service_weight,
)
from hub.dispatch.capacity import agency_services, counters_serving, day_windows
from hub.site.calendar import SiteCalendar
from hub.site.loader import load_site
from hub.site.schema import Counter, Site
from protocol.errors import ErrorCode
from protocol.models import BookingCheckIn, TicketPrinted, TicketReserve
from tests.hub_harness import MONDAY_0800, Harness

MONDAY_1400 = MONDAY_0800 + timedelta(hours=6)


def _site(share: float, **service_shares: float) -> Site:
    site = load_site()
    agencies = [
        a.model_copy(update={"booking_share": share}) if a.code == "DUKCAPIL" else a
        for a in site.agencies
    ]
    services = [
        s.model_copy(update={"booking_share": service_shares[s.code]})
        if s.code in service_shares
        else s
        for s in site.services
    ]
    return site.model_copy(update={"agencies": agencies, "services": services})


def _walk_ins(hub: Harness, service: str = "DUK-KTP", limit: int = 80) -> int:
    """Tickets printed for ``service`` until the kiosk is refused ``agency_full``."""
    issued = 0
    while issued < limit:
        reply = hub.cmd(TicketReserve, "kiosk-01", service=service)
        if not reply.ok:
            assert reply.error is not None and reply.error.code is ErrorCode.AGENCY_FULL
            return issued
        assert reply.ticket is not None
        hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
        issued += 1
    raise AssertionError(f"{limit} walk-ins and never refused")


def _held(hub: Harness, bookings: list[Booking], now: datetime) -> float:
    site, state = hub.site, hub.service.state
    calendar = SiteCalendar(site)
    day = calendar.service_day(now)
    hours = calendar.hours(site.service("DUK-KTP"), day)
    assert hours is not None
    counters = counters_serving(site, state, agency_services(site, "DUKCAPIL"))
    windows = day_windows(site, hours, counters, day, calendar.zone)
    close = datetime.combine(day, hours.close, calendar.zone)
    services = [s for s in site.services if s.agency == "DUKCAPIL"]
    return reserve_held(site, state, services, bookings, counters, windows, now, close)


def test_a_counter_s_time_is_shared_by_its_services_primary_1_secondary_half() -> None:
    counter = Counter(
        number=1, name="Loket 1", agency="X", primary=["A-1", "B-1"], secondary=["C-1"]
    )
    assert service_weight(counter, "A-1") == pytest.approx(0.4)
    assert service_weight(counter, "C-1") == pytest.approx(0.2)
    assert service_weight(counter, "D-1") == 0.0


def test_the_reserve_is_the_share_of_the_agency_s_minutes_to_closing_and_shrinks(
    tmp_path: Path,
) -> None:
    """Dukcapil: 4 counters, 14.00 → 15.00 closing = 240 counter-minutes; a share of
    0.5 on each of its services keeps 120 of them, 60 at 14.30, nothing at 15.00."""
    hub = Harness(tmp_path, site=_site(0.5), start=MONDAY_1400)
    assert _held(hub, [], MONDAY_1400) == pytest.approx(120)
    assert _held(hub, [], MONDAY_1400 + timedelta(minutes=30)) == pytest.approx(60)
    assert _held(hub, [], MONDAY_1400 + timedelta(hours=1)) == pytest.approx(0)
    plain = Harness(tmp_path / "plain", start=MONDAY_1400)  # the default site: no share
    assert _held(plain, [], MONDAY_1400) == 0


def test_bookings_made_fill_the_reserve_and_slots_past_release_it(tmp_path: Path) -> None:
    """Only DUK-KTP is bookable (0.5): its counters give it 74 of Dukcapil's 240 minutes
    from 14.00 (a counter's time split over its services), so 37 are kept."""
    hub = Harness(tmp_path, site=_site(0.0, **{"DUK-KTP": 0.5}), start=MONDAY_1400)
    assert _held(hub, [], MONDAY_1400) == pytest.approx(37)
    bookings = [
        Booking(code=f"BK-{i}", service="DUK-KTP", appointment_at=MONDAY_1400 + timedelta(
            minutes=10 * i))
        for i in range(3)
    ]
    assert _held(hub, bookings, MONDAY_1400) == pytest.approx(37 - 3 * 7)
    # at 14.30 the three slots are past: half the reserve is left and nothing fills it
    assert _held(hub, bookings, MONDAY_1400 + timedelta(minutes=30)) == pytest.approx(18.5)
    many = bookings * 3  # more booked than kept: nothing more is kept, never less than 0
    assert _held(hub, many, MONDAY_1400) == 0


def test_walk_ins_are_refused_while_the_reserve_is_kept_a_booking_still_checks_in(
    tmp_path: Path,
) -> None:
    """Without a share about 34 walk-ins fit Dukcapil's last hour (4 × 60 min at
    7 min); with half of it kept for bookings about half as many."""
    without = _walk_ins(Harness(tmp_path / "none", start=MONDAY_1400))
    slot = MONDAY_1400 + timedelta(minutes=40)
    booked = StaticBookings([Booking(code="BK-0001", service="DUK-KK", appointment_at=slot)])
    hub = Harness(tmp_path / "half", site=_site(0.5), start=MONDAY_1400, bookings=booked)
    kept = _walk_ins(hub)
    assert 30 <= without <= 36, without
    assert without / 2 - 3 <= kept <= without / 2 + 2, (without, kept)
    assert hub.ok(BookingCheckIn, "kiosk-01", booking_code="BK-0001").ticket is not None


def test_bookings_are_not_counted_twice(tmp_path: Path) -> None:
    """A reserve filled with bookings keeps nothing more: walk-ins get what they would get
    with the same bookings and no share (DUK-KTP keeps 37 minutes: six bookings fill it)."""
    bookings = [
        Booking(code=f"BK-{i:04d}", service="DUK-KTP", appointment_at=MONDAY_1400
                + timedelta(minutes=5 + 8 * i))
        for i in range(6)
    ]
    plain = Harness(tmp_path / "plain", start=MONDAY_1400, bookings=StaticBookings(bookings))
    shared = Harness(
        tmp_path / "shared",
        site=_site(0.0, **{"DUK-KTP": 0.5}),
        start=MONDAY_1400,
        bookings=StaticBookings(bookings),
    )
    kept = Harness(tmp_path / "kept", site=_site(0.0, **{"DUK-KTP": 0.5}), start=MONDAY_1400)
    assert _walk_ins(shared) == _walk_ins(plain)
    assert _walk_ins(kept) < _walk_ins(Harness(tmp_path / "none", start=MONDAY_1400))


def test_a_service_with_share_0_keeps_nothing_for_bookings(tmp_path: Path) -> None:
    """Only DUK-KK is bookable: DUK-KTP's own share 0 overrides the agency's."""
    hub = Harness(tmp_path, site=_site(0.0, **{"DUK-KK": 0.5}), start=MONDAY_1400)
    held = _held(hub, [], MONDAY_1400)
    site, state = hub.site, hub.service.state
    calendar = SiteCalendar(site)
    counters = counters_serving(site, state, agency_services(site, "DUKCAPIL"))
    hours = calendar.hours(None, MONDAY_1400.date())
    assert hours is not None
    windows = day_windows(site, hours, counters, MONDAY_1400.date(), calendar.zone)
    close = MONDAY_1400 + timedelta(hours=1)
    kk = service_minutes("DUK-KK", counters, windows, MONDAY_1400, close)
    assert 0 < held < 120
    assert held == pytest.approx(0.5 * kk)


def test_the_room_told_upstream_per_service_and_day(tmp_path: Path) -> None:
    hub = Harness(tmp_path, site=_site(0.5), start=MONDAY_1400)
    tomorrow = MONDAY_0800 + timedelta(days=1, hours=1)
    bookings = [
        Booking(code="BK-A", service="DUK-KTP", appointment_at=MONDAY_1400 + timedelta(minutes=5)),
        Booking(code="BK-B", service="DUK-KTP", appointment_at=tomorrow),
        Booking(code="BK-C", service="DUK-KTP", appointment_at=MONDAY_0800),  # past today
    ]
    rooms = booking_room(hub.site, hub.service.state, bookings, MONDAY_1400)
    dukcapil = {s.code for s in hub.site.services if s.agency == "DUKCAPIL"}
    assert {r.service for r in rooms} == dukcapil
    today = {r.service: r for r in rooms if r.day == MONDAY_1400.date()}
    ktp = today["DUK-KTP"]
    assert ktp.since == MONDAY_1400 and ktp.booked == 1
    assert ktp.reserved == int(ktp.reserved_minutes / 7)
    assert ktp.bookable == ktp.reserved - 1
    later = [r for r in rooms if r.service == "DUK-KTP" and r.day == tomorrow.date()]
    assert later and later[0].booked == 1 and later[0].reserved > 5 * ktp.reserved
    assert sum(r.reserved_minutes for r in today.values()) == pytest.approx(120)


def test_config_warns_about_reserves_that_leave_walk_ins_nothing() -> None:
    site = _site(0.0, **{"DUK-KTP": 1.0, "DUK-KK": 0.5})
    quota = [
        s.model_copy(update={"daily_quota": 10}) if s.code == "DUK-KK" else s
        for s in site.services
    ]
    warnings = dict(site.model_copy(update={"services": quota}).capacity_warnings())
    assert "walk-ins are refused" in warnings["services (DUK-KTP)"]
    assert "more than its daily quota of 10" in warnings["services (DUK-KK)"]
    assert not any(w.startswith("services") for w, _ in load_site().capacity_warnings())
