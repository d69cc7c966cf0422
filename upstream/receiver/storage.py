"""Where the receiver keeps what hubs send: one interface, SQLite by default.

:class:`ReceivedItems` is all the receiver needs; a province that wants a
server database implements the same three methods over it. What makes
delivery exactly-once *in effect* lives here, in one transaction per item:

* an item already held (``seq`` ≤ the last one held for its site and stream)
  is a repeat: nothing is written, the answer is the same acknowledgement;
* an item that follows the last one held (``follows`` ≤ last < ``seq``) is
  stored; if ``follows`` < ``seq - 1`` the hub dropped items at its outbox's
  bound, and the gap is recorded as declared;
* an item whose predecessor is missing is not stored: the acknowledgement of
  the last one held makes the hub send again from there (in order).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from protocol.models import UplinkItem


class ReceiverStoreError(RuntimeError):
    """The receiver's store cannot be opened."""


@dataclass(frozen=True)
class Verdict:
    """What became of one item, and the acknowledgement to send."""

    through: int
    stored: bool
    duplicate: bool = False
    gap: tuple[int, int] | None = None


@dataclass(frozen=True)
class StreamTally:
    site_id: str
    stream: str
    items: int
    last_seq: int
    duplicates: int
    declared_gaps: int


class ReceivedItems(Protocol):
    """The receiver's storage."""

    def accept_many(self, items: list[UplinkItem], received_at: datetime) -> list[Verdict]:
        """Judge and store ``items`` in order, in one transaction; durable on return."""
        ...

    def tally(self) -> list[StreamTally]: ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    site_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (site_id, stream, seq)
);
CREATE TABLE IF NOT EXISTS streams (
    site_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, stream)
);
CREATE TABLE IF NOT EXISTS gaps (
    site_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    declared_at TEXT NOT NULL
);
"""


class SqliteReceivedItems:
    """The default storage: one SQLite file (WAL, ``synchronous=FULL``: an item is on
    disk before it is acknowledged)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise ReceiverStoreError(
                f"{path}: cannot open the receiver's store: {error}; give a writable --db"
            ) from None

    def accept(self, item: UplinkItem, received_at: datetime) -> Verdict:
        return self.accept_many([item], received_at)[0]

    def accept_many(self, items: list[UplinkItem], received_at: datetime) -> list[Verdict]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            verdicts = [self._judge(item, received_at) for item in items]
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return verdicts

    def _judge(self, item: UplinkItem, received_at: datetime) -> Verdict:
        db = self._db
        db.execute(
            "INSERT OR IGNORE INTO streams (site_id, stream) VALUES (?, ?)",
            (item.site_id, item.stream),
        )
        (last,) = db.execute(
            "SELECT last_seq FROM streams WHERE site_id = ? AND stream = ?",
            (item.site_id, item.stream),
        ).fetchone()
        if item.seq <= last:
            db.execute(
                "UPDATE streams SET duplicates = duplicates + 1 WHERE site_id = ? AND stream = ?",
                (item.site_id, item.stream),
            )
            verdict = Verdict(through=last, stored=False, duplicate=True)
        elif item.follows <= last:
            db.execute(
                "INSERT INTO items (site_id, stream, seq, id, kind, at, payload, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.site_id,
                    item.stream,
                    item.seq,
                    item.id,
                    item.kind,
                    item.at.isoformat(),
                    json.dumps(item.payload, ensure_ascii=False, separators=(",", ":")),
                    received_at.isoformat(),
                ),
            )
            gap = (last + 1, item.seq - 1) if last < item.seq - 1 else None
            if gap is not None:
                db.execute(
                    "INSERT INTO gaps VALUES (?, ?, ?, ?, ?)",
                    (item.site_id, item.stream, *gap, received_at.isoformat()),
                )
            db.execute(
                "UPDATE streams SET last_seq = ? WHERE site_id = ? AND stream = ?",
                (item.seq, item.site_id, item.stream),
            )
            verdict = Verdict(through=item.seq, stored=True, gap=gap)
        else:
            verdict = Verdict(through=last, stored=False)
        return verdict

    def tally(self) -> list[StreamTally]:
        rows = self._db.execute(
            "SELECT s.site_id, s.stream, "
            "(SELECT COUNT(*) FROM items i WHERE i.site_id = s.site_id AND i.stream = s.stream), "
            "s.last_seq, s.duplicates, "
            "(SELECT COUNT(*) FROM gaps g WHERE g.site_id = s.site_id AND g.stream = s.stream) "
            "FROM streams s ORDER BY s.site_id, s.stream"
        ).fetchall()
        return [StreamTally(*row) for row in rows]

    def items(self, site_id: str, stream: str) -> list[tuple[int, str, dict[str, object]]]:
        """``(seq, kind, payload)`` of one site's stream in order (tests, exports)."""
        rows = self._db.execute(
            "SELECT seq, kind, payload FROM items WHERE site_id = ? AND stream = ? ORDER BY seq",
            (site_id, stream),
        )
        return [(int(seq), str(kind), json.loads(payload)) for seq, kind, payload in rows]

    def close(self) -> None:
        self._db.close()
