"""The queue service: commands in, durable events, replies out. No MQTT here.

For each command, in one SQLite transaction: answer a repeat with its stored
reply; check sender and expiry; decide; append the events; apply them; build
the reply and store it with the command id; commit. Only after the commit is
the reply returned (and so acknowledged to the device). If anything fails
before the commit, the transaction rolls back and the in-memory state is
rebuilt from the store, so memory never holds what the disk does not.

Stored replies belong to their sender: a repeat is recognised by (sender,
command id). Refused and invalid commands are always answered, but only the
first few of a sender per minute are stored and logged (:mod:`hub.flood`).
"""

from __future__ import annotations

import json
import logging
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from hub import officers
from hub.admin_commands import AdminDecider, find_ticket
from hub.advise import advise
from hub.bookings import BookingSource, NoBookings
from hub.clock import Clock
from hub.clock_offsets import ClockOffsets
from hub.complaints import ComplaintBook, record, status_change, view_of
from hub.day_end import missed_summary
from hub.decide import Decider, Decision, Refusal, Sender
from hub.device_watch import DeviceWatch
from hub.dispatch.policy import DispatchPolicy, policy_for
from hub.events import (
    AnnouncementsSet,
    CancelReason,
    CommandRejected,
    DayClosed,
    DayOpened,
    Event,
    SignaturesPurged,
    SignOutReason,
    TicketCalled,
    TicketCancelled,
)
from hub.flood import FloodGuard
from hub.overview import build_overview
from hub.queries import ticket_status
from hub.signature_requests import expired_asks, request_id, signature_asks
from hub.signatures import check_and_store, receipt, retention_cutoff
from hub.site.calendar import SiteCalendar
from hub.site.schema import Site
from hub.state import OPEN_STATES, QueueState
from hub.store import SNAPSHOT_EVERY, EventStore, StorageFullError
from hub.unclaimed_bookings import unclaimed_bookings
from hub.uplink.overview import uplink_overview
from hub.uplink.streams import daily_stats_entry
from hub.views import counter_view, ticket_view
from protocol.errors import ErrorCode
from protocol.models import (
    AdminAdvise,
    AdminCommand,
    AdminComplaintAdd,
    AdminComplaintList,
    AdminComplaintShow,
    AdminSignaturePurge,
    AdminStatus,
    AdminTicketFind,
    AdminTicketReceipt,
    AdminTicketStatus,
    Command,
    ComplaintSource,
    ComplaintStatusStored,
    ComplaintStatusUpdate,
    ComplaintSubmit,
    Envelope,
    HubOverview,
    Reply,
    ReplyError,
    SignatureButton,
    SignaturePress,
    SignatureSubmit,
    TicketStatusQuery,
)
from protocol.models.commands import MAX_CALL_VALIDITY_S
from protocol.roles import Role

log = logging.getLogger(__name__)
NIL = UUID(int=0)
DEDUP_WINDOW = timedelta(days=2)
MAX_CLOCK_SKEW = timedelta(minutes=5)  # a device clock further off is reported (once)
PURGE_BATCH = 200  # signatures purged per transaction (~0.1 s loaded: bench/signature_retention.py)
UNJUDGED_SLACK_S = 2.0  # before its offset is learned, how far ahead a device may stamp


@dataclass
class Outcome:
    """What handling one command produced."""

    reply: Reply
    events: list[Event] = field(default_factory=list)
    duplicate: bool = False
    to_devices: list[tuple[str, Envelope]] = field(default_factory=list)  # (device, message)


