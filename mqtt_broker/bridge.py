"""The site broker's bridge to the regional broker (hub.toml ``[upstream]``).

The hub talks to its own Mosquitto only; the bridge carries exactly these
topics across, remapped under the site's prefix ``mpp/site/{site_id}/``:

* out: the outbox's items (``mpp/uplink/item/+``) and the hub's answers to
  bookings pushes (``mpp/upstream/reply``);
* in: upstream's acknowledgements (``mpp/uplink/ack``), online bookings
  (``mpp/upstream/bookings``) and complaints' status (``mpp/upstream/complaints``).

Nothing else crosses: device commands, state and presence stay in the
building. The bridge keeps a persistent session on the regional broker
(``cleansession false``), so acknowledgements and bookings published while
the site was away wait there; but it is transport only — Mosquitto's bridge
queue is in memory and bounded, so the outbox (hub/uplink/) is the buffer.

Why a bridge rather than the hub dialling upstream itself: one credential and
one TLS connection per site, kept by the broker that is up whenever the
building is; the hub's code stays one link to its own broker; and a province
running a clustered MQTT 5 broker (EMQX, HiveMQ) sees each site as one client.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmware_config.credentials import CredentialStore
from firmware_config.schema import UplinkConfig
from protocol.topics import ROOT, spec

UPLINK_SECRET = "uplink"  # noqa: S105 - the store entry holding the regional password
CONNECTION_NAME = "mpp-uplink"
LOCAL_PREFIX = f"{ROOT}/"

# (local topic key, direction): what crosses, named through the registry.
CROSSING: tuple[tuple[str, str], ...] = (
    ("uplink.item", "out"),
    ("uplink.ack", "in"),
    ("upstream.bookings", "in"),
    ("upstream.complaints", "in"),
    ("upstream.reply", "out"),
)


class BridgeError(RuntimeError):
    """The bridge cannot be written (no password for the regional account)."""


@dataclass(frozen=True)
class Bridge:
    text: str
    site_id: str
    account: str
    tls: bool


def remote_prefix(site_id: str) -> str:
    """``mpp/site/{site_id}/``: where this site's topics live on the regional broker."""
    return f"{ROOT}/site/{site_id}/"


def bridge_lines(site_id: str, upstream: UplinkConfig, password: str) -> Bridge:
    """The ``connection`` section of mosquitto.conf."""
    account = upstream.account or site_id
    if "\n" in password or " " in password:
        raise BridgeError("the uplink password may not contain spaces or line breaks")
    lines = [
        "# Bridge to the regional broker (hub.toml [upstream]), written by `mpp broker render`.",
        "# Transport only: the hub's outbox keeps every item until upstream acknowledges it.",
        f"connection {CONNECTION_NAME}",
        f"address {upstream.host}:{upstream.port}",
        "bridge_protocol_version mqttv50",
        f"remote_clientid {account}",
        f"remote_username {account}",
        f"remote_password {password}",
        "# Persistent session upstream: what is published for this site while it is away waits.",
        "cleansession false",
        "local_cleansession false",
        "start_type automatic",
        "restart_timeout 5 60",
        "keepalive_interval 60",
        "notifications false",
        "try_private true",
    ]
    if upstream.tls_ca is not None:
        lines += [
            f"bridge_cafile {upstream.tls_ca}",
            "bridge_tls_version tlsv1.2",
            "bridge_insecure false",
        ]
    else:
        lines.append(
            "# Plain MQTT to the regional broker (no tls_ca in hub.toml): test benches only."
        )
    lines.append("# Only these topics cross, under this site's prefix upstream:")
    for key, direction in CROSSING:
        pattern = spec(key).filter.removeprefix(LOCAL_PREFIX)
        lines.append(
            f"topic {pattern} {direction} {spec(key).qos} {LOCAL_PREFIX} {remote_prefix(site_id)}"
        )
    return Bridge("\n".join(lines) + "\n", site_id, account, upstream.tls_ca is not None)


def uplink_password(store: CredentialStore) -> str:
    stored = store.load().get(UPLINK_SECRET)
    if not stored:
        raise BridgeError(
            f"{store.path}: no password for this site's account on the regional broker; "
            "keep it with `mpp upstream password` (reads standard input), then render again"
        )
    return stored
