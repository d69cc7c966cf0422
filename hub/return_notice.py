"""What the building says at closing when the site sends the unserved home with a return ticket.

``end_of_day = "return_ticket"``: whoever still waits when calls end keeps
their ticket; scanned at a kiosk on the next service day (the same scanner
or keypad as a booking), it becomes a priority ticket — once, that day only
(:meth:`hub.decide.Decider._return_check_in`). The running text and the call
display's footer say so from the moment the tickets are sent home until that
day's opening, beside the admin's own announcements.
"""

from __future__ import annotations

from datetime import datetime

from protocol.indonesian_calendar import DAYS, MONTHS


def return_notice(opens: datetime, now: datetime) -> str:
    """The announcement, in Bahasa Indonesia ('besok' when the next service day is tomorrow)."""
    local = opens.astimezone(now.tzinfo) if now.tzinfo else opens
    days = (local.date() - now.date()).days
    when = (
        "besok"
        if days == 1
        else f"hari {DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]}"
    )
    return (
        "Layanan hari ini sudah berakhir. Warga yang belum terlayani: simpan tiket Anda "
        f"dan pindai di kiosk {when} mulai pukul {local:%H.%M} "
        "untuk mendapat nomor antrean prioritas."
    )
