"""What a counter unit knows and what each button does: pure logic, no I/O.

Presses that make no sense in the current state (recall with nobody called,
next on a closed counter, any press while the hub is unreachable) give an
error beep instead of a command. The hub remains the judge: its error replies
also end in a beep and a message.

Offline policy: a press made while the broker or the hub is unreachable is
refused at once with the error pattern; it is never queued to fire later. A
press made while online is sent with a short expiry and retried with the same
command id until answered or expired, so a link blip neither loses it nor
applies it twice, and it can never surface minutes later as a surprise call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edge.counter.signature import decide_signature, signature_screen
from edge.hardware.debounce import Gesture
from edge.hardware.display import Screen
from edge.hardware.gpio import Light
from protocol.errors import ErrorCode
from protocol.models import (
    Catalogue,
    Command,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterPause,
    CounterRecall,
    CounterResume,
    CounterState,
    CounterTransfer,
    CounterView,
    SatisfactionRate,
    SatisfactionRating,
    SignatureAsk,
    TicketState,
    TicketView,
)

SKM_BUTTONS = ("skm_1", "skm_2", "skm_3", "skm_4")
MENU_TIMEOUT_S = 15.0
MESSAGE_S = 4.0

ERROR_TEXT: dict[ErrorCode, str] = {
    ErrorCode.NOTHING_WAITING: "Antrean kosong",
    ErrorCode.CLOSED: "Loket tutup",
    ErrorCode.INVALID_STATE: "Tidak bisa sekarang",
    ErrorCode.EXPIRED: "Kedaluwarsa, ulangi",
    ErrorCode.UNKNOWN_COUNTER: "Unit belum terdaftar",
    ErrorCode.UNKNOWN_OFFICER: "Petugas tidak terdaftar",
    ErrorCode.NOT_AUTHORISED: "Tidak diizinkan",
    ErrorCode.INTERNAL: "Gangguan sistem",
}
NOT_LINKED = "Tidak terhubung"
NOBODY_SERVED = "Belum ada yang dilayani"
# The buttons as labelled on the unit (docs/counter-unit.md): screens name them so.
BUTTON_LABEL = {
    "next": "BERIKUT",
    "recall": "ULANG",
    "no_show": "TIDAK HADIR",
    "finish": "SELESAI",
    "transfer": "PINDAH",
    "pause": "ISTIRAHAT",
}
STATE_WORD = {
    CounterState.OPEN: "Buka",
    CounterState.PAUSED: "Istirahat",
    CounterState.CLOSED: "Tutup",
}


@dataclass(frozen=True)
class Officer:
    """One line of the sign-in picker: an officer of the site's list (catalogue)."""

    nip: str | None
    name: str


# Last in the picker: opens the counter with nobody signed in (a newcomer not yet on
# the site's list must still be able to serve; the admin signs them in later).
NOT_LISTED = Officer(None, "Tanpa nama")


@dataclass(frozen=True)
class Send:
    """Send this command to the hub."""

    model: type[Command]
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refuse:
    """Error beep, with a reason on the display."""

    reason: str


@dataclass(frozen=True)
class Local:
    """Handled on the unit itself (transfer menu); short confirmation beep."""


Action = Send | Refuse | Local | None


@dataclass
class UnitState:
    counter: int | None = None
    state: CounterState = CounterState.CLOSED
    current: TicketView | None = None
    waiting: int = 0
    connected: bool = False
    hub_online: bool = False
    pending: str | None = None
    menu: int | None = None
    menu_until: float = 0.0
    skm_ticket: str | None = None
    skm_until: float = 0.0
    message: str | None = None
    message_until: float = 0.0
    service_names: dict[str, str] = field(default_factory=dict)  # from the catalogue
    agency: str | None = None  # the counter's agency, from the hub's counter view
    officer_id: str | None = None  # NIP of whoever is signed in at the counter
    officers: dict[str, list[Officer]] = field(default_factory=dict)  # per agency (catalogue)
    picker: int | None = None  # the officer picker's choice while it is shown
    picker_until: float = 0.0
    last_officer: str | None = None  # who signed in here last: the picker starts there
    signature: SignatureAsk | None = None  # the hand-over waits for it (edge/counter/signature.py)
    waive_menu: int | None = None  # Lewati's reason menu
    waive_until: float = 0.0

    def choices(self) -> list[Officer]:
        """Who may sign in here: the agency's officers, then "someone not on the list"."""
        return [*self.officers.get(self.agency or "", []), NOT_LISTED]

    @property
    def online(self) -> bool:
        return self.connected and self.hub_online

    def apply_view(self, view: CounterView) -> None:
        self.counter = view.counter
        self.state = view.state
        self.current = view.current
        self.waiting = view.waiting
        self.signature = view.signature
        self.agency = view.agency
        self.on_duty(view.officer_id)

    def on_duty(self, officer_id: str | None) -> None:
        """Who the hub says is signed in here (the unit's picker or the admin's console)."""
        self.officer_id = officer_id
        if officer_id is not None:
            self.last_officer = officer_id

    def say(self, text: str, now: float) -> None:
        self.message, self.message_until = text, now + MESSAGE_S

    def expire(self, now: float) -> None:
        if self.menu is not None and now >= self.menu_until:
            self.menu = None
        if self.picker is not None and (
            now >= self.picker_until or self.state is not CounterState.CLOSED
        ):
            self.picker = None  # timed out, or opened meanwhile (the admin's console)
        if self.skm_ticket is not None and now >= self.skm_until:
            self.skm_ticket = None
        if self.message is not None and now >= self.message_until:
            self.message = None
        if self.waive_menu is not None and (now >= self.waive_until or self.signature is None):
            self.waive_menu = None


