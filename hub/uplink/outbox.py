"""The outbox: what the hub owes upstream, in its own SQLite, in order per stream.

It lives in the event store's file and is written inside the store's
transactions (WAL, ``synchronous=FULL``), so an item is on disk the moment
the event it comes from is, and survives restarts and power cuts. Each
stream numbers its items 1, 2, 3… for ever; an item is deleted only when
upstream has acknowledged it (:meth:`Outbox.acknowledged`).

**The bound.** At most :attr:`OutboxLimits.max_items` items wait. Adding one
beyond that drops the oldest waiting item of the most expendable stream that
has any (:data:`hub.uplink.streams.STREAMS`: device health first, complaints
last). Nothing goes silently: each drop is counted per stream and logged, the
hub's status shows it, and the next item sent in that stream says which one
it follows (``follows`` < ``seq - 1``), so upstream records a declared gap
rather than waiting for items that will never come. The hub's own event log
still holds every event the dropped items came from.

**The alert.** A backlog of :attr:`OutboxLimits.alert_items` items or more, or
an oldest item older than :attr:`OutboxLimits.alert_age_min`, is an alert in
the hub's status (``mpp admin status``), as is any drop.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.uplink.streams import STREAMS, OutboxEntry

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox_streams (
    stream TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL DEFAULT 0,
    acked INTEGER NOT NULL DEFAULT 0,
    waiting INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    gap_from INTEGER NOT NULL DEFAULT 0,
    gap_through INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class OutboxLimits:
    """The outbox's bound and when its backlog is an alert (hub.toml ``[upstream]``)."""

    max_items: int = 200_000
    alert_items: int = 1_000
    alert_age_min: int = 120
    upstream: bool = False
    """The site has an ``[upstream]``: only then is a backlog an alert (a site without
    one keeps its items for the day it gets one)."""


@dataclass(frozen=True)
class Item:
    """A waiting item, as it is sent."""

    stream: str
    seq: int
    follows: int
    kind: str
    at: datetime
    payload: dict[str, object]


@dataclass(frozen=True)
class StreamBacklog:
    stream: str
    waiting: int
    last_seq: int
    acked: int
    dropped: int
    oldest_at: datetime | None


