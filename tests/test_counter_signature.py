"""The counter unit while a hand-over waits for a signature, against a real broker and hub:
the OLED shows the request (drawn like tests/reference/counter/signature-asked.png),
SELESAI / ULANG reach the pad as OK / Ulangi, TIDAK HADIR opens Lewati's reasons and
the waive is recorded with the reason; BERIKUT is refused meanwhile."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edge.counter.signature import SIGN_FIRST
from edge.hardware.display import Screen
from hub.app import HubApp
from mqtt_broker.local import LocalBroker
from protocol.models import CounterState
from tests.mqtt_client import RecordingClient
from tests.test_counter_agent import Unit, hub, kiosk, unit  # noqa: F401  (fixtures)

SIGN = "mpp/device/sigpad-01/sign"


@pytest.fixture
def pad(fresh_broker: LocalBroker) -> Iterator[RecordingClient]:
    """What the hub sends counter 1's pad."""
    client = RecordingClient(
        fresh_broker.host,
        fresh_broker.port,
        "sigpad-01",
        fresh_broker.password("sigpad-01"),
        tls=fresh_broker.tls("sigpad-01"),
    )
    client.connect()
    client.subscribe(SIGN)
    yield client
    client.stop()


def _buttons(pad: RecordingClient) -> list[str]:
    return [
        json.loads(m.payload)["button"]
        for m in pad.messages
        if m.topic == SIGN and json.loads(m.payload)["type"] == "signature.button"
    ]


def test_the_unit_shows_the_request_and_its_buttons_do_ok_ulangi_and_lewati(
    unit: Unit,  # noqa: F811
    hub: HubApp,  # noqa: F811
    kiosk: Callable[[str], str],  # noqa: F811
    pad: RecordingClient,
    tmp_path: Path,
) -> None:
    unit.hold_next()
    assert unit.until(lambda u, s: u.state is CounterState.OPEN and u.pending is None)
    number = kiosk("DUK-KTP")  # KTP-el: handed over against a signature
    unit.press("next")
    assert unit.until(lambda u, s: s.big == number)
    unit.press("finish")
    asked = Screen(
        f"Tanda tangan: {number}", "KTP-el", "Silakan tanda tangan", "SELESAI: OK · ULANG: lagi"
    )
    unit.assert_screen("signature-asked", asked)
    pad.wait_until(SIGN, lambda p: p["type"] == "signature.request")

    calls = len(hub.service.state.recent_calls)
    unit.press("next")  # nobody is called over an open hand-over: refused on the unit
    assert unit.until(lambda u, s: s.footer == SIGN_FIRST)
    assert len(hub.service.state.recent_calls) == calls

    unit.press("finish")
    pad.wait_until(SIGN, lambda p: p["type"] == "signature.button" and p["button"] == "ok")
    assert unit.until(lambda u, s: s.footer == "Diteruskan")
    unit.press("recall")
    pad.wait_until(SIGN, lambda p: p.get("button") == "again")
    assert _buttons(pad) == ["ok", "again"]
    assert unit.until(lambda u, s: u.pending is None)

    unit.press("no_show")
    assert unit.until(lambda u, s: s.header == "Alasan lewati 1/4" and s.big == "Menolak")
    unit.press("no_show")
    menu = ("TIDAK HADIR: alasan lain", "SELESAI: ya, ULANG: batal")
    unit.assert_screen("signature-waive-menu", Screen("Alasan lewati 2/4", "Tidak mampu", *menu))
    unit.press("finish")
    assert unit.until(lambda u, s: s.big == "Siap" and s.footer == "Tanpa tanda tangan")
    closed = pad.wait_until(SIGN, lambda p: p["type"] == "signature.closed")
    assert closed["outcome"] == "waived"

    with sqlite3.connect(tmp_path / "hub.db") as conn:
        (body,) = conn.execute("SELECT body FROM events WHERE kind = 'signature.waived'").fetchone()
    waived = json.loads(body)
    assert (waived["reason"], waived["device_id"]) == ("unable", "counter-01")
    assert hub.service.state.signature_asks == {}
