"""The console's live views and its shell against a real hub: `tail` as a process,
`top` on rich's recording console, the prompt_toolkit shell, closing the day,
and a hub that is down."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console

from admin.client import AdminClient
from admin.connection import ConsoleSettings
from admin.follow import LiveModel, run_top
from admin.session import Session
from firmware_config.inventory import Inventory
from hub.site.loader import load_site
from mpp.process import PROJECT_ROOT
from protocol.clock import CLOCK_OFFSET_ENV
from protocol.errors import ErrorCode
from protocol.models import CounterNext, CounterOpen, CounterPause, TicketReserve
from protocol.roles import Role
from tests.admin_fixtures import Building, shared_clock, start_building, status_of


@pytest.fixture(scope="module")
def building(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> Iterator[Building]:
    made = start_building(tmp_path_factory.mktemp("admin-live"), inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


@pytest.fixture
def own_building(tmp_path: Path, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path, inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


class Lines:
    """A child's output lines, read on a thread, waited for with a timeout."""

    def __init__(self, stream: object) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        with self._changed:
            assert self._changed.wait_for(
                lambda: any(text in line for line in self.lines), timeout
            ), f"no {text!r} in {self.lines[-10:]}"
            return next(line for line in self.lines if text in line)


def _session(building: Building) -> Session:
    broker = building.broker
    settings = ConsoleSettings(
        broker.host, broker.port, "admin", broker.password("admin"), 10, broker.tls("admin")
    )
    # A terminal, so Live draws every change into the recording.
    return Session(settings, console=Console(record=True, width=220, force_terminal=True))


def test_tail_follows_the_event_log_filtered_by_counter(building: Building) -> None:
    tail = subprocess.Popen(
        building.admin_args("tail", "--counter", "17"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **building.env},
    )
    try:
        out, err = Lines(tail.stdout), Lines(tail.stderr)
        err.wait_for("following the hub's event log")
        building.device("counter-18", Role.COUNTER).ok(CounterOpen)
        building.issue("SOS-DTKS")
        counter = building.device("counter-17", Role.COUNTER)
        counter.ok(CounterOpen)
        called = counter.ok(CounterNext).ticket
        assert called is not None
        building.admin_ok("counter", "close", "18")
        line = out.wait_for(f"{called.number} called to counter 17")
        assert line[:8].count(".") == 2  # site time, 08.00.03
        assert "[DINSOS · counter-17]" in line
        out.wait_for("counter 17 open")
    finally:
        tail.send_signal(signal.SIGINT)
        code = tail.wait(15)
    assert code == 0
    assert not any("counter 18" in line for line in out.lines), out.lines


def test_top_renders_live_from_retained_state_and_events(building: Building) -> None:
    session = _session(building)
    stop = threading.Event()
    changed = threading.Condition()
    seen: list[LiveModel] = []

    def on_update(model: LiveModel) -> None:
        with changed:
            seen[:] = [model]
            changed.notify_all()

    top = threading.Thread(
        target=run_top, args=(session, stop), kwargs={"on_update": on_update}, daemon=True
    )
    top.start()
    try:
        assert _wait_for(changed, seen, lambda m: True)  # top listens to everything
        ticket = building.issue("DIK-LEGALISIR").ticket
        assert ticket is not None
        counter = building.device("counter-20", Role.COUNTER)
        officer = next(o for o in load_site().officers if o.agency == "DISDIKBUD")
        counter.ok(CounterOpen, officer=officer.nip)  # picked on the unit: signs in
        counter.ok(CounterNext)

        def called(model: LiveModel) -> bool:
            row = next(c for c in model.overview.counters if c.counter == 20)
            return row.current == ticket.number and row.officer == officer.name and any(
                f"{ticket.number} called to counter 20" in line for line in model.recent
            )

        assert _wait_for(changed, seen, called), list(seen[0].recent)
    finally:
        stop.set()
        top.join(10)
        session.close()
    text = session.console.export_text()
    assert f"{ticket.number} called to counter 20" in text  # drawn, not only known
    assert "Loket 20" in text and "Latest events" in text and "hub online" in text
    assert officer.name in text, "the officer on duty, live"
    queue = next(s for s in seen[0].overview.services if s.service == "DIK-LEGALISIR")
    assert queue.issued_today >= 1


