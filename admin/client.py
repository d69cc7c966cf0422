"""The console's MQTT 5 client: connect as the admin account, ask the hub, watch the bus.

Small and strict, so that every failure is one clear sentence:

* the broker refusing the password (CONNACK), or not answering at all;
* an account that may not use the admin topics (a device's credentials): the
  broker refuses the subscription to the account's reply topic (SUBACK);
* the hub not answering within the timeout: said together with what its
  retained status says (offline since …, or never seen);
* a refusal by the hub: its error code and message (:class:`HubRefusedError`).

Requests carry MQTT 5 Response Topic + Correlation Data; the hub answers only
on ``mpp/admin/{account}/reply``. Incoming payloads are decoded with
:mod:`protocol.codec` on paho's thread and handed to a queue.
"""

from __future__ import annotations

import contextlib
import queue
import ssl
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from admin.connection import ConsoleSettings
from protocol.codec import Decoded, decode, encode
from protocol.errors import ContractError, ErrorCode
from protocol.link import disable_nagle
from protocol.models import AdminCommand, HubStatus, Presence, Reply
from protocol.tls import ReportingContext, TlsSetupError, describe_failure
from protocol.topics import TopicSpec, spec


class ConsoleError(RuntimeError):
    """Anything the console cannot do, as one sentence for the admin."""

    exit_code = 1


class BrokerError(ConsoleError):
    """The broker cannot be reached or refused the account."""

    exit_code = 4


class NotAuthorisedError(ConsoleError):
    exit_code = 5


class HubUnavailableError(ConsoleError):
    """No answer from the hub in time: it may be down (the command may or may not apply)."""

    exit_code = 6


class HubRefusedError(ConsoleError):
    """The hub answered with an error; nothing was changed."""

    exit_code = 3

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"refused ({code.value}): {message}")
        self.code = code


Listener = Callable[[Decoded], None]


