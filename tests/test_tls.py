"""TLS on the building LAN, against a real Mosquitto rendered by ``mpp broker render``.

Devices connect and work over TLS (an ``mpp edge --simulate`` process beside an
``mpp hub run`` process) and a capture of their connection holds no password;
a plain client, a client trusting another CA, a hub certificate for another
name and an expired one are all refused, each said in one line; the CA is made
once with private keys at 0600 and the hub's certificate renewed before expiry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import queue
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from edge.simulation.control import ControlClient, socket_path
from firmware_config.credentials import CredentialStore
from firmware_config.inventory import DEFAULT_INVENTORY, DEVICES_DIR, Inventory, load_inventory
from mpp.cli import main
from mpp.process import PROJECT_ROOT, EdgeProcess, HubProcess, clock_env
from mqtt_broker.local import LOOPBACK, LocalBroker, start_local_broker
from mqtt_broker.render import BrokerSettings, render_broker
from mqtt_broker.site_ca import (
    CERT_VALID_DAYS,
    days_to_expiry,
    ensure_site_tls,
    expiry_warnings,
    issue,
    load_authority,
    make_authority,
    read_certificate,
    utc_now,
    write_certificate,
    write_key,
)
from protocol.link import LinkSettings, MqttLink
from tests.mqtt_client import RecordingClient
from tests.tcp_capture import CapturingRelay

WAIT = 10.0


def device_file(device_id: str) -> Path:
    return DEFAULT_INVENTORY / DEVICES_DIR / f"{device_id}.toml"


class _Lines(logging.Handler):
    """The link's log lines, to wait on (no sleeps)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: queue.Queue[str] = queue.Queue()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.put(record.getMessage())

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no log line with {text!r} within {timeout} s") from None
            if text in line:
                return line


@pytest.fixture
def link_log() -> Iterator[_Lines]:
    lines = _Lines()
    logger = logging.getLogger("protocol.link")
    logger.addHandler(lines)
    yield lines
    logger.removeHandler(lines)


def refusal(settings: LinkSettings, link_log: _Lines) -> str:
    """Start a link with ``settings``; the one line it says about not connecting."""
    link = MqttLink(settings)
    try:
        link.start()
        line = link_log.wait_for("waiting for broker")
        assert not link.connected.is_set()
        return line
    finally:
        link.stop()


# -- the site CA and the hub's certificate ----------------------------------------------


