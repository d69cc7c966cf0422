"""The return ticket: sent home at closing, honoured as a priority ticket the next service day.

With ``end_of_day = "return_ticket"``, whoever still waits when calls end keeps
their ticket; the running text says so at closing; the next service day the
kiosk (scanner or keypad, the booking check-in path) turns the old ticket into
a priority ticket for the same service — once, and only that day. On the
queue service itself (real SQLite, a manual clock), then end to end with a real
`mpp hub run` process and the kiosk as `mpp edge --simulate`.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from edge.kiosk.reasons import refusal
from edge.printer.decode import split_tickets
from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR
from hub.events import CancelReason
from hub.site.loader import DEFAULT_SITE
from hub.site.schema import ClosingRules, EndOfDay
from mpp.process import EdgeProcess, HubProcess
from mqtt_broker.local import LocalBroker
from protocol.clock import CLOCK_OFFSET_ENV
from protocol.errors import ErrorCode
from protocol.models import (
    BookingCheckIn,
    PriorityCategory,
    ReplyError,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
)
from protocol.models.fields import is_ticket_id, ticket_id_in
from protocol.roles import Role
from protocol.topics import spec
from tests.device_client import DeviceClient
from tests.hub_harness import MONDAY_0800, Harness
from tests.mqtt_client import RecordingClient

MONDAY_1400 = MONDAY_0800 + timedelta(hours=6)
MONDAY_1516 = MONDAY_0800 + timedelta(hours=7, minutes=16)  # calls ended 15.15 (grace 15)
TUESDAY_0800 = MONDAY_0800 + timedelta(days=1)
WEDNESDAY_0800 = MONDAY_0800 + timedelta(days=2)


def _returning_site(tmp_path: Path, rule: EndOfDay = EndOfDay.RETURN_TICKET) -> Harness:
    plain = Harness(tmp_path / "plain")
    closing = ClosingRules(admission=False, grace_minutes=15, end_of_day=rule)
    site = plain.site.model_copy(update={"closing": closing})
    return Harness(tmp_path / rule.value, site=site, start=MONDAY_1400)


def _sent_home(hub: Harness, count: int = 2) -> list[str]:
    tickets = [hub.issue("BPJSKES-DAFTAR") for _ in range(count)]
    hub.clock.set(MONDAY_1516)
    hub.service.tick()
    for ticket in tickets:
        record = hub.service.state.tickets[ticket]
        assert record.cancel_reason == CancelReason.RETURN_TICKET.value
    return tickets


def _check_in(hub: Harness, code: str) -> tuple[str | None, ReplyError | None]:
    reply = hub.cmd(BookingCheckIn, "kiosk-01", booking_code=code)
    if not reply.ok:
        return None, reply.error
    assert reply.ticket is not None
    hub.ok(TicketPrinted, "kiosk-01", ticket_id=reply.ticket.ticket_id)
    return reply.ticket.ticket_id, None


def test_the_running_text_says_it_at_closing(tmp_path: Path) -> None:
    hub = _returning_site(tmp_path)
    _sent_home(hub)
    texts = hub.service.state.announcements
    assert texts == [
        "Layanan hari ini sudah berakhir. Warga yang belum terlayani: simpan tiket Anda "
        "dan pindai di kiosk besok mulai pukul 08.00 untuk mendapat nomor antrean prioritas."
    ]
    assert hub.service.state.announcements_until == TUESDAY_0800
    hub.service.tick()
    assert len(hub.service.state.announcements) == 1  # said once, not once per tick


def test_honoured_once_the_next_service_day_as_a_priority_ticket(tmp_path: Path) -> None:
    hub = _returning_site(tmp_path)
    first, _ = _sent_home(hub)
    hub.clock.set(TUESDAY_0800)
    new, error = _check_in(hub, first.lower())  # as a keyboard-wedge scanner may type it
    assert error is None and new is not None
    ticket = hub.service.state.tickets[new]
    assert ticket.service == "BPJSKES-DAFTAR"
    assert ticket.category.value == PriorityCategory.PRIORITY.value
    again, error = _check_in(hub, first)
    assert again is None and error is not None and error.code is ErrorCode.INVALID_STATE
    hub.restart()  # durable: the next hub start still knows it was used
    again, error = _check_in(hub, first)
    assert error is not None and error.code is ErrorCode.INVALID_STATE


def test_a_failed_print_leaves_it_unused(tmp_path: Path) -> None:
    hub = _returning_site(tmp_path)
    first, _ = _sent_home(hub)
    hub.clock.set(TUESDAY_0800)
    reply = hub.ok(BookingCheckIn, "kiosk-01", booking_code=first)
    assert reply.ticket is not None
    hub.ok(TicketPrintFailed, "kiosk-01", ticket_id=reply.ticket.ticket_id, reason="paper out")
    again, error = _check_in(hub, first)
    assert error is None and again is not None


def test_not_before_its_day_and_not_after_it(tmp_path: Path) -> None:
    hub = _returning_site(tmp_path)
    first, second = _sent_home(hub)
    hub.clock.set(MONDAY_1516 + timedelta(minutes=1))
    _, early = _check_in(hub, first)
    assert early is not None and early.code is ErrorCode.EXPIRED
    assert early.next_open_at == TUESDAY_0800
    hub.clock.set(TUESDAY_0800)
    _check_in(hub, first)  # Tuesday: the day rolls over, the returns stay
    hub.clock.set(WEDNESDAY_0800)
    _, late = _check_in(hub, second)
    assert late is not None and late.code is ErrorCode.EXPIRED
    assert late.next_open_at is None
    _, never = _check_in(hub, "20261123-Q-999")  # a ticket that was never sent home
    assert never is not None and never.code is ErrorCode.EXPIRED


def test_a_site_that_serves_overtime_gives_no_return_tickets(tmp_path: Path) -> None:
    hub = _returning_site(tmp_path, EndOfDay.OVERTIME)
    ticket = hub.issue("BPJSKES-DAFTAR")
    hub.clock.set(MONDAY_0800 + timedelta(hours=8))
    hub.service.tick()
    assert hub.service.state.tickets[ticket].cancel_reason == CancelReason.NOT_SERVED.value
    hub.clock.set(TUESDAY_0800)
    _, error = _check_in(hub, ticket)
    assert error is not None and error.code is ErrorCode.EXPIRED
    assert hub.service.state.announcements == []


def test_the_kiosk_reads_a_ticket_qr_and_says_why_it_refuses() -> None:
    assert ticket_id_in("20261123-B-007") == "20261123-B-007"
    assert ticket_id_in("https//mpp.lampungtimurkab.go.id/t/20261123-b-007") == "20261123-B-007"
    assert ticket_id_in("BK-1001") is None
    assert is_ticket_id("20261123-b-007") and not is_ticket_id("BK-1001")
    now = datetime(2026, 11, 23, 15, 20, tzinfo=UTC).astimezone()
    used = refusal(ErrorCode.INVALID_STATE, True, returning=True)
    assert used == "Tiket kembali ini sudah digunakan. Silakan ambil nomor antrean baru."
    assert refusal(ErrorCode.INVALID_STATE, True) == "Kode pendaftaran ini sudah digunakan."
    gone = refusal(ErrorCode.EXPIRED, True, returning=True)
    assert gone.startswith("Tiket ini tidak berlaku hari ini. Tiket kembali hanya berlaku")
    early = ReplyError(code=ErrorCode.EXPIRED, message="x", next_open_at=now + timedelta(days=1))
    sentence = refusal(ErrorCode.EXPIRED, True, early, now=now, returning=True)
    assert sentence.startswith("Tiket kembali ini baru berlaku besok pukul "), sentence


# -- end to end: `mpp hub run` and the kiosk as `mpp edge --simulate` -------------------

WIB = ZoneInfo("Asia/Jakarta")
MONDAY_1420_WIB = datetime(2026, 11, 23, 14, 20, tzinfo=WIB)
MONDAY_1516_WIB = datetime(2026, 11, 23, 15, 16, tzinfo=WIB)
TUESDAY_0805_WIB = datetime(2026, 11, 24, 8, 5, tzinfo=WIB)
WEDNESDAY_0805_WIB = datetime(2026, 11, 25, 8, 5, tzinfo=WIB)


def _as_if(moment: datetime) -> dict[str, str]:
    """The environment that runs a process as if it were ``moment`` (hub and kiosk alike)."""
    offset = (moment - datetime.now(UTC)).total_seconds()
    return {CLOCK_OFFSET_ENV: f"{offset:.3f}"}


def _returning_site_file(tmp_path: Path) -> Path:
    text = DEFAULT_SITE.read_text(encoding="utf-8")
    changed = text.replace('end_of_day = "overtime"', 'end_of_day = "return_ticket"')
    assert changed != text, "the bundled site no longer says end_of_day = overtime"
    path = tmp_path / "site.toml"
    path.write_text(changed, encoding="utf-8")
    return path


@contextlib.contextmanager
def _hub(broker: LocalBroker, tmp_path: Path, moment: datetime) -> Iterator[HubProcess]:
    hub = HubProcess.on(
        broker,
        tmp_path / "hub.db",
        clock_start=None,
        env=_as_if(moment),
        site=_returning_site_file(tmp_path),
    )
    hub.start()
    try:
        yield hub
    finally:
        assert hub.stop() == 0
        assert "Traceback" not in "".join(hub.lines)


@contextlib.contextmanager
def _kiosk(broker: LocalBroker, state_dir: Path, moment: datetime) -> Iterator[ControlClient]:
    config = DEFAULT_INVENTORY / DEVICES_DIR / "kiosk-01.toml"
    kiosk = EdgeProcess.on(broker, config, state_dir, env=_as_if(moment))
    kiosk.start(timeout=60)
    try:
        kiosk.wait_for("connected as kiosk-01", 10)
        with ControlClient(socket_path(state_dir, "kiosk-01")) as citizen:
            yield citizen
    finally:
        kiosk.send(signal.SIGTERM)
        assert kiosk.wait(10) == 0
        assert "Traceback" not in "".join(kiosk.lines)


def test_a_return_ticket_through_the_hub_process_and_the_kiosk(
    fresh_broker: LocalBroker,
    tmp_path: Path,
    mqtt_client: Callable[..., RecordingClient],
) -> None:
    """Monday 14.20 two BPJS citizens take tickets nobody serves; after the grace the
    hub sends them home and the running text says to come back; Tuesday the kiosk
    prints a priority ticket for the first (once); Wednesday the second is too late."""
    with _hub(fresh_broker, tmp_path, MONDAY_1420_WIB):
        client = DeviceClient(fresh_broker, "kiosk-02", Role.KIOSK)
        try:
            first, second = (_take(client, "BPJSKES-DAFTAR") for _ in range(2))
        finally:
            client.stop()
    runtext = mqtt_client("runtext-01", on=fresh_broker)
    topic = spec("state.announcements").topic()
    runtext.subscribe(topic)
    with _hub(fresh_broker, tmp_path, MONDAY_1516_WIB):
        notice = runtext.wait_until(topic, lambda p: bool(p["texts"]), 20)
    assert "pindai di kiosk besok mulai pukul 08.00" in notice["texts"][0]

    state_dir = tmp_path / "kiosk"
    state_dir.mkdir()
    printer = state_dir / "printer-kiosk-01.bin"
    with (
        _hub(fresh_broker, tmp_path, TUESDAY_0805_WIB),
        _kiosk(fresh_broker, state_dir, TUESDAY_0805_WIB) as citizen,
    ):
        honoured = citizen.ask("scan", code=first)
        assert honoured["view"] == "done", honoured
        printed = split_tickets(printer.read_bytes())[-1].text()
        assert "PRIORITAS" in printed and f"Tiket kembali: {first}" in printed, printed
        again = citizen.ask("scan", code=first)
        assert again["view"] == "error", again
        assert again["message"] == (
            "Tiket kembali ini sudah digunakan. Silakan ambil nomor antrean baru."
        )
    with (
        _hub(fresh_broker, tmp_path, WEDNESDAY_0805_WIB),
        _kiosk(fresh_broker, state_dir, WEDNESDAY_0805_WIB) as citizen,
    ):
        late = citizen.ask("scan", code=second)
    assert late["view"] == "error", late
    assert late["message"].startswith("Tiket ini tidak berlaku hari ini."), late
    assert len(split_tickets(printer.read_bytes())) == 1, "nothing printed for a refusal"


def _take(kiosk: DeviceClient, service: str) -> str:
    reply = kiosk.ok(TicketReserve, service=service, category=PriorityCategory.REGULAR)
    assert reply.ticket is not None
    kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
    return reply.ticket.ticket_id


# -- the hub was not running when calls ended (tests/test_day_end_missed.py in process) -

MONDAY_1400_WIB = datetime(2026, 11, 23, 14, 0, tzinfo=WIB)
TUESDAY_0730_WIB = datetime(2026, 11, 24, 7, 30, tzinfo=WIB)
LATE_END = "end of the previous day applied late"


def _returns_stored(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE kind = 'ticket.cancelled' "
            "AND json_extract(body, '$.reason') = 'return_ticket'"
        ).fetchone()
    return int(count)


def _waiting_at_1400(broker: LocalBroker, tmp_path: Path, count: int) -> list[str]:
    """Monday 14.00: citizens take tickets, then the hub goes (a power cut, a restart)."""
    with _hub(broker, tmp_path, MONDAY_1400_WIB):
        client = DeviceClient(broker, "kiosk-02", Role.KIOSK)
        try:
            return [_take(client, "BPJSKES-DAFTAR") for _ in range(count)]
        finally:
            client.stop()


def test_off_at_closing_the_next_start_gives_the_return_tickets_once(
    fresh_broker: LocalBroker,
    tmp_path: Path,
    mqtt_client: Callable[..., RecordingClient],
) -> None:
    """Off from Monday 14.00 to Tuesday 07.30: the start sends Monday's waiting citizens
    home with return tickets for today and the running text says so until 08.00; a
    second start issues none again; at 08.05 the kiosk prints the priority ticket."""
    first, _ = _waiting_at_1400(fresh_broker, tmp_path, 2)
    runtext = mqtt_client("runtext-01", on=fresh_broker)
    topic = spec("state.announcements").topic()
    runtext.subscribe(topic)
    with _hub(fresh_broker, tmp_path, TUESDAY_0730_WIB) as hub:
        hub.wait_for(f"{LATE_END} at the roll-over to 2026-11-24: 2 return_ticket", 10)
        notice = runtext.wait_until(topic, lambda p: bool(p["texts"]), 20)
    assert notice["texts"][0].startswith("Warga yang belum terlayani pada hari Senin")
    assert "pindai di kiosk hari ini mulai pukul 08.00" in notice["texts"][0]
    with _hub(fresh_broker, tmp_path, TUESDAY_0730_WIB + timedelta(minutes=5)) as again:
        pass  # its start-up (the roll-over, if any) is over once it says "hub ready"
    assert not any(LATE_END in line for line in again.lines)
    assert _returns_stored(tmp_path / "hub.db") == 2

    state_dir = tmp_path / "kiosk"
    state_dir.mkdir()
    with (
        _hub(fresh_broker, tmp_path, TUESDAY_0805_WIB),
        _kiosk(fresh_broker, state_dir, TUESDAY_0805_WIB) as citizen,
    ):
        honoured = citizen.ask("scan", code=first)
    assert honoured["view"] == "done", honoured
    printed = split_tickets((state_dir / "printer-kiosk-01.bin").read_bytes())[-1].text()
    assert "PRIORITAS" in printed and f"Tiket kembali: {first}" in printed, printed


def test_killed_during_the_start_that_would_give_them_loses_nothing(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """SIGKILL while the start-up's roll-over is under way (held at its transaction by a
    write lock the test takes: deterministic): nothing of it is stored, and the next
    start gives every return ticket, once."""
    _waiting_at_1400(fresh_broker, tmp_path, 3)
    db = tmp_path / "hub.db"
    hub = HubProcess.on(
        fresh_broker,
        db,
        clock_start=None,
        env=_as_if(TUESDAY_0730_WIB),
        site=_returning_site_file(tmp_path),
    )
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # the hub's roll-over waits for the store
        hub.spawn()
        hub.wait_for("state rebuilt", 30)  # next: the roll-over's BEGIN IMMEDIATE
        hub.kill()
        holder.execute("ROLLBACK")
    assert _returns_stored(db) == 0
    with _hub(fresh_broker, tmp_path, TUESDAY_0730_WIB) as back:
        back.wait_for(f"{LATE_END} at the roll-over to 2026-11-24: 3 return_ticket", 10)
    assert _returns_stored(db) == 3
