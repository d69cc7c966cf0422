"""What the building says at closing when the site sends the unserved home with a return ticket.

``end_of_day = "return_ticket"``: whoever still waits when calls end keeps
their ticket; scanned at a kiosk on the next service day (the same scanner
or keypad as a booking), it becomes a priority ticket — once, that day only
(:meth:`hub.decide.Decider._return_check_in`). The running text and the call
display's footer say so from the moment the tickets are sent home until that
day's opening, beside the admin's own announcements.
"""

from __future__ import annotations

from datetime import date, datetime

from protocol.indonesian_calendar import DAYS, MONTHS


def return_notice(opens: datetime, now: datetime, closed_on: date | None = None) -> str:
    """The announcement, in Bahasa Indonesia ('besok' when the next service day is tomorrow).

    ``closed_on`` is the day whose citizens were sent home when that was not
    today: the hub was not running at closing and says it the next morning
    ("Warga yang belum terlayani pada hari Senin, 23 November: … hari ini …").
    """
    local = opens.astimezone(now.tzinfo) if now.tzinfo else opens
    days = (local.date() - now.date()).days
    when = (
        "hari ini"
        if days == 0
        else "besok"
        if days == 1
        else f"hari {DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]}"
    )
    keep = "simpan tiket Anda dan pindai di kiosk"
    rest = f"{when} mulai pukul {local:%H.%M} untuk mendapat nomor antrean prioritas."
    if closed_on is None:
        return f"Layanan hari ini sudah berakhir. Warga yang belum terlayani: {keep} {rest}"
    day = f"hari {DAYS[closed_on.weekday()]}, {closed_on.day} {MONTHS[closed_on.month - 1]}"
    return f"Warga yang belum terlayani pada {day}: {keep} {rest}"