def test_render_makes_the_site_ca_once_with_private_keys_and_the_hub_names(
    tmp_path: Path, inventory: Inventory
) -> None:
    store = CredentialStore(tmp_path / "state" / "mqtt-credentials.json")
    settings = BrokerSettings(persistence_dir=tmp_path / "data", san=("192.168.10.2",))
    first = render_broker(inventory, tmp_path / "etc", settings, store)
    assert first.tls is not None
    tls_dir = tmp_path / "state" / "tls"
    assert first.tls.directory == tls_dir, "kept beside the credentials store"
    for key in (tls_dir / "ca.key", tls_dir / "hub.key", tmp_path / "etc" / "hub.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    assert not (tmp_path / "etc" / "ca.key").exists(), "the broker never gets the CA's key"
    hub = read_certificate(tls_dir / "hub.crt")
    names = hub.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["mpp-hub.local", "mpp-hub"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["192.168.10.2"]
    ca_before = (tls_dir / "ca.crt").read_bytes()
    hub_before = (tls_dir / "hub.crt").read_bytes()

    again = render_broker(inventory, tmp_path / "etc", settings, store)
    assert again.tls is not None and again.tls.renewed == ()
    assert (tls_dir / "ca.crt").read_bytes() == ca_before, "one CA per site"
    assert (tls_dir / "hub.crt").read_bytes() == hub_before

    more = BrokerSettings(persistence_dir=tmp_path / "data", san=("192.168.10.3",))
    changed = render_broker(inventory, tmp_path / "etc", more, store)
    assert changed.tls is not None and changed.tls.renewed == ("hub certificate: names changed",)
    assert (tls_dir / "ca.crt").read_bytes() == ca_before


def test_hub_certificate_is_renewed_before_expiry_and_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utc_now()
    made_long_ago = now - dt.timedelta(days=CERT_VALID_DAYS - 20)
    ensure_site_tls(tmp_path, "mpp-test", ["mpp-hub.local"], now=made_long_ago)
    assert 19 < days_to_expiry(tmp_path / "hub.crt", now) < 21
    warnings = expiry_warnings(tmp_path, now)
    assert len(warnings) == 1 and "hub certificate" in warnings[0]
    assert "expires in 20 days" in warnings[0] and "mpp broker render" in warnings[0]
    assert main(["broker", "certs", "--tls-dir", str(tmp_path)]) == 0
    shown = capsys.readouterr()
    assert "hub certificate: mpp-hub.local; valid until" in shown.out
    assert shown.err.startswith("mpp: warning: hub certificate") and "20 days" in shown.err

    renewed = ensure_site_tls(tmp_path, "mpp-test", ["mpp-hub.local"], now=now)
    assert renewed.renewed == ("hub certificate: renewed before expiry",)
    assert days_to_expiry(tmp_path / "hub.crt", now) > CERT_VALID_DAYS - 1
    assert expiry_warnings(tmp_path, now) == []


# -- devices over TLS -------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, inventory: Inventory
) -> Iterator[tuple[LocalBroker, dict[str, str]]]:
    """A rendered broker and an `mpp hub run` process on its loopback listener."""
    directory = tmp_path_factory.mktemp("tls-site")
    broker = start_local_broker(directory, inventory)
    env = clock_env()
    hub = HubProcess.on(broker, directory / "hub.db", clock_start=None, env=env)
    hub.start()
    yield broker, env
    hub.stop()
    broker.stop()


def test_a_counter_process_works_over_tls_and_its_password_never_crosses_the_lan(
    site: tuple[LocalBroker, dict[str, str]], tmp_path: Path
) -> None:
    broker, env = site
    relay = CapturingRelay(broker.host, broker.port)
    counter = EdgeProcess(
        device_file("counter-03"),
        LOOPBACK,
        relay.port,
        broker.directory / "mqtt-credentials.json",
        tmp_path,
        env=env,
        tls_dir=broker.tls_dir,
    )
    try:
        counter.start()
        counter.wait_for("connected as counter-03", WAIT)
        with ControlClient(socket_path(tmp_path, "counter-03")) as officer:
            picking = officer.ask("hold", button="next")
            assert picking["signing_in"], picking  # the officer picks their name first
            opened = officer.ask("press", button="finish")
        assert opened["state"] == "open" and opened["online"], opened
    finally:
        counter.stop()
        relay.close()
    captured = relay.sent
    assert relay.connections >= 1 and len(captured) > 1000
    assert captured[0] == 0x16, "the connection opens with a TLS handshake record"
    assert broker.password("counter-03").encode() not in captured
    assert b"MQTT" not in captured, "no CONNECT packet in clear"


def test_a_plain_client_on_the_lan_port_is_refused(broker: LocalBroker) -> None:
    plain = RecordingClient(broker.host, broker.port, "counter-01", broker.password("counter-01"))
    try:
        plain.connect(wait=False)
        assert plain.disconnected.wait(WAIT), "the broker closes a plain connection"
        assert not plain.connected.is_set()
    finally:
        plain.stop()


def test_a_device_trusting_another_ca_refuses_says_why_and_shows_offline(
    site: tuple[LocalBroker, dict[str, str]], tmp_path: Path
) -> None:
    broker, env = site
    other_site = tmp_path / "other-site"
    write_certificate(other_site / "ca.crt", make_authority("mpp-elsewhere").certificate)
    state = tmp_path / "state"
    counter = EdgeProcess(
        device_file("counter-04"),
        broker.host,
        broker.port,
        broker.directory / "mqtt-credentials.json",
        state,
        env=env,
        tls_dir=other_site,
    )
    try:
        counter.start()
        counter.wait_for("TLS: wrong CA", WAIT)
        said = [line for line in counter.lines if "waiting for broker" in line]
        assert len(said) == 1 and "not signed by the site CA" in said[0], said
        with ControlClient(socket_path(state, "counter-04")) as officer:
            seen = officer.ask("status")
        assert not seen["online"] and seen["screen"][1] == "Tidak terhubung", seen
    finally:
        counter.stop()
    assert "Traceback" not in "".join(counter.lines)


def test_a_hub_certificate_for_another_name_is_refused(
    broker: LocalBroker, link_log: _Lines
) -> None:
    settings = dataclasses.replace(broker.link_settings("counter-01"), host="localhost")
    line = refusal(settings, link_log)
    assert "name mismatch" in line and "'localhost'" in line, line


def test_an_expired_hub_certificate_is_refused_then_renewed_by_render(
    tmp_path: Path, inventory: Inventory, link_log: _Lines
) -> None:
    broker = start_local_broker(tmp_path, inventory)
    try:
        tls_dir = broker.tls_dir
        assert tls_dir is not None
        long_ago = utc_now() - dt.timedelta(days=CERT_VALID_DAYS + 10)
        expired, key = issue(load_authority(tls_dir), LOOPBACK, [LOOPBACK], now=long_ago)
        for directory in (tls_dir, broker.rendered.conf.parent):
            write_certificate(directory / "hub.crt", expired)
            write_key(directory / "hub.key", key)
        broker.stop()
        broker.start()
        line = refusal(broker.link_settings("counter-01"), link_log)
        assert "the hub's certificate has expired" in line, line

        # The technician's renewal: render again, then SIGHUP (`systemctl reload mosquitto`).
        settings = BrokerSettings(
            lan_port=broker.port,
            lan_bind=LOOPBACK,
            local_port=broker.local_port,
            persistence_dir=tmp_path / "data",
            san=(LOOPBACK,),
            run_as=None,
        )
        store = CredentialStore(tmp_path / "mqtt-credentials.json")
        rendered = render_broker(inventory, tmp_path / "broker", settings, store)
        assert rendered.tls is not None
        assert rendered.tls.renewed == ("hub certificate: renewed before expiry",)
        assert broker.process.pid is not None
        os.kill(broker.process.pid, signal.SIGHUP)
        link = MqttLink(broker.link_settings("counter-01"))
        try:
            link.start(wait=WAIT)
        finally:
            link.stop()
    finally:
        broker.stop()


def test_missing_site_ca_on_a_device_is_one_line(tmp_path: Path, broker: LocalBroker) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "edge",
            "--config",
            str(device_file("counter-01")),
            "--secrets",
            str(broker.directory / "mqtt-credentials.json"),
            "--tls-dir",
            str(tmp_path / "nothing-here"),
            "--simulate",
            "--state-dir",
            str(tmp_path),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 4, result.stderr
    assert lines == [
        f"mpp: error: site CA {tmp_path / 'nothing-here' / 'ca.crt'} cannot be used: "
        "No such file or directory (provisioning puts the site's ca.crt on the device)"
    ]


# -- mutual TLS and the plain opt-out ---------------------------------------------------


def _inventory(root: Path, lan: str, devices: dict[str, str]) -> Inventory:
    (root / "devices").mkdir(parents=True)
    (root / "accounts.toml").write_text(
        f'site_id = "mpp-test"\n[[admins]]\nusername = "admin"\nname = "Admin"\n'
        f'[mqtt]\nlan = "{lan}"\n'
    )
    for device_id, body in devices.items():
        (root / "devices" / f"{device_id}.toml").write_text(
            f'device_id = "{device_id}"\nrole = "counter"\nname = "Unit"\n{body}'
        )
    return load_inventory(root)


def test_mutual_tls_takes_a_certificate_per_device_instead_of_a_password(
    tmp_path: Path, link_log: _Lines
) -> None:
    mutual = '[mqtt]\nsecurity = "mutual-tls"\n'
    inventory = _inventory(tmp_path / "inv", "mutual-tls", {"counter-01": mutual})
    broker = start_local_broker(tmp_path / "site", inventory)
    try:
        conf = broker.rendered.conf.read_text().splitlines()
        assert "require_certificate true" in conf and "use_identity_as_username true" in conf
        tls_dir = broker.tls_dir
        assert tls_dir is not None
        assert stat.S_IMODE((tls_dir / "clients" / "counter-01.key").stat().st_mode) == 0o600
        device = RecordingClient(
            broker.host, broker.port, "counter-01", None, tls=broker.tls("counter-01")
        )
        try:
            assert not device.connect().is_failure, "its certificate is its credential"
            assert not device.publish("mpp/device/counter-01/heartbeat", b"{}").is_failure
            denied = device.publish("mpp/device/admin/cmd", b"{}")
            assert denied.is_failure, "the ACL applies to the certificate's name"
        finally:
            device.stop()
        without = broker.link_settings("counter-01")
        without = dataclasses.replace(without, tls_cert_file=None, tls_key_file=None)
        line = refusal(without, link_log)
        assert "the broker wants a client certificate" in line, line
    finally:
        broker.stop()


def test_a_plain_lan_is_explicit_and_warned_about(tmp_path: Path) -> None:
    root = tmp_path / "inv"
    inventory = _inventory(
        root, "plain", {"counter-01": '[mqtt]\nsecurity = "plain"\n', "counter-02": ""}
    )
    result = subprocess.run(
        [sys.executable, "-m", "mpp.cli", "config", "validate", str(root)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert f"{root}/accounts.toml: mqtt.lan: warning: lan = 'plain'" in result.stderr
    assert (
        f"{root}/devices/counter-02.toml: mqtt.security: 'tls' but the site's LAN is 'plain'"
    ) in result.stderr
    assert inventory.device("counter-01").mqtt.port == 1883

    broker = start_local_broker(tmp_path / "site", inventory)
    try:
        assert broker.tls_dir is None and broker.rendered.ca_file is None
        conf = broker.rendered.conf.read_text()
        assert "cafile" not in conf and "passwords cross the LAN in clear text" in conf
        plain = RecordingClient(
            broker.host, broker.port, "counter-01", broker.password("counter-01")
        )
        try:
            assert not plain.connect().is_failure
        finally:
            plain.stop()
    finally:
        broker.stop()