def decide(
    unit: UnitState, button: str, gesture: Gesture, now: float, targets: list[str]
) -> Action:
    """What a gesture on ``button`` means now."""
    if button in SKM_BUTTONS:
        return _rate(unit, SKM_BUTTONS.index(button), now)
    if not unit.online:
        return Refuse(NOT_LINKED)
    if unit.pending is not None:
        return Refuse("Tunggu…")
    if unit.signature is not None:
        return decide_signature(unit, button, now)
    if unit.menu is not None:
        return _menu(unit, button, now, targets)
    if unit.picker is not None:
        return _pick(unit, button, now)
    current = unit.current
    called = current is not None and current.state is TicketState.CALLED
    if button == "next" and gesture is Gesture.HOLD:
        if unit.state is CounterState.CLOSED:
            return _open_picker(unit, now)
        return Refuse("Selesaikan dulu") if current else Send(CounterClose)
    if button == "next":
        return (
            Send(CounterNext)
            if unit.state is CounterState.OPEN
            else Refuse("Loket tutup" if unit.state is CounterState.CLOSED else "Sedang istirahat")
        )
    if button == "recall":
        return Send(CounterRecall) if called else Refuse("Tidak ada panggilan")
    if button == "no_show":
        return Send(CounterNoShow) if called else Refuse("Tidak ada panggilan")
    if button == "finish":
        return Send(CounterFinish) if current else Refuse(NOBODY_SERVED)
    if button == "transfer":
        if current is None:
            return Refuse(NOBODY_SERVED)
        if not targets:
            return Refuse("Tidak ada tujuan pindah")
        unit.menu, unit.menu_until = 0, now + MENU_TIMEOUT_S
        return Local()
    if button == "pause":
        if unit.state is CounterState.PAUSED:
            return Send(CounterResume)
        if unit.state is CounterState.OPEN and current is None:
            return Send(CounterPause)
        return Refuse("Selesaikan dulu" if current else "Loket tutup")
    return None


def _menu(unit: UnitState, button: str, now: float, targets: list[str]) -> Action:
    """Transfer menu: *transfer* cycles, *finish* confirms, *recall* cancels."""
    assert unit.menu is not None
    unit.menu_until = now + MENU_TIMEOUT_S
    if button == "transfer":
        unit.menu = (unit.menu + 1) % len(targets)
        return Local()
    if button == "finish":
        target = targets[unit.menu]
        unit.menu = None
        return Send(CounterTransfer, {"target_service": target})
    if button == "recall":
        unit.menu = None
        return Local()
    return Refuse("Pilih tujuan")


def _open_picker(unit: UnitState, now: float) -> Action:
    """Opening a counter starts with who the officer is: they pick their name.

    Without officers for the agency (a site file without a list) the counter
    opens at once, as before sign-in existed. The picker starts at whoever
    signed in here last (the same person, most mornings).
    """
    choices = unit.choices()
    if len(choices) == 1:
        return Send(CounterOpen)
    nips = [c.nip for c in choices]
    last = unit.last_officer
    unit.picker = nips.index(last) if last is not None and last in nips else 0
    unit.picker_until = now + MENU_TIMEOUT_S
    return Local()