class QueueService:
    def __init__(
        self,
        site: Site,
        store: EventStore,
        roles: dict[str, Role],
        clock: Clock,
        policy: DispatchPolicy | None = None,
        bookings: BookingSource | None = None,
        flood: FloodGuard | None = None,
        devices: DeviceWatch | None = None,
        pads: dict[int, str] | None = None,
    ) -> None:
        self.site = site
        self._purged_on: date | None = None  # the day the retention purge last ran
        self.pads = dict(pads or {})  # counter → its signature pad (hub/signature_requests.py)
        self.flood = flood or FloodGuard()
        self.store = store
        self.roles = roles
        self.clock = clock
        self.calendar = SiteCalendar(site)
        self.decider = Decider(
            site, policy or policy_for(site.dispatch), bookings or NoBookings(), self.pads
        )
        self.state = QueueState()
        self._since_snapshot = 0
        self._skewed: set[str] = set()  # devices whose clock was last seen off
        self.clocks = ClockOffsets()
        self.devices = devices or DeviceWatch(roles)
        self.admin_decider = AdminDecider(site, roles, self.devices.online)
        self.complaints = ComplaintBook.load(store)

    # -- start-up ----------------------------------------------------------------

    def open(self) -> list[Event]:
        """Rebuild state from the latest snapshot plus the events after it.

        A full disk does not stop the start: the hub serves what it holds and
        writes the day roll-over once there is room.
        """
        self.state = self._rebuild()
        try:
            return self.tick()
        except StorageFullError:
            return []

    def _rebuild(self, level: int = logging.INFO) -> QueueState:
        """The state of the latest readable snapshot plus the events after it.

        A snapshot that does not parse is skipped for an older one (or a replay
        from the first event), with a warning, and a fresh snapshot is written
        soon to replace it. An event that does not parse or apply is a
        :class:`StoreError` naming its sequence number: the hub stops rather than
        serve a history with a hole in it.
        """
        state, skipped = self._latest_readable_snapshot()
        replayed = 0
        for seq, event in self.store.events_after(state.applied):
            try:
                state.apply(event, seq)
            except (KeyError, ValueError, TypeError, AttributeError) as error:
                why = f"{type(error).__name__}: {error}"
                raise self.store.bad_event(seq, event.kind, why) from None
            replayed += 1
        for counter in self.site.counters:
            state.counter(counter.number)
        self._since_snapshot = SNAPSHOT_EVERY if skipped else replayed
        log.log(level, "state rebuilt: snapshot at %d, %d events replayed", state.applied, replayed)
        return state

    def _latest_readable_snapshot(self) -> tuple[QueueState, int]:
        """The newest snapshot that parses (or an empty state), and how many were skipped."""
        skipped = 0
        for seq, text in self.store.snapshots():
            try:
                return QueueState.model_validate_json(text), skipped
            except ValueError as error:
                skipped += 1
                log.warning(
                    "snapshot at event %d is unreadable (%s); trying an older one",
                    seq,
                    str(error).splitlines()[0][:200],
                )
        if skipped:
            log.warning("no readable snapshot: replaying every event")
        return QueueState(), skipped

    # -- commands ----------------------------------------------------------------

    def handle(self, command: Command) -> Outcome:
        """Apply one device command exactly once and return the reply to send."""
        if isinstance(command, TicketStatusQuery):
            return self._ticket_status(command, command.device_id, lambda: self._sender(command))
        if isinstance(command, SignatureSubmit):
            return self._signature(command)
        if isinstance(command, ComplaintSubmit):
            return self._complaint(command, command.device_id, ComplaintSource.KIOSK)
        if isinstance(command, SignaturePress):
            return self._signature_press(command)
        stored = self.store.stored_reply(str(command.command_id), command.device_id)
        if stored is not None:
            return Outcome(Reply.model_validate_json(stored), duplicate=True)
        now = self.clock.now()
        rollover = self._day_events(now)
        try:
            sender = self._sender(command)
            self._check_expiry(command, now)
            decision = self._decide_after(rollover, command, sender, now)
            self._check_calls_have_expiry(command, decision)
            decision.events += signature_asks(
                self.site, self.pads, self.state, decision.events, now
            )
        except Refusal as refusal:
            return self._refuse(
                command.command_id,
                command.device_id,
                command.type,
                refusal,
                now,
                rollover,
                service=getattr(command, "service", None),  # a ticket.reserve turned away
            )
        return self._commit(
            rollover + decision.events,
            now,
            command.command_id,
            command.device_id,
            command.type,
            decision,
        )

    def _signature(self, command: SignatureSubmit) -> Outcome:
        """Store a citizen's signature, its ``signature.stored`` event and the reply in one
        transaction (hub/signatures.py). The strokes go to their own table, not the
        event: the event log stays small and carries only the hash."""
        stored = self.store.stored_reply(str(command.command_id), command.device_id)
        if stored is not None:
            return Outcome(Reply.model_validate_json(stored), duplicate=True)
        now = self.clock.now()
        rollover = self._day_events(now)
        if rollover:
            self._persist(rollover, now, None)
        events: list[Event] = []
        try:
            self._sender(command)
            role = self.roles[command.device_id]
            state = self.state
            with self.store.transaction(size_hint=len(command.model_dump_json())):
                accepted = check_and_store(self.site, state, self.store, command, role, now)
                if accepted.event is not None:
                    events.append(accepted.event)
                    (seq,) = self.store.append(events, state.day)
                    state.apply(accepted.event, seq)
                ticket = state.tickets.get(command.ticket_id)
                reply = Reply(
                    command_id=command.command_id,
                    ok=True,
                    ticket=ticket_view(self.site, ticket) if ticket else None,
                )
                self.store.record_command(
                    str(command.command_id),
                    command.device_id,
                    command.type,
                    now.isoformat(),
                    reply.model_dump_json(),
                )
        except Refusal as refusal:
            return self._refuse(command.command_id, command.device_id, command.type, refusal, now)
        except BaseException:
            if events:
                log.exception("signature commit failed; rebuilding state from the store")
                self.state = self._rebuild()
            raise
        self._since_snapshot += len(events)
        log.info(
            "signature for %s from %s stored (sha256 %s)%s",
            command.ticket_id,
            command.device_id,
            accepted.sha256[:12],
            " again" if accepted.again else "",
        )
        return Outcome(reply, events)

    def _signature_press(self, command: SignaturePress) -> Outcome:
        """OK / Ulangi on the counter unit: forwarded to the pad asked, nothing stored.

        A repeat forwards again; the pad ignores a button for a request it no
        longer shows, so a retried OK cannot send twice.
        """
        try:
            sender = self._sender(command)
            ask = self.state.signature_asks.get(command.ticket_id)
            if ask is None or ask.counter != sender.counter:
                raise Refusal(
                    ErrorCode.INVALID_STATE,
                    f"no signature is being asked for {command.ticket_id} at counter "
                    f"{sender.counter}",
                )
        except Refusal as refusal:
            return self._refused_read(command.command_id, command.device_id, command.type, refusal)
        button = SignatureButton(
            request_id=request_id(command.ticket_id),
            ticket_id=command.ticket_id,
            button=command.button,
        )
        log.info(
            "%s pressed %s for the signature for %s (pad %s)",
            command.device_id,
            command.button,
            command.ticket_id,
            ask.pad,
        )
        reply = Reply(command_id=command.command_id, ok=True)
        return Outcome(reply, to_devices=[(ask.pad, button)])

    def _complaint(
        self, command: ComplaintSubmit | AdminComplaintAdd, sender: str, source: ComplaintSource
    ) -> Outcome:
        """Record a complaint (hub/complaints.py): its event and the reply carrying its id
        in one transaction, once per (sender, command id)."""
        stored = self.store.stored_reply(str(command.command_id), sender)
        if stored is not None:
            return Outcome(Reply.model_validate_json(stored), duplicate=True)
        now = self.clock.now()
        rollover = self._day_events(now)
        try:
            if isinstance(command, ComplaintSubmit):
                self._sender(command)
            else:
                self._admin(command)
            event = record(
                self.site,
                self._current_state(now),
                self.store,
                self.complaints,
                category=command.category,
                text=command.text,
                contact=command.contact,
                ticket=command.ticket,
                service=getattr(command, "service", None),
                source=source,
                now=now,
            )
        except Refusal as refusal:
            return self._refuse(command.command_id, sender, command.type, refusal, now, rollover)
        events: list[Event] = [*rollover, event]

        def build() -> Reply:
            view = view_of(event)
            return Reply(command_id=command.command_id, ok=True, complaint=view)

        reply = self._persist(events, now, (command.command_id, sender, command.type, build))
        log.info(
            "complaint %s (%s) recorded from %s%s",
            event.complaint_id,
            event.category.value,
            sender,
            f" about {event.ticket_id}" if event.ticket_id else "",
        )
        assert reply is not None
        return Outcome(reply, events)

    def complaint_status(
        self, update: ComplaintStatusUpdate, sender: str
    ) -> tuple[ComplaintStatusStored, list[Event]]:
        """A status reported by upstream: stored as an event with its answer, once per
        (sender, command id); an unknown complaint id is answered, not stored."""
        stored = self.store.stored_reply(str(update.command_id), sender)
        if stored is not None:
            return ComplaintStatusStored.model_validate_json(stored), []
        now = self.clock.now()
        answer = ComplaintStatusStored(
            command_id=update.command_id, complaint_id=update.complaint_id, ok=True
        )
        try:
            event = status_change(self.complaints, update, now)
        except Refusal as refusal:
            refused = answer.model_copy(update={"ok": False, "error": refusal.message})
            return refused, []
        self._persist(
            [event], now, (update.command_id, sender, update.type, answer.model_dump_json())
        )
        return answer, [event]

    def _decide_after(
        self, rollover: list[Event], command: Command, sender: Sender, now: datetime
    ) -> Decision:
        if not rollover:
            return self.decider.decide(self.state, command, sender, now)
        projected = self.state.model_copy(deep=True)
        for event in rollover:
            projected.apply(event)
        return self.decider.decide(projected, command, sender, now)

    def handle_admin(self, command: AdminCommand) -> Outcome:
        """Apply one admin command once per (account, id), or answer a read afresh.

        A refused command is answered and, within the account's budget,
        recorded as ``command.rejected`` naming the account: nothing else changes.
        """
        if command.reads_only:
            return self._admin_read(command)
        if isinstance(command, AdminComplaintAdd):
            return self._complaint(command, command.account, ComplaintSource.ADMIN)
        if isinstance(command, AdminSignaturePurge):
            return self._admin_purge(command)
        stored = self.store.stored_reply(str(command.command_id), command.account)
        if stored is not None:
            return Outcome(Reply.model_validate_json(stored), duplicate=True)
        now = self.clock.now()
        rollover = self._day_events(now)
        try:
            self._admin(command)
            state = self.state
            if rollover:
                state = state.model_copy(deep=True)
                for event in rollover:
                    state.apply(event)
            decision = self.admin_decider.decide(state, command, now)
        except Refusal as refusal:
            return self._refuse(
                command.command_id, command.account, command.type, refusal, now, rollover
            )
        return self._commit(
            rollover + decision.events,
            now,
            command.command_id,
            command.account,
            command.type,
            decision,
        )

    # -- signature retention ----------------------------------------------------

    def _admin_purge(self, command: AdminSignaturePurge) -> Outcome:
        """The admin's purge now: every batch due, then the reply stored with its total."""
        stored = self.store.stored_reply(str(command.command_id), command.account)
        if stored is not None:
            return Outcome(Reply.model_validate_json(stored), duplicate=True)
        now = self.clock.now()
        try:
            self._admin(command)
        except Refusal as refusal:
            return self._refuse(command.command_id, command.account, command.type, refusal, now)
        total, events = 0, []
        while True:
            count, batch = self.purge_signatures(now, command.account)
            total, events = total + count, events + batch
            if count < PURGE_BATCH:
                break
        reply = Reply(command_id=command.command_id, ok=True, purged=total)
        with self.store.transaction():
            self.store.record_command(
                str(command.command_id),
                command.account,
                command.type,
                now.isoformat(),
                reply.model_dump_json(),
            )
        return Outcome(reply, events)

    def purge_signatures(
        self, now: datetime, account: str | None = None
    ) -> tuple[int, list[Event]]:
        """Empty the strokes of up to :data:`PURGE_BATCH` signatures past the site's
        retention (hub/signatures.py), with a ``signature.purged`` event when any were
        (or an admin asked), in one short transaction: the worker answers commands
        between batches, so a year's backlog never stalls a counter's press."""
        before = retention_cutoff(self.site, now)
        events: list[Event] = []
        try:
            with self.store.transaction():
                count = self.store.purge_signatures(before.isoformat(), PURGE_BATCH)
                if count or account:
                    events.append(
                        SignaturesPurged(at=now, before=before, count=count, account=account)
                    )
                    seqs = self.store.append(events, self.state.day)
                    for seq, event in zip(seqs, events, strict=True):
                        self.state.apply(event, seq)
        except BaseException:
            if events:
                self.state = self._rebuild()
            raise
        self._since_snapshot += len(events)
        if count:
            log.info("purged the strokes of %d signatures signed before %s", count, before)
        return count, events

    # -- reads (hub/queries.py): no event, no stored reply ---------------------

    def _current_state(self, now: datetime) -> QueueState:
        """The state as of ``now``: if the ticker has not opened the new day yet,
        answer as if it had."""
        rollover = self._day_events(now)
        if not rollover:
            return self.state
        state = self.state.model_copy(deep=True)
        for event in rollover:
            state.apply(event)
        return state

    def _admin_read(self, command: AdminCommand) -> Outcome:
        now = self.clock.now()
        try:
            self._admin(command)
            state = self._current_state(now)
            reply = Reply(command_id=command.command_id, ok=True)
            if isinstance(command, AdminTicketStatus):
                reply = reply.model_copy(
                    update={"ticket": ticket_status(self.site, state, command.ticket_id, now)}
                )
            elif isinstance(command, AdminTicketFind):
                found = find_ticket(state, command.ticket)
                view = ticket_status(self.site, state, found.ticket_id, now)
                reply = reply.model_copy(update={"ticket": view})
            elif isinstance(command, AdminStatus):
                reply = reply.model_copy(update={"overview": self.overview(state, now)})
            elif isinstance(command, AdminTicketReceipt):
                reply = reply.model_copy(
                    update={"receipt": receipt(self.site, self.store, command.ticket_id)}
                )
            elif isinstance(command, AdminAdvise):
                advice = advise(self.site, state, now, command.hours)
                reply = reply.model_copy(update={"advice": advice})
            elif isinstance(command, AdminComplaintList):
                listed = self.complaints.listed(command.status, command.limit)
                reply = reply.model_copy(update={"complaints": listed})
            elif isinstance(command, AdminComplaintShow):
                shown = self.complaints.get(command.complaint_id)
                reply = reply.model_copy(update={"complaint": shown})
        except Refusal as refusal:
            return self._refused_read(command.command_id, command.account, command.type, refusal)
        return Outcome(reply)

    def overview(self, state: QueueState, now: datetime) -> HubOverview:
        overview = build_overview(
            self.site,
            state,
            self.devices,
            self.clocks,
            now,
            self.clock.steady(),
            self.decider.bookings_today(now),
        )
        return overview.model_copy(update={"uplink": uplink_overview(self.store.outbox, now)})

    def _refused_read(self, command_id: UUID, sender: str, kind: str, refusal: Refusal) -> Outcome:
        if self.flood.rejected(sender, "refused", storable=False).log:
            log.info("refused %s from %s: %s", kind, sender, refusal.message)
        error = ReplyError(code=refusal.code, message=refusal.message)
        return Outcome(Reply(command_id=command_id, ok=False, error=error))

    def _ticket_status(
        self,
        command: TicketStatusQuery,
        sender: str,
        authorise: Callable[[], object],
    ) -> Outcome:
        """Answer ``ticket.status`` from the state as it is now; nothing is written."""
        now = self.clock.now()
        state = self._current_state(now)
        try:
            authorise()
            view = ticket_status(self.site, state, command.ticket_id, now)
        except Refusal as refusal:
            return self._refused_read(command.command_id, sender, command.type, refusal)
        return Outcome(Reply(command_id=command.command_id, ok=True, ticket=view))

    def _admin(self, command: AdminCommand) -> None:
        if self.roles.get(command.account) is not Role.ADMIN:
            raise Refusal(ErrorCode.NOT_AUTHORISED, f"{command.account} is not an admin")

    def reject_invalid(
        self, sender: str, kind: str, code: ErrorCode, message: str, command_id: UUID | None = None
    ) -> Outcome:
        """A payload that failed the contract: the error reply, and — within the
        sender's budget — a log line and a ``command.rejected`` event."""
        now = self.clock.now()
        verdict = self.flood.rejected(sender, "invalid")
        if verdict.log:
            log.warning("invalid message from %s: %s", sender, message[:200])
        event = CommandRejected(
            at=now,
            sender=sender[:64],
            command_type=kind[:64],
            code=code.value,
            message=message[:500],
        )
        reply = Reply(
            command_id=command_id or NIL,
            ok=False,
            error=ReplyError(code=code, message=message[:500]),
        )
        if not verdict.store:
            return Outcome(reply)
        try:
            self._persist([event], now, None)
        except StorageFullError:
            return Outcome(reply)  # the audit event is lost; the sender still learns why
        return Outcome(reply, [event])

    def heard_from(
        self, device_id: str, sent_at: datetime, session: int | None = None, live: bool = True
    ) -> None:
        """Learn a device's clock from a birth or heartbeat it sent (see hub/clock_offsets.py).

        A new ``session`` (the device reconnected, perhaps after a restart with
        another clock) forgets what was learned. A message that is not ``live``
        (a retained birth, delivered whenever the hub subscribes) says nothing
        about delivery time and only names the session.
        """
        if device_id not in self.roles:
            return
        if session is not None and self.clocks.new_session(device_id, session, live):
            log.info("clock of %s: new session %d, offset learned afresh", device_id, session)
        if live:
            self.clocks.observe(device_id, sent_at, self.clock.steady())

    def _check_expiry(self, command: Command, now: datetime) -> None:
        """Refuse a command older than its validity by the hub's judgement, not the device's.

        Its age is its delay beyond the fastest message from that device
        (hub/clock_offsets.py), so a device clock hours off is judged as
        well as a right one. A press that calls a citizen is valid for at
        most :data:`MAX_CALL_VALIDITY_S`, whatever it asks for. The command
        teaches the hub too, after it was judged.

        Before anything was learned from the device (the hub just started
        and has only its retained birth), its clock is taken at its word,
        checked against the hub's: a press stamped more than
        :data:`UNJUDGED_SLACK_S` in the hub's future cannot be told from a
        late one, so it is refused; its next one is judged by what this one
        taught.
        """
        steady = self.clock.steady()
        self._report_skew(command, now)
        try:
            if command.expires_at is None:
                return
            validity = (command.expires_at - command.issued_at).total_seconds()
            if command.calls_citizen:
                validity = min(validity, MAX_CALL_VALIDITY_S)
            age = self.clocks.age(command.device_id, command.issued_at, steady)
            if age is None:
                age = (now - command.issued_at).total_seconds()
                if not -UNJUDGED_SLACK_S <= age <= validity:
                    raise Refusal(
                        ErrorCode.EXPIRED,
                        f"{command.type} cannot be judged: nothing was heard from "
                        f"{command.device_id} before, and its clock is "
                        f"{timedelta(seconds=round(abs(age)))} "
                        f"{'ahead of' if age < 0 else 'behind'} the hub's; send a new one",
                    )
            if age > validity:
                raise Refusal(
                    ErrorCode.EXPIRED,
                    f"{command.type} is {age:.1f} s old by the hub's clock; "
                    f"it was valid for {validity:g} s",
                )
        finally:
            self.clocks.observe(command.device_id, command.issued_at, steady)

    def _report_skew(self, command: Command, now: datetime) -> None:
        """Say once per device that its clock is far off (its time sync is broken),
        and again only after it was back in range in between — not for every press.
        Expiry does not depend on it."""
        skew = abs(now - command.issued_at)
        device = command.device_id
        if skew > MAX_CLOCK_SKEW:
            if device not in self._skewed:
                self._skewed.add(device)
                log.warning(
                    "clock of %s is off by %s; expiry judged by its learned offset", device, skew
                )
        elif device in self._skewed:
            self._skewed.discard(device)
            log.info("clock of %s is back in range (off by %s)", device, skew)

    @staticmethod
    def _check_calls_have_expiry(command: Command, decision: Decision) -> None:
        """The second guard behind the contract: nothing calls a citizen on a press
        that does not say how long it is valid."""
        if command.expires_at is None and any(isinstance(e, TicketCalled) for e in decision.events):
            raise Refusal(
                ErrorCode.EXPIRY_REQUIRED, f"{command.type} would call a citizen: send expires_at"
            )

    # -- time-driven housekeeping ---------------------------------------------

    def tick(self) -> list[Event]:
        """Roll the day over and expire unconfirmed reservations; returns the events.

        While the store is full this only probes for room (nothing else can be
        written); the day roll-over and expiries follow once there is.
        """
        if not self.store.probe_space():
            return []
        now = self.clock.now()
        events = self._day_events(now)
        if events:
            self._persist(events, now, None)
        expired: list[Event] = list(self.decider.expired_reservations(self.state, now))
        expired += expired_asks(self.state, now)
        until = self.state.announcements_until
        if self.state.announcements and until is not None and now >= until:
            expired.append(AnnouncementsSet(at=now, texts=[]))  # the admin's expiry
        if expired:
            self._persist(expired, now, None)
        if self._purged_on != now.date():  # retention: once a day (and at start), by batches
            count, purged = self.purge_signatures(now)
            expired += purged
            if count < PURGE_BATCH:
                self._purged_on = now.date()  # else the next tick takes the next batch
        ended = self.decider.end_of_day(self.state, now)
        if ended:
            self._persist(ended, now, None)
            log.warning(
                "%d tickets still waiting when calls ended (%s)",
                len(ended),
                self.site.closing.end_of_day.value,
            )
        self.snapshot_if_due()
        return events + expired + ended

    def _day_events(self, now: datetime) -> list[Event]:
        """The roll-over to ``now``'s service day, in one transaction with what the
        previous day still owed: reservations never printed expire, and if the hub
        did not see that day's calls end (off at closing, a clock jump) the waiting
        tickets get the site's end of day (:meth:`hub.day_end.DayEnd.missed`) — return
        tickets included — before whatever is still open is closed ``day_closed``."""
        today = self.calendar.service_day(now)
        if self.state.day == today:
            return []
        events: list[Event] = []
        if self.state.day is not None and self.state.day < today:
            events += self.decider.expired_reservations(self.state, now)
            events += self.decider.day_end.missed(self.state, now)
        ended = {e.ticket_id for e in events if isinstance(e, TicketCancelled)}
        events += [
            TicketCancelled(
                at=now,
                ticket_id=t.ticket_id,
                reason=CancelReason.DAY_CLOSED,
                detail=f"still {t.state.value} at the end of {self.state.day}",
            )
            for t in self.state.tickets.values()
            if t.state in OPEN_STATES and t.ticket_id not in ended
        ]
        for counter in sorted(self.state.counters):  # nobody stays signed in overnight
            events += officers.sign_out(self.state, counter, SignOutReason.DAY_END, now)
        events += unclaimed_bookings(self.decider.bookings, self.state, self.calendar, now)
        events.append(DayOpened(at=now, day=today))
        return events

    # -- persistence -------------------------------------------------------------

    def _sender(self, command: Command) -> Sender:
        role = self.roles.get(command.device_id)
        if role is None:
            raise Refusal(ErrorCode.UNKNOWN_DEVICE, f"unknown device {command.device_id}")
        if role not in command.allowed_roles:
            raise Refusal(ErrorCode.NOT_AUTHORISED, f"a {role.value} may not send {command.type}")
        counter = self.site.counter_of_device(command.device_id)
        return Sender(command.device_id, counter.number if counter else None)

    def _refuse(
        self,
        command_id: UUID,
        sender: str,
        kind: str,
        refusal: Refusal,
        now: datetime,
        rollover: list[Event] | None = None,
        service: str | None = None,
    ) -> Outcome:
        verdict = self.flood.rejected(sender, "refused")
        if verdict.log:
            log.info("refused %s from %s: %s", kind, sender, refusal.message)
        event = CommandRejected(
            at=now,
            sender=sender,
            command_type=kind,
            code=refusal.code.value,
            message=refusal.message,
            service=service[:32] if isinstance(service, str) else None,
        )
        reply = Reply(
            command_id=command_id,
            ok=False,
            error=ReplyError(code=refusal.code, message=refusal.message, **refusal.details),
        )
        if not verdict.store:  # over the sender's budget: answered, not kept
            if rollover:
                self._persist(rollover, now, None)
            return Outcome(reply, list(rollover or []))
        events = [*(rollover or []), event]
        self._persist(events, now, (command_id, sender, kind, reply))
        return Outcome(reply, events)

    def _commit(
        self,
        events: list[Event],
        now: datetime,
        command_id: UUID,
        sender: str,
        kind: str,
        decision: Decision,
    ) -> Outcome:
        def build() -> Reply:
            ticket = self.state.tickets.get(decision.ticket_id) if decision.ticket_id else None
            return Reply(
                command_id=command_id,
                ok=True,
                ticket=ticket_view(self.site, ticket) if ticket else None,
                counter=counter_view(self.site, self.state, decision.counter)
                if decision.counter is not None
                else None,
            )

        reply = self._persist(events, now, (command_id, sender, kind, build))
        assert reply is not None
        return Outcome(reply, events)

    def _persist(
        self, events: list[Event], now: datetime, command: tuple[UUID, str, str, object] | None
    ) -> Reply | None:
        """Append, apply, store the reply, commit — or roll back and rebuild."""
        reply: Reply | None = None
        previous_day = self.state.day
        try:
            with self.store.transaction():
                seqs = self.store.append(events, self.state.day)
                for seq, event in zip(seqs, events, strict=True):
                    if isinstance(event, DayOpened) and previous_day is not None:
                        # The day's figures go upstream now, unless the admin's day close
                        # already sent them (a closed day does not change).
                        closed = self.state.day_closed
                        summary = self._summary(previous_day)
                        self.store.archive_day(previous_day, summary, None if closed else now)
                        self.store.prune_commands((now - DEDUP_WINDOW).isoformat())
                    self.state.apply(event, seq)
                    if isinstance(event, DayClosed) and self.state.day is not None:
                        day = self.state.day
                        entry = daily_stats_entry(day, json.loads(self._summary(day)), now)
                        self.store.outbox.add(entry)
                if command is not None:
                    command_id, sender, kind, made = command
                    if isinstance(made, str):  # an answer that is no Reply (upstream's)
                        self.store.record_command(
                            str(command_id), sender, kind, now.isoformat(), made
                        )
                    else:
                        reply = made() if callable(made) else made  # type: ignore[assignment]
                        assert isinstance(reply, Reply)
                        self.store.record_command(
                            str(command_id), sender, kind, now.isoformat(), reply.model_dump_json()
                        )
        except StorageFullError:
            # Said once a minute by the app, not per command; the state may hold
            # what was applied before the write failed, so it is rebuilt all the same.
            self.state = self._rebuild(logging.DEBUG)
            raise
        except BaseException:
            log.exception("commit failed; rebuilding state from the store")
            self.state = self._rebuild()
            raise
        self.complaints.apply(zip(seqs, events, strict=True))  # committed: noted
        late = missed_summary(events)
        if late:
            log.warning("%s", late)
        self._since_snapshot += len(events)
        if any(isinstance(e, DayOpened) for e in events):
            self._since_snapshot = SNAPSHOT_EVERY  # a new day starts from a snapshot
        return reply

    def snapshot_if_due(self) -> bool:
        """Write a snapshot when enough events have gone by (kept off the command path)."""
        if self._since_snapshot < SNAPSHOT_EVERY or self.store.full:
            return False
        try:
            self.snapshot()
        except StorageFullError:
            return False  # the store is marked full; tried again once there is room
        return True

    def snapshot(self) -> None:
        self.store.save_snapshot(self.state.applied, self.state.day, self.state.model_dump_json())
        self._since_snapshot = 0

    def _summary(self, day: date) -> str:
        tickets = self.state.tickets.values()
        return json.dumps(
            {
                "day": day.isoformat(),
                "tickets": len(tickets),
                "by_state": dict(Tally(t.state.value for t in tickets)),
                "by_service": dict(Tally(t.origin_service for t in tickets)),
                "end_of_day": dict(
                    Tally(
                        t.cancel_reason
                        for t in tickets
                        if t.cancel_reason in ("not_served", "return_ticket")
                    )
                ),
                "ratings": len(self.state.rated),
                "rejected_commands": self.state.rejected,
            },
            sort_keys=True,
        )
