"""The end of a day the hub did not see: applied at the roll-over, exactly once.

A hub that was off when calls ended (power cut in the afternoon, restarted at
15.30, started again the next morning) or whose clock jumped past midnight
still gives the citizens who waited the site's end of day — return tickets,
or ``not_served`` after the overtime — never a bare ``day_closed``. On the
queue service (real SQLite, a manual clock); the same through ``mpp hub run``
processes and the kiosk in tests/test_return_ticket.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from hub.events import AnnouncementsSet, CancelReason, TicketCancelled
from hub.reports.handler import build_report
from hub.return_notice import return_notice
from hub.site.schema import ClosingRules, EndOfDay
from protocol.errors import ErrorCode
from protocol.models import (
    AdminDayClose,
    BookingCheckIn,
    PriorityCategory,
    TicketPrinted,
    TicketReserve,
)
from tests.hub_harness import MONDAY_0800, Harness

MONDAY = date(2026, 11, 23)
MONDAY_1400 = MONDAY_0800 + timedelta(hours=6)
MONDAY_1600 = MONDAY_0800 + timedelta(hours=8)
MONDAY_2359 = MONDAY_0800 + timedelta(hours=15, minutes=59)
TUESDAY_0730 = MONDAY_0800 + timedelta(days=1, minutes=-30)
TUESDAY_0800 = MONDAY_0800 + timedelta(days=1)
TUESDAY_1000 = TUESDAY_0800 + timedelta(hours=2)
TUESDAY_1445 = TUESDAY_0800 + timedelta(hours=6, minutes=45)  # tickets end 14.30
FRIDAY_1400 = MONDAY_1400 + timedelta(days=4)
SATURDAY_0900 = FRIDAY_1400 + timedelta(hours=19)
NEXT_MONDAY_0730 = TUESDAY_0730 + timedelta(days=6)
NEXT_TUESDAY_0730 = TUESDAY_0730 + timedelta(days=7)


def _site(
    tmp_path: Path, rule: EndOfDay = EndOfDay.RETURN_TICKET, start: datetime = MONDAY_1400
) -> Harness:
    plain = Harness(tmp_path / "plain")
    closing = ClosingRules(admission=False, grace_minutes=15, end_of_day=rule)
    site = plain.site.model_copy(update={"closing": closing})
    return Harness(tmp_path / f"{rule.value}-{start:%d%H%M}", site=site, start=start)


def _waiting(hub: Harness, count: int = 2) -> list[str]:
    return [hub.issue("BPJSKES-DAFTAR") for _ in range(count)]


def _back_at(hub: Harness, moment: datetime) -> None:
    """The hub was off since the last command; it starts again at ``moment``."""
    hub.clock.set(moment)
    hub.restart()


def _cancels(hub: Harness) -> list[TicketCancelled]:
    events = [e for _, e in hub.service.store.events_after(0)]
    return [e for e in events if isinstance(e, TicketCancelled)]


def _check_in(hub: Harness, code: str) -> tuple[str | None, ErrorCode | None]:
    reply = hub.cmd(BookingCheckIn, "kiosk-01", booking_code=code)
    if not reply.ok:
        assert reply.error is not None
        return None, reply.error.code
    assert reply.ticket is not None
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    return reply.ticket.ticket_id, None


def test_started_the_next_morning_the_citizens_get_their_return_tickets_once(
    tmp_path: Path,
) -> None:
    """Off at 14.00 with two citizens waiting, on again Tuesday 07.30: both are sent home
    with a return ticket for Tuesday (as at closing), the running text says so until
    08.00, a second start adds nothing, and the kiosk honours it at 08.00."""
    hub = _site(tmp_path)
    first, second = _waiting(hub)
    _back_at(hub, TUESDAY_0730)
    cancels = _cancels(hub)
    assert [(e.ticket_id, e.reason, e.return_on) for e in cancels] == [
        (first, CancelReason.RETURN_TICKET, TUESDAY_0800.date()),
        (second, CancelReason.RETURN_TICKET, TUESDAY_0800.date()),
    ]
    assert hub.service.state.announcements == [
        "Warga yang belum terlayani pada hari Senin, 23 November: simpan tiket Anda dan "
        "pindai di kiosk hari ini mulai pukul 08.00 untuk mendapat nomor antrean prioritas."
    ]
    assert hub.service.state.announcements_until == TUESDAY_0800
    summary = json.loads(hub.service.store.day_summary(MONDAY) or "{}")
    assert summary["end_of_day"] == {"return_ticket": 2}

    written = len(list(hub.service.store.events_after(0)))
    _back_at(hub, TUESDAY_0730 + timedelta(minutes=1))  # a second restart
    assert len(list(hub.service.store.events_after(0))) == written
    assert len(_cancels(hub)) == 2

    hub.clock.set(TUESDAY_0800)
    new, error = _check_in(hub, first)
    assert error is None and new is not None
    ticket = hub.service.state.tickets[new]
    assert ticket.category.value == PriorityCategory.PRIORITY.value
    assert ticket.service == "BPJSKES-DAFTAR"


def test_the_same_events_and_summary_as_a_hub_that_saw_the_closing(tmp_path: Path) -> None:
    """Two Mondays, one hub running through the closing and the night, one off from
    14.00 to Tuesday 07.30: the same cancel reasons and return days, the same archived
    summary, the same report figures (``mpp report`` / ``mpp admin report``)."""
    seen, missed = _site(tmp_path / "seen"), _site(tmp_path / "missed")
    for hub in (seen, missed):
        hub.ok(TicketReserve, "kiosk-01", service="BPJSKES-DAFTAR")  # never printed
        _waiting(hub, 3)
    seen.clock.set(MONDAY_1600)
    seen.service.tick()
    seen.clock.set(MONDAY_2359)
    seen.service.tick()
    seen.clock.set(TUESDAY_0730)
    seen.service.tick()
    _back_at(missed, TUESDAY_0730)

    def outcome(hub: Harness) -> list[tuple[str, str, date | None]]:
        return [(e.ticket_id, e.reason.value, e.return_on) for e in _cancels(hub)]

    assert outcome(missed) == outcome(seen)
    assert [r for _, r, _ in outcome(seen)] == ["reservation_expired"] + ["return_ticket"] * 3
    archived = [h.service.store.day_summary(MONDAY) for h in (seen, missed)]
    assert archived[0] is not None and archived[0] == archived[1]
    reports = [build_report(h.directory / "hub.db", h.site, MONDAY, MONDAY) for h in (seen, missed)]
    assert reports[0].total == reports[1].total
    assert (reports[1].total.walked_out, reports[1].total.cancelled) == (3, 0)  # sent home
    assert reports[0].services == reports[1].services
    assert missed.service.state.returns == seen.service.state.returns


def test_restarted_the_same_afternoon(tmp_path: Path) -> None:
    hub = _site(tmp_path)
    _waiting(hub)
    _back_at(hub, MONDAY_1600)
    assert [e.return_on for e in _cancels(hub)] == [TUESDAY_0800.date()] * 2
    assert "pindai di kiosk besok mulai pukul 08.00" in hub.service.state.announcements[0]


def test_a_clock_jump_past_midnight_while_running(tmp_path: Path) -> None:
    """chrony steps the clock from Monday 14.00 to Tuesday 08.00: the ticker's roll-over
    gives the same return tickets a restart would."""
    hub = _site(tmp_path)
    first, second = _waiting(hub)
    hub.clock.set(TUESDAY_0800)
    events = hub.service.tick()
    returned = [e.ticket_id for e in events if isinstance(e, TicketCancelled)]
    assert returned == [first, second]
    assert not any(isinstance(e, AnnouncementsSet) for e in events)  # 08.00: opening is now
    new, error = _check_in(hub, second)
    assert error is None and new is not None


def test_a_command_after_the_jump_rolls_over_with_the_return_tickets(tmp_path: Path) -> None:
    """The first thing the hub hears on Tuesday is a kiosk: the roll-over it commits with
    that command carries the return tickets, and that ticket's scan is honoured."""
    hub = _site(tmp_path)
    first, _ = _waiting(hub)
    hub.clock.set(TUESDAY_1000)
    new, error = _check_in(hub, first)
    assert error is None and new is not None
    assert [e.reason for e in _cancels(hub)] == [CancelReason.RETURN_TICKET] * 2


