"""Constrained field types shared by the payload models.

Identifiers end up inside topic names and ACL lines, so their patterns keep
out MQTT wildcards, separators and anything else a topic must not contain.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

DEVICE_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"
SERVICE_CODE_PATTERN = r"^[A-Z0-9](?:[A-Z0-9-]{0,14}[A-Z0-9])?$"
TICKET_NUMBER_PATTERN = r"^[A-Z0-9]{1,3}-[0-9]{3,4}$"
TICKET_ID_PATTERN = r"^[0-9]{8}-[A-Z0-9]{1,3}-[0-9]{3,4}$"
TICKET_REF_PATTERN = r"^(?:[0-9]{8}-)?[A-Z0-9]{1,3}-[0-9]{3,4}$"

DeviceId = Annotated[
    str,
    StringConstraints(pattern=DEVICE_ID_PATTERN),
    Field(
        title="Device id",
        description="Lower-case id of a device, also its MQTT user name (e.g. `counter-03`).",
    ),
]
AccountName = Annotated[
    str,
    StringConstraints(pattern=DEVICE_ID_PATTERN),
    Field(title="Account name", description="MQTT user name of an admin account."),
]
ServiceCode = Annotated[
    str,
    StringConstraints(pattern=SERVICE_CODE_PATTERN),
    Field(title="Service code", description="Code of a layanan in the site catalogue."),
]
CounterNumber = Annotated[
    int, Field(ge=1, le=999, title="Counter number", description="Loket number.")
]
_TICKET_ID = re.compile(TICKET_ID_PATTERN)


_TICKET_ID_INSIDE = re.compile(r"(?:^|[^0-9])([0-9]{8}-[A-Z0-9]{1,3}-[0-9]{3,4})$")


def is_ticket_id(code: str) -> bool:
    """Whether ``code`` (as a scanner or keypad gives it, any case) is a ticket id — a
    return ticket brought back the next morning rather than a booking code."""
    return _TICKET_ID.fullmatch(code.upper()) is not None


def ticket_id_in(scanned: str) -> str | None:
    """The ticket id a scanned ticket QR holds: the id alone, or the site's ticket page
    URL ending in it (a keyboard-wedge scanner may drop the URL's ``:``)."""
    found = _TICKET_ID_INSIDE.search(scanned.strip().upper())
    return found.group(1) if found else None


TicketNumber = Annotated[
    str,
    StringConstraints(pattern=TICKET_NUMBER_PATTERN),
    Field(title="Ticket number", description="Number printed and called, prefix + digits."),
]
TicketId = Annotated[
    str,
    StringConstraints(pattern=TICKET_ID_PATTERN),
    Field(
        title="Ticket id",
        description="Unique ticket id: service day (YYYYMMDD) and number, e.g. `20261123-A-012`.",
    ),
]
TicketRef = Annotated[
    str,
    StringConstraints(pattern=TICKET_REF_PATTERN),
    Field(
        title="Ticket reference",
        description="A ticket id (`20261123-A-012`) or a number of today (`A-012`).",
    ),
]
OfficerId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Z][0-9A-Z.-]{3,23}$"),
    Field(
        title="Officer id",
        description=(
            "An officer of the site's list: the NIP of a civil servant (18 digits), else "
            "the employee number (bank, BPJS)."
        ),
    ),
]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Timestamp = Annotated[
    AwareDatetime,
    Field(title="Timestamp", description="RFC 3339 wall-clock time with offset."),
]

__all__ = [
    "AccountName",
    "CounterNumber",
    "DeviceId",
    "ServiceCode",
    "ShortText",
    "TicketId",
    "TicketNumber",
    "TicketRef",
    "Timestamp",
    "datetime",
]
