"""Package boundaries: edge and hub share only the contract, never each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mpp.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _imported_roots(package: str) -> set[str]:
    roots: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("edge", {"hub", "mqtt_broker", "mpp"}),
        ("hub", {"edge", "mpp"}),
        ("protocol", {"hub", "edge", "firmware_config", "mqtt_broker", "mpp"}),
        ("firmware_config", {"hub", "edge", "mqtt_broker"}),
        # The image tools and the first-boot mover never need a device agent.
        ("provision", {"edge", "mqtt_broker"}),
        ("admin", {"hub", "edge", "mqtt_broker", "mpp"}),
    ],
)
def test_package_does_not_import(package: str, forbidden: set[str]) -> None:
    assert _imported_roots(package).isdisjoint(forbidden)


def test_mpp_help_lists_the_commands() -> None:
    help_text = build_parser().format_help()
    for command in ("hub", "broker", "config", "demo", "admin"):
        assert command in help_text


def test_mpp_help_does_not_load_the_admin_consoles_libraries() -> None:
    """A counter Pi has no rich or prompt_toolkit (the admin extra): parsing must not
    need them."""
    import subprocess
    import sys

    probe = (
        "import sys; from mpp.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('rich', 'prompt_toolkit') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_missing_mosquitto_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from mqtt_broker import runner

    monkeypatch.setattr(runner.shutil, "which", lambda *_args, **_kwargs: None)
    with pytest.raises(runner.BrokerStartError, match="apt-get install mosquitto"):
        runner.mosquitto_binary()


def test_counter_extra_does_not_pull_pygame() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert not any("pygame" in requirement for requirement in extras["counter"])
    assert any("pygame" in requirement for requirement in extras["kiosk"])


def test_systemd_units_run_commands_that_exist() -> None:
    help_text = build_parser().format_help()
    for unit in (ROOT / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "Restart=always" in text, unit.name
        (command,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
        subcommand = command.split("/mpp ", 1)[1].split()[0]
        assert subcommand in help_text, f"{unit.name}: mpp {subcommand} does not exist"
