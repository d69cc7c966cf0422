"""A queue service on a real SQLite file with a manual clock, and command helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from firmware_config.inventory import load_inventory
from hub.app import account_roles
from hub.bookings import BookingSource
from hub.clock import ManualClock
from hub.service import Outcome, QueueService
from hub.site.loader import load_site
from hub.site.schema import Site
from hub.store import EventStore
from protocol.models import (
    Command,
    CounterNext,
    CounterOpen,
    PriorityCategory,
    Reply,
    TicketPrinted,
    TicketReserve,
)
from protocol.roles import Role

# Monday 23 November 2026, 08:00 WIB.
MONDAY_0800 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
CALL_VALIDITY = timedelta(seconds=5)  # as a counter unit sends its presses


def default_roles() -> dict[str, Role]:
    return account_roles(load_inventory())


class Harness:
    def __init__(
        self,
        directory: Path,
        site: Site | None = None,
        start: datetime = MONDAY_0800,
        bookings: BookingSource | None = None,
    ) -> None:
        self.directory = directory
        self.site = site or load_site()
        self.clock = ManualClock(start)
        self.bookings = bookings
        self.seq = 0
        self.service = self._open()

    def _open(self) -> QueueService:
        service = QueueService(
            self.site,
            EventStore(self.directory / "hub.db"),
            default_roles(),
            self.clock,
            bookings=self.bookings,
        )
        service.open()
        return service

    def restart(self) -> QueueService:
        self.service.store.close()
        self.service = self._open()
        return self.service

    def send(self, model: type[Command], device: str, **fields: Any) -> Outcome:
        self.seq += 1
        now = self.clock.now()
        if model.calls_citizen:
            fields.setdefault("expires_at", now + CALL_VALIDITY)
        command = model(command_id=uuid4(), device_id=device, seq=self.seq, issued_at=now, **fields)
        return self.service.handle(command)

    def cmd(self, model: type[Command], device: str, **fields: Any) -> Reply:
        return self.send(model, device, **fields).reply

    def ok(self, model: type[Command], device: str, **fields: Any) -> Reply:
        reply = self.cmd(model, device, **fields)
        assert reply.ok, reply.error
        return reply

    def issue(self, service: str, category: str = "reguler", kiosk: str = "kiosk-01") -> str:
        """Reserve and confirm the print: a live waiting ticket; returns its id."""
        reply = self.ok(TicketReserve, kiosk, service=service, category=PriorityCategory(category))
        assert reply.ticket is not None
        self.ok(TicketPrinted, kiosk, ticket_id=reply.ticket.ticket_id)
        return reply.ticket.ticket_id

    def open_counter(self, number: int) -> None:
        self.ok(CounterOpen, f"counter-{number:02d}")

    def next(self, number: int) -> str | None:
        reply = self.cmd(CounterNext, f"counter-{number:02d}")
        assert reply.ok, reply.error
        assert reply.counter is not None
        return reply.counter.current.ticket_id if reply.counter.current else None