def test_hub_down_over_the_weekend(tmp_path: Path) -> None:
    """Friday's citizens, the hub back Saturday: their return day is Monday, the next
    service day of the site calendar, announced until Monday 08.00."""
    hub = _site(tmp_path, start=FRIDAY_1400)
    first, _ = _waiting(hub)
    _back_at(hub, SATURDAY_0900)
    next_monday = NEXT_MONDAY_0730 + timedelta(minutes=30)
    assert [e.return_on for e in _cancels(hub)] == [next_monday.date()] * 2
    assert hub.service.state.announcements == [
        "Warga yang belum terlayani pada hari Jumat, 27 November: simpan tiket Anda dan "
        "pindai di kiosk hari Senin, 30 November mulai pukul 08.00 untuk mendapat nomor "
        "antrean prioritas."
    ]
    hub.clock.set(next_monday)
    _, error = _check_in(hub, first)
    assert error is None


def test_hub_back_only_on_monday_morning(tmp_path: Path) -> None:
    hub = _site(tmp_path, start=FRIDAY_1400)
    _waiting(hub)
    _back_at(hub, NEXT_MONDAY_0730)
    assert [e.return_on for e in _cancels(hub)] == [NEXT_MONDAY_0730.date()] * 2
    assert "pindai di kiosk hari ini mulai pukul 08.00" in hub.service.state.announcements[0]


