"""Indonesian day and month names: the one list every people-facing surface uses.

The hub's reasons ("buka kembali Selasa pukul 08.00"), the kiosk, the call
display, the printed ticket, the admin's reports and hand-over receipts all
write dates for citizens and the Bupati's office; one spelling of "Jumat" and
"Desember" for all of them, here because every package may import protocol.
"""

from __future__ import annotations

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
