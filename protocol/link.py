"""The MQTT link every process uses: presence, validated publish, subscribe, request.

One small class over paho-mqtt 2.x (MQTT 5) so that hub and devices share the
same rules instead of each getting them slightly wrong:

* Presence: before every (re)connect a retained ``offline`` last-will with a
  new session number is registered; after the CONNACK the retained ``online``
  birth with the same number is published. :meth:`stop` publishes ``offline``
  itself, since a clean disconnect does not fire the will.
* Incoming payloads are decoded by :mod:`protocol.codec` on paho's network
  thread (cheap) and handed to one worker thread through an inbox
  (:mod:`protocol.inbox`), so a slow or failing handler can never stall or
  kill the network loop. Devices use a plain FIFO; the hub a fair inbox, so
  one flooding device cannot make the others wait.
* :meth:`request` sends a command with MQTT 5 Response Topic + Correlation
  Data (the command id) and waits for the matching reply; :meth:`answer`
  replies on the topic the *contract* names for the sender, never on a topic
  the request chose.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from protocol.codec import Decoded, decode, encode
from protocol.errors import ContractError
from protocol.inbox import FifoInbox, Inbox
from protocol.models import Command, Envelope, Reply
from protocol.models.admin import AdminCommand
from protocol.tls import ReportingContext, TlsFiles, describe_failure
from protocol.topics import TopicSpec

log = logging.getLogger(__name__)

# A LAN broker comes back within seconds: retry often, so a device shows OFFLINE
# no longer than it has to (paho doubles the delay up to this after each failure).
RECONNECT_MAX_S = 3
# While the broker cannot be reached, say so at least this often (a state, not an error).
WAITING_LOG_EVERY_S = 9.0

Handler = Callable[[Decoded, Properties | None], None]
InvalidHandler = Callable[[str, ContractError, Properties | None], None]
PresenceFactory = Callable[[bool, int], Envelope]


def disable_nagle(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Turn on TCP_NODELAY: paho leaves Nagle on, which with delayed ACKs adds
    ~40 ms to every small request and reply (measured in bench/broker_floor.py)."""
    if hasattr(sock, "setsockopt"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class LinkError(RuntimeError):
    """The link could not do what was asked (not connected, refused, timed out)."""


class RequestTimeoutError(LinkError, TimeoutError):
    """No reply arrived in time; the command may or may not have been applied."""


class RequestCancelledError(LinkError):
    """The link is stopping: waiting for the reply was given up."""


_CANCELLED = object()  # put in a waiter's queue by cancel_requests()


@dataclass(frozen=True)
class LinkSettings:
    """Where and as whom to connect."""

    host: str
    port: int
    username: str
    password: str
    keepalive_s: int = 15
    tls_ca_file: str | None = None
    """The site CA: TLS (1.2+) to the LAN listener, hub verified against it, when set."""
    tls_cert_file: str | None = None
    """This client's certificate and key, for sites with mutual TLS."""
    tls_key_file: str | None = None

    def with_tls(self, files: TlsFiles | None) -> LinkSettings:
        """The same settings over TLS with ``files`` (unchanged for ``None``)."""
        if files is None:
            return self
        return replace(
            self,
            tls_ca_file=files.ca_file,
            tls_cert_file=files.cert_file,
            tls_key_file=files.key_file,
        )

    @property
    def tls(self) -> TlsFiles | None:
        if self.tls_ca_file is None:
            return None
        return TlsFiles(self.tls_ca_file, self.tls_cert_file, self.tls_key_file)


@dataclass(frozen=True)
class Presence:
    """Where to announce this client and how to build its birth/death payloads."""

    spec: TopicSpec
    params: dict[str, str]
    make: PresenceFactory  # (online, session) -> payload


@dataclass
class _Subscription:
    spec: TopicSpec
    handler: Handler
    params: dict[str, str] = field(default_factory=dict)
    topic_filter: str = field(init=False)
    exact: bool = field(init=False)  # no wildcard: matched by comparing strings (cheap)

    def __post_init__(self) -> None:
        self.topic_filter = self.spec.topic(**self.params) if self.params else self.spec.filter
        self.exact = not ({"+", "#"} & set(self.topic_filter))

    def matches(self, topic: str) -> bool:
        if self.exact:
            return self.topic_filter == topic
        return bool(mqtt.topic_matches_sub(self.topic_filter, topic))


def _ignore(_decoded: Decoded, _properties: Properties | None) -> None:
    """A handler that is never called (for looking subscriptions up)."""


class MqttLink:
    """A paho-mqtt client speaking the contract; safe to use from any thread."""

    def __init__(
        self,
        settings: LinkSettings,
        presence: Presence | None = None,
        on_invalid: InvalidHandler | None = None,
        on_connected: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.presence = presence
        self.on_invalid = on_invalid
        self.on_connected = on_connected
        self.connected = threading.Event()
        self._stopping = False
        self.session = 0
        self.attempts = 0  # failed connection attempts since the last success
        self._last_waiting_log = float("-inf")
        self._last_why = ""
        self._subscriptions: list[_Subscription] = []
        self._pending: dict[bytes, queue.Queue[Any]] = {}
        self._read_as: dict[str, type[Envelope]] = {}  # topic key -> narrower model
        self._lock = threading.Lock()
        self._inbox: Inbox = FifoInbox()
        self._worker = threading.Thread(target=self._work, name="mqtt-link-worker", daemon=True)
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.username,
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=True,
        )
        self._client.username_pw_set(settings.username, settings.password)
        self._tls: ReportingContext | None = None
        if settings.tls is not None:
            self._tls = settings.tls.apply(self._client)
        self._client.reconnect_delay_set(min_delay=1, max_delay=RECONNECT_MAX_S)
        self._client.on_socket_open = disable_nagle
        self._client.on_pre_connect = self._on_pre_connect
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_message = self._on_message

    def announce_as(
        self,
        presence: Presence,
        on_connected: Callable[[], None] | None = None,
        on_invalid: InvalidHandler | None = None,
    ) -> None:
        """Set the birth/will this link announces (before :meth:`start`).

        Agents and the hub receive their link from their composition root and
        say here who they are; the connection settings stay the root's business.
        """
        self.presence = presence
        if on_connected is not None:
            self.on_connected = on_connected
        if on_invalid is not None:
            self.on_invalid = on_invalid

    def use_inbox(self, inbox: Inbox) -> None:
        """Queue incoming messages in ``inbox`` instead of a FIFO (before :meth:`start`)."""
        self._inbox = inbox

    # -- lifecycle -----------------------------------------------------------------

    def start(self, wait: float | None = None) -> None:
        """Connect in the background; with ``wait``, block until connected or fail."""
        self._worker.start()
        self._client.connect_async(
            self.settings.host, self.settings.port, keepalive=self.settings.keepalive_s
        )
        self._client.loop_start()
        if wait is not None and not self.connected.wait(wait):
            raise LinkError(
                f"not connected to {self.settings.host}:{self.settings.port} as "
                f"{self.settings.username} within {wait} s"
            )

    def stop(self, timeout: float = 1.0) -> None:
        """Publish ``offline`` (if connected), disconnect and stop the threads.

        Bounded by ``timeout`` per step: a service manager gives a stopping
        process a few seconds, and a broker that does not answer must not
        hold the device up (paho's thread is a daemon and dies with us).
        """
        self._stopping = True
        self.cancel_requests()
        if self.presence is not None and self.connected.is_set():
            info = self._publish_presence(online=False)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout)
        self._client.disconnect()
        stopper = threading.Thread(target=self._client.loop_stop, daemon=True)
        stopper.start()
        stopper.join(timeout)
        self._inbox.close()
        if self._worker.is_alive() and self._worker is not threading.current_thread():
            self._worker.join(timeout)

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    # -- publishing ----------------------------------------------------------------

    def publish(
        self,
        spec: TopicSpec,
        message: Envelope,
        properties: Properties | None = None,
        **params: Any,
    ) -> mqtt.MQTTMessageInfo:
        """Encode and publish ``message`` on ``spec`` with the spec's QoS and retain flag."""
        if type(message) not in spec.messages:
            raise TypeError(f"{type(message).__name__} is not allowed on {spec.key}")
        return self._client.publish(
            spec.topic(**params),
            encode(message, spec),
            qos=spec.qos,
            retain=spec.retained,
            properties=properties,
        )

    def answer(
        self,
        reply_spec: TopicSpec,
        reply: Reply,
        request_properties: Properties | None = None,
        **params: Any,
    ) -> mqtt.MQTTMessageInfo:
        """Answer a request on ``reply_spec`` (the sender's own reply topic).

        The request's Response Topic is deliberately not used: it is whatever
        the sender wrote, and publishing there with this client's rights would
        let a kiosk make the hub speak on ``mpp/event/call`` or on another
        device's reply topic. Its Correlation Data is echoed when present.
        """
        properties: Properties | None = None
        correlation = getattr(request_properties, "CorrelationData", None)
        if correlation:
            properties = Properties(PacketTypes.PUBLISH)
            properties.CorrelationData = correlation
        return self.publish(reply_spec, reply, properties=properties, **params)

    def request(
        self,
        spec: TopicSpec,
        command: Command | AdminCommand,
        reply_spec: TopicSpec,
        timeout: float,
        expiry_s: int | None = None,
        **params: Any,
    ) -> Reply:
        """Send ``command`` and wait for its reply on ``reply_spec``.

        The caller must have subscribed ``reply_spec`` with :meth:`expect_replies`.
        """
        correlation = command.command_id.bytes
        waiter: queue.Queue[Any] = queue.Queue(maxsize=2)
        with self._lock:
            self._pending[correlation] = waiter
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = reply_spec.topic(**params)
        properties.CorrelationData = correlation
        if expiry_s is not None:
            # The broker drops it if it cannot be delivered in time (MQTT 5).
            properties.MessageExpiryInterval = max(1, expiry_s)
        try:
            self.publish(spec, command, properties=properties, **params)
            reply = waiter.get(timeout=timeout)
            if reply is _CANCELLED:
                raise RequestCancelledError(f"{command.message_type()} given up: stopping")
            assert isinstance(reply, Reply)
            return reply
        except queue.Empty:
            raise RequestTimeoutError(
                f"no reply to {command.message_type()} {command.command_id} in {timeout} s"
            ) from None
        finally:
            with self._lock:
                self._pending.pop(correlation, None)

    def cancel_requests(self) -> None:
        """Wake every :meth:`request` still waiting; they raise RequestCancelledError."""
        with self._lock:
            waiters = list(self._pending.values())
        for waiter in waiters:
            with contextlib.suppress(queue.Full):
                waiter.put_nowait(_CANCELLED)

    def update_presence(self) -> None:
        """Republish the retained birth (e.g. a printer ran out of paper)."""
        if self.presence is not None and self.connected.is_set():
            self._publish_presence(online=True)

    def call_soon(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the worker thread: after the messages already queued (FIFO),
        or in its own turn among the senders' (fair inbox).

        Handlers and jobs never run concurrently, so state they share needs no lock.
        """
        self._inbox.put(job)

    # -- subscribing ---------------------------------------------------------------

    def subscribe(self, spec: TopicSpec, handler: Handler, **params: str) -> None:
        """Call ``handler`` for every valid message on ``spec`` (all instances by default)."""
        subscription = _Subscription(spec, handler, dict(params))
        with self._lock:
            self._subscriptions.append(subscription)
        if self.connected.is_set():
            self._client.subscribe(subscription.topic_filter, qos=spec.qos)

    def unsubscribe(self, spec: TopicSpec, **params: str) -> None:
        """Stop receiving ``spec`` (with these parameters): the broker stops sending it."""
        topic_filter = _Subscription(spec, _ignore, dict(params)).topic_filter
        with self._lock:
            self._subscriptions = [s for s in self._subscriptions if s.topic_filter != topic_filter]
        if self.connected.is_set():
            self._client.unsubscribe(topic_filter)

    def expect_replies(
        self, reply_spec: TopicSpec, read_as: type[Reply] | None = None, **params: str
    ) -> None:
        """Subscribe this client's reply topic so :meth:`request` can be used.

        ``read_as``: a narrower reply model to validate the replies with (a
        device's :class:`~protocol.models.replies.DeviceReply`).
        """
        if read_as is not None:
            self._read_as[reply_spec.key] = read_as
        self.subscribe(reply_spec, self._deliver_reply, **params)

    # -- paho callbacks (network thread: keep them short) ---------------------------

    def _on_pre_connect(self, _client: mqtt.Client, _userdata: Any) -> None:
        self.session = max(self.session + 1, time.time_ns() // 1_000_000)
        if self.presence is not None:
            will = self.presence.make(False, self.session)
            self._client.will_set(
                self.presence.spec.topic(**self.presence.params),
                encode(will, self.presence.spec),
                qos=1,
                retain=True,
            )

    def _waiting(self, why: str) -> None:
        """Count a failed attempt; log it now and then, never as a traceback."""
        self.attempts += 1
        now = time.monotonic()
        if now - self._last_waiting_log >= WAITING_LOG_EVERY_S or why != self._last_why:
            self._last_waiting_log = now
            self._last_why = why
            log.warning("waiting for broker at %s (attempt %d): %s", self.where, self.attempts, why)

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        if self._stopping:
            return
        failure = self._tls.take_failure() if self._tls is not None else None
        if failure is not None:
            self._waiting(describe_failure(failure, self.settings.host, self.settings.tls_ca_file))
        else:
            self._waiting("unreachable")

    def _on_connect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if reason.is_failure:
            self._waiting(
                f"refused {self.settings.username}: {reason} (check its password and the ACL)"
            )
            return
        self.attempts = 0
        self._last_waiting_log = float("-inf")
        self._last_why = ""
        with self._lock:
            filters = {s.topic_filter: s.spec.qos for s in self._subscriptions}
        for topic_filter, qos in filters.items():
            self._client.subscribe(topic_filter, qos=qos)
        if self.presence is not None:
            self._publish_presence(online=True)
        self.connected.set()
        if self.on_connected is not None:
            self._inbox.put(self.on_connected)
        log.info("connected as %s (session %d)", self.settings.username, self.session)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _p: Any
    ) -> None:
        if self.connected.is_set():
            log.log(logging.INFO if self._stopping else logging.WARNING, "disconnected: %s", reason)
        elif not self._stopping and self._tls is not None:
            # Dropped before the CONNACK: a TLS refusal that came after the handshake.
            failure = self._tls.take_failure()
            if failure is not None:
                why = describe_failure(failure, self.settings.host, self.settings.tls_ca_file)
                self._waiting(why)
        self.connected.clear()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        properties = getattr(message, "properties", None)
        sender = self._inbox.lane_of(message.topic)
        if not self._inbox.admits(sender):
            return  # this sender's lanes are full: not even parsed (counted by the inbox)
        try:
            decoded = decode(message.topic, message.payload, self._read_as)
            if message.retain:
                decoded = replace(decoded, retained=True)
        except ContractError as error:
            on_invalid = self.on_invalid
            if on_invalid is None:
                log.warning("rejected message on %s: %s", message.topic[:120], error)
                return
            # The handler says what it does about it (and how often it says so).
            topic, rejected = message.topic, error
            self._inbox.put(lambda: on_invalid(topic, rejected, properties), sender, valid=False)
            return
        with self._lock:
            handlers = [s.handler for s in self._subscriptions if s.matches(message.topic)]
        for handler in handlers:
            self._inbox.put(lambda handler=handler: handler(decoded, properties), sender)

    # -- worker thread ---------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._inbox.get()
            if job is None:
                return
            try:
                job()
            except Exception:
                log.exception("handler failed; message dropped, link keeps running")

    def _deliver_reply(self, decoded: Decoded, properties: Properties | None) -> None:
        correlation = getattr(properties, "CorrelationData", None)
        if not isinstance(decoded.message, Reply) or correlation is None:
            return
        with self._lock:
            waiter = self._pending.get(bytes(correlation))
        if waiter is not None:
            with contextlib.suppress(queue.Full):
                waiter.put_nowait(decoded.message)

    def _publish_presence(self, online: bool) -> mqtt.MQTTMessageInfo:
        assert self.presence is not None
        payload = self.presence.make(online, self.session)
        return self.publish(self.presence.spec, payload, **self.presence.params)
