"""The interactive shell: the console's commands at a prompt, with history and completion.

prompt_toolkit gives line editing, a history kept across sessions
(``$XDG_STATE_HOME/mpp/admin-history``) and completion of commands, counter
numbers, service codes, agencies and device ids — learned from one
``admin.status`` when the shell starts. Each line is parsed by the same
parsers as ``mpp admin …``, so the shell and the command line never differ.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any

from admin.client import ConsoleError
from admin.session import Session
from protocol.models import HubOverview

EXIT_WORDS = {"exit", "quit"}


def _completer(tree: dict[str, Any]) -> Any:
    """Completion along ``tree`` by whole words: codes like ``DUK-KTP`` and ids like
    ``kiosk-01`` complete across their hyphens (prompt_toolkit's word completer stops there)."""
    from prompt_toolkit.completion import Completer, Completion

    class TreeCompleter(Completer):
        def get_completions(self, document: Any, _event: Any) -> Any:
            text = document.text_before_cursor
            words = text.split()
            current = "" if not words or text.endswith(" ") else words.pop()
            node: Any = tree
            for word in words:
                node = node.get(word) if isinstance(node, dict) else None
                if node is None:
                    return
            if not isinstance(node, dict):
                return
            for option in node:
                if option.lower().startswith(current.lower()):
                    yield Completion(option, start_position=-len(current))

    return TreeCompleter()


def completion_tree(overview: HubOverview | None) -> dict[str, Any]:
    """The nested words the completer offers, with the building's own values."""
    from protocol.models import WaiveReason

    counters: dict[str, Any] = {}
    services: dict[str, Any] = {}
    devices: dict[str, Any] = {}
    agencies: dict[str, Any] = {}
    kiosks: dict[str, Any] = {}
    if overview is not None:
        counters = {str(c.counter): None for c in overview.counters}
        services = {s.service: None for s in overview.services}
        devices = {d.device_id: None for d in overview.devices}
        agencies = {s.agency: None for s in overview.services}
        kiosks = {d.device_id: None for d in overview.devices if d.role.value == "kiosk"}
    return {
        "status": {"--json": None, "--busy": None},
        "top": {"--all": None},
        "tail": {"--agency": agencies, "--counter": counters, "--device": devices, "--json": None},
        "advise": {"--hours": None, "--json": None},
        "ping": None,
        "counter": {
            "open": counters,
            "close": counters,
            "pause": counters,
            "resume": counters,
            "services": counters,
            "officer": counters,
        },
        "ticket": {
            "find": None,
            "cancel": None,
            "requeue": None,
            "reprint": {"--kiosk": kiosks},
            "transfer": None,
        },
        "service": {"quota": services, "close": services, "reopen": services},
        "announce": {"--until": None, "--for": None, "--clear": None},
        "device": {"identify": devices, "restart": devices, "hardware": devices},
        "day": {"close": None},
        "complaints": {
            "list": {"--status": None, "--limit": None, "--json": None},
            "show": {"--json": None},
            "add": {
                "--category": {"pengaduan": None, "saran": None, "pertanyaan": None},
                "--text": None,
                "--contact": None,
                "--ticket": None,
                "--service": services,
            },
        },
        "signature": {
            "waive": {"--reason": {r.value: None for r in WaiveReason}, "--detail": None},
            "purge": None,
        },
        "receipt": {"--out": None},
        "help": None,
        "exit": None,
    }


def run_shell(
    session: Session,
    parser: argparse.ArgumentParser,
    run: Callable[[Session, argparse.Namespace], int],
    terminal: dict[str, Any] | None = None,
) -> int:
    """Read commands until ``exit`` or Ctrl-D; a failing command says why and the shell goes on."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    from firmware_config.credentials import state_home

    session.interactive = True
    overview = session.overview()  # also proves the connection before the prompt appears
    history_path = state_home() / "admin-history"
    history_path.parent.mkdir(parents=True, exist_ok=True)
    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(history_path)),
        completer=_completer(completion_tree(overview)),
        **(terminal or {}),  # tests: prompt_toolkit's pipe input and dummy output
    )
    session.console.print(
        f"[bold]{overview.site_name}[/bold] — connected as {session.settings.account} to "
        f"{session.settings.where}. Type [bold]help[/bold], Tab completes, Ctrl-D leaves."
    )
    while True:
        try:
            line = prompt.prompt("mpp admin> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        try:
            words = shlex.split(line)
        except ValueError as error:  # an unclosed quote
            session.console.print(f"[red]error:[/red] {error}")
            continue
        if not words:
            continue
        if words[0] in EXIT_WORDS:
            return 0
        if words[0] == "help":
            parser.print_help()
            continue
        try:
            args = parser.parse_args(words)
        except SystemExit:
            continue  # argparse said what was wrong
        if getattr(args, "action", None) is None:
            parser.print_help()
            continue
        try:
            run(session, args)
        except ConsoleError as error:
            session.console.print(f"[red]error:[/red] {error}")
        except KeyboardInterrupt:
            continue
