"""The durable store: an append-only event log in SQLite, with snapshots.

Durability choices, for a Pi on an SD card with no UPS:

* WAL journal with ``synchronous=FULL``: every commit fsyncs the WAL, so a
  state change acknowledged to a device survives a power cut. With NORMAL, the
  last commits before a power cut can roll back — fine for a cache, not for a
  queue number a citizen is holding. The cost is one fsync per command, and
  the busiest MPP makes about 20 changes a minute.
* ``BEGIN IMMEDIATE`` around each command: the events, the command's reply
  (for de-duplication) and the number guard commit together or not at all.
* Snapshots every :data:`SNAPSHOT_EVERY` events and at each day roll-over, so
  a restart replays only the tail, even with years of history.
* Past days stay in ``events``; ``day_archive`` keeps a summary per day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from hub.events import DayOpened, Event, TicketReserved, event_from_json, event_to_json

SCHEMA_VERSION = 1
SNAPSHOT_EVERY = 500
SNAPSHOTS_KEPT = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_day ON events (day);
CREATE TABLE IF NOT EXISTS numbers (
    day TEXT NOT NULL,
    number TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    PRIMARY KEY (day, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reply TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    seq INTEGER PRIMARY KEY,
    day TEXT,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS day_archive (
    day TEXT PRIMARY KEY,
    summary TEXT NOT NULL
) WITHOUT ROWID;
"""


class StoreError(RuntimeError):
    """The store cannot be opened or written."""


def _fix(path: Path, error: sqlite3.Error) -> str:
    """What to do about a store that cannot be opened, as the end of a one-line message."""
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return "; restore it from a backup, or move it aside to start an empty store"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"; {path.parent} and the file must be writable by this user, or give another --db"
    return ""


class EventStore:
    """One SQLite file; used from one thread at a time (the hub's worker)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"{path.parent}: cannot create the hub store's directory: "
                f"{error.strerror or error}; make it a directory writable by this user, "
                "or give another --db"
            ) from None
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            self._check_schema_version()
        except sqlite3.Error as error:
            raise StoreError(
                f"{path}: cannot open the hub store: {error}{_fix(path, error)}"
            ) from None
        self._in_transaction = False

    def _check_schema_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {row[0]}, this hub needs {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back if the block raises."""
        self._db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._in_transaction = False

    def append(self, events: Sequence[Event], day: date | None) -> list[int]:
        """Append events (inside :meth:`transaction`); returns their sequence numbers."""
        assert self._in_transaction, "append outside a transaction"
        seqs = []
        for event in events:
            if isinstance(event, DayOpened):
                day = event.day
            day_text = day.isoformat() if day else ""
            cursor = self._db.execute(
                "INSERT INTO events (day, at, kind, body) VALUES (?, ?, ?, ?)",
                (day_text, event.at.isoformat(), event.kind, event_to_json(event)),
            )
            if isinstance(event, TicketReserved):
                # Never the same number twice in a day, whatever the code above did.
                self._db.execute(
                    "INSERT INTO numbers VALUES (?, ?, ?)",
                    (day_text, event.number, event.ticket_id),
                )
            seqs.append(int(cursor.lastrowid or 0))
        return seqs

    def stored_reply(self, command_id: str) -> str | None:
        row = self._db.execute(
            "SELECT reply FROM commands WHERE command_id = ?", (command_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def record_command(
        self, command_id: str, sender: str, kind: str, received_at: str, reply: str
    ) -> None:
        assert self._in_transaction, "record_command outside a transaction"
        self._db.execute(
            "INSERT INTO commands VALUES (?, ?, ?, ?, ?)",
            (command_id, sender, kind, received_at, reply),
        )

    def events_after(self, seq: int) -> Iterator[tuple[int, Event]]:
        cursor = self._db.execute("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq", (seq,))
        for row_seq, body in cursor:
            yield int(row_seq), event_from_json(body)

    def last_seq(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        return int(row[0])

    def latest_snapshot(self) -> tuple[int, str] | None:
        row = self._db.execute(
            "SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def save_snapshot(self, seq: int, day: date | None, state_json: str) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)",
                (seq, day.isoformat() if day else None, state_json),
            )
            self._db.execute(
                "DELETE FROM snapshots WHERE seq NOT IN "
                "(SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)",
                (SNAPSHOTS_KEPT,),
            )

    def prune_commands(self, received_before: str) -> int:
        """Forget stored replies older than the de-duplication window.

        Devices retry a command for seconds or minutes, never days; keeping
        every reply forever would grow the store by ~1 GB a year.
        """
        assert self._in_transaction, "prune_commands outside a transaction"
        cursor = self._db.execute("DELETE FROM commands WHERE received_at < ?", (received_before,))
        return cursor.rowcount

    def archive_day(self, day: date, summary_json: str) -> None:
        assert self._in_transaction, "archive_day outside a transaction"
        self._db.execute(
            "INSERT OR REPLACE INTO day_archive VALUES (?, ?)", (day.isoformat(), summary_json)
        )

    def day_summary(self, day: date) -> str | None:
        row = self._db.execute(
            "SELECT summary FROM day_archive WHERE day = ?", (day.isoformat(),)
        ).fetchone()
        return None if row is None else str(row[0])

    def numbers_of_day(self, day: date) -> list[str]:
        rows = self._db.execute(
            "SELECT number FROM numbers WHERE day = ? ORDER BY number", (day.isoformat(),)
        )
        return [str(row[0]) for row in rows]

    def count_events(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    @property
    def connection(self) -> sqlite3.Connection:
        """For benchmarks and reports that read in bulk."""
        return self._db