def _wait_for(
    changed: threading.Condition,
    seen: list[LiveModel],
    predicate: Callable[[LiveModel], bool],
    timeout: float = 20.0,
) -> bool:
    with changed:
        return changed.wait_for(lambda: bool(seen) and predicate(seen[0]), timeout)


def test_shell_runs_commands_and_completes_building_values(building: Building) -> None:
    from prompt_toolkit.document import Document
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from admin.cli import _act, shell_parser
    from admin.shell import completion_tree, run_shell

    session = _session(building)
    try:
        with create_pipe_input() as pipe:
            pipe.send_text("counter open 10\nbogus words\nservice quota PTSP-NIB 5\nexit\n")
            code = run_shell(
                session, shell_parser(), _act, {"input": pipe, "output": DummyOutput()}
            )
        assert code == 0
        text = session.console.export_text()
        assert "counter 10 is open" in text and "quota of PTSP-NIB today: 5" in text
        overview = session.overview()
    finally:
        session.close()
    assert next(c for c in overview.counters if c.counter == 10).state.value == "open"
    from prompt_toolkit.completion import CompleteEvent

    from admin.shell import _completer

    completer = _completer(completion_tree(overview))

    def complete(line: str) -> set[str]:
        return {c.text for c in completer.get_completions(Document(line), CompleteEvent())}

    assert "22" in complete("counter open ")
    assert complete("cou") == {"counter"}
    assert "DUK-KTP" in complete("service close DUK-")
    assert "kiosk-02" in complete("device identify kio")
    assert "kiosk-01" in complete("ticket reprint --kiosk ")


def test_closing_the_day_needs_the_day_typed_and_then_stops_issuing(
    own_building: Building,
) -> None:
    building = own_building
    waiting = building.issue("DUK-KTP").ticket
    assert waiting is not None
    building.device("counter-02", Role.COUNTER).ok(CounterOpen)
    unconfirmed = building.admin("day", "close")
    assert unconfirmed.returncode == 1 and "--confirm 2026-11-23" in unconfirmed.stderr
    wrong = building.admin("day", "close", "--confirm", "2026-11-22")
    assert wrong.returncode == 1 and "not confirmed" in wrong.stderr
    assert building.admin_json("ticket", "find", waiting.number)["state"] == "waiting"

    assert "day 2026-11-23 closed" in building.admin_ok("day", "close", "--confirm", "2026-11-23")
    assert building.admin_json("ticket", "find", waiting.number)["state"] == "cancelled"
    status = building.status()
    assert status["day_closed"] is True
    assert status_of(status, "counters", "counter", 2)["state"] == "closed"
    assert status_of(status, "services", "service", "DUK-KTP")["admission"] == "day_closed"
    refused = building.device("kiosk-01", Role.KIOSK).send(TicketReserve, service="DUK-KTP")
    assert refused.error is not None and refused.error.code is ErrorCode.CLOSED
    reopened = building.device("counter-02", Role.COUNTER).send(CounterOpen)
    assert reopened.error is not None and reopened.error.code is ErrorCode.CLOSED

    building.hub.stop()
    down = building.admin("--timeout", "2", "status")
    assert down.returncode == 6, down.stderr
    assert "hub is offline" in down.stderr and len(down.stderr.strip().splitlines()) == 1


def test_a_second_console_of_the_account_does_not_end_tail(building: Building) -> None:
    """The broker ties the client id to the account: a one-off command takes the
    connection over for a moment, and `tail` reconnects and carries on."""
    tail = subprocess.Popen(
        building.admin_args("tail", "--counter", "15"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **building.env},
    )
    try:
        out, err = Lines(tail.stdout), Lines(tail.stderr)
        err.wait_for("following the hub's event log")
        building.admin_ok("counter", "open", "15")  # takes the connection over
        err.wait_for("reconnecting")
        building.device("counter-15", Role.COUNTER).ok(CounterPause)
        out.wait_for("counter 15 paused")
    finally:
        tail.send_signal(signal.SIGINT)
        tail.wait(15)
    with AdminClient(_session(building).settings):
        pass


