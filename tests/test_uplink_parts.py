"""The uplink's parts on their own: the receiver's storage (repeats, declared gaps,
order), the bridge `mpp broker render` writes, the regional ACL, `mpp upstream password`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import DEFAULT_INVENTORY
from mpp.process import PROJECT_ROOT
from mqtt_broker.bridge import UPLINK_SECRET
from protocol.models import UplinkItem
from tests.uplink_fixtures import site_inventory
from upstream.receiver.storage import SqliteReceivedItems
from upstream.regional_broker import regional_acl

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _item(seq: int, follows: int | None = None, site: str = "mpp-a") -> UplinkItem:
    return UplinkItem(
        id=f"{site}:ratings:{seq}",
        site_id=site,
        stream="ratings",
        seq=seq,
        follows=seq - 1 if follows is None else follows,
        kind="skm.rated",
        at=NOW,
        payload={"ticket_id": f"20261123-A-{seq:03d}", "rating": 4},
    )


def test_the_receiver_stores_each_item_once_in_order_and_records_declared_gaps(
    tmp_path: Path,
) -> None:
    storage = SqliteReceivedItems(tmp_path / "upstream.db")
    assert storage.accept(_item(1), NOW).stored
    repeat = storage.accept(_item(1), NOW)
    assert (repeat.stored, repeat.duplicate, repeat.through) == (False, True, 1)
    early = storage.accept(_item(3), NOW)  # 2 has not arrived: not stored, ask again from 2
    assert (early.stored, early.duplicate, early.through) == (False, False, 1)
    assert storage.accept(_item(2), NOW).through == 2
    gap = storage.accept(_item(6, follows=2), NOW)  # 3–5 dropped at the site's bound
    assert gap.stored and gap.gap == (3, 5) and gap.through == 6
    assert storage.accept(_item(1, site="mpp-b"), NOW).stored  # another site: apart
    assert [seq for seq, _, _ in storage.items("mpp-a", "ratings")] == [1, 2, 6]
    (a, b) = storage.tally()
    assert (a.site_id, a.items, a.last_seq, a.duplicates, a.declared_gaps) == (
        "mpp-a",
        3,
        6,
        1,
        1,
    )
    assert (b.site_id, b.items) == ("mpp-b", 1)
    storage.close()


def test_the_regional_acl_keeps_each_site_under_its_own_prefix() -> None:
    acl = regional_acl()
    assert "pattern write mpp/site/%u/uplink/item/+" in acl
    assert "pattern read mpp/site/%u/uplink/ack" in acl
    assert "pattern write mpp/site/+/" not in acl
    assert "topic read mpp/site/+/uplink/item/+" in acl  # the receiver reads every site


def _render(inventory: Path, secrets: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "broker",
            "render",
            "--inventory",
            str(inventory),
            "--out",
            str(out),
            "--secrets",
            str(secrets),
            "--persistence-dir",
            str(out / "data"),
            "--run-as",
            "",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_broker_render_writes_the_bridge_and_only_the_intended_topics_cross(
    tmp_path: Path,
) -> None:
    inventory = site_inventory(
        tmp_path, "mpp-badung", "regional.example.id", 8883, Path("/etc/mpp/regional-ca.crt")
    )
    secrets = tmp_path / "mqtt-credentials.json"

    missing = _render(inventory, secrets, tmp_path / "broker")
    assert missing.returncode == 4
    assert missing.stderr.count("\n") == 1 and "mpp upstream password" in missing.stderr

    stored = subprocess.run(
        [sys.executable, "-m", "mpp.cli", "upstream", "password", "--secrets", str(secrets)],
        cwd=PROJECT_ROOT,
        input="s3cret-regional\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "uplink password kept" in stored.stdout
    assert CredentialStore(secrets).load()[UPLINK_SECRET] == "s3cret-regional"

    rendered = _render(inventory, secrets, tmp_path / "broker")
    assert rendered.returncode == 0, rendered.stderr
    assert "bridge to the regional broker as mpp-badung (TLS)" in rendered.stdout
    conf = (tmp_path / "broker" / "mosquitto.conf").read_text(encoding="utf-8")
    bridge = conf[conf.index("connection mpp-uplink") :]
    assert "address regional.example.id:8883" in bridge
    assert "remote_username mpp-badung" in bridge and "remote_password s3cret-regional" in bridge
    assert "cleansession false" in bridge  # a persistent session upstream
    assert "bridge_cafile /etc/mpp/regional-ca.crt" in bridge
    crossing = [line for line in bridge.splitlines() if line.startswith("topic ")]
    assert crossing == [
        "topic uplink/item/+ out 1 mpp/ mpp/site/mpp-badung/",
        "topic uplink/ack in 1 mpp/ mpp/site/mpp-badung/",
        "topic upstream/bookings in 1 mpp/ mpp/site/mpp-badung/",
        "topic upstream/complaints in 1 mpp/ mpp/site/mpp-badung/",
        "topic upstream/reply out 1 mpp/ mpp/site/mpp-badung/",
    ]


def test_the_bundled_inventory_has_no_bridge() -> None:
    assert "[upstream]" not in (DEFAULT_INVENTORY / "hub.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ['"relative/ca.crt"'])
def test_a_relative_regional_ca_is_refused(tmp_path: Path, value: str) -> None:
    from firmware_config.schema import UplinkConfig

    with pytest.raises(ValueError, match="absolute path"):
        UplinkConfig.model_validate({"host": "h", "tls_ca": value.strip('"')})


def test_the_receiver_s_expected_failures_are_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_text("not a database", encoding="utf-8")

    def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mpp.cli", "upstream", "run", "--port", "1", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, **env},
        )

    clean = {k: v for k, v in os.environ.items() if k != "MPP_UPSTREAM_PASSWORD"}
    no_password = subprocess.run(
        [sys.executable, "-m", "mpp.cli", "upstream", "run", "--db", str(tmp_path / "u.db")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean,
    )
    assert no_password.returncode == 5
    assert no_password.stderr.count("\n") == 1 and "MPP_UPSTREAM_PASSWORD" in no_password.stderr
    bad_store = run("--db", str(broken), env={"MPP_UPSTREAM_PASSWORD": "x"})
    assert bad_store.returncode == 7
    assert bad_store.stderr.count("\n") == 1 and "not a database" in bad_store.stderr


def test_no_site_account_may_read_outbox_items_or_forge_acknowledgements() -> None:
    from firmware_config.inventory import load_inventory
    from mqtt_broker.acl import render_acl
    from mqtt_broker.render import accounts_of

    acl = render_acl(accounts_of(load_inventory()))
    assert "topic write mpp/uplink/item/+" in acl  # the hub's, and only that
    assert acl.count("mpp/uplink/item/+") == 1
    assert "topic read mpp/uplink/ack" in acl and acl.count("mpp/uplink/ack") == 1
    assert "mpp/site/" not in acl  # the regional broker's topics are not the site's
