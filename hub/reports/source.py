"""Reading the events of a period from the hub's store, without disturbing the hub.

A report opens its own read-only connection: SQLite's WAL lets it read a
consistent snapshot while the hub keeps committing, and the hub's worker
never waits for a quarter of events to be parsed. Past days stay in the
``events`` table (``day_archive`` holds only a summary per day), so a report
of archived days reads them like today's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

from hub.events import Event, event_from_json
from hub.store import StoreError

# Only the kinds a report reads: counter changes, announcements and the day
# markers are skipped in SQL, before any JSON is parsed.
REPORT_KINDS = (
    "ticket.reserved",
    "ticket.issued",
    "ticket.cancelled",
    "ticket.called",
    "ticket.serving",
    "ticket.done",
    "ticket.no_show",
    "ticket.requeued",
    "ticket.transferred",
    "ticket.moved",
    "skm.rated",
    "survey.answered",
    "command.rejected",
    "bookings.unclaimed",
)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the store at ``path``; a one-line StoreError if it cannot."""
    if not path.is_file():
        raise StoreError(f"{path}: no hub store here; give the hub's --db file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("SELECT 1 FROM events LIMIT 1").fetchall()
    except sqlite3.Error as error:
        raise StoreError(f"{path}: cannot read the hub store: {error}") from None
    return connection


def events_between(
    connection: sqlite3.Connection, first_day: date, last_day: date
) -> Iterator[Event]:
    """The report's events of the service days ``first_day``…``last_day``, in store order."""
    marks = ",".join("?" for _ in REPORT_KINDS)
    cursor = connection.execute(
        f"SELECT seq, kind, body FROM events WHERE day >= ? AND day <= ? "  # noqa: S608
        f"AND kind IN ({marks}) ORDER BY seq",
        (first_day.isoformat(), last_day.isoformat(), *REPORT_KINDS),
    )
    for seq, kind, body in cursor:
        try:
            yield event_from_json(body)
        except ValueError as error:
            raise StoreError(
                f"event {seq} ({str(kind)[:40]!r}) cannot be read: "
                f"{str(error).splitlines()[0][:200]}"
            ) from None


def read_events(path: Path, first_day: date, last_day: date) -> list[Event]:
    with closing(open_read_only(path)) as connection:
        return list(events_between(connection, first_day, last_day))