def test_a_return_day_the_hub_slept_through_moves_to_the_day_it_is_back(tmp_path: Path) -> None:
    """Friday's citizens, the hub off until Tuesday: Monday passed without a hub to honour
    the ticket, so it is valid Tuesday — never a ticket already expired when issued."""
    hub = _site(tmp_path, start=FRIDAY_1400)
    first, _ = _waiting(hub)
    _back_at(hub, NEXT_TUESDAY_0730)
    assert [e.return_on for e in _cancels(hub)] == [NEXT_TUESDAY_0730.date()] * 2
    hub.clock.set(NEXT_TUESDAY_0730 + timedelta(minutes=30))
    _, error = _check_in(hub, first)
    assert error is None


@pytest.mark.parametrize(
    ("back", "valid_on", "notice"),
    [
        (TUESDAY_1000, TUESDAY_0800.date(), False),  # after the opening: today, no notice
        (TUESDAY_1445, (TUESDAY_0800 + timedelta(days=1)).date(), True),  # tickets over
    ],
)
def test_back_during_the_next_day(
    tmp_path: Path, back: datetime, valid_on: date, notice: bool
) -> None:
    hub = _site(tmp_path)
    _waiting(hub)
    _back_at(hub, back)
    assert [e.return_on for e in _cancels(hub)] == [valid_on] * 2
    assert bool(hub.service.state.announcements) is notice


def test_an_overtime_site_reports_them_not_served(tmp_path: Path) -> None:
    hub = _site(tmp_path, EndOfDay.OVERTIME)
    first, _ = _waiting(hub)
    _back_at(hub, TUESDAY_0730)
    cancels = _cancels(hub)
    assert {e.reason for e in cancels} == {CancelReason.NOT_SERVED}
    assert {e.detail for e in cancels} == {"belum terlayani pukul 15.45"}
    summary = json.loads(hub.service.store.day_summary(MONDAY) or "{}")
    assert summary["end_of_day"] == {"not_served": 2}
    assert hub.service.state.announcements == []
    hub.clock.set(TUESDAY_0800)
    _, error = _check_in(hub, first)
    assert error is ErrorCode.EXPIRED


def test_tickets_at_a_counter_still_close_as_before(tmp_path: Path) -> None:
    """The citizen at the counter when the power went was being served: not sent home."""
    hub = _site(tmp_path)
    first, second = _waiting(hub)
    hub.open_counter(8)
    assert hub.next(8) == first
    _back_at(hub, TUESDAY_0730)
    reasons = {e.ticket_id: e.reason for e in _cancels(hub)}
    assert reasons == {first: CancelReason.DAY_CLOSED, second: CancelReason.RETURN_TICKET}


def test_the_notice_words() -> None:
    wib = datetime(2026, 11, 24, 7, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    opens = wib.replace(hour=8, minute=0)
    assert return_notice(opens, wib).startswith("Layanan hari ini sudah berakhir.")
    late = return_notice(opens, wib, closed_on=MONDAY)
    assert late.startswith("Warga yang belum terlayani pada hari Senin, 23 November:")
    assert "hari ini mulai pukul 08.00" in late


def test_an_admin_closing_the_day_early_sends_the_waiting_home_as_the_site_decides(
    tmp_path: Path,
) -> None:
    """`mpp admin day close` at 14.00 (the building must close early): the citizens still
    waiting get return tickets for Tuesday with the admin's account, the notice runs
    until Tuesday's opening, and the kiosk honours them; a reservation never printed is
    closed with the day. On an overtime site they are ``not_served`` at 14.00."""
    hub = _site(tmp_path)
    hub.ok(TicketReserve, "kiosk-01", service="BPJSKES-DAFTAR")  # never printed
    first, second = _waiting(hub)
    closed = hub.service.handle_admin(
        AdminDayClose(
            command_id=uuid4(),
            account="admin",
            issued_at=MONDAY_1400,
            confirm_day=MONDAY.isoformat(),
        )
    ).reply
    assert closed.ok, closed.error
    cancels = _cancels(hub)
    assert [
        (e.reason, e.return_on, e.account) for e in cancels if e.ticket_id in {first, second}
    ] == [(CancelReason.RETURN_TICKET, TUESDAY_0800.date(), "admin")] * 2
    assert [e.reason for e in cancels if e.ticket_id not in {first, second}] == [
        CancelReason.DAY_CLOSED
    ]
    assert hub.service.state.announcements_until == TUESDAY_0800
    hub.clock.set(TUESDAY_0800)
    new, error = _check_in(hub, first)
    assert error is None and new is not None

    overtime = _site(tmp_path / "overtime", EndOfDay.OVERTIME)
    waiting = _waiting(overtime, 1)[0]
    closed = overtime.service.handle_admin(
        AdminDayClose(
            command_id=uuid4(),
            account="admin",
            issued_at=MONDAY_1400,
            confirm_day=MONDAY.isoformat(),
        )
    ).reply
    assert closed.ok, closed.error
    [cancel] = _cancels(overtime)
    assert (cancel.ticket_id, cancel.reason, cancel.account) == (
        waiting,
        CancelReason.NOT_SERVED,
        "admin",
    )
    assert cancel.detail == "belum terlayani pukul 14.00"
