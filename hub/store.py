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
* SQLite's page cache has a fixed small budget (:data:`CACHE_KIB`): full within
  the first hour, so the hub's memory is flat after (SQLite's default, 2 MB,
  filled all day long as the day's events and replies were written). The
  queue state is in memory; the store is written, and read at start-up.
* Stored replies are keyed on (sender, command id): a command id is the
  sender's, so another device sending the same id gets its own answer, never
  this one's (schema 2; a schema 1 file is migrated when opened).

Faults: a failed transaction (COMMIT included) is always rolled back, so the
connection never stays inside a half-done transaction; a full disk is a
:class:`StorageFullError` and sets :attr:`EventStore.full` until
:meth:`EventStore.probe_space` finds room again; an event row that cannot be
read is a :class:`StoreError` naming its sequence number.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from hub.events import DayOpened, Event, TicketReserved, event_from_json, event_to_json
from hub.uplink.outbox import Outbox, OutboxLimits
from hub.uplink.streams import OutboxEntry, daily_stats_entry, entry_of

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
SNAPSHOT_EVERY = 500
SNAPSHOTS_KEPT = 5
CACHE_KIB = 512  # SQLite page cache of the store's connection (the default is 2,000 KiB)
# While full, room is probed for with a committed write of at least this size:
# larger than any command writes, so a store that passes can answer commands.
PROBE_BYTES = 16 * 1024
_SQLITE_FULL = 13  # SQLite maps ENOSPC, and its own max_page_count, to SQLITE_FULL

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
CREATE INDEX IF NOT EXISTS events_complaints ON events (kind) WHERE kind GLOB 'complaint.*';
CREATE TABLE IF NOT EXISTS numbers (
    day TEXT NOT NULL,
    number TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    PRIMARY KEY (day, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commands (
    sender TEXT NOT NULL,
    command_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY (sender, command_id)
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
CREATE TABLE IF NOT EXISTS signatures (
    ticket_id TEXT PRIMARY KEY,
    signed_at TEXT NOT NULL,
    device_id TEXT NOT NULL,
    counter INTEGER NOT NULL,
    service TEXT NOT NULL,
    agency TEXT NOT NULL,
    officer TEXT,
    request_id TEXT,
    sha256 TEXT NOT NULL,
    points INTEGER NOT NULL,
    width_mm REAL,
    height_mm REAL,
    strokes TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signatures_by_time ON signatures (signed_at);
"""


# Schema 1 keyed stored replies on the command id alone: any device could
# read another's reply by sending its id. Rebuilt keyed on (sender, id).
_COMMANDS_BY_SENDER = """
CREATE TABLE commands_by_sender (
    sender TEXT NOT NULL,
    command_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY (sender, command_id)
) WITHOUT ROWID;
INSERT INTO commands_by_sender (sender, command_id, type, received_at, reply)
    SELECT sender, command_id, type, received_at, reply FROM commands;
DROP TABLE commands;
ALTER TABLE commands_by_sender RENAME TO commands;
"""
_MIGRATIONS: dict[int, str] = {1: _COMMANDS_BY_SENDER}  # from version → to version + 1


class StoreError(RuntimeError):
    """The store cannot be opened, read or written."""


class StorageFullError(StoreError):
    """A write was refused for want of space; nothing of it was stored.

    Not fatal: the hub answers ``storage_full`` and keeps serving what it has.
    """


def _is_full(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", 0) if isinstance(error, sqlite3.Error) else 0
    return code == _SQLITE_FULL


def _reason(error: Exception) -> str:
    """The first problem of a parse error, on one line."""
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        if first["type"] == "union_tag_invalid":
            return f"unknown event kind {first.get('ctx', {}).get('tag', '?')!r}"
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    text = str(error).splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def _fix(path: Path, error: sqlite3.Error) -> str:
    """What to do about a store that cannot be opened, as the end of a one-line message."""
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return "; restore it from a backup, or move it aside to start an empty store"
    if "disk is full" in text:
        return f"; free space on the file system of {path.parent}"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"; {path.parent} and the file must be writable by this user, or give another --db"
    return ""


class EventStore:
    """One SQLite file; used from one thread at a time (the hub's worker)."""

    def __init__(self, path: Path, outbox: OutboxLimits | None = None) -> None:
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
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self._db.executescript(_SCHEMA)
            self._check_schema_version()
            self.outbox = Outbox(self._db, outbox)  # what is owed upstream (hub/uplink/)
        except sqlite3.Error as error:
            raise StoreError(
                f"{path}: cannot open the hub store: {error}{_fix(path, error)}"
            ) from None
        self._in_transaction = False
        self.full = False  # a write failed for want of space; cleared by probe_space()
        self.refused_writes = 0  # writes refused for want of space, ever
        self._needed = PROBE_BYTES

    def _check_schema_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            return
        version = int(row[0])
        if version > SCHEMA_VERSION or (version < SCHEMA_VERSION and version not in _MIGRATIONS):
            raise StoreError(f"{self.path}: store schema {row[0]}, this hub needs {SCHEMA_VERSION}")
        while version < SCHEMA_VERSION:
            self._migrate(version)
            version += 1

    def _migrate(self, version: int) -> None:
        """Bring the schema from ``version`` to the next, in one transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),)
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        log.info("%s: store schema %d migrated to %d", self.path, version, version + 1)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self, size_hint: int = 0) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back if the block or the COMMIT raises.

        A failing COMMIT (a deferred constraint, an I/O error) can leave SQLite
        inside the transaction: without the ROLLBACK every later BEGIN would
        fail. Out of space is a :class:`StorageFullError`; ``size_hint`` (the
        bytes this write needed) makes :meth:`probe_space` wait for room for it.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            if _is_full(error):
                raise self._full(error, size_hint) from None
            raise
        self._in_transaction = True
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as error:
            self._rollback()
            if _is_full(error):
                raise self._full(error, size_hint) from None
            raise
        finally:
            self._in_transaction = False

    def _rollback(self) -> None:
        """ROLLBACK if SQLite is still inside the transaction (on SQLITE_FULL it is not)."""
        if not self._db.in_transaction:
            return
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error as error:
            log.error("%s: rollback failed: %s", self.path, error)

    def _full(self, error: BaseException, size_hint: int) -> StorageFullError:
        """Remember that the store is full; the error to raise instead of ``error``."""
        self.full = True
        self.refused_writes += 1
        self._needed = max(self._needed, size_hint)
        return StorageFullError(f"{self.path}: {error}; free space on {self.path.parent}")

    def probe_space(self) -> bool:
        """Whether there is room to write; while :attr:`full`, tries a committed write.

        The probe commits :data:`PROBE_BYTES` (or the size of the largest write
        refused) and deletes it again, so on a real disk it reaches the WAL file
        and its fsync; the pages it frees are what the next commands use.
        """
        if not self.full:
            return True
        refused = self.refused_writes  # a failed probe is no refused write
        try:
            with self.transaction():
                self._db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('space_probe', zeroblob(?))",
                    (self._needed,),
                )
            with self.transaction():
                self._db.execute("DELETE FROM meta WHERE key = 'space_probe'")
        except StorageFullError:
            self.refused_writes = refused
            return False
        self.full = False
        self._needed = PROBE_BYTES
        return True

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
            entry = entry_of(event)
            if entry is not None:  # owed upstream: queued with the event, or neither is
                self.outbox.add(entry)
            seqs.append(int(cursor.lastrowid or 0))
        return seqs

    def stored_reply(self, command_id: str, sender: str) -> str | None:
        """The reply stored for ``sender``'s command ``command_id`` (a repeat), if any."""
        row = self._db.execute(
            "SELECT reply FROM commands WHERE sender = ? AND command_id = ?", (sender, command_id)
        ).fetchone()
        return None if row is None else str(row[0])

    def record_command(
        self, command_id: str, sender: str, kind: str, received_at: str, reply: str
    ) -> None:
        assert self._in_transaction, "record_command outside a transaction"
        self._db.execute(
            "INSERT INTO commands (sender, command_id, type, received_at, reply) "
            "VALUES (?, ?, ?, ?, ?)",
            (sender, command_id, kind, received_at, reply),
        )

    def save_signature(self, row: dict[str, object]) -> None:
        """Keep one ticket's signature (hub/signatures.py); inside the command's transaction."""
        assert self._in_transaction, "save_signature outside a transaction"
        self._db.execute(
            "INSERT INTO signatures (ticket_id, signed_at, device_id, counter, service, agency, "
            "officer, request_id, sha256, points, width_mm, height_mm, strokes) VALUES "
            "(:ticket_id, :signed_at, :device_id, :counter, :service, :agency, :officer, "
            ":request_id, :sha256, :points, :width_mm, :height_mm, :strokes)",
            row,
        )

    def purge_signatures(self, before: str, limit: int) -> int:
        """Retention: empty the strokes of at most ``limit`` signatures signed before
        ``before`` (ISO, UTC), oldest first, keeping each row and its SHA-256 (a receipt's
        hash can still be checked). Inside a transaction; returns how many were purged."""
        assert self._in_transaction, "purge_signatures outside a transaction"
        cursor = self._db.execute(
            "UPDATE signatures SET strokes = '' WHERE ticket_id IN (SELECT ticket_id "
            "FROM signatures WHERE signed_at < ? AND strokes != '' ORDER BY signed_at LIMIT ?)",
            (before, limit),
        )
        return cursor.rowcount

    def signature(self, ticket_id: str) -> dict[str, object] | None:
        """The stored signature of a ticket, column by column, or ``None``."""
        cursor = self._db.execute("SELECT * FROM signatures WHERE ticket_id = ?", (ticket_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}

    def events_after(self, seq: int) -> Iterator[tuple[int, Event]]:
        """The events after ``seq`` in order; a row that is not an event is a StoreError."""
        cursor = self._db.execute(
            "SELECT seq, kind, body FROM events WHERE seq > ? ORDER BY seq", (seq,)
        )
        for row_seq, kind, body in cursor:
            try:
                event = event_from_json(body)
            except ValueError as error:
                raise self.bad_event(int(row_seq), str(kind), _reason(error)) from None
            yield int(row_seq), event

    def complaint_events(self, about: str | None = None) -> list[tuple[int, Event]]:
        """Complaint events of every day, in order, with their sequence numbers — all of
        them, or those ``about`` one complaint id (hub/complaints.py).

        The partial index ``events_complaints`` holds only these rows, so the read
        does not grow with the queue's events.
        """
        query = "SELECT seq, kind, body FROM events WHERE kind GLOB 'complaint.*'"
        params: tuple[str, ...] = ()
        if about is not None:
            query += " AND instr(body, ?)"
            params = (json.dumps(about),)
        return [
            (seq, event)
            for seq, event in self._parsed(self._db.execute(query + " ORDER BY seq", params))
            if about is None or getattr(event, "complaint_id", None) == about
        ]

    def events_at(self, seqs: Sequence[int]) -> dict[int, Event]:
        """The events of these sequence numbers (a complaint list's page)."""
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        rows = self._db.execute(
            f"SELECT seq, kind, body FROM events WHERE seq IN ({marks})",  # noqa: S608 - "?" only
            tuple(seqs),
        )
        return dict(self._parsed(rows))

    def _parsed(self, rows: Iterable[tuple[int, str, str]]) -> Iterator[tuple[int, Event]]:
        for row_seq, kind, body in rows:
            try:
                yield int(row_seq), event_from_json(body)
            except ValueError as error:
                raise self.bad_event(int(row_seq), str(kind), _reason(error)) from None

    def reserved_event(self, ticket_id: str) -> Event | None:
        """The ``ticket.reserved`` event of a ticket of any day (its id names the day)."""
        day = f"{ticket_id[0:4]}-{ticket_id[4:6]}-{ticket_id[6:8]}"
        needle = json.dumps(ticket_id)
        for (body,) in self._db.execute(
            "SELECT body FROM events WHERE day = ? AND kind = 'ticket.reserved' AND instr(body, ?)",
            (day, needle),
        ):
            event = event_from_json(body)
            if getattr(event, "ticket_id", None) == ticket_id:
                return event
        return None

    def bad_event(self, seq: int, kind: str, why: str) -> StoreError:
        """The one-line error for an event row the hub cannot use."""
        return StoreError(
            f"{self.path}: event {seq} ({kind[:40]!r}) cannot be replayed: {why[:200]}; "
            "restore the store from a backup (the hub does not guess at its history)"
        )

    def last_seq(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        return int(row[0])

    def latest_snapshot(self) -> tuple[int, str] | None:
        return next(self.snapshots(), None)

    def snapshots(self) -> Iterator[tuple[int, str]]:
        """Snapshots newest first, as ``(seq, state JSON)``: older ones are the fallback."""
        rows = self._db.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC").fetchall()
        for seq, state in rows:
            yield int(seq), str(state)

    def save_snapshot(self, seq: int, day: date | None, state_json: str) -> None:
        with self.transaction(size_hint=len(state_json)):
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

    def archive_day(self, day: date, summary_json: str, at: datetime | None = None) -> None:
        """Keep a closed day's summary; with ``at`` (when it closed) it is owed upstream too."""
        assert self._in_transaction, "archive_day outside a transaction"
        self._db.execute(
            "INSERT OR REPLACE INTO day_archive VALUES (?, ?)", (day.isoformat(), summary_json)
        )
        if at is not None:
            self.outbox.add(daily_stats_entry(day, json.loads(summary_json), at))

    def enqueue(self, entry: OutboxEntry) -> None:
        """Queue an item that comes from no event (the device health summary), on its own."""
        with self.transaction(size_hint=len(json.dumps(entry.payload))):
            self.outbox.add(entry)

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
