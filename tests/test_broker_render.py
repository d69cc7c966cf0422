"""``mpp broker render``: files, hashing, credential reuse and the ACL lines."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import Inventory, load_inventory
from mpp.cli import main
from mqtt_broker.acl import Account, account_rules
from mqtt_broker.render import BrokerSettings, render_broker
from protocol.roles import Role


def _render(tmp_path: Path, inventory: Inventory) -> tuple[CredentialStore, Path]:
    store = CredentialStore(tmp_path / "secrets" / "creds.json")
    out = tmp_path / "out"
    render_broker(inventory, out, BrokerSettings(persistence_dir=tmp_path / "data"), store)
    return store, out


def test_password_file_holds_hashes_of_every_account(tmp_path: Path, inventory: Inventory) -> None:
    store, out = _render(tmp_path, inventory)
    lines = (out / "passwd").read_text().splitlines()
    users = [line.split(":", 1)[0] for line in lines]
    expected = ["hub", "upstream", "admin", *(d.device_id for d in inventory.devices)]
    assert users == expected
    passwords = store.load()
    for line in lines:
        user, hashed = line.split(":", 1)
        assert hashed.startswith("$7$"), "PBKDF2-SHA512 hash from mosquitto_passwd"
        assert passwords[user] not in line


def test_credentials_are_private_and_reused(tmp_path: Path, inventory: Inventory) -> None:
    store, _ = _render(tmp_path, inventory)
    first = store.load()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    _render(tmp_path, inventory)
    assert store.load() == first


def test_password_from_inventory_wins(tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    (root / "devices").mkdir(parents=True)
    (root / "accounts.toml").write_text('site_id = "mpp-test"\n')
    (root / "devices" / "kiosk-01.toml").write_text(
        'device_id = "kiosk-01"\nrole = "kiosk"\nname = "Kiosk"\n'
        '[mqtt]\npassword = "given-by-site"\n'
    )
    store, _ = _render(tmp_path, load_inventory(root))
    assert store.load()["kiosk-01"] == "given-by-site"


def test_conf_has_no_anonymous_access_and_two_listeners(
    tmp_path: Path, inventory: Inventory
) -> None:
    _, out = _render(tmp_path, inventory)
    conf = (out / "mosquitto.conf").read_text()
    lines = [line for line in conf.splitlines() if line and not line.startswith("#")]
    assert "allow_anonymous false" in lines
    assert "persistence true" in lines
    assert "user mosquitto" in lines
    assert lines.count("use_username_as_clientid true") == 2
    assert f"password_file {(out / 'passwd').resolve()}" in lines
    assert "#protocol websockets" in conf
    # The LAN listener is TLS 1.2+ on 8883; the loopback one, for the hub, stays plain.
    lan = lines[lines.index("listener 8883") : lines.index("listener 1884 127.0.0.1")]
    assert f"cafile {(out / 'ca.crt').resolve()}" in lan
    assert f"certfile {(out / 'hub.crt').resolve()}" in lan
    assert f"keyfile {(out / 'hub.key').resolve()}" in lan
    assert "tls_version tlsv1.2" in lan
    assert "require_certificate true" not in lan
    local = lines[lines.index("listener 1884 127.0.0.1") :]
    assert not any(line.startswith(("cafile", "certfile", "keyfile")) for line in local)
    assert "listener 1883" not in lines


def test_counter_rules_are_exactly_its_own_topics() -> None:
    assert account_rules(Account("counter-03", Role.COUNTER)) == [
        "topic write mpp/device/counter-03/status",
        "topic write mpp/device/counter-03/heartbeat",
        "topic write mpp/device/counter-03/cmd",
        "topic read mpp/device/counter-03/reply",
        "topic read mpp/device/counter-03/control",
        "topic write mpp/device/counter-03/signature",
        "topic read mpp/device/counter-03/sign",
        "topic read mpp/hub/status",
        "topic read mpp/hub/control",
        "topic read mpp/state/counter/+",
        "topic read mpp/state/service/+",
        "topic read mpp/state/catalogue",
        "topic read mpp/state/calls",
        "topic read mpp/state/announcements",
        "topic read mpp/event/call",
    ]


def test_display_rules_have_no_command_topic() -> None:
    rules = account_rules(Account("display-01", Role.DISPLAY))
    assert not any("/cmd" in rule for rule in rules)
    writes = [rule for rule in rules if rule.startswith("topic write")]
    assert writes == [
        "topic write mpp/device/display-01/status",
        "topic write mpp/device/display-01/heartbeat",
    ]


def test_cli_render_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "broker",
            "render",
            "--inventory",
            str(Path(__file__).resolve().parent.parent / "firmware_config"),
            "--out",
            str(tmp_path / "out"),
            "--secrets",
            str(tmp_path / "creds.json"),
            "--persistence-dir",
            str(tmp_path / "data"),
        ]
    )
    assert code == 0
    rendered = {p.name for p in (tmp_path / "out").iterdir()}
    assert rendered == {"mosquitto.conf", "passwd", "acl", "ca.crt", "hub.crt", "hub.key"}
    assert {p.name for p in (tmp_path / "tls").iterdir()} == {
        "ca.crt",
        "ca.key",
        "hub.crt",
        "hub.key",
    }, "the site CA is kept beside the credentials file"
    assert f"{len(load_inventory().devices) + 3} accounts" in capsys.readouterr().out


def test_cli_render_reports_a_bad_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["broker", "render", "--inventory", str(tmp_path), "--out", str(tmp_path)])
    assert code == 2
    assert "accounts.toml: file not found" in capsys.readouterr().err
