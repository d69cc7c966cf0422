"""What ``mpp edge`` loads on a device: its own commands, not the rest of the system.

Every module imported stays resident for the day; the counter unit's goal is
45 MB. Parsing ``mpp edge …`` must not import the admin console, the hub, the
report, image or upstream tools, nor build the admin's reply schema.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mpp.cli import PARTS, build_parser

ROOT = Path(__file__).resolve().parent.parent
OTHER_PARTS = [module for module in PARTS if module != "edge.cli"]


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_mpp_edge_registers_the_edge_commands_only() -> None:
    loaded = _loaded_after("from mpp.cli import build_parser; build_parser(['edge', '--help'])")
    assert [module for module in OTHER_PARTS if module in loaded] == []


def test_every_command_is_still_there_for_help_and_unknown_words() -> None:
    for argv in ([], ["--help"], ["-v"], ["nonsense"]):
        commands = build_parser(argv)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert set(commands) == {name for names in PARTS.values() for name in names}


def test_each_part_registers_the_commands_it_is_listed_for() -> None:
    for module, names in PARTS.items():
        commands = build_parser([names[0]])._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert set(commands) == set(names), module


def test_the_reply_schema_is_not_built_at_import() -> None:
    code = "from protocol.models import Reply; print(Reply.__pydantic_complete__)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False", "Reply built at import (2.2 MB in every process)"