class Outbox:
    """The outbox tables of one store connection; used on the hub's worker thread only."""

    def __init__(self, db: sqlite3.Connection, limits: OutboxLimits | None = None) -> None:
        self._db = db
        self.limits = limits or OutboxLimits()
        self.last_ack_at: datetime | None = None  # since this start, for the status
        self._drops = 0
        db.executescript(SCHEMA)

    # -- inside the store's transaction ------------------------------------------

    def add(self, entry: OutboxEntry) -> int:
        """Queue ``entry`` (inside a transaction); returns its sequence number."""
        assert self._db.in_transaction, "outbox add outside a transaction"
        self._db.execute(
            "INSERT OR IGNORE INTO outbox_streams (stream) VALUES (?)", (entry.stream,)
        )
        (seq,) = self._db.execute(
            "UPDATE outbox_streams SET last_seq = last_seq + 1, waiting = waiting + 1 "
            "WHERE stream = ? RETURNING last_seq",
            (entry.stream,),
        ).fetchone()
        self._db.execute(
            "INSERT INTO outbox (stream, seq, kind, at, payload) VALUES (?, ?, ?, ?, ?)",
            (
                entry.stream,
                seq,
                entry.kind,
                entry.at.isoformat(),
                json.dumps(entry.payload, ensure_ascii=False, separators=(",", ":")),
            ),
        )
        if self.waiting() > self.limits.max_items:
            self._drop_one()
        return int(seq)

    def _drop_one(self) -> None:
        """Make room: the oldest waiting item of the most expendable stream goes, declared."""
        rows = dict(
            self._db.execute("SELECT stream, waiting FROM outbox_streams WHERE waiting > 0")
        )
        order = [s for s in STREAMS if s in rows] + sorted(set(rows) - set(STREAMS))
        stream = order[0]
        (seq,) = self._db.execute(
            "SELECT MIN(seq) FROM outbox WHERE stream = ?", (stream,)
        ).fetchone()
        self._db.execute("DELETE FROM outbox WHERE stream = ? AND seq = ?", (stream, seq))
        self._db.execute(
            "UPDATE outbox_streams SET waiting = waiting - 1, dropped = dropped + 1, "
            "gap_from = CASE WHEN gap_from > 0 AND gap_through = ? - 1 THEN gap_from ELSE ? END, "
            "gap_through = ? WHERE stream = ?",
            (seq, seq, seq, stream),
        )
        self._drops += 1
        if self._drops == 1 or self._drops % 1000 == 0:  # said, not once per rating
            log.warning(
                "outbox full (%d items): %s item %d dropped unsent (%d since start); "
                "its event stays in the log",
                self.limits.max_items,
                stream,
                seq,
                self._drops,
            )

    # -- reads -------------------------------------------------------------------------

    def waiting(self) -> int:
        (total,) = self._db.execute(
            "SELECT COALESCE(SUM(waiting), 0) FROM outbox_streams"
        ).fetchone()
        return int(total)

    def streams(self) -> dict[str, int]:
        """Each stream and the highest sequence number upstream has acknowledged."""
        return {
            str(stream): int(acked)
            for stream, acked in self._db.execute("SELECT stream, acked FROM outbox_streams")
        }

    def pending(self, stream: str, after: int, limit: int) -> list[Item]:
        """Up to ``limit`` waiting items of ``stream`` after sequence number ``after``, in order."""
        gap = self._db.execute(
            "SELECT gap_from, gap_through FROM outbox_streams WHERE stream = ?", (stream,)
        ).fetchone()
        gap_from, gap_through = (int(gap[0]), int(gap[1])) if gap else (0, 0)
        rows = self._db.execute(
            "SELECT seq, kind, at, payload FROM outbox WHERE stream = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (stream, after, limit),
        ).fetchall()
        items = []
        for seq, kind, at, payload in rows:
            follows = seq - 1
            if gap_from and gap_through == seq - 1:
                follows = gap_from - 1  # the items between were dropped at the bound
            items.append(
                Item(
                    stream,
                    int(seq),
                    follows,
                    str(kind),
                    datetime.fromisoformat(at),
                    json.loads(payload),
                )
            )
        return items

    def backlog(self) -> list[StreamBacklog]:
        rows = self._db.execute(
            "SELECT s.stream, s.waiting, s.last_seq, s.acked, s.dropped, "
            "(SELECT at FROM outbox o WHERE o.stream = s.stream ORDER BY seq LIMIT 1) "
            "FROM outbox_streams s ORDER BY s.stream"
        ).fetchall()
        return [
            StreamBacklog(
                str(stream),
                int(waiting),
                int(last),
                int(acked),
                int(dropped),
                datetime.fromisoformat(oldest) if oldest else None,
            )
            for stream, waiting, last, acked, dropped, oldest in rows
        ]

    def alert(self, now: datetime) -> str | None:
        """Why the backlog needs attention, in one line, or ``None``."""
        if not self.limits.upstream:
            return None
        streams = self.backlog()
        waiting = sum(s.waiting for s in streams)
        dropped = sum(s.dropped for s in streams)
        oldest = min((s.oldest_at for s in streams if s.oldest_at), default=None)
        reasons = []
        if dropped:
            reasons.append(f"{dropped} item(s) dropped at the bound of {self.limits.max_items}")
        if waiting >= self.limits.alert_items:
            reasons.append(f"{waiting} items waiting to go upstream")
        if oldest is not None and now - oldest >= timedelta(minutes=self.limits.alert_age_min):
            hours = (now - oldest).total_seconds() / 3600
            reasons.append(f"oldest unsent item is {hours:.1f} h old")
        return "; ".join(reasons) or None

    # -- acknowledgements ----------------------------------------------------------

    def acknowledged(self, stream: str, through: int, at: datetime | None = None) -> int:
        """Forget ``stream``'s items up to ``through`` (inside a transaction); how many."""
        assert self._db.in_transaction, "outbox acknowledged outside a transaction"
        if at is not None:
            self.last_ack_at = at
        row = self._db.execute(
            "SELECT acked, last_seq, gap_through FROM outbox_streams WHERE stream = ?", (stream,)
        ).fetchone()
        if row is None or through <= int(row[0]):
            return 0
        if through > int(row[1]):
            raise ValueError(
                f"upstream acknowledges {stream} item {through}, but this hub has numbered "
                f"only {row[1]} (its store was replaced? upstream holds another history)"
            )
        deleted = self._db.execute(
            "DELETE FROM outbox WHERE stream = ? AND seq <= ?", (stream, through)
        ).rowcount
        gap_done = through >= int(row[2])
        self._db.execute(
            "UPDATE outbox_streams SET acked = ?, waiting = waiting - ?, "
            "gap_from = CASE WHEN ? THEN 0 ELSE gap_from END, "
            "gap_through = CASE WHEN ? THEN 0 ELSE gap_through END WHERE stream = ?",
            (through, deleted, gap_done, gap_done, stream),
        )
        return int(deleted)