def _pick(unit: UnitState, button: str, now: float) -> Action:
    """Sign-in picker: *transfer* (or *next*) shows the next name, *no-show* the previous,
    *finish* signs in and opens, *recall* cancels (the counter stays closed)."""
    assert unit.picker is not None
    choices = unit.choices()
    unit.picker_until = now + MENU_TIMEOUT_S
    if button in ("transfer", "next"):
        unit.picker = (unit.picker + 1) % len(choices)
        return Local()
    if button == "no_show":
        unit.picker = (unit.picker - 1) % len(choices)
        return Local()
    if button == "finish":
        chosen = choices[unit.picker % len(choices)]
        unit.picker = None
        return Send(CounterOpen, {"officer": chosen.nip} if chosen.nip else {})
    if button == "recall":
        unit.picker = None
        return Local()
    return Refuse("Pilih nama")


def picker_screen(unit: UnitState) -> Screen:
    """The sign-in picker: whose name, which of how many, and what the buttons do."""
    assert unit.picker is not None
    choices = unit.choices()
    chosen = choices[unit.picker % len(choices)]
    name = f"Loket {unit.counter}" if unit.counter else "Loket"
    return Screen(
        f"{name} · Petugas {unit.picker % len(choices) + 1}/{len(choices)}",
        chosen.name,
        f"{BUTTON_LABEL['transfer']}: nama lain",
        f"{BUTTON_LABEL['finish']}: ya, {BUTTON_LABEL['recall']}: batal",
    )


def _rate(unit: UnitState, index: int, now: float) -> Action:
    if unit.skm_ticket is None or now >= unit.skm_until:
        return None  # a citizen pressing outside the window: nothing to do, no noise
    if not unit.online:
        return Refuse(NOT_LINKED)
    ticket, unit.skm_ticket = unit.skm_ticket, None
    return Send(SatisfactionRate, {"ticket_id": ticket, "rating": SatisfactionRating(index + 1)})


def officers_by_agency(catalogue: Catalogue) -> dict[str, list[Officer]]:
    """The picker's names per agency, in the site file's order."""
    result: dict[str, list[Officer]] = {}
    for officer in catalogue.officers:
        result.setdefault(officer.agency, []).append(Officer(officer.nip, officer.name))
    return result


def waiting_text(waiting: int) -> str:
    return f"{waiting} orang menunggu" if waiting else "Antrean kosong"


def _seconds(value: float) -> str:
    """3.0 → "3", 2.5 → "2,5" (Indonesian decimal comma)."""
    return f"{value:g}".replace(".", ",")


def screen(unit: UnitState, targets: list[str], hold_s: float = 3.0) -> Screen:
    """The display's frame for the unit's state.

    Offline, the header drops the counter's state: the unit cannot know it,
    and "Buka" beside "Tidak terhubung" told the officer two things at once.
    Menus and the closed and paused screens say which button does what.
    """
    name = f"Loket {unit.counter}" if unit.counter else "Loket"
    if not unit.online:
        return Screen(name, NOT_LINKED, "Tombol belum berfungsi", "Tunggu sampai pulih")
    if unit.counter is None:
        return Screen(name, "Menyambung…", "Menunggu data loket")
    header = f"{name} · {STATE_WORD[unit.state]}"
    if unit.picker is not None:
        return picker_screen(unit)
    if unit.signature is not None:
        return signature_screen(unit)
    if unit.menu is not None:
        code = targets[unit.menu]
        return Screen(
            f"Pindah ke layanan {unit.menu + 1}/{len(targets)}",
            unit.service_names.get(code, code),
            f"{BUTTON_LABEL['transfer']}: pilihan lain",
            f"{BUTTON_LABEL['finish']}: ya, {BUTTON_LABEL['recall']}: batal",
        )
    if unit.state is CounterState.CLOSED:
        return Screen(
            header,
            "Tutup",
            unit.message or "Untuk membuka:",
            f"tahan {BUTTON_LABEL['next']} {_seconds(hold_s)} detik",
        )
    if unit.state is CounterState.PAUSED and unit.current is None:
        return Screen(
            header, "Istirahat", unit.message or "Untuk lanjut:", f"tekan {BUTTON_LABEL['pause']}"
        )
    big = unit.current.number if unit.current else "Siap"
    return Screen(header, big, unit.message or waiting_text(unit.waiting))


def light(unit: UnitState) -> Light:
    if not unit.online:
        return Light.OFFLINE
    if unit.state is CounterState.PAUSED:
        return Light.PAUSED
    if unit.state is CounterState.CLOSED:
        return Light.CLOSED
    if unit.current is not None and unit.current.state is TicketState.CALLED:
        return Light.CALLING
    return Light.SERVING if unit.current else Light.READY
