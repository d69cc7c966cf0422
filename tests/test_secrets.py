"""`mpp config secrets`: MQTT passwords and Wi-Fi keys, outside git, mode 0600.

Run as processes, as a technician at a desk runs them. Values never appear in
what the commands print; keys that no access point would take are refused.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from firmware_config.inventory import load_inventory
from firmware_config.secrets import psk_problem, wpa_psk_hex

ROOT = Path(__file__).resolve().parent.parent
PSK = "antre4n-MPP-lamtim"


def _secrets(store: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", "config", "secrets", "--secrets", str(store), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ensure_creates_passwords_and_names_the_missing_wifi_key(tmp_path: Path) -> None:
    store = tmp_path / "state" / "mqtt-credentials.json"
    first = _secrets(store, "ensure")
    assert first.returncode == 2
    assert "no Wi-Fi key 'wifi-mpp-perangkat' (used by kiosk-02)" in first.stderr
    assert "mpp config secrets wifi wifi-mpp-perangkat" in first.stderr
    assert "Traceback" not in first.stderr
    inventory = load_inventory(ROOT / "firmware_config")
    passwords = json.loads(store.read_text())
    assert set(passwords) == {"hub", "upstream"} | {a.username for a in inventory.admins} | {
        d.device_id for d in inventory.devices
    }
    assert _mode(store) == 0o600

    stored = _secrets(store, "wifi", "wifi-mpp-perangkat", "--stdin", stdin=PSK + "\n")
    assert stored.returncode == 0, stored.stderr
    wifi = store.parent / "wifi-psks.json"
    assert json.loads(wifi.read_text()) == {"wifi-mpp-perangkat": PSK}
    assert _mode(wifi) == 0o600

    again = _secrets(store, "ensure")
    assert again.returncode == 0, again.stderr
    assert "0 new passwords" in again.stdout
    assert json.loads(store.read_text()) == passwords  # kept, never regenerated

    listing = _secrets(store, "list")
    assert listing.returncode == 0
    assert "wifi-mpp-perangkat" in listing.stdout and "stored" in listing.stdout
    for secret in [PSK, *passwords.values()]:
        assert secret not in listing.stdout + again.stdout + stored.stdout


def test_a_key_no_access_point_takes_is_refused_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "mqtt-credentials.json"
    result = _secrets(store, "wifi", "lobby", "--stdin", stdin="short\n")
    assert result.returncode == 5
    assert result.stderr.strip().splitlines() == [
        "mpp: error: Wi-Fi key 'lobby': a passphrase has 8 to 63 characters (got 5)"
    ]
    assert not (tmp_path / "wifi-psks.json").exists()


def test_secrets_inside_a_git_work_tree_are_refused(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    store = tmp_path / "mqtt-credentials.json"
    result = _secrets(store, "wifi", "lobby", "--stdin", stdin=PSK + "\n")
    assert result.returncode == 2
    assert "inside the git work tree" in result.stderr
    assert not (tmp_path / "wifi-psks.json").exists()
    (tmp_path / ".gitignore").write_text("*.json\n")
    assert _secrets(store, "wifi", "lobby", "--stdin", stdin=PSK + "\n").returncode == 0


def test_psk_rules_and_the_derived_key() -> None:
    assert psk_problem("12345678") is None
    assert psk_problem("a" * 63) is None
    assert psk_problem("f" * 64) is None  # a raw key in hex
    assert psk_problem("g" * 64) is not None
    assert psk_problem("kunci\u00e9\u00e9\u00e9") is not None
    # IEEE 802.11i-2004, H.4.1 test vector.
    assert wpa_psk_hex("password", "IEEE") == (
        "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e"
    )


def test_the_accounts_are_the_ones_the_broker_renders() -> None:
    from firmware_config.secrets import given_passwords, mqtt_accounts
    from mqtt_broker import render

    inventory = load_inventory(ROOT / "firmware_config")
    rendered = [(account.username, account.role) for account in render.accounts_of(inventory)]
    assert mqtt_accounts(inventory) == rendered
    assert given_passwords(inventory) == render.given_passwords(inventory)


def _mpp(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``mpp …`` as a process in a session of its own: no controlling terminal, as over
    ``ssh host cmd`` (no -t) or from cron."""
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=60,
        check=False,
        cwd=ROOT,
        start_new_session=True,
    )


def test_secrets_takes_its_store_after_the_action_as_the_readme_writes_it(
    tmp_path: Path,
) -> None:
    """`ensure|wifi NAME|list [--secrets F]`: the option after the action, and before it."""
    after = tmp_path / "after" / "mqtt-credentials.json"
    ensure = _mpp("config", "secrets", "ensure", "--inventory", "firmware_config",
                  "--secrets", str(after))  # fmt: skip
    assert ensure.returncode == 2, ensure.stderr  # the Wi-Fi key is missing, nothing else
    assert "unrecognized arguments" not in ensure.stderr
    assert after.is_file()
    # The hint names this store: following it must not put the key into the default one.
    assert f"mpp config secrets wifi wifi-mpp-perangkat --secrets {after}" in ensure.stderr
    stored = _mpp("config", "secrets", "wifi", "wifi-mpp-perangkat", "--stdin",
                  "--secrets", str(after), stdin=PSK + "\n")  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert json.loads((after.parent / "wifi-psks.json").read_text()) == {"wifi-mpp-perangkat": PSK}
    listing = _mpp("config", "secrets", "list", "--secrets", str(after))
    assert listing.returncode == 0, listing.stderr
    assert "MISSING" not in listing.stdout

    before = tmp_path / "before" / "mqtt-credentials.json"
    ensure = _mpp("config", "secrets", "--secrets", str(before), "ensure")
    assert ensure.returncode == 2 and before.is_file(), ensure.stderr
    # Both given: the one nearer the action wins, as for any option given twice.
    both = tmp_path / "both" / "mqtt-credentials.json"
    listing = _mpp("config", "secrets", "--secrets", str(before), "list", "--secrets", str(both))
    assert listing.returncode == 0 and "MISSING" in listing.stdout, listing.stderr


def test_wifi_without_a_terminal_says_so_in_one_line(tmp_path: Path) -> None:
    """getpass with no terminal fell back to stdin and died with an EOFError traceback."""
    store = tmp_path / "mqtt-credentials.json"
    result = _mpp("config", "secrets", "wifi", "lobby", "--secrets", str(store))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "mpp: error: secrets: no terminal to ask for Wi-Fi key 'lobby' without echo; run it "
        "in a terminal (ssh -t), or give the key on standard input with --stdin"
    ]
    # A pipe is not a terminal either: the key is not read from it without --stdin.
    piped = _mpp("config", "secrets", "wifi", "lobby", "--secrets", str(store), stdin=PSK + "\n")
    assert piped.returncode == 2 and "--stdin" in piped.stderr, piped.stderr
    assert "Traceback" not in piped.stderr
    assert not (tmp_path / "wifi-psks.json").exists()