class AdminClient:
    """One connection of the console; ``with AdminClient(settings) as client: …``."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        self.account = settings.account
        self._connack: queue.Queue[ReasonCode | str] = queue.Queue()
        self._subacks: dict[int, queue.Queue[list[ReasonCode]]] = {}
        self._pubacks: dict[int, queue.Queue[ReasonCode]] = {}
        self._pending: dict[bytes, queue.Queue[Reply]] = {}
        self._listeners: list[tuple[str, Listener]] = []
        self._lock = threading.Lock()
        self.hub_status: HubStatus | None = None
        self.hub_status_seen = threading.Event()
        self.connected = threading.Event()
        self.lost = threading.Event()  # the connection dropped after it was made
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.account,
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
        )
        self._client.username_pw_set(settings.account, settings.password)
        self._tls: ReportingContext | None = None
        if settings.tls is not None:
            try:
                self._tls = settings.tls.apply(self._client)
            except TlsSetupError as error:
                raise BrokerError(str(error)) from None
        self._client.on_socket_open = disable_nagle
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = lambda *_: self._connack.put("unreachable")
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_publish = self._on_publish
        self._client.on_message = self._on_message

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> AdminClient:
        self.connect()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Connect, subscribe the reply topic and the hub's status; raise a ConsoleError."""
        where = self.settings.where
        try:
            self._client.connect(self.settings.host, self.settings.port, keepalive=30)
        except (OSError, ValueError) as error:
            failure = self._tls.take_failure() if self._tls is not None else None
            if failure is not None or isinstance(error, ssl.SSLError):
                ca_file = self.settings.tls.ca_file if self.settings.tls else None
                line = describe_failure(failure or error, self.settings.host, ca_file)
                raise BrokerError(line) from None
            reason = getattr(error, "strerror", None) or str(error)
            raise BrokerError(f"cannot reach the broker at {where}: {reason}") from None
        self._client.loop_start()
        try:
            result = self._connack.get(timeout=self.settings.timeout_s)
        except queue.Empty:
            self.close()
            raise BrokerError(
                f"the broker at {where} did not answer within {self.settings.timeout_s:g} s"
            ) from None
        failure = self._tls.take_failure() if self._tls is not None else None
        if failure is not None:
            self.close()
            ca_file = self.settings.tls.ca_file if self.settings.tls else None
            raise BrokerError(describe_failure(failure, self.settings.host, ca_file))
        if isinstance(result, str) or result.is_failure:
            self.close()
            raise BrokerError(
                f"the broker at {where} refused {self.account}: {result} "
                "(check the account and its password)"
            )
        self.connected.set()
        self.subscribe(spec("admin.reply"), self._on_reply, account=self.account)
        self.subscribe(spec("hub.status"), self._on_hub_status)

    def reconnect(self) -> None:
        """Connect again after :attr:`lost` (another console of the same account took the
        connection over: the broker ties the client id to the account) and subscribe
        everything again; the broker sends the retained state anew."""
        self.lost.clear()
        self.connected.clear()
        self._client.loop_stop()  # paho's thread ended with the connection (no auto-reconnect)
        try:
            self._client.reconnect()
            self._client.loop_start()
        except (OSError, ValueError) as error:
            self.lost.set()
            where = self.settings.where
            raise BrokerError(f"cannot reach the broker at {where}: {error}") from None
        try:
            result = self._connack.get(timeout=self.settings.timeout_s)
        except queue.Empty:
            self.lost.set()
            raise BrokerError("the broker did not answer the reconnect") from None
        if isinstance(result, str) or result.is_failure:
            self.lost.set()
            raise BrokerError(f"the broker refused {self.account} on reconnect: {result}")
        self.connected.set()
        with self._lock:
            topics = {topic for topic, _listener in self._listeners}
        for topic in topics:
            self._client.subscribe(topic, qos=1)

    def peer_certificate_expiry(self) -> datetime | None:
        """When the certificate the broker presented expires (a TLS connection, verified
        against the site CA); None on a plain connection."""
        sock = self._client.socket()
        if not isinstance(sock, ssl.SSLSocket):
            return None
        certificate = sock.getpeercert()
        not_after = certificate.get("notAfter") if certificate else None
        if not isinstance(not_after, str):
            return None
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- subscriptions -------------------------------------------------------------------

    def subscribe(self, topic_spec: TopicSpec, listener: Listener, **params: str) -> None:
        """Receive ``topic_spec`` (all instances, or the one ``params`` name); checks the SUBACK."""
        topic = topic_spec.topic(**params) if params else topic_spec.filter
        with self._lock:
            self._listeners.append((topic, listener))
        waiter: queue.Queue[list[ReasonCode]] = queue.Queue()
        with self._lock:  # the SUBACK callback waits until the waiter is registered
            result, mid = self._client.subscribe(topic, qos=topic_spec.qos)
            if result == mqtt.MQTT_ERR_SUCCESS and mid is not None:
                self._subacks[mid] = waiter
        if result != mqtt.MQTT_ERR_SUCCESS or mid is None:
            raise BrokerError(f"cannot subscribe {topic}: {mqtt.error_string(result)}")
        try:
            codes = waiter.get(timeout=self.settings.timeout_s)
        except queue.Empty:
            raise BrokerError(f"the broker did not confirm the subscription to {topic}") from None
        if any(code.is_failure for code in codes):
            raise NotAuthorisedError(
                f"{self.account} may not read {topic} ({codes[0]}): "
                "it is not an admin account of this building (a device's credentials?)"
            )

    def subscribe_many(self, specs: Iterable[TopicSpec], listener: Listener) -> None:
        for topic_spec in specs:
            self.subscribe(topic_spec, listener)

    # -- requests -----------------------------------------------------------------------

    def command(self, model: type[AdminCommand], **fields: Any) -> AdminCommand:
        """A new admin command of this account (a malformed field: admin.usage.UsageError)."""
        from admin.usage import build_command

        return build_command(model, self.account, **fields)

    def request(self, command: AdminCommand, timeout: float | None = None) -> Reply:
        """Send ``command`` and return the hub's ok reply; raise HubRefusedError or
        HubUnavailableError."""
        timeout = timeout or self.settings.timeout_s
        correlation = command.command_id.bytes
        waiter: queue.Queue[Reply] = queue.Queue(maxsize=2)
        with self._lock:
            self._pending[correlation] = waiter
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = spec("admin.reply").topic(account=self.account)
        properties.CorrelationData = correlation
        properties.MessageExpiryInterval = max(1, int(timeout))
        command_spec = spec("admin.cmd")
        puback: queue.Queue[ReasonCode] = queue.Queue()
        mid = -1
        try:
            with self._lock:  # the PUBACK callback waits until the waiter is registered
                info = self._client.publish(
                    command_spec.topic(account=self.account),
                    encode(command, command_spec),
                    qos=command_spec.qos,
                    properties=properties,
                )
                mid = info.mid
                self._pubacks[mid] = puback
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise BrokerError(f"cannot send {command.type}: {mqtt.error_string(info.rc)}")
            try:
                acknowledged = puback.get(timeout=timeout)
            except queue.Empty:
                raise BrokerError(f"the broker did not take {command.type} in time") from None
            if acknowledged.is_failure:
                raise NotAuthorisedError(
                    f"the broker refused {command.type} from {self.account} ({acknowledged}): "
                    "it is not an admin account of this building (a device's credentials?)"
                )
            try:
                reply = waiter.get(timeout=timeout)
            except queue.Empty:
                raise HubUnavailableError(self._no_answer(command, timeout)) from None
        finally:
            with self._lock:
                self._pending.pop(correlation, None)
                self._pubacks.pop(mid, None)
        if not reply.ok:
            assert reply.error is not None
            raise HubRefusedError(reply.error.code, reply.error.message)
        return reply

    def _no_answer(self, command: AdminCommand, timeout: float) -> str:
        status = self.hub_status
        if status is None:
            state = "the broker holds no status of the hub: has `mpp hub run` ever run here?"
        elif status.state is Presence.OFFLINE:
            state = f"the hub is offline (session {status.session}); start it: mpp hub run"
        else:
            state = "the hub says it is online but did not answer; see its log"
        return f"no answer to {command.type} within {timeout:g} s: {state}"

    # -- paho callbacks (network thread) -------------------------------------------------

    def _on_connect(self, _c: Any, _u: Any, _f: Any, reason: ReasonCode, _p: Any) -> None:
        self._connack.put(reason)

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, reason: ReasonCode, _p: Any) -> None:
        if self.connected.is_set():
            self.lost.set()

    def _on_subscribe(
        self, _c: Any, _u: Any, mid: int, codes: list[ReasonCode], _p: Any
    ) -> None:
        with self._lock:
            waiter = self._subacks.pop(mid, None)
        if waiter is not None:
            waiter.put(list(codes))

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: ReasonCode, _p: Any) -> None:
        with self._lock:
            waiter = self._pubacks.pop(mid, None)
        if waiter is not None:
            waiter.put(reason)

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            decoded = decode(message.topic, message.payload)
        except ContractError:
            return  # not ours to judge; the hub logs what breaks the contract
        properties = getattr(message, "properties", None)
        with self._lock:
            listeners = [
                listener
                for topic, listener in self._listeners
                if mqtt.topic_matches_sub(topic, message.topic)
            ]
        for listener in listeners:
            if listener == self._on_reply:
                self._deliver(decoded, properties)
            else:
                listener(decoded)

    def _on_reply(self, decoded: Decoded) -> None:
        """Placeholder listener: replies are matched by correlation in :meth:`_deliver`."""

    def _deliver(self, decoded: Decoded, properties: Properties | None) -> None:
        correlation = getattr(properties, "CorrelationData", None)
        if correlation is None or not isinstance(decoded.message, Reply):
            return
        with self._lock:
            waiter = self._pending.get(bytes(correlation))
        if waiter is not None:
            with contextlib.suppress(queue.Full):
                waiter.put_nowait(decoded.message)

    def _on_hub_status(self, decoded: Decoded) -> None:
        if isinstance(decoded.message, HubStatus):
            self.hub_status = decoded.message
            self.hub_status_seen.set()


def local_time(moment: datetime | None, zone: str) -> str:
    """``13.05`` in the site's time zone (the glossary's way of writing times)."""
    if moment is None:
        return "—"
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%H.%M")
