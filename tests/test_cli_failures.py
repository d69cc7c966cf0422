"""Expected failures of ``mpp`` commands: one line on stderr, an exit code, no traceback.

Each command runs as a process through the real entry point, as a technician
or systemd runs it. The line must name the file at fault; a bug (an error not
in the table of ``mpp.cli``) still shows its traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore

ROOT = Path(__file__).resolve().parent.parent
CONFIG, CREDENTIALS, FILE, STORE, INPUT = 2, 5, 6, 7, 8


def _mpp(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env,
    )


def _one_error_line(result: subprocess.CompletedProcess[str], code: int, *names: object) -> str:
    """The failure's single stderr line, after checking code, traceback and stdout."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("mpp: error: "), line
    for name in names:
        assert str(name) in line, f"{name} not named in: {line}"
    assert result.returncode == code, f"exit {result.returncode}: {line}"
    assert result.stdout == ""
    return line


def _unwritable_dir(tmp_path: Path) -> Path:
    """A directory this user cannot create files in (root can in any mode-0555 dir)."""
    if os.geteuid() == 0:
        return Path("/proc")
    directory = tmp_path / "read-only"
    directory.mkdir()
    directory.chmod(0o555)
    return directory


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    """A credentials file with a hub password: hub run gets past it to the store."""
    path = tmp_path / "mqtt-credentials.json"
    CredentialStore(path).ensure(["hub"], {})
    return path


def _hub_run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # A closed port: should anything get past the failure, it would not find a broker.
    return _mpp("hub", "run", "--port", "1", *args)


# -- mpp hub run ------------------------------------------------------------------


def test_hub_run_missing_site_file(tmp_path: Path, secrets: Path) -> None:
    site = tmp_path / "no-such-site.toml"
    result = _hub_run("--site", site, "--secrets", secrets, "--db", tmp_path / "hub.db")
    _one_error_line(result, CONFIG, site, "not found")


def test_hub_run_site_file_that_is_not_toml(tmp_path: Path, secrets: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[site\nname = 'MPP'\n")
    result = _hub_run("--site", site, "--secrets", secrets, "--db", tmp_path / "hub.db")
    _one_error_line(result, CONFIG, site, "not valid TOML")
    assert not (tmp_path / "hub.db").exists()


def test_hub_run_missing_credentials(tmp_path: Path) -> None:
    missing = tmp_path / "mqtt-credentials.json"
    result = _hub_run("--secrets", missing, "--db", tmp_path / "hub.db")
    _one_error_line(result, CREDENTIALS, missing, "mpp broker render")


def test_hub_run_garbled_credentials(tmp_path: Path) -> None:
    garbled = tmp_path / "mqtt-credentials.json"
    garbled.write_text('{"hub": "x", ')
    result = _hub_run("--secrets", garbled, "--db", tmp_path / "hub.db")
    _one_error_line(result, CREDENTIALS, garbled)


def test_hub_run_store_in_a_directory_that_cannot_be_created(tmp_path: Path, secrets: Path) -> None:
    in_the_way = tmp_path / "state"
    in_the_way.write_text("a file where the directory should be\n")
    result = _hub_run("--secrets", secrets, "--db", in_the_way / "mpp" / "hub.db")
    _one_error_line(result, STORE, in_the_way / "mpp", "--db")


def test_hub_run_store_in_an_unwritable_directory(tmp_path: Path, secrets: Path) -> None:
    db = _unwritable_dir(tmp_path) / "hub.db"
    result = _hub_run("--secrets", secrets, "--db", db)
    _one_error_line(result, STORE, db, "writable")


def test_hub_run_store_that_is_not_sqlite(tmp_path: Path, secrets: Path) -> None:
    db = tmp_path / "hub.db"
    db.write_text("tickets, but not SQLite\n" * 100)
    result = _hub_run("--secrets", secrets, "--db", db)
    _one_error_line(result, STORE, db, "move it aside")
    assert db.read_text() == "tickets, but not SQLite\n" * 100  # left as it was


# -- other commands -----------------------------------------------------------------


def test_asyncapi_into_a_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "nonexistent" / "asyncapi.yaml"
    _one_error_line(_mpp("hub", "asyncapi", "--out", out), FILE, out, "create it")


def test_tickets_of_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "printer.bin"
    _one_error_line(_mpp("tickets", missing), FILE, missing)


def test_tickets_of_a_file_that_is_not_escpos(tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _one_error_line(_mpp("tickets", image), INPUT, image, "ESC/POS")


def test_make_clips_into_an_unwritable_place(tmp_path: Path) -> None:
    out = _unwritable_dir(tmp_path) / "clips"
    _one_error_line(_mpp("display", "make-clips", "--out", out), FILE, out)


def test_make_clips_where_a_file_is_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "clips"
    out.write_text("not a directory\n")
    _one_error_line(_mpp("display", "make-clips", "--out", out), FILE, out)


# -- the table itself ---------------------------------------------------------------


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error no one anticipated is not dressed up as a one-line failure."""
    from hub import cli as hub_cli
    from mpp.cli import main

    def broken() -> str:
        raise KeyError("a bug")

    monkeypatch.setattr(hub_cli, "render_asyncapi", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["hub", "asyncapi"])


def test_the_table_leaves_success_crash_and_interrupt_codes_alone() -> None:
    from mpp.cli import _exit_codes

    table = _exit_codes()
    codes = {failure.code for failure in table}
    assert 0 not in codes and 1 not in codes and 130 not in codes  # 1: Python's own crash
    assert table[-1].error is OSError  # the broadest class last, so the others win


def test_verbose_is_taken_after_the_command_too() -> None:
    """`-v` at the end of the line (`mpp report … -v`) was `unrecognized arguments`."""
    for args in (("config", "validate", "-v"), ("-v", "config", "validate"),
                 ("config", "secrets", "-v", "--help")):  # fmt: skip
        result = _mpp(*args)
        assert result.returncode == 0, result.stderr
        assert "unrecognized arguments" not in result.stderr
