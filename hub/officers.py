"""Who is on duty at a counter: signing officers in and out.

An officer signs in at the counter unit (picked from the agency's officers on
its display, docs/counter-unit.md) or from the admin console; closing the
counter signs them out. The events name the officer by NIP, and every ticket
event at the counter carries the NIP of whoever was on duty (hub.decide), so
the reports count per officer from the log alone.
"""

from __future__ import annotations

from datetime import datetime

from hub import decide
from hub.events import Event, OfficerSignedIn, OfficerSignedOut, SignOutReason
from hub.site.schema import Site
from hub.state import QueueState
from protocol.errors import ErrorCode


def sign_in(
    site: Site,
    state: QueueState,
    counter: int,
    nip: str,
    now: datetime,
    *,
    device_id: str | None = None,
    account: str | None = None,
) -> list[Event]:
    """Events that put ``nip`` on duty at ``counter`` (none if already there).

    Refused ``unknown_officer`` for a NIP not in the site's list and
    ``not_authorised`` for an officer of another agency. Whoever was on
    duty at the counter is signed out (replaced), and the officer is signed
    out of any other counter first: one person, one counter.
    """
    officer = site.officer(nip)
    if officer is None:
        raise decide.Refusal(
            ErrorCode.UNKNOWN_OFFICER, f"no officer {nip} in the site's officer list"
        )
    agency = site.counter(counter).agency
    if officer.agency != agency:
        raise decide.Refusal(
            ErrorCode.NOT_AUTHORISED,
            f"{officer.name} ({nip}) is of {officer.agency}, counter {counter} of {agency}",
        )
    record = state.counter(counter)
    if record.officer == nip:
        return []
    events: list[Event] = []
    elsewhere = state.officer_counter(nip)
    if elsewhere is not None:
        events.append(
            OfficerSignedOut(
                at=now, counter=elsewhere, officer=nip, reason=SignOutReason.MOVED, account=account
            )
        )
    if record.officer is not None:
        events.append(
            OfficerSignedOut(
                at=now,
                counter=counter,
                officer=record.officer,
                reason=SignOutReason.REPLACED,
                account=account,
            )
        )
    events.append(
        OfficerSignedIn(
            at=now,
            counter=counter,
            officer=nip,
            name=officer.name,
            device_id=device_id,
            account=account,
        )
    )
    return events


def sign_out(
    state: QueueState,
    counter: int,
    reason: SignOutReason,
    now: datetime,
    account: str | None = None,
) -> list[Event]:
    """The sign-out of whoever is on duty at ``counter`` (nothing when nobody is)."""
    officer = state.counter(counter).officer
    if officer is None:
        return []
    return [
        OfficerSignedOut(at=now, counter=counter, officer=officer, reason=reason, account=account)
    ]