def _top_process(building: Building, *args: str, columns: int = 200) -> tuple[str, str]:
    """``mpp admin top`` as a process on this machine's own clock (no offset: the admin's
    laptop, not the building's clock), stopped with Ctrl-C once live; its last frame."""
    env = {key: value for key, value in os.environ.items() if key != CLOCK_OFFSET_ENV}
    top = subprocess.Popen(
        building.admin_args("top", *args),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "COLUMNS": str(columns), "LINES": "24"},
    )
    err = Lines(top.stderr)
    try:
        err.wait_for("top: live")
    finally:
        top.send_signal(signal.SIGINT)
        out, _ = top.communicate(timeout=15)
    assert top.returncode == 0, err.lines
    return out, "\n".join(err.lines)


def test_top_takes_now_from_the_hub_not_from_this_machine(building: Building) -> None:
    """The hub runs on Monday 08.00 (a shifted clock); `top` on a machine whose clock
    says otherwise shows the hub's time, waits and "last seen" as `status` does."""
    assert CLOCK_OFFSET_ENV in building.env
    building.issue("DUK-AKTA")
    status = building.admin_ok("status")
    hub_time = re.search(r"· (\d\d\.\d\d)\b", status)
    assert hub_time is not None, status
    watcher = building.watcher()
    try:
        watcher.wait_until("mpp/state/service/DUK-AKTA", lambda p: p["waiting"] >= 1)
    finally:
        watcher.stop()
    out, _err = _top_process(building)
    header = next(line for line in out.splitlines() if "hub online" in line)
    shown = re.search(r"· (\d\d\.\d\d) ·", header)
    assert shown is not None, header
    minutes = [int(t[:2]) * 60 + int(t[3:]) for t in (shown.group(1), hub_time.group(1))]
    assert 0 <= minutes[0] - minutes[1] <= 1, (header, hub_time.group(1))
    row = next(line for line in out.splitlines() if line.startswith("│ DUK-AKTA "))
    assert re.search(r"\b[01] min\b", row), row  # the longest wait: just issued
    seen = next(line for line in out.splitlines() if line.startswith("│ kiosk-01 "))
    assert "online" in seen and "/" not in seen, seen  # last seen today, not days ago


@pytest.mark.parametrize("width", [80, 160])
def test_status_and_top_are_readable_in_a_narrow_terminal(building: Building, width: int) -> None:
    """An admin on an SSH session to the hub has 80 columns: every service code, counter
    number and device id whole, every header a whole word, nothing past the edge."""
    from admin.render import status_view

    building.issue("BPJSKES-DAFTAR")
    building.admin_ok("service", "close", "PTSP-PBG", "--reason", "Server SIMBG sedang gangguan")
    session = _session(building)
    try:
        overview = session.overview()
    finally:
        session.close()
    model = LiveModel(overview)
    for view in (status_view(overview), model.render(overview.at, all_services=True)):
        console = Console(record=True, width=width, force_terminal=False)
        console.print(view)
        text = console.export_text()
        assert "…" not in text, text  # no header or code cut short
        assert max(len(line) for line in text.splitlines()) <= width
        for code in [s.service for s in overview.services] + [d.device_id for d in
                                                               overview.devices]:
            assert re.search(rf"│ {re.escape(code)} +│", text), f"{code} not whole:\n{text}"
        for counter in overview.counters:
            assert re.search(rf"│ +{counter.counter} │", text), counter.counter
        for header in ("service", "waiting", "longest", "estimate", "admission", "device"):
            assert re.search(rf"[┃│] {header} ", text), f"no whole {header!r} header"
    if width == 80:  # the entry point, as a process in an 80-column terminal
        result = building.admin("status", env={"COLUMNS": "80"})
        assert result.returncode == 0, result.stderr
        assert "…" not in result.stdout and "PTSP-PBG" in result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) <= 80
