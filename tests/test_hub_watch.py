"""A device believes the newest hub session, whatever order the broker delivers in."""

from __future__ import annotations

from protocol.models import HubStatus, Presence
from protocol.presence import HubWatch


def _status(state: Presence, session: int) -> HubStatus:
    return HubStatus(state=state, session=session, software_version="0.1.0", site_id="mpp")


def test_an_old_sessions_will_after_a_new_birth_is_ignored() -> None:
    watch = HubWatch()
    assert watch.update(_status(Presence.ONLINE, 2)) is True
    assert watch.update(_status(Presence.OFFLINE, 1)) is True, "stale will ignored"
    assert watch.update(_status(Presence.OFFLINE, 2)) is False, "the same session's stop counts"
    assert watch.update(_status(Presence.ONLINE, 3)) is True


def test_a_new_hub_session_online_is_a_restart_but_not_the_first_one_seen() -> None:
    watch = HubWatch()
    watch.update(_status(Presence.ONLINE, 5))
    assert not watch.restarted, "the first hub seen is no restart"
    watch.update(_status(Presence.OFFLINE, 5))
    assert not watch.restarted
    watch.update(_status(Presence.ONLINE, 6))
    assert watch.restarted, "a new session came online"
    watch.update(_status(Presence.ONLINE, 6))
    assert not watch.restarted, "the same session again is no restart"
