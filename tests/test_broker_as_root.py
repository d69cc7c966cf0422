"""``mpp broker render`` as Debian runs it: started as root, mosquitto drops to ``mosquitto``.

The real mosquitto is started on the rendered configuration, unchanged. As
root (CI, a technician with ``sudo``) it drops to the ``mosquitto`` user
before it opens the password file and the ACL, and it saves its persistence
database as that user; as any other user it keeps the caller's user and the
files stay the caller's own. Either way a device must connect with its
rendered password and be held to the ACL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import Inventory
from mpp.cli import main
from mqtt_broker.render import BrokerSettings, RenderedBroker, broker_paths, render_broker
from mqtt_broker.runner import MosquittoProcess, free_port
from protocol.tls import tls_files_in
from tests.mqtt_client import RecordingClient

LOOPBACK = "127.0.0.1"
BAD_CREDENTIALS = 134  # MQTT 5 "Bad user name or password"
NOT_AUTHORISED = 135  # MQTT 5 "Not authorized"
DEVICE = "counter-01"


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user may traverse (pytest's own tmp dirs are 0700 as root)."""
    directory = Path(tempfile.mkdtemp(prefix="mpp-broker-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _as_root() -> bool:
    return os.geteuid() == 0


def _broker_user() -> tuple[int, int]:
    """The uid and gid mosquitto will run as once started by the current user."""
    if not _as_root():
        return os.geteuid(), os.getegid()
    try:
        user = pwd.getpwnam("mosquitto")
    except KeyError:
        pytest.fail(
            "user `mosquitto` is missing: `sudo apt-get install mosquitto` creates it",
            pytrace=False,
        )
    return user.pw_uid, user.pw_gid


def _settings(directory: Path) -> BrokerSettings:
    """The default settings (``user mosquitto``) on free loopback ports."""
    return BrokerSettings(
        lan_port=free_port(),
        lan_bind=LOOPBACK,
        san=(LOOPBACK,),
        local_port=free_port(),
        persistence_dir=directory / "data",
    )


def _render(directory: Path, inventory: Inventory, settings: BrokerSettings) -> RenderedBroker:
    store = CredentialStore(directory / "secrets" / "mqtt-credentials.json")
    return render_broker(inventory, directory / "etc", settings, store)


def _uid_of(pid: int) -> int:
    """Real uid of a running process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line in /proc/{pid}/status")


def _owner_and_mode(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)


def test_mosquitto_reads_the_rendered_files_as_the_user_it_runs_as(
    open_dir: Path, inventory: Inventory
) -> None:
    uid, gid = _broker_user()
    settings = _settings(open_dir)
    rendered = _render(open_dir, inventory, settings)

    assert "user mosquitto" in rendered.conf.read_text().splitlines()
    for secret in (rendered.password_file, rendered.acl_file):
        assert _owner_and_mode(secret) == (uid, gid, 0o640), secret
    assert rendered.tls is not None
    hub_key = rendered.conf.parent / "hub.key"
    assert _owner_and_mode(hub_key) == (uid, gid, 0o600), "the broker's copy of the hub key"
    assert stat.S_IMODE(rendered.tls.ca_key.stat().st_mode) == 0o600
    if _as_root():
        assert rendered.warnings == ()
        assert _owner_and_mode(settings.persistence_dir)[:2] == (uid, gid)
    else:
        settings.persistence_dir.mkdir()  # a caller's own directory, as before

    process = MosquittoProcess(rendered.conf, rendered.lan_port, LOOPBACK)
    process.start()
    try:
        assert process.pid is not None
        assert _uid_of(process.pid) == uid, process.log_text()

        # Over TLS: mosquitto, as its user, read the hub's certificate and key too.
        tls = tls_files_in(rendered.tls.directory)
        port = rendered.lan_port
        device = RecordingClient(LOOPBACK, port, DEVICE, rendered.passwords[DEVICE], tls=tls)
        impostor = RecordingClient(LOOPBACK, port, DEVICE, "not-its-password", tls=tls)
        try:
            reason = device.connect()
            assert reason is not None and not reason.is_failure, process.log_text()
            # Mosquitto answers a QoS 1 publish the ACL forbids with "Not authorized".
            denied = device.publish("mpp/device/counter-02/cmd", b"{}")
            assert denied.value == NOT_AUTHORISED, "the ACL was read"
            assert not device.publish(f"mpp/device/{DEVICE}/cmd", b"{}").is_failure
            refused = impostor.connect()
            assert refused is not None and refused.value in (BAD_CREDENTIALS, NOT_AUTHORISED)
        finally:
            device.stop()
            impostor.stop()
    finally:
        process.stop()

    saved = settings.persistence_dir / "mosquitto.db"
    assert saved.is_file(), f"mosquitto saved nothing:\n{process.log_text()}"
    assert saved.stat().st_uid == uid
    # Mosquitto 2.0.16+ warns when these files are world readable or not its own.
    assert "Warning: File" not in process.log_text()


def test_root_render_warns_when_mosquitto_cannot_reach_the_files(
    tmp_path: Path, inventory: Inventory
) -> None:
    if not _as_root():
        pytest.skip(f"only root hands the files to another user (running as uid {os.geteuid()})")
    _broker_user()
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    rendered = _render(hidden, inventory, _settings(hidden))
    assert rendered.warnings, "mosquitto could not open a file under a 0700 root directory"
    assert all("mosquitto" in warning for warning in rendered.warnings)
    assert any(str(hidden) in warning for warning in rendered.warnings)


def test_root_without_the_broker_user_is_one_clear_error(
    open_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    out = open_dir / "etc"
    code = main(
        [
            "broker",
            "render",
            "--inventory",
            str(Path(__file__).resolve().parent.parent / "firmware_config"),
            "--out",
            str(out),
            "--secrets",
            str(open_dir / "creds.json"),
            "--persistence-dir",
            str(open_dir / "data"),
            "--run-as",
            "mpp-no-such-user",
        ]
    )
    assert code == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert "mpp-no-such-user" in err[0] and "does not exist" in err[0]
    assert not out.exists() and not (open_dir / "data").exists()


def test_broker_paths_are_what_the_config_names(open_dir: Path) -> None:
    """Read: password file and ACL; write in: persistence and a log file's directory."""
    existing_log = open_dir / "old.log"
    existing_log.touch()
    conf = "\n".join(
        [
            "# password_file /commented/out",
            "password_file /etc/mpp/passwd",
            "acl_file /etc/mpp/acl",
            "persistence_location /var/lib/mpp-broker/",
            "log_dest stderr",
            f"log_dest file {open_dir}/logs/mosquitto.log",
            f"log_dest file {existing_log}",
        ]
    )
    assert list(broker_paths(conf)) == [
        (Path("/etc/mpp/passwd"), os.R_OK),
        (Path("/etc/mpp/acl"), os.R_OK),
        (Path("/var/lib/mpp-broker"), os.W_OK | os.X_OK),
        (open_dir / "logs", os.W_OK | os.X_OK),
        (existing_log, os.W_OK),
    ]
