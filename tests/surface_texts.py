"""What each of the display-side surfaces shows or says, for tests/test_glossary.py.

One function per surface — the call display, the counter OLED, the voice, the
running text — returning every text it can put in front of people, taken from
the rendered screens and the functions the agents use (not from a copy of
the strings), so the glossary check sees what a citizen or officer sees.
"""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime
from uuid import UUID

from edge.counter import model as counter_model
from edge.counter import signature as counter_signature
from edge.counter.model import ERROR_TEXT, Officer, UnitState
from edge.counter.model import screen as counter_screen
from protocol.models import (
    CounterState,
    PriorityCategory,
    SignatureAsk,
    TicketState,
    TicketView,
)


def _ticket(number: str) -> TicketView:
    return TicketView(
        ticket_id=f"20261123-{number}",
        number=number,
        service="DUK-KTP",
        service_name="Perekaman dan Pencetakan KTP-el",
        agency_name="Dukcapil",
        category=PriorityCategory.REGULAR,
        state=TicketState.CALLED,
        issued_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        people_ahead=0,
        estimated_wait_min=0,
    )


def _ask(number: str, service_name: str) -> SignatureAsk:
    return SignatureAsk(
        request_id=UUID(int=1),
        ticket_id=f"20261123-{number}",
        number=number,
        service="DUK-KTP",
        service_name=service_name,
        pad="sigpad-01",
        expires_at=datetime(2026, 11, 23, 1, 3, tzinfo=UTC),
    )


TARGETS = ["DUK-KK", "DUK-AKTA", "BL-BAYAR"]
NAMES = {"DUK-KK": "Kartu Keluarga", "DUK-AKTA": "Akta lahir/mati"}


def _unit(**fields: object) -> UnitState:
    base: dict[str, object] = {
        "counter": 1,
        "state": CounterState.OPEN,
        "connected": True,
        "hub_online": True,
        "service_names": dict(NAMES),
    }
    return UnitState(**{**base, **fields})  # type: ignore[arg-type]


OFFICERS = {
    "DUKCAPIL": [
        Officer("199006212013061005", "Slamet Siregar"),
        Officer("198710242011081006", "Rizky Gunawan"),
        Officer("197505071999091007", "Dra. Hj. Nurul Fitriani Rahmawati Kusumaningrum, M.Si."),
    ]
}

# Every screen the unit can show, by the state that makes it.
OLED_SCREENS: dict[str, UnitState] = {
    "connecting": _unit(counter=None),
    "offline": _unit(connected=False),
    "offline-hub": _unit(hub_online=False, current=_ticket("A-012")),
    "closed": _unit(state=CounterState.CLOSED),
    "closed-refused": _unit(state=CounterState.CLOSED, message="Loket tutup"),
    "open-nobody-waiting": _unit(),
    "open-waiting": _unit(waiting=12),
    "calling": _unit(current=_ticket("A-012"), waiting=3),
    "calling-long": _unit(counter=12, current=_ticket("BPJ-1000"), waiting=120),
    "refused": _unit(message="Belum ada yang dilayani"),
    "thanks": _unit(message="Terima kasih"),
    "paused": _unit(state=CounterState.PAUSED),
    "transfer-menu": _unit(current=_ticket("A-012"), menu=1),
    "transfer-menu-code": _unit(current=_ticket("A-012"), menu=2, service_names={}),
    "transfer-menu-long": _unit(
        current=_ticket("A-012"),
        menu=0,
        service_names={"DUK-KK": "Perekaman dan Pencetakan KTP-el dan Kartu Keluarga"},
    ),
    "sign-in": _unit(
        state=CounterState.CLOSED, agency="DUKCAPIL", officers=OFFICERS, picker=1
    ),
    "sign-in-long": _unit(
        state=CounterState.CLOSED, agency="DUKCAPIL", officers=OFFICERS, picker=2
    ),
    "sign-in-not-listed": _unit(
        state=CounterState.CLOSED, agency="DUKCAPIL", officers=OFFICERS, picker=3
    ),
    "signature": _unit(signature=_ask("A-012", "KTP-el")),
    "signature-long": _unit(counter=12, signature=_ask("BPJ-1000", "Pendaftaran Peserta Baru")),
    "signature-sent": _unit(signature=_ask("A-012", "KTP-el"), message="Diteruskan"),
    "signature-waive-menu": _unit(signature=_ask("A-012", "KTP-el"), waive_menu=1),
    "signature-waived": _unit(message="Tanpa tanda tangan"),
}


def oled_texts() -> list[str]:
    """Every line of every OLED screen, and every message a refused press can show."""
    frames = [counter_screen(unit, TARGETS) for unit in OLED_SCREENS.values()]
    lines = [line for frame in frames for line in frame.lines()]
    source = inspect.getsource(counter_model) + inspect.getsource(counter_signature)
    refusals = re.findall(r'Refuse\("([^"]+)"\)', source)
    constants = [counter_model.NOT_LINKED, counter_model.NOBODY_SERVED]
    signature = [
        *(label for _, label in counter_signature.REASONS),
        *counter_signature.SIGNATURE_SAID.values(),
        counter_signature.SIGN_FIRST,
    ]
    return [
        *lines,
        *ERROR_TEXT.values(),
        *refusals,
        *constants,
        *signature,
        "Terima kasih",
        "Gagal, ulangi",
    ]


def display_texts() -> list[str]:
    """Every text the call display draws with 0, 1 and 8 calls, linked or not."""
    from tests.test_display import _screen_with

    texts: list[str] = []
    for calls, linked in ((0, True), (1, True), (8, True), (8, False)):
        _, screen = _screen_with(calls, linked)
        texts += [drawn.text for drawn in screen.drawn]
    return texts


def voice_texts() -> list[str]:
    """What the voice says: sentences for many numbers, both readings, and each clip's words."""
    from edge.display.speech import CLIP_TEXT, Reading, call_text

    sentences = [
        call_text(number, counter, reading)
        for number in ("A-001", "A-012", "A-105", "BPJ-1000", "4K-10")
        for counter in (1, 3, 12, 22)
        for reading in Reading
    ]
    return [*sentences, *CLIP_TEXT.values()]


def running_text_texts() -> list[str]:
    """What the LED running text scrolls: the idle text and a call at every counter."""
    from edge.running_text.scroller import IDLE_TEXT, call_message

    calls = [call_message(f"{'ABPH'[n % 4]}-{n:03d}", n) for n in range(1, 23)]
    return [IDLE_TEXT, *calls]


SURFACES = {
    "display": display_texts,
    "oled": oled_texts,
    "voice": voice_texts,
    "running_text": running_text_texts,
}
