"""Wrong use of the console, said in one line: a malformed argument, or a parse error.

Every admin command is built here (:func:`build_command`) before anything is
sent: the contract's pydantic model checks each field, and a field it refuses
becomes one line naming the argument the admin typed and the form it takes
(``ticket 'A-14X': a ticket id like 20261123-A-012 or today's number like
A-012``), exit 1, rather than pydantic's traceback. :class:`OneLineParser`
does the same for argparse's own errors (a counter number that is not a
number, a report day that is not ``YYYY-MM-DD``).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date
from typing import Any, NoReturn, TypeVar

from pydantic import ValidationError

from admin.client import ConsoleError
from protocol.models import AdminCommand, utc_now

Command = TypeVar("Command", bound=AdminCommand)

USAGE_EXIT = 1

_SERVICE = "a service code like DUK-KTP"
_DAY = "a day as YYYY-MM-DD, e.g. 2026-11-23"

# The contract's field → (the argument as the admin typed it, its expected form).
FORMS: dict[str, tuple[str, str]] = {
    "ticket": ("ticket", "a ticket id like 20261123-A-012 or today's number like A-012"),
    "ticket_id": ("ticket", "a ticket id like 20261123-A-012 or today's number like A-012"),
    "counter": ("counter", "a counter (loket) number, 1–999"),
    "service": ("service", _SERVICE),
    "target_service": ("service", _SERVICE),
    "primary": ("--primary", "service codes like DUK-KTP,DUK-KK (1–20)"),
    "secondary": ("--secondary", "service codes like DUK-KTP,DUK-KK (up to 20)"),
    "device": ("device", "a device id like counter-03 or kiosk-01"),
    "kiosk": ("--kiosk", "a kiosk's device id like kiosk-01"),
    "officer": ("NIP", "an officer's NIP (18 digits) or employee number of the site file"),
    "quota": ("quota", "a number 0–9999, or none"),
    "complaint_id": ("ID", "a complaint id like PGD-20261124-003"),
    "confirm_day": ("--confirm", _DAY),
    "first_day": ("--from", _DAY),
    "last_day": ("--to", _DAY),
    "agency": ("--agency", "an agency code like DUKCAPIL"),
    "texts": ("text", "1–200 characters a line, at most 20 lines"),
    "text": ("--text", "what the citizen said, 10–2000 characters"),
    "contact": ("--contact", "a telephone number or e-mail address, 3–100 characters"),
    "detail": ("--detail", "a note of at most 200 characters"),
    "hours": ("--hours", "1–12"),
    "limit": ("--limit", "1–200"),
}


class UsageError(ConsoleError):
    """The admin typed something the command cannot take; nothing was sent."""

    exit_code = USAGE_EXIT


def build_command(model: type[Command], account: str, **fields: Any) -> Command:
    """A new admin command of ``account``, or a :class:`UsageError` saying which argument
    is malformed and what it should look like."""
    try:
        return model(command_id=uuid.uuid4(), account=account, issued_at=utc_now(), **fields)
    except ValidationError as error:
        raise UsageError(describe(error, fields)) from None


def describe(error: ValidationError, fields: dict[str, Any]) -> str:
    """The first problem of ``error`` as ``ARGUMENT 'VALUE': EXPECTED FORM``."""
    problem = error.errors()[0]
    location = problem.get("loc", ())
    field = str(location[0]) if location else ""
    if field in FORMS:
        argument, form = FORMS[field]
        given = problem.get("input", fields.get(field))
        if isinstance(given, (str, int, date)) and not isinstance(given, bool):
            shown = str(given) if len(str(given)) <= 40 else f"{str(given)[:37]}..."
            return f"{argument} {shown!r}: give {form}"
        return f"{argument}: give {form}"
    message = str(problem.get("msg", error)).removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


class OneLineParser(argparse.ArgumentParser):
    """argparse's errors as one line and the console's usage exit code: ``mpp: error:
    admin counter open: argument number: invalid int value: 'x' (see --help)``."""

    def error(self, message: str) -> NoReturn:
        prog = self.prog.strip()  # "mpp admin counter open", or "counter open" in the shell
        where = f"{prog.removeprefix('mpp ')}: " if prog else ""
        hint = f" (see {prog} --help)" if prog else ""
        print(f"mpp: error: {where}{message}{hint}", file=sys.stderr)
        sys.exit(USAGE_EXIT)

