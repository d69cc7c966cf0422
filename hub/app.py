"""The hub process: composition root wiring store, queue service and MQTT link.

``start()`` reads as its steps: rebuild state, connect, subscribe, publish
everything, start the ticker. All commands, ticks and publications run on the
link's single worker thread, so the queue is never touched by two threads.
The same thread sends systemd's watchdog pings (:mod:`hub.health`), and a
full store makes the hub degraded, not dead (:mod:`hub.storage_watch`).

The hub treats every device as possibly hostile: it answers a command only
on the reply topic of the account that sent it (the device id or admin
account in the command's topic, which the broker ties to the credential),
whatever MQTT Response Topic the command carries; its inbox serves the
senders in turn, valid messages first (:class:`protocol.inbox.FairInbox`);
a sender's refused or invalid traffic is stored and logged only up to a
budget; and a sender flooding faster than the hub reads is not listened to
for a while (:mod:`hub.flood`) — which is why the hub subscribes each
account's topics one by one rather than with wildcards.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from paho.mqtt.properties import Properties

from firmware_config.credentials import UPSTREAM_ACCOUNT
from firmware_config.inventory import Inventory
from hub.booking_intake import BookingIntake, room_records
from hub.booking_store import SqliteBookings
from hub.bookings import BookingSource
from hub.clock import Clock, SystemClock
from hub.device_watch import DeviceWatch
from hub.dispatch.booking_reserve import ROOM_DAYS, booking_room
from hub.flood import FloodGuard, Pauses
from hub.health import Notifier, Watchdog
from hub.publisher import StatePublisher
from hub.reports.handler import ReportDesk
from hub.service import Outcome, QueueService
from hub.signature_requests import SignatureAsker, pads_by_counter
from hub.site.schema import Site
from hub.storage_watch import LOG_EVERY_S, StorageWatch
from hub.store import EventStore, StorageFullError, StoreError
from hub.uplink.sender import UplinkSender
from hub.uplink.streams import device_health_entry
from protocol.codec import Decoded
from protocol.errors import ContractError, ErrorCode
from protocol.inbox import FairInbox
from protocol.link import Handler, MqttLink
from protocol.models import (
    AdminCommand,
    AdminReportGet,
    Command,
    ComplaintStatusUpdate,
    DeviceStatus,
    Heartbeat,
    Presence,
    Reply,
    ReplyError,
)
from protocol.models import BookingRoom as BookingRoomRecord
from protocol.presence import hub_presence
from protocol.roles import Role
from protocol.topics import TopicSpec, resolve, spec
from protocol.version import software_version

log = logging.getLogger(__name__)

# Where the answer to a command on each command topic goes, and the topic
# parameter naming its sender.
REPLY_TO: dict[str, tuple[str, str]] = {
    "device.cmd": ("device.reply", "device_id"),
    "device.signature": ("device.reply", "device_id"),
    "admin.cmd": ("admin.reply", "account"),
}


@dataclass(frozen=True)
class HubSettings:
    tick_s: float = 1.0
    republish_s: float = 60.0
    storage_log_every_s: float = LOG_EVERY_S  # how often a full store is said again
    health_every_s: float = 900.0  # how often a device health summary is queued upstream


def account_roles(inventory: Inventory) -> dict[str, Role]:
    roles = {device.device_id: device.role for device in inventory.devices}
    roles.update({admin.username: Role.ADMIN for admin in inventory.admins})
    return roles


class HubApp:
    def __init__(
        self,
        site: Site,
        inventory: Inventory,
        store: EventStore,
        link: MqttLink,
        clock: Clock | None = None,
        bookings: BookingSource | None = None,
        settings: HubSettings | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.site = site
        self.clock = clock or SystemClock()
        self.settings = settings or HubSettings()
        self.flood = FloodGuard()
        roles = account_roles(inventory)
        pads = pads_by_counter(inventory.devices)
        self.devices = DeviceWatch(roles)
        self.reports = ReportDesk(site, store.path, roles)
        self.presence = self.devices.presence
        self.service = QueueService(
            site,
            store,
            roles,
            self.clock,
            bookings=bookings,
            flood=self.flood,
            devices=self.devices,
            pads=pads,
        )
        self.notifier = notifier or Notifier(None)
        self.storage = StorageWatch(
            store, self._degradation_changed, self.settings.storage_log_every_s
        )
        self.link = link
        self.watchdog = Watchdog.for_systemd(self.notifier, link.call_soon)
        self.pauses = Pauses()
        self.inbox = FairInbox(on_overflow=self._on_overflow)
        link.use_inbox(self.inbox)
        self._listens = self._topics_of(inventory)
        upstream = self._listens.setdefault(UPSTREAM_ACCOUNT, [])
        upstream.append((spec("upstream.complaints"), {}, self._on_complaint_status))
        if isinstance(bookings, SqliteBookings):  # online bookings pushed by upstream
            intake = BookingIntake(
                bookings, link, self.clock, lambda: self._publish_all(), self._booking_room
            )
            upstream.append((spec("upstream.bookings"), {}, intake.on_push))
        link.announce_as(
            hub_presence(site.id, software_version(), self.storage.degradations),
            on_connected=self._on_connected,
            on_invalid=self._on_invalid,
        )
        self.publisher = StatePublisher(site, self.link, frozenset(self.devices.roles))
        self.publisher.bookings_today = self.service.decider.bookings_today
        self.signatures = SignatureAsker(site, self.link, pads)
        self.uplink = UplinkSender(
            inventory.site_id, store, link, self.clock, enabled=store.outbox.limits.upstream
        )
        self.uplink_alert: str | None = None
        self._last_health = time.monotonic()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="hub-ticker", daemon=True)
        self._last_republish = 0.0

    def start(self, wait: float | None = 10.0) -> None:
        """Rebuild the state and connect.

        With ``wait``, return once the state is published (or raise); with
        ``None`` return at once: the link keeps trying to reach the broker,
        and :attr:`ready` is set when it first has (``mpp hub run``, which a
        service manager may start before the broker).
        """
        self.service.open()
        self.storage.update()
        for sender in self._listens:
            self._listen(sender)
        self.uplink.start()
        self.link.start(wait=wait)
        if self.watchdog is not None:
            self.watchdog.start()  # pings from the worker, also while the broker is away
        if wait is not None and not self.ready.wait(wait):
            raise TimeoutError("hub did not publish its state in time")

    def stop(self) -> None:
        """Stop ticking, say ``offline`` (retained), disconnect, close the store.

        Each step is bounded (the link's by about a second), so a service
        manager's stop never has to escalate to SIGKILL.
        """
        self._stop.set()
        self.notifier.stopping()
        if self.watchdog is not None:
            self.watchdog.stop()
        if self._ticker.is_alive():
            self._ticker.join(5)
        self.reports.stop()
        self.link.stop()
        self.flood.dropped(self.inbox.take_dropped())
        self.flood.report(final=True)
        self.service.store.close()

    def _topics_of(
        self, inventory: Inventory
    ) -> dict[str, list[tuple[TopicSpec, dict[str, str], Handler]]]:
        """What the hub reads from each account: its commands, and a device's status and
        heartbeat (they teach the hub the device's clock, hub/clock_offsets.py)."""
        listens: dict[str, list[tuple[TopicSpec, dict[str, str], Handler]]] = {}
        for device in inventory.devices:
            params = {"device_id": device.device_id}
            listens[device.device_id] = [
                (spec("device.cmd"), params, self._on_command),
                (spec("device.status"), params, self._on_status),
                (spec("device.heartbeat"), params, self._on_heartbeat),
            ]
            if spec("device.signature").publishers & {device.role}:
                listens[device.device_id].append(
                    (spec("device.signature"), params, self._on_command)
                )
        for admin in inventory.admins:
            params = {"account": admin.username}
            listens[admin.username] = [(spec("admin.cmd"), params, self._on_admin)]
        return listens

    def _listen(self, sender: str) -> None:
        for topic_spec, params, handler in self._listens[sender]:
            self.link.subscribe(topic_spec, handler, **params)

    def _on_overflow(self, sender: str) -> None:
        """(Network thread.) ``sender`` filled its inbox lane: stop listening to it at
        once — every message the broker queues for the hub meanwhile is one more
        the others' wait behind — and pause it on the worker."""
        self._stop_listening(sender)
        self.link.call_soon(lambda: self._pause(sender))

    def _stop_listening(self, sender: str) -> None:
        for topic_spec, params, _handler in self._listens.get(sender, []):
            self.link.unsubscribe(topic_spec, **params)

    # -- on the link's worker thread ---------------------------------------------

    def _count_burst(self, sender: str) -> None:
        """One more refused, invalid, repeated or read-only message of ``sender``: a
        flood past the burst limit is paused like one that overflows its inbox lane."""
        if self.flood.burst(sender) and not self.pauses.paused(sender):
            self._stop_listening(sender)
            self._pause(sender)

    def _pause(self, sender: str) -> None:
        """Keep not listening to a flooding sender for a while: the broker discards its
        messages instead of queueing them for the hub ahead of everyone's."""
        if sender not in self._listens:
            return
        seconds = self.pauses.pause(sender)
        if seconds is None:
            return
        resume = threading.Timer(seconds, self.link.call_soon, args=(self._resume_due,))
        resume.daemon = True
        resume.start()
        log.warning(
            "%s sends faster than the hub can read: not listening to it for %.0f s",
            sender,
            seconds,
        )

    def _resume_due(self) -> None:
        for sender in self.pauses.due():
            self._listen(sender)
            self.inbox.rearm(sender)
            log.info("listening to %s again", sender)

    def _on_connected(self) -> None:
        self.uplink.reconnected()
        self._publish_all()
        self.uplink.pump()

    def _booking_room(self) -> list[BookingRoomRecord]:
        """What the booking system may still book per service and day (its push's answer)."""
        now = self.clock.now()
        ahead = self.service.decider.bookings_ahead(now, ROOM_DAYS)
        return room_records(booking_room(self.site, self.service.state, ahead, now))

    def _publish_all(self) -> None:
        self.publisher.publish_all(self.service.state, self.clock.now())
        self._last_republish = time.monotonic()
        if not self.ready.is_set():
            self.ready.set()
            self._ticker.start()  # once, on this thread: the first publication
            self.notifier.ready(self._status_text())

    def _on_command(self, decoded: Decoded, properties: Properties | None) -> None:
        command = decoded.message
        assert isinstance(command, Command)
        self.devices.heard(command.device_id, self.clock.now())
        reply_to = _reply_to(decoded.spec, decoded.params)
        self._answer(reply_to, properties, lambda: self.service.handle(command), command)

    def _on_admin(self, decoded: Decoded, properties: Properties | None) -> None:
        command = decoded.message
        assert isinstance(command, AdminCommand)
        reply_to = _reply_to(decoded.spec, decoded.params)
        if isinstance(command, AdminReportGet):  # counted off this worker: hub/reports/handler.py
            reply_spec, params = reply_to
            self.reports.ask(
                command, lambda reply: self.link.answer(reply_spec, reply, properties, **params)
            )
            return
        self._answer(reply_to, properties, lambda: self.service.handle_admin(command), command)

    def _answer(
        self,
        reply_to: tuple[TopicSpec, dict[str, str]],
        properties: Properties | None,
        handle: object,
        command: Command | AdminCommand,
    ) -> None:
        reply_spec, params = reply_to
        sender = next(iter(params.values()))  # the account the reply topic names
        command_id = command.command_id
        try:
            outcome: Outcome = handle()  # type: ignore[operator]
        except StorageFullError:
            self.storage.update()  # the status and a line a minute say it, not each command
            self.link.answer(
                reply_spec,
                Reply(
                    command_id=command_id,
                    ok=False,
                    error=ReplyError(
                        code=ErrorCode.STORAGE_FULL,
                        message="hub storage is full; nothing was done, try again later",
                    ),
                ),
                properties,
                **params,
            )
            return
        except Exception:
            log.exception("command %s failed inside the hub", command_id)
            self.link.answer(
                reply_spec,
                Reply(
                    command_id=command_id,
                    ok=False,
                    error=ReplyError(code=ErrorCode.INTERNAL, message="hub error; try again"),
                ),
                properties,
                **params,
            )
            return
        # Committed: show the call first (the display is what a citizen waits for),
        # then answer the device, then refresh the retained state.
        self.publisher.publish_calls(self.service.state, outcome.events)
        self.link.answer(reply_spec, outcome.reply, properties, **params)
        if outcome.duplicate or not outcome.reply.ok or not outcome.events:
            self._count_burst(sender)  # a refusal, a repeat or a read: cheap, so counted
        if outcome.events:
            self.publisher.publish_changes(
                self.service.state, outcome.events, self.clock.now(), calls_published=True
            )
            self.publisher.publish_controls(self.service.state, outcome.events)
            self.signatures.publish(self.service.state, outcome.events)
            self.publisher.publish_log(self.service.state, outcome.events)
            self.uplink.pump()  # a rating or complaint goes up at once when the link is up
        for device_id, message in outcome.to_devices:  # a counter's OK / Ulangi for its pad
            self.link.publish(spec("device.sign_request"), message, device_id=device_id)
        self.service.snapshot_if_due()

    def _on_complaint_status(self, decoded: Decoded, properties: Properties | None) -> None:
        """A complaint's status from upstream: stored (hub/complaints.py), then answered on
        ``upstream.reply`` with the update's Correlation Data."""
        update = decoded.message
        assert isinstance(update, ComplaintStatusUpdate)
        try:
            answer, events = self.service.complaint_status(update, UPSTREAM_ACCOUNT)
        except StorageFullError:
            self.storage.update()
            return  # unanswered: upstream sends it again later
        if answer.ok and events:
            log.info("complaint %s is now %s", update.complaint_id, update.status.value)
        elif not answer.ok:
            log.warning("upstream status for %s refused: %s", update.complaint_id, answer.error)
        self.link.answer(spec("upstream.reply"), answer, properties)
        if events:
            self.publisher.publish_log(self.service.state, events)

    def _on_invalid(self, topic: str, error: ContractError, properties: Properties | None) -> None:
        """A payload that broke the contract. On a command topic: an error reply on
        the sender's reply topic, and within the sender's budget an audit event.
        Anything else (a garbled status is no command) is only counted and, within
        the budget, logged."""
        try:
            topic_spec, params = resolve(topic)
        except ContractError:
            return  # not a topic of the contract: the hub did not subscribe to it
        sender = params.get("device_id") or params.get("account") or "?"
        self._count_burst(sender)
        if topic_spec.key not in REPLY_TO:
            if self.flood.rejected(sender, "invalid", storable=False).log:
                log.warning("invalid message on %s ignored: %s", topic[:120], error)
            return
        correlation = getattr(properties, "CorrelationData", None)
        command_id = error.command_id or (
            uuid.UUID(bytes=bytes(correlation)) if correlation and len(correlation) == 16 else None
        )
        outcome = self.service.reject_invalid(
            sender, "invalid", error.code, error.message, command_id
        )
        reply_spec, reply_params = _reply_to(topic_spec, params)
        self.link.answer(reply_spec, outcome.reply, properties, **reply_params)
        if outcome.events:
            self.publisher.publish_log(self.service.state, outcome.events)

    def _on_status(self, decoded: Decoded, _properties: Properties | None) -> None:
        status = decoded.message
        assert isinstance(status, DeviceStatus)
        self.devices.status(status, self.clock.now())
        if status.state is Presence.ONLINE:  # a will carries the time of its connect
            self.service.heard_from(
                status.device_id, status.sent_at, status.session, live=not decoded.retained
            )
            if status.device_id in self.signatures.pads.values():  # back: ask it again
                self.signatures.resend(self.service.state, status.device_id, self.clock.now())

    def _on_heartbeat(self, decoded: Decoded, _properties: Properties | None) -> None:
        beat = decoded.message
        assert isinstance(beat, Heartbeat)
        self.devices.heartbeat(beat, self.clock.now())
        self.service.heard_from(beat.device_id, beat.sent_at)

    def _tick(self) -> None:
        self.flood.dropped(self.inbox.take_dropped())
        self.flood.report()
        try:
            events = self.service.tick()
        except StorageFullError:
            events = []  # retried on a later tick, once the store has room
        self.storage.update()
        now = self.clock.now()
        if time.monotonic() - self._last_republish >= self.settings.republish_s:
            self._publish_all()
        elif events:
            self.publisher.publish_changes(self.service.state, events, now)
        if events:
            self.signatures.publish(self.service.state, events)
            self.publisher.publish_log(self.service.state, events)
        self._queue_device_health(now)
        self.uplink.pump()
        self._watch_uplink(now)

    def _queue_device_health(self, now: datetime) -> None:
        """Every ``health_every_s``, a summary of the devices goes into the outbox (only
        with an upstream: it is about now, not history worth keeping for later)."""
        if not self.uplink.enabled:
            return
        if time.monotonic() - self._last_health < self.settings.health_every_s:
            return
        self._last_health = time.monotonic()
        overview = self.service.overview(self.service.state, now)
        devices = [
            {
                "device_id": device.device_id,
                "role": device.role.value,
                "online": device.online,
                "last_seen": device.last_seen.isoformat() if device.last_seen else None,
                "software_version": device.software_version,
                "cpu_temp_c": device.cpu_temp_c,
                "problems": {  # only what is not OK: a few hundred bytes a device
                    name: state.detail or state.health.value
                    for name, state in device.hardware.items()
                    if state.health.value != "ok"
                },
            }
            for device in overview.devices
        ]
        with contextlib.suppress(StoreError):  # full: the next summary says the same, newer
            self.service.store.enqueue(device_health_entry(devices, now))

    def _watch_uplink(self, now: datetime) -> None:
        """Say when the outbox's backlog becomes (or stops being) an alert."""
        alert = self.service.store.outbox.alert(now)
        if alert == self.uplink_alert:
            return
        if alert is not None and self.uplink_alert is None:
            log.warning("uplink backlog: %s (is the internet or the regional broker down?)", alert)
        elif alert is None:
            log.info("uplink backlog back to normal")
        self.uplink_alert = alert
        self.notifier.status(self._status_text())

    def _degradation_changed(self) -> None:
        """The store became full or writable again: republish the retained birth."""
        self.link.update_presence()
        self.notifier.status(self._status_text())

    def _status_text(self) -> str:
        """One line for ``systemctl status``."""
        if self.storage.full:
            return "degraded: storage full, commands answered storage_full"
        if self.uplink_alert is not None:
            return f"serving {self.site.name}; uplink backlog: {self.uplink_alert}"
        return f"serving {self.site.name}"

    def _tick_loop(self) -> None:
        while not self._stop.wait(self.settings.tick_s):
            self.link.call_soon(self._tick)


def _reply_to(command_spec: TopicSpec, params: dict[str, str]) -> tuple[TopicSpec, dict[str, str]]:
    """The reply topic of the account that sent a command on ``command_spec``."""
    reply_key, name = REPLY_TO[command_spec.key]
    return spec(reply_key), {name: params[name]}
