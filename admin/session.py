"""What a console command works with: the connection, the terminal, the site's time zone."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from admin.client import AdminClient
from admin.connection import ConsoleSettings
from admin.usage import build_command
from protocol.models import AdminCommand, AdminStatus, HubOverview, Reply


@dataclass
class Session:
    settings: ConsoleSettings
    console: Console = field(default_factory=lambda: Console(highlight=False))
    interactive: bool = False  # the shell: keep the connection between commands
    _client: AdminClient | None = None
    timezone: str = "Asia/Jakarta"

    @property
    def client(self) -> AdminClient:
        if self._client is None:
            client = AdminClient(self.settings)
            client.connect()
            self._client = client
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def ask(self, model: type[AdminCommand], **fields: Any) -> Reply:
        """Send one admin command, return the hub's ok reply (or raise a ConsoleError).

        The command is built before connecting: a malformed argument is the admin's
        to fix, said in one line whether or not the hub is up."""
        command = build_command(model, self.settings.account, **fields)
        return self.client.request(command)

    def overview(self) -> HubOverview:
        reply = self.ask(AdminStatus)
        assert reply.overview is not None
        self.timezone = reply.overview.timezone
        return reply.overview

    def print_json(self, data: Any) -> None:
        """Plain JSON on stdout (no colour, no wrapping) for scripts."""
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        sys.stdout.flush()

    def done(self, text: str) -> None:
        self.console.print(f"[green]✓[/green] {text}")
