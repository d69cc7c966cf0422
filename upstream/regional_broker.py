"""A reference regional broker: the Mosquitto many site bridges connect to.

A province may run any MQTT 5 broker (a clustered EMQX, HiveMQ); what it must
enforce is what this configuration does, derived from the regional topics of
the registry (``protocol/topics.py``, ``broker="regional"``):

* each site's account (its site id) may publish its outbox items and its
  answers to bookings only under its own prefix ``mpp/site/{site_id}/``, and
  read only its own acknowledgements and bookings — so a site cannot write as
  another, and the receiver may trust the prefix;
* the receiver's account (role ``upstream``) reads every site's items and
  answers each on its prefix.

Used by the tests and the bench; ``mpp upstream broker render`` writes it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from firmware_config.credentials import CredentialStore
from mqtt_broker.render import BrokerSettings, broker_user, write_password_file
from mqtt_broker.runner import MosquittoProcess
from protocol.roles import Role
from protocol.topics import REGIONAL_BROKER, TOPICS

RECEIVER_ACCOUNT = "receiver"


def regional_acl() -> str:
    """Sites by ``pattern`` (their user name is their site id); the receiver by ``user``."""
    site_lines: list[str] = []
    receiver_lines: list[str] = []
    for topic in TOPICS:
        if topic.broker != REGIONAL_BROKER:
            continue
        as_site = topic.template.format(
            **{name: ("%u" if name == "site_id" else "+") for name in topic.parameters}
        )
        as_receiver = topic.filter
        if Role.HUB in topic.publishers:
            site_lines.append(f"pattern write {as_site}")
        if Role.HUB in topic.readers:
            site_lines.append(f"pattern read {as_site}")
        if Role.UPSTREAM in topic.publishers:
            receiver_lines.append(f"topic write {as_receiver}")
        if Role.UPSTREAM in topic.readers:
            receiver_lines.append(f"topic read {as_receiver}")
    return (
        "# Generated from protocol/topics.py (regional topics). Do not edit.\n"
        f"user {RECEIVER_ACCOUNT}\n" + "\n".join(receiver_lines) + "\n\n"
        "# Every site account: its own prefix only.\n" + "\n".join(site_lines) + "\n"
    )


@dataclass
class RegionalBroker:
    conf: Path
    host: str
    port: int
    passwords: dict[str, str]
    process: MosquittoProcess
    ca_file: Path | None = None
    """The CA its listener's certificate is checked against (``None``: plain)."""

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop()


def render_regional(
    out_dir: Path,
    sites: list[str],
    port: int,
    store: CredentialStore,
    bind: str = "127.0.0.1",
    tls: tuple[Path, Path, Path] | None = None,
    run_as: str | None = None,
) -> RegionalBroker:
    """Write conf, password file and ACL for ``sites`` and the receiver into ``out_dir``.

    ``tls`` is (CA, certificate, key) of the regional broker's listener. Run as
    root, mosquitto drops to ``run_as`` (default: the caller, for tests), and the
    password file, ACL and data directory are handed to that user.
    """
    user = run_as or getpass.getuser()
    owner = broker_user(BrokerSettings(run_as=user)) if os.geteuid() == 0 else None
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "data").mkdir(exist_ok=True)
    passwords = store.ensure([RECEIVER_ACCOUNT, *sites], {})
    write_password_file(out_dir / "passwd", passwords, owner)
    (out_dir / "acl").write_text(regional_acl(), encoding="utf-8")
    (out_dir / "acl").chmod(0o640)
    if owner is not None:
        for path in (out_dir / "acl", out_dir / "data"):
            os.chown(path, owner.uid, owner.gid)
    lines = [
        "# A reference regional broker for MPP site bridges (mpp upstream broker render).",
        "per_listener_settings false",
        f"user {user}" if os.geteuid() == 0 else "# user: the caller (not started as root)",
        "allow_anonymous false",
        f"password_file {(out_dir / 'passwd').resolve()}",
        f"acl_file {(out_dir / 'acl').resolve()}",
        "persistence true",
        f"persistence_location {(out_dir / 'data').resolve()}/",
        "autosave_interval 60",
        "persistent_client_expiration 14d",
        "max_queued_messages 10000",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "log_type information",
        "connection_messages true",
        f"listener {port} {bind}",
        "protocol mqtt",
    ]
    if tls is not None:
        ca, cert, key = tls
        lines += [f"cafile {ca}", f"certfile {cert}", f"keyfile {key}", "tls_version tlsv1.2"]
    conf = out_dir / "mosquitto.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return RegionalBroker(
        conf, bind, port, passwords, MosquittoProcess(conf, port, bind), tls[0] if tls else None
    )
