"""The registry of topics: the one place where a topic string is spelled.

Each :class:`TopicSpec` says which models may travel on it, who publishes and
who reads it, whether it is retained, and how large a payload may be. The
codec, the subscriptions of hub and devices, the broker ACL and the AsyncAPI
document are all derived from :data:`TOPICS`.

Parameters in ``{braces}`` stand for one topic level. ``device_id`` and
``account`` name the publishing account itself: a device may only use its
own id there, which the rendered ACL enforces.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from protocol.errors import UnknownTopicError
from protocol.models import (
    ADMIN_COMMANDS,
    DEVICE_COMMANDS,
    SIGNATURE_COMMANDS,
    Announcements,
    BookingsPush,
    BookingsStored,
    CallEvent,
    Catalogue,
    ComplaintStatusStored,
    ComplaintStatusUpdate,
    CounterStatus,
    DeviceControl,
    DeviceStatus,
    Envelope,
    Heartbeat,
    HubStatus,
    LogEntry,
    RecentCalls,
    Reply,
    Resync,
    ServiceStatus,
    SignatureButton,
    SignatureClosed,
    SignatureRequest,
    SignatureSubmit,
    UplinkAck,
    UplinkItem,
)
from protocol.models.fields import (
    DEVICE_ID_PATTERN,
    SERVICE_CODE_PATTERN,
)
from protocol.models.signature import SIGNATURE_MAX_BYTES
from protocol.models.uplink import ITEM_MAX_BYTES, STREAM_PATTERN
from protocol.roles import DEVICE_ROLES, Role

ROOT = "mpp"
DEFAULT_MAX_BYTES = 16 * 1024

# Parameters that name the account publishing or reading the topic itself,
# and the roles for which they do.
SELF_PARAMETER_ROLES: dict[str, frozenset[Role]] = {
    "device_id": DEVICE_ROLES,
    "account": frozenset({Role.ADMIN}),
}
SELF_PARAMETERS = frozenset(SELF_PARAMETER_ROLES)

PARAMETER_PATTERNS: dict[str, str] = {
    "device_id": DEVICE_ID_PATTERN,
    "account": DEVICE_ID_PATTERN,
    "counter": r"^[1-9][0-9]{0,2}$",
    "service": SERVICE_CODE_PATTERN,
    "stream": STREAM_PATTERN,
    "site_id": DEVICE_ID_PATTERN,
}

PARAMETER_DESCRIPTIONS: dict[str, str] = {
    "device_id": "Device id, equal to the device's MQTT user name.",
    "account": "Admin account name, equal to its MQTT user name.",
    "counter": "Counter (loket) number.",
    "service": "Service (layanan) code.",
    "stream": "Outbox stream: complaints, ratings, surveys, signatures, daily_stats, "
    "device_health.",
    "site_id": "Site id (accounts.toml), also the site's account on the regional broker.",
}

SITE_BROKER = "site"
REGIONAL_BROKER = "regional"

_COMMAND_SENDERS = frozenset({Role.KIOSK, Role.COUNTER, Role.SIGNATURE_PAD})
_STATE_READERS = frozenset(
    {Role.COUNTER, Role.DISPLAY, Role.RUNNING_TEXT, Role.KIOSK, Role.SIGNATURE_PAD, Role.ADMIN}
)


@dataclass(frozen=True)
class TopicSpec:
    """One topic of the contract and everything the system derives from it."""

    key: str
    template: str
    messages: tuple[type[Envelope], ...]
    publishers: frozenset[Role]
    readers: frozenset[Role]
    retained: bool
    description: str
    qos: int = 1
    max_bytes: int = DEFAULT_MAX_BYTES
    broker: str = SITE_BROKER
    """Where the topic lives: the site's Mosquitto, or the regional broker upstream
    (reached through the site broker's bridge, ``mpp broker render``)."""
    parameters: tuple[str, ...] = field(init=False)
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple(
            name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None
        )
        unknown = set(names) - set(PARAMETER_PATTERNS)
        if unknown:
            raise ValueError(f"{self.key}: undeclared topic parameters {sorted(unknown)}")
        object.__setattr__(self, "parameters", names)
        pattern = re.escape(self.template)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/+#]+)")
        object.__setattr__(self, "_regex", re.compile(f"^{pattern}$"))

    @property
    def message_types(self) -> dict[str, type[Envelope]]:
        """Map of the ``type`` literal to its model, for the codec."""
        return {model.message_type(): model for model in self.messages}

    @property
    def filter(self) -> str:
        """The subscription filter matching every instance of this topic."""
        return self.template.format(**dict.fromkeys(self.parameters, "+"))

    def topic(self, **params: str | int) -> str:
        """Build a concrete topic, checking each parameter against its pattern."""
        if set(params) != set(self.parameters):
            raise ValueError(
                f"{self.key} needs parameters {sorted(self.parameters)}, got {sorted(params)}"
            )
        for name, value in params.items():
            if not re.match(PARAMETER_PATTERNS[name], str(value)):
                raise ValueError(f"{self.key}: {name}={value!r} is not a valid topic level")
        return self.template.format(**params)

    def match(self, topic: str) -> dict[str, str] | None:
        """The parameters of ``topic`` if it is an instance of this spec, else ``None``."""
        found = self._regex.match(topic)
        if found is None:
            return None
        params = found.groupdict()
        for name, value in params.items():
            if not re.match(PARAMETER_PATTERNS[name], value):
                return None
        return params

    def acl_topic(self, role: Role, username: str) -> str:
        """The topic (or filter) that ``username`` of ``role`` may use for this spec.

        Devices and admins get their own id in place of a self parameter;
        every other parameter becomes ``+``.
        """
        values: dict[str, str] = {}
        for name in self.parameters:
            own = role in SELF_PARAMETER_ROLES.get(name, frozenset())
            values[name] = username if own else "+"
        return self.template.format(**values)


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        key="uplink.item",
        template=f"{ROOT}/uplink/item/{{stream}}",
        messages=(UplinkItem,),
        publishers=frozenset({Role.HUB}),
        readers=frozenset(),  # only the bridge (no account: complaints carry contacts)
        retained=False,
        max_bytes=ITEM_MAX_BYTES,
        description=(
            "The hub's outbox, one item at a time per stream until upstream acknowledges it. "
            "The site broker's bridge carries it to the regional broker as "
            "`regional.item`; no account on the site may read it."
        ),
    ),
    TopicSpec(
        key="uplink.ack",
        template=f"{ROOT}/uplink/ack",
        messages=(UplinkAck,),
        publishers=frozenset(),  # only the bridge: no account on the site may write it
        readers=frozenset({Role.HUB}),
        retained=False,
        description=(
            "Upstream's acknowledgement of outbox items (`regional.ack` brought in by the "
            "bridge): the hub forgets the stream's items up to `through`. No account on the "
            "site may publish it."
        ),
    ),
    TopicSpec(
        key="regional.item",
        template=f"{ROOT}/site/{{site_id}}/uplink/item/{{stream}}",
        messages=(UplinkItem,),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.UPSTREAM}),
        retained=False,
        max_bytes=ITEM_MAX_BYTES,
        broker=REGIONAL_BROKER,
        description=(
            "On the regional broker: a site's outbox items (`uplink.item` remapped by the "
            "site's bridge under its own prefix); `mpp upstream run` stores them."
        ),
    ),
    TopicSpec(
        key="regional.ack",
        template=f"{ROOT}/site/{{site_id}}/uplink/ack",
        messages=(UplinkAck,),
        publishers=frozenset({Role.UPSTREAM}),
        readers=frozenset({Role.HUB}),
        retained=False,
        broker=REGIONAL_BROKER,
        description="On the regional broker: the receiver's acknowledgements to one site.",
    ),
    TopicSpec(
        key="regional.bookings",
        template=f"{ROOT}/site/{{site_id}}/upstream/bookings",
        messages=(BookingsPush,),
        publishers=frozenset({Role.UPSTREAM}),
        readers=frozenset({Role.HUB}),
        retained=False,
        max_bytes=64 * 1024,
        broker=REGIONAL_BROKER,
        description=(
            "On the regional broker: online bookings for one site; its bridge brings them "
            "to the hub's `upstream.bookings`."
        ),
    ),
    TopicSpec(
        key="regional.complaints",
        template=f"{ROOT}/site/{{site_id}}/upstream/complaints",
        messages=(ComplaintStatusUpdate,),
        publishers=frozenset({Role.UPSTREAM}),
        readers=frozenset({Role.HUB}),
        retained=False,
        broker=REGIONAL_BROKER,
        description=(
            "On the regional broker: status updates of one site's complaints; its bridge "
            "brings them to the hub's `upstream.complaints`."
        ),
    ),
    TopicSpec(
        key="regional.reply",
        template=f"{ROOT}/site/{{site_id}}/upstream/reply",
        messages=(BookingsStored,),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.UPSTREAM}),
        retained=False,
        broker=REGIONAL_BROKER,
        description="On the regional broker: a site hub's answers to bookings pushes.",
    ),
    TopicSpec(
        key="upstream.bookings",
        template=f"{ROOT}/upstream/bookings",
        messages=(BookingsPush,),
        publishers=frozenset({Role.UPSTREAM}),
        readers=frozenset({Role.HUB}),
        retained=False,
        max_bytes=64 * 1024,  # MAX_BOOKINGS_PER_PUSH at their longest fit
        description=(
            "Online bookings for the coming days and cancellations, from the booking "
            "system (`mpp upstream bookings push` is a reference publisher). Codes are "
            "checked against the site's booking key; the hub answers on `upstream.reply` "
            "once they are on disk."
        ),
    ),
    TopicSpec(
        key="upstream.complaints",
        template=f"{ROOT}/upstream/complaints",
        messages=(ComplaintStatusUpdate,),
        publishers=frozenset({Role.UPSTREAM}),
        readers=frozenset({Role.HUB}),
        retained=False,
        description=(
            "Status updates of complaints the hub recorded (SP4N-LAPOR), from upstream "
            "(`mpp upstream complaints status` is a reference publisher). Stored as events; "
            "the hub answers on `upstream.reply` once they are on disk."
        ),
    ),
    TopicSpec(
        key="upstream.reply",
        template=f"{ROOT}/upstream/reply",
        messages=(BookingsStored, ComplaintStatusStored),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.UPSTREAM}),
        retained=False,
        description=(
            "The hub's answer to a bookings push or a complaint status update, "
            "Correlation Data echoed."
        ),
    ),
    TopicSpec(
        key="device.status",
        template=f"{ROOT}/device/{{device_id}}/status",
        messages=(DeviceStatus,),
        publishers=DEVICE_ROLES,
        readers=frozenset({Role.HUB, Role.ADMIN}),
        retained=True,
        description="Birth on connect and last-will on loss of a device.",
    ),
    TopicSpec(
        key="device.heartbeat",
        template=f"{ROOT}/device/{{device_id}}/heartbeat",
        messages=(Heartbeat,),
        publishers=DEVICE_ROLES,
        readers=frozenset({Role.HUB, Role.ADMIN}),
        retained=False,
        qos=0,
        description="Periodic health of a device: uptime, CPU temperature, memory.",
    ),
    TopicSpec(
        key="device.cmd",
        template=f"{ROOT}/device/{{device_id}}/cmd",
        messages=DEVICE_COMMANDS + SIGNATURE_COMMANDS,
        publishers=_COMMAND_SENDERS,
        readers=frozenset({Role.HUB}),
        retained=False,
        description=(
            "Commands of a device to the hub (MQTT 5 request: Response Topic + Correlation "
            "Data). Retry with the same command_id until answered or expires_at; never after."
        ),
    ),
    TopicSpec(
        key="device.reply",
        template=f"{ROOT}/device/{{device_id}}/reply",
        messages=(Reply,),
        publishers=frozenset({Role.HUB}),
        readers=_COMMAND_SENDERS,
        retained=False,
        description=(
            "The hub's replies to this device's commands, Correlation Data echoed. The hub "
            "answers a device only here, whatever Response Topic the request set."
        ),
    ),
    TopicSpec(
        key="device.control",
        template=f"{ROOT}/device/{{device_id}}/control",
        messages=(DeviceControl,),
        publishers=frozenset({Role.HUB}),
        readers=DEVICE_ROLES,
        retained=False,
        description=(
            "An admin's request to one device, forwarded by the hub: identify (blink, beep "
            "or flash), restart the agent, report the hardware (republish the birth)."
        ),
    ),
    TopicSpec(
        key="device.signature",
        template=f"{ROOT}/device/{{device_id}}/signature",
        messages=(SignatureSubmit,),
        publishers=frozenset({Role.SIGNATURE_PAD, Role.COUNTER}),
        readers=frozenset({Role.HUB}),
        retained=False,
        max_bytes=SIGNATURE_MAX_BYTES,
        description=(
            "A citizen's signature (strokes and their SHA-256) for a ticket, a command like "
            "those on device.cmd (MQTT 5 request, retried with the same command_id) on a topic "
            "of its own for its size; answered on device.reply."
        ),
    ),
    TopicSpec(
        key="device.sign_request",
        template=f"{ROOT}/device/{{device_id}}/sign",
        messages=(SignatureRequest, SignatureButton, SignatureClosed),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.SIGNATURE_PAD, Role.COUNTER}),
        retained=False,
        description=(
            "The hub asks the pad of a counter for the signature for a ticket handed over "
            "(again when the pad comes back online); the pad answers with signature.submit "
            "on device.signature. The counter's OK / Ulangi reach the pad here "
            "(signature.button), and signature.closed ends the asking (stored, waived by "
            "the officer, expired)."
        ),
    ),
    TopicSpec(
        key="hub.status",
        template=f"{ROOT}/hub/status",
        messages=(HubStatus,),
        publishers=frozenset({Role.HUB}),
        readers=DEVICE_ROLES | {Role.ADMIN},
        retained=True,
        description="Birth and last-will of the hub; devices wait for online.",
    ),
    TopicSpec(
        key="hub.control",
        template=f"{ROOT}/hub/control",
        messages=(Resync,),
        publishers=frozenset({Role.HUB}),
        readers=DEVICE_ROLES,
        retained=False,
        description="Broadcast control from the hub, e.g. resync after a hub restart.",
    ),
    TopicSpec(
        key="state.counter",
        template=f"{ROOT}/state/counter/{{counter}}",
        messages=(CounterStatus,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=True,
        description="State of one counter: open/paused/closed and its current ticket.",
    ),
    TopicSpec(
        key="state.service",
        template=f"{ROOT}/state/service/{{service}}",
        messages=(ServiceStatus,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=True,
        description="Waiting count, estimated wait and availability of one service.",
    ),
    TopicSpec(
        key="state.catalogue",
        template=f"{ROOT}/state/catalogue",
        messages=(Catalogue,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=True,
        max_bytes=64 * 1024,
        description="Agencies, services and ticket categories, for kiosks and displays.",
    ),
    TopicSpec(
        key="state.calls",
        template=f"{ROOT}/state/calls",
        messages=(RecentCalls,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=True,
        max_bytes=64 * 1024,
        description="The latest calls, so a restarted display is never blank.",
    ),
    TopicSpec(
        key="state.announcements",
        template=f"{ROOT}/state/announcements",
        messages=(Announcements,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=True,
        description="Running-text announcements set by the admin.",
    ),
    TopicSpec(
        key="event.call",
        template=f"{ROOT}/event/call",
        messages=(CallEvent,),
        publishers=frozenset({Role.HUB}),
        readers=_STATE_READERS,
        retained=False,
        description="Each call and recall, to be shown and announced once per display.",
    ),
    TopicSpec(
        key="event.log",
        template=f"{ROOT}/event/log",
        messages=(LogEntry,),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.ADMIN}),
        retained=False,
        description=(
            "Each event of the hub's log once committed, as one readable line with what to "
            "filter it by (agency, counter, device, account): `mpp admin tail` and `top`."
        ),
    ),
    TopicSpec(
        key="admin.cmd",
        template=f"{ROOT}/admin/{{account}}/cmd",
        messages=ADMIN_COMMANDS,
        publishers=frozenset({Role.ADMIN}),
        readers=frozenset({Role.HUB}),
        retained=False,
        description="Admin console commands to the hub.",
    ),
    TopicSpec(
        key="admin.reply",
        template=f"{ROOT}/admin/{{account}}/reply",
        messages=(Reply,),
        publishers=frozenset({Role.HUB}),
        readers=frozenset({Role.ADMIN}),
        retained=False,
        max_bytes=256 * 1024,
        description=(
            "The hub's replies to this admin account's commands, Correlation Data echoed; "
            "the only topic the hub answers the account on."
        ),
    ),
)

TOPICS_BY_KEY: dict[str, TopicSpec] = {spec.key: spec for spec in TOPICS}


def spec(key: str) -> TopicSpec:
    """The spec registered under ``key`` (e.g. ``"device.cmd"``)."""
    return TOPICS_BY_KEY[key]


def resolve(topic: str) -> tuple[TopicSpec, dict[str, str]]:
    """The spec a concrete topic belongs to, and its parameters."""
    for candidate in TOPICS:
        params = candidate.match(topic)
        if params is not None:
            return candidate, params
    raise UnknownTopicError(f"topic {topic[:200]!r} is not part of the contract")
