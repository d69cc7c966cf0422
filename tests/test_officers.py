"""Officers on duty: signing in at the counter unit or from the console, and every
ticket event at the counter naming the officer (hub service on a real SQLite file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from hub.events import OfficerSignedIn, OfficerSignedOut, SignOutReason
from hub.site.checks import site_problems
from hub.site.loader import load_site
from hub.site.schema import Officer
from protocol.clock import wall_now
from protocol.errors import ErrorCode
from protocol.models import (
    AdminCounterOfficer,
    AdminCounterState,
    AdminDayClose,
    AdminStatus,
    CounterAction,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterRecall,
    CounterTransfer,
    Reply,
)
from tests.hub_harness import Harness

SITE = load_site()
DUKCAPIL = [o.nip for o in SITE.officers if o.agency == "DUKCAPIL"]
POLRES = [o.nip for o in SITE.officers if o.agency == "POLRES"]


def _admin(hub: Harness, model: type[Any], **fields: Any) -> Reply:
    outcome = hub.service.handle_admin(
        model(command_id=uuid4(), account="admin", issued_at=wall_now(), **fields)
    )
    return outcome.reply


def _events(hub: Harness) -> list[Any]:
    return [event for _seq, event in hub.service.store.events_after(0)]


def test_the_default_site_has_officers_for_every_agency_with_counters() -> None:
    agencies = {c.agency for c in SITE.counters}
    for agency in agencies:
        staff = [o for o in SITE.officers if o.agency == agency]
        counters = [c for c in SITE.counters if c.agency == agency]
        assert len(staff) > len(counters), agency  # one more than counters: a relief
    assert not site_problems(SITE)


def test_site_check_names_an_unknown_agency_and_a_nip_given_twice() -> None:
    officer = Officer(nip="199001012015011001", name="Uji Coba", agency="NOPE")
    bad = SITE.model_copy(update={"officers": [officer, officer]})
    problems = site_problems(bad)
    assert any("officers[0] (199001012015011001): agency: unknown agency" in p for p in problems)
    assert any("officers: nip: '199001012015011001' appears 2 times" in p for p in problems)


def test_the_officer_opens_the_counter_and_every_ticket_event_names_them(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    first = hub.issue("DUK-KTP")
    second = hub.issue("DUK-KTP")
    third = hub.issue("DUK-KTP")
    opened = hub.ok(CounterOpen, "counter-01", officer=DUKCAPIL[0])
    assert opened.counter is not None and opened.counter.officer_id == DUKCAPIL[0]
    assert opened.counter.agency == "DUKCAPIL"
    assert hub.next(1) == first
    hub.ok(CounterRecall, "counter-01")
    hub.ok(CounterNoShow, "counter-01")
    assert hub.next(1) == second
    hub.ok(CounterTransfer, "counter-01", target_service="DUK-KK")
    assert hub.next(1) == third
    hub.ok(CounterFinish, "counter-01")
    hub.ok(CounterClose, "counter-01")
    events = _events(hub)
    signed_in = [e for e in events if isinstance(e, OfficerSignedIn)]
    assert [(e.counter, e.officer, e.device_id) for e in signed_in] == [
        (1, DUKCAPIL[0], "counter-01")
    ]
    at_counter = [
        e
        for e in events
        if e.kind
        in ("ticket.called", "ticket.no_show", "ticket.transferred", "ticket.done")
    ]
    assert [e.kind for e in at_counter] == [
        "ticket.called",
        "ticket.called",
        "ticket.no_show",
        "ticket.called",
        "ticket.transferred",
        "ticket.called",
        "ticket.done",
    ]
    assert {e.officer for e in at_counter} == {DUKCAPIL[0]}
    out = [e for e in events if isinstance(e, OfficerSignedOut)]
    assert [(e.officer, e.reason) for e in out] == [(DUKCAPIL[0], SignOutReason.CLOSED)]
    hub.open_counter(1)  # opened without a pick: nobody on duty, events say so
    hub.issue("DUK-KTP")
    hub.next(1)
    assert _events(hub)[-1].officer is None


def test_an_unknown_nip_or_another_agencys_officer_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    hub = Harness(tmp_path)
    before = len(_events(hub))
    unknown = hub.cmd(CounterOpen, "counter-01", officer="199901012020011999")
    assert unknown.error is not None and unknown.error.code is ErrorCode.UNKNOWN_OFFICER
    other = hub.cmd(CounterOpen, "counter-01", officer=POLRES[0])
    assert other.error is not None and other.error.code is ErrorCode.NOT_AUTHORISED
    counted = [e for e in _events(hub) if e.kind != "command.rejected"]
    assert len(counted) == before
    assert hub.cmd(CounterNext, "counter-01").error is not None  # still closed


def test_the_admin_signs_officers_in_out_and_across_counters(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    assert _admin(hub, AdminCounterOfficer, counter=2, officer=DUKCAPIL[1]).ok
    hub.open_counter(2)  # the unit opens without a pick: the admin's officer stays
    assert hub.service.state.counter(2).officer == DUKCAPIL[1]
    replaced = _admin(hub, AdminCounterOfficer, counter=2, officer=DUKCAPIL[2])
    assert replaced.ok
    moved = _admin(hub, AdminCounterOfficer, counter=3, officer=DUKCAPIL[2])
    assert moved.ok
    state = hub.service.state
    assert state.counter(2).officer is None and state.counter(3).officer == DUKCAPIL[2]
    again = _admin(hub, AdminCounterOfficer, counter=3, officer=DUKCAPIL[2])
    assert again.error is not None and again.error.code is ErrorCode.INVALID_STATE
    wrong = _admin(hub, AdminCounterOfficer, counter=5, officer=DUKCAPIL[0])
    assert wrong.error is not None and wrong.error.code is ErrorCode.NOT_AUTHORISED
    assert _admin(hub, AdminCounterOfficer, counter=3, officer=None).ok
    nobody = _admin(hub, AdminCounterOfficer, counter=3, officer=None)
    assert nobody.error is not None and nobody.error.code is ErrorCode.INVALID_STATE
    reasons = [(e.counter, e.reason) for e in _events(hub) if isinstance(e, OfficerSignedOut)]
    assert reasons == [
        (2, SignOutReason.REPLACED),
        (2, SignOutReason.MOVED),
        (3, SignOutReason.ADMIN),
    ]
    accounts = {e.account for e in _events(hub) if e.kind.startswith("officer.")}
    assert accounts == {"admin"}


def test_status_shows_the_officer_and_closing_signs_out(tmp_path: Path) -> None:
    hub = Harness(tmp_path)
    hub.ok(CounterOpen, "counter-05", officer=POLRES[0])
    hub.ok(CounterOpen, "counter-06", officer=POLRES[1])
    status = hub.service.handle_admin(
        AdminStatus(command_id=uuid4(), account="admin", issued_at=wall_now())
    ).reply
    assert status.overview is not None
    by_number = {c.counter: c for c in status.overview.counters}
    name = SITE.officer(POLRES[0])
    assert name is not None
    assert by_number[5].officer == name.name and by_number[5].officer_id == POLRES[0]
    assert _admin(hub, AdminCounterState, counter=5, action=CounterAction.CLOSE).ok
    assert hub.service.state.counter(5).officer is None
    day = hub.service.state.day
    assert day is not None
    assert _admin(hub, AdminDayClose, confirm_day=day.isoformat()).ok
    assert hub.service.state.counter(6).officer is None
    # the state rebuilt from the log agrees
    hub.restart()
    assert hub.service.state.counter(6).officer is None
    assert all(c.officer is None for c in hub.service.state.counters.values())


@pytest.mark.parametrize("restart", [False, True])
def test_sign_in_survives_a_hub_restart(tmp_path: Path, restart: bool) -> None:
    hub = Harness(tmp_path)
    hub.ok(CounterOpen, "counter-01", officer=DUKCAPIL[0])
    if restart:
        hub.restart()
    assert hub.service.state.counter(1).officer == DUKCAPIL[0]
