"""The counter unit while the hand-over waits for the citizen's signature: pure logic, no I/O.

The hub's counter state carries the open request (``signature``: number,
service, pad). While it is open the OLED shows "Tanda tangan: A-012", the
service and "Silakan tanda tangan", and the buttons the officer already has
change meaning, said on the screen:

- SELESAI: OK (the pad sends what the citizen drew),
- ULANG: Ulangi (the pad clears; the screen says "lagi", which fits the line),
- TIDAK HADIR: Lewati — hand over without a signature; a menu of reasons,
  cycled with TIDAK HADIR, confirmed with SELESAI, left with ULANG (like the
  transfer menu).

BERIKUT, PINDAH and ISTIRAHAT are refused with the hint to finish the
signature first: the next citizen is not called over a document handed over
unsigned and unrecorded. The hub decides; its refusals beep like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.hardware.display import Screen
from protocol.models import SignaturePress, SignatureWaive, WaiveReason

if TYPE_CHECKING:
    from edge.counter.model import Action, UnitState

WAIVE_MENU_S = 15.0
# The reasons in the order the menu offers them, as the officer reads them.
REASONS: tuple[tuple[WaiveReason, str], ...] = (
    (WaiveReason.REFUSED, "Menolak"),
    (WaiveReason.UNABLE, "Tidak mampu"),  # cannot write (disability): a thumbprint on paper
    (WaiveReason.DEVICE_FAULT, "Alat rusak"),
    (WaiveReason.LEFT, "Sudah pergi"),
)
SIGN_FIRST = "TIDAK HADIR: lewati"  # what a refused press says while a signature is asked
# What the unit says once the hub took the command (by message type).
SIGNATURE_SAID = {
    SignaturePress.message_type(): "Diteruskan",
    SignatureWaive.message_type(): "Tanpa tanda tangan",
}


def decide_signature(unit: UnitState, button: str, now: float) -> Action:
    """What ``button`` means while a signature is asked (``unit.signature`` is set)."""
    from edge.counter.model import Local, Refuse, Send

    ask = unit.signature
    assert ask is not None
    if unit.waive_menu is not None:
        unit.waive_until = now + WAIVE_MENU_S
        if button == "no_show":
            unit.waive_menu = (unit.waive_menu + 1) % len(REASONS)
            return Local()
        if button == "finish":
            reason = REASONS[unit.waive_menu][0]
            unit.waive_menu = None
            return Send(SignatureWaive, {"ticket_id": ask.ticket_id, "reason": reason})
        if button == "recall":
            unit.waive_menu = None
            return Local()
        return Refuse("Pilih alasan")
    if button == "finish":
        return Send(SignaturePress, {"ticket_id": ask.ticket_id, "button": "ok"})
    if button == "recall":
        return Send(SignaturePress, {"ticket_id": ask.ticket_id, "button": "again"})
    if button == "no_show":
        unit.waive_menu, unit.waive_until = 0, now + WAIVE_MENU_S
        return Local()
    return Refuse(SIGN_FIRST)


def signature_screen(unit: UnitState) -> Screen:
    """The OLED while the hand-over waits for a signature, or its Lewati menu."""
    from edge.counter.model import BUTTON_LABEL

    ask = unit.signature
    assert ask is not None
    if unit.waive_menu is not None:
        return Screen(
            f"Alasan lewati {unit.waive_menu + 1}/{len(REASONS)}",
            REASONS[unit.waive_menu][1],
            f"{BUTTON_LABEL['no_show']}: alasan lain",
            f"{BUTTON_LABEL['finish']}: ya, {BUTTON_LABEL['recall']}: batal",
        )
    return Screen(
        f"Tanda tangan: {ask.number}",
        ask.service_name,
        unit.message or "Silakan tanda tangan",
        f"{BUTTON_LABEL['finish']}: OK · {BUTTON_LABEL['recall']}: lagi",
    )
