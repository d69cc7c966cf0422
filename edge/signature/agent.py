"""The signature pad agent: strokes from the pen, a signature to the hub, pictures on disk.

The hub asks for a signature with ``signature.request`` (the ticket handed over
at this pad's counter; sent again when the pad comes back online, which does
not clear what the citizen has drawn); the citizen signs; OK sends
``signature.submit`` with the strokes and their SHA-256, retried with the same
command id until the hub answers; Ulangi clears. OK and Ulangi come from the
tablet's own buttons (:data:`OK_KEYS`, :data:`AGAIN_KEYS`), from the counter
unit's buttons (forwarded by the hub as ``signature.button``) or the simulation.
``signature.closed`` (stored, waived by the officer, expired) ends the asking,
and so does the request's own expiry. Without a request, OK may name the ticket
itself. The SVG and PNG of each signature sent are written beside the agent's
state (``<output>/<ticket>.svg|png``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from edge.command_client import CommandClient
from edge.liveness import LoopBeat
from edge.signature.pen import PenSource
from edge.signature.strokes import EV_KEY, InputEvent, StrokeRecorder
from firmware_config.schema import DeviceConfig
from protocol.clock import wall_now
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    ComponentState,
    HardwareHealth,
    SignatureButton,
    SignatureClosed,
    SignatureRequest,
    SignatureSubmit,
)
from protocol.models.signature import strokes_sha256
from protocol.presence import device_presence
from protocol.signals import wait_interruptibly
from protocol.signature_picture import png, svg
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)
SUBMIT_WITHIN_S = 30.0  # retries of one signature before the pad says it was not sent
BEAT_S = 0.5
# The tablet's own keys (linux/input-event-codes.h): the first express key (BTN_0)
# is OK; the pen's side button (BTN_STYLUS) or the second express key is Ulangi.
BTN_0, BTN_1, BTN_STYLUS = 0x100, 0x101, 0x14B
OK_KEYS = frozenset({BTN_0})
AGAIN_KEYS = frozenset({BTN_1, BTN_STYLUS})


@dataclass
class Outcome:
    """What the last OK did, for the pad's screen and the simulation's status."""

    ok: bool
    message: str
    ticket_id: str | None = None
    sha256: str | None = None
    files: dict[str, str] = field(default_factory=dict)


class SignaturePadAgent:
    def __init__(
        self, config: DeviceConfig, link: MqttLink, pen: PenSource, output_dir: Path
    ) -> None:
        self.config = config
        self.unit = config.signature_pad_unit()
        self.pen = pen
        self.output_dir = output_dir
        self.recorder = StrokeRecorder(lambda: pen.ranges)
        self.request: SignatureRequest | None = None
        self.last: Outcome | None = None
        self.beat = LoopBeat()
        self._quit = threading.Event()
        self._lock = threading.Lock()
        self._sending = threading.Lock()  # one OK at a time, whoever pressed it
        self.link = link
        link.announce_as(
            device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["signature"],
                lambda: {
                    "pen": ComponentState(
                        health=HardwareHealth.OK if pen.connected() else HardwareHealth.ABSENT
                    )
                },
            )
        )
        self.commands = CommandClient(link, config.device_id)
        link.subscribe(spec("device.sign_request"), self._asked, device_id=config.device_id)

    # -- life ----------------------------------------------------------------------

    def start(self, wait: float | None = None) -> None:
        self.link.start(wait=wait)
        self.pen.start(self._pen_event)

    def run(self) -> None:
        while not wait_interruptibly(self._quit, BEAT_S):
            self.beat.beat()
            self._expire()

    def request_stop(self) -> None:
        self._quit.set()

    def stop(self) -> None:
        self._quit.set()
        self.commands.abandon()
        self.pen.close()
        self.link.stop()

    def identify(self, seconds: int) -> None:
        log.info(
            "identify: %s (signature pad of counter %s)", self.config.device_id, self.unit.counter
        )

    # -- the citizen -------------------------------------------------------------------

    def _asked(self, decoded: Decoded, _properties: Any) -> None:
        message = decoded.message
        if isinstance(message, SignatureButton):
            self._counter_button(message)
            return
        if isinstance(message, SignatureClosed):
            self._closed(message)
            return
        assert isinstance(message, SignatureRequest)
        with self._lock:
            again = self.request is not None and self.request.request_id == message.request_id
            self.request = message
        if again:  # re-sent (the pad or the hub reconnected): keep what is drawn
            log.info("signature asked again for %s", message.number)
            return
        self.recorder.clear()
        log.info("signature asked for %s (%s)", message.number, message.service_name)

    def _current(self, request_id: object) -> SignatureRequest | None:
        with self._lock:
            request = self.request
        return request if request is not None and request.request_id == request_id else None

    def _counter_button(self, button: SignatureButton) -> None:
        """OK / Ulangi pressed on the counter unit (forwarded by the hub)."""
        if self._current(button.request_id) is None:
            log.info("counter's %s for %s ignored: not asked now", button.button, button.ticket_id)
            return
        log.info("counter pressed %s for %s", button.button, button.ticket_id)
        self.press(button.button)

    def _closed(self, closed: SignatureClosed) -> None:
        if self._current(closed.request_id) is None:
            return
        with self._lock:
            self.request = None
        self.recorder.clear()
        log.info("signature for %s no longer asked (%s)", closed.ticket_id, closed.outcome)

    def _expire(self) -> None:
        with self._lock:
            request = self.request
            if request is None or request.expires_at > wall_now():
                return
            self.request = None
        self.recorder.clear()
        log.info("signature for %s no longer asked (expired)", request.ticket_id)

    def _pen_event(self, event: InputEvent) -> None:
        """The tablet's events: its OK / Ulangi keys, and the pen for the recorder."""
        if event.type == EV_KEY and event.value == 1:
            if event.code in OK_KEYS:
                self.press("ok")
                return
            if event.code in AGAIN_KEYS:
                self.press("again")
                return
        self.recorder.feed(event)

    def press(self, button: str) -> None:
        """OK or Ulangi from a button (the pen's thread, the link's worker): OK sends on a
        thread of its own, so neither waits for the hub."""
        if button == "again":
            self.again()
            return
        if self._sending.locked():
            log.info("OK ignored: the signature is being sent")
            return
        threading.Thread(target=self.confirm, name="pad-ok", daemon=True).start()

    def again(self) -> None:
        """Ulangi: clear the pad for a new signature."""
        self.recorder.clear()
        log.info("pad cleared (Ulangi)")

    def confirm(self, ticket_id: str | None = None) -> Outcome:
        """OK: send the signature for the asked ticket (or ``ticket_id``) and wait for the hub."""
        with self._sending:
            return self._confirm(ticket_id)

    def _confirm(self, ticket_id: str | None) -> Outcome:
        with self._lock:
            request = self.request
        ticket = request.ticket_id if request is not None else ticket_id
        if ticket is None:
            return self._said(Outcome(False, "no ticket to sign for: wait for the hub's request"))
        counter = request.counter if request is not None else self.unit.counter
        if counter is None:
            return self._said(Outcome(False, "the device file names no signature_pad.counter"))
        strokes = self.recorder.strokes()
        try:
            command = self.commands.build(
                SignatureSubmit,
                request_id=request.request_id if request else None,
                ticket_id=ticket,
                counter=counter,
                strokes=strokes,
                sha256=strokes_sha256(strokes),
            )
        except ValidationError as error:
            reason = error.errors()[0]["msg"].removeprefix("Value error, ")
            return self._said(Outcome(False, reason, ticket))
        files = self._pictures(command)
        reply = self.commands.request_until(command, time.monotonic() + SUBMIT_WITHIN_S)
        if reply is None:
            return self._said(Outcome(False, "the hub did not answer; try OK again", ticket))
        if not reply.ok:
            assert reply.error is not None
            return self._said(Outcome(False, reply.error.message, ticket, command.sha256, files))
        with self._lock:
            self.request = None
        self.recorder.clear()
        return self._said(Outcome(True, "tersimpan", ticket, command.sha256, files))

    def _pictures(self, command: SignatureSubmit) -> dict[str, str]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        svg_path = self.output_dir / f"{command.ticket_id}.svg"
        svg_path.write_text(svg(command.strokes), encoding="utf-8")
        png_path = png(command.strokes, self.output_dir / f"{command.ticket_id}.png")
        return {"svg": str(svg_path), "png": str(png_path)}

    def _said(self, outcome: Outcome) -> Outcome:
        self.last = outcome
        level = logging.INFO if outcome.ok else logging.WARNING
        log.log(level, "signature for %s: %s", outcome.ticket_id, outcome.message)
        return outcome
