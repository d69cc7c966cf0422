"""The counter agent: composition root of one counter unit.

Threads: gpiozero calls back with raw edges (any thread) and the MQTT link's
worker delivers hub messages; both only put events on one queue. The agent
loop thread owns the unit state: it polls the buttons (debounce, hold),
decides, updates lights and display. Commands go to a sender thread, one at
a time, so a slow answer never freezes the buttons.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpiozero.pins import Factory

from edge.command_client import CommandClient
from edge.counter.model import (
    ERROR_TEXT,
    SKM_BUTTONS,
    Local,
    Refuse,
    Send,
    UnitState,
    decide,
    light,
    officers_by_agency,
    screen,
)
from edge.counter.signature import SIGNATURE_SAID
from edge.hardware.debounce import ButtonLogic
from edge.hardware.display import CounterDisplay, Screen
from edge.hardware.gpio import GpioButtons, Indicators, SatisfactionLeds
from edge.liveness import LoopBeat
from edge.system import cpu_temperature_c, rss_bytes, uptime_s
from firmware_config.schema import DeviceConfig
from protocol.codec import Decoded
from protocol.link import MqttLink
from protocol.models import (
    Catalogue,
    ComponentState,
    CounterFinish,
    CounterStatus,
    CounterSync,
    CounterTransfer,
    HardwareHealth,
    Heartbeat,
    HubStatus,
    Reply,
    SatisfactionRate,
)
from protocol.presence import HubWatch, device_presence
from protocol.signals import wait_interruptibly
from protocol.topics import spec
from protocol.version import software_version

log = logging.getLogger(__name__)
POLL_S = 0.02
HEARTBEAT_S = 30.0


@dataclass(frozen=True)
class _Edge:
    button: str
    down: bool
    at: float


@dataclass(frozen=True)
class _Answer:
    command: str
    reply: Reply | None


class CounterAgent:
    def __init__(
        self,
        config: DeviceConfig,
        link: MqttLink,
        pin_factory: Factory,
        display: CounterDisplay,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.unit_config = config.counter_unit()
        self.clock = clock
        self.display = display
        self.pin_factory = pin_factory
        self._turns = 0
        self.unit = UnitState()
        self.targets = list(self.unit_config.transfer_targets)
        self._events: queue.Queue[object] = queue.Queue()
        self._outbox: queue.Queue[Send | None] = queue.Queue()
        self._stop = threading.Event()
        self._quit = threading.Event()
        self.beat = LoopBeat()  # systemd's watchdog follows the agent loop
        self._buttons = self._button_logic()
        pins = self.unit_config.buttons.model_dump()
        if self.unit_config.skm.enabled:
            pins.update(zip(SKM_BUTTONS, self.unit_config.skm.buttons, strict=True))
        self._gpio = GpioButtons(pins, pin_factory, self._on_edge, clock)
        self.indicators = Indicators(
            self.unit_config.led_green,
            self.unit_config.led_red,
            self.unit_config.buzzer,
            pin_factory,
        )
        self.skm_leds = (
            SatisfactionLeds(self.unit_config.skm.leds, pin_factory)
            if self.unit_config.skm.enabled
            else None
        )
        self._hub = HubWatch()  # the newest hub session wins
        self.link = link
        link.announce_as(
            device_presence(
                config.device_id,
                config.role,
                software_version(),
                ["call", "transfer", "skm"],
                self._hardware,
            ),
            on_connected=lambda: self._events.put("connected"),
        )
        self.commands = CommandClient(self.link, config.device_id)
        self.link.subscribe(spec("hub.status"), self._on_hub_status)
        self.link.subscribe(spec("state.catalogue"), self._on_hub_status)  # service names
        self.link.subscribe(spec("hub.control"), lambda *_: self._events.put("connected"))
        self._counter_subscribed = False
        self._threads = [
            threading.Thread(target=self._loop, name="counter-loop", daemon=True),
            threading.Thread(target=self._sender, name="counter-sender", daemon=True),
            threading.Thread(target=self._heartbeat, name="counter-heartbeat", daemon=True),
        ]
        self.ready = threading.Event()
        self.changed = threading.Condition()
        self.frame: Screen | None = None

    # -- lifecycle ------------------------------------------------------------------

    def start(self, wait: float | None = None) -> None:
        for thread in self._threads:
            thread.start()
        self.link.start(wait=wait)
        self._render()

    def run(self) -> None:
        """Block until :meth:`request_stop` (the unit works on its own threads)."""
        wait_interruptibly(self._quit)

    def request_stop(self) -> None:
        """Ask :meth:`run` to return (signal handlers)."""
        self._quit.set()

    def stop(self) -> None:
        """Say offline, release the pins; bounded, so a service stop takes under 2 s."""
        self._quit.set()
        self._stop.set()
        self._outbox.put(None)
        self.commands.abandon()
        for thread in self._threads:
            thread.join(1)
        self.link.stop()
        self.display.close()
        self._gpio.close()
        self.indicators.close()
        if self.skm_leds is not None:
            self.skm_leds.close()

    def identify(self, seconds: int) -> None:
        """The admin asked which unit this is: blink both LEDs and chirp (any thread)."""
        self.indicators.identify(seconds)

    # -- inputs (any thread) -------------------------------------------------------

    def _on_edge(self, button: str, down: bool, at: float) -> None:
        self._events.put(_Edge(button, down, at))

    def _on_hub_status(self, decoded: Decoded, _properties: Any) -> None:
        self._events.put(decoded.message)

    def _on_counter_status(self, decoded: Decoded, _properties: Any) -> None:
        self._events.put(decoded.message)

    def _hardware(self) -> dict[str, ComponentState]:
        state = {
            "buttons": ComponentState(health=HardwareHealth.OK),
            "lights": ComponentState(health=HardwareHealth.OK),
            "display": ComponentState(
                health=HardwareHealth.OK if self.display.present else HardwareHealth.ABSENT
            ),
            "skm": ComponentState(
                health=HardwareHealth.OK if self.skm_leds is not None else HardwareHealth.ABSENT
            ),
        }
        return state

    # -- the agent loop (owns self.unit) -----------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.beat.beat()
            try:
                event = self._events.get(timeout=POLL_S)
            except queue.Empty:
                event = None
            now = self.clock()
            if isinstance(event, _Edge):
                gesture = self._buttons[event.button].edge(event.down, event.at)
                if gesture is not None:
                    self._gesture(event.button, gesture, now)
            elif isinstance(event, HubStatus):
                self.unit.hub_online = self._hub.update(event)
                if self._hub.restarted:
                    self.link.update_presence()  # a live birth: the new hub learns our clock
                if self.unit.hub_online:
                    self._queue(Send(CounterSync))
            elif isinstance(event, CounterStatus):
                if event.counter == self.unit.counter and self.unit.pending is None:
                    self.unit.state, self.unit.waiting = event.state, event.waiting
                    self.unit.current = event.current
                    self.unit.on_duty(event.officer_id)
                    self.unit.signature = event.signature
            elif isinstance(event, _Answer):
                self._answered(event, now)
            elif isinstance(event, Catalogue):
                self.unit.service_names = {s.code: s.short_name or s.name for s in event.services}
                self.unit.officers = officers_by_agency(event)
            elif event == "connected":
                self._queue(Send(CounterSync))
            for name, button in self._buttons.items():
                gesture = button.poll(now)
                if gesture is not None:
                    self._gesture(name, gesture, now)
            self.unit.connected = self.link.connected.is_set()
            self.unit.expire(now)
            self._render()

    def _gesture(self, button: str, gesture: Any, now: float) -> None:
        action = decide(self.unit, button, gesture, now, self.targets)
        if isinstance(action, Refuse):
            log.info("%s %s refused: %s", button, gesture.value, action.reason)
            self.unit.say(action.reason, now)
            self.indicators.error_beep()
        elif isinstance(action, Local):
            self.indicators.ok_beep()
        elif isinstance(action, Send):
            if action.model is SatisfactionRate and self.skm_leds is not None:
                self.skm_leds.thank(int(action.fields["rating"]) - 1)
            self.indicators.ok_beep()
            self._queue(action)

    def _queue(self, action: Send) -> None:
        if self.unit.pending is not None and action.model is CounterSync:
            return
        self.unit.pending = action.model.message_type()
        self._outbox.put(action)

    def _answered(self, answer: _Answer, now: float) -> None:
        self.unit.pending = None
        reply = answer.reply
        if reply is None:
            self.unit.say("Gagal, ulangi", now)
            self.indicators.error_beep()
            self._queue(Send(CounterSync))
            return
        if reply.counter is not None:
            self.unit.apply_view(reply.counter)
            self._subscribe_counter(reply.counter.counter)
        if not reply.ok:
            assert reply.error is not None
            self.unit.say(ERROR_TEXT.get(reply.error.code, "Ditolak"), now)
            if answer.command != CounterSync.message_type():
                self.indicators.error_beep()
            return
        finished = answer.command in (CounterFinish.message_type(), CounterTransfer.message_type())
        if finished and reply.ticket is not None and self.skm_leds is not None:
            self.unit.skm_ticket = reply.ticket.ticket_id
            self.unit.skm_until = now + self.unit_config.skm.window_s
            self.skm_leds.invite()
        if answer.command == SatisfactionRate.message_type():
            self.unit.say("Terima kasih", now)
        said = SIGNATURE_SAID.get(answer.command)
        if said is not None:
            self.unit.say(said, now)
        self.ready.set()

    def _subscribe_counter(self, number: int) -> None:
        if not self._counter_subscribed:
            self._counter_subscribed = True
            self.link.subscribe(spec("state.counter"), self._on_counter_status, counter=str(number))

    def _render(self) -> None:
        if self.skm_leds is not None and self.skm_leds.inviting and not self.unit.skm_ticket:
            self.skm_leds.off()  # the rating window closed unused
        frame = screen(self.unit, self.targets, self.unit_config.hold_s)
        with self.changed:
            self._turns += 1
            self.indicators.show(light(self.unit))
            if frame != self.frame:
                self.frame = frame
                self.display.show(frame)
            self.changed.notify_all()

    def wait_for(
        self, predicate: Callable[[UnitState, Screen], bool], timeout: float = 10.0
    ) -> bool:
        """Block until ``predicate(unit, frame)`` holds after a loop turn (tests, demo)."""
        with self.changed:
            return self.changed.wait_for(
                lambda: self.frame is not None and predicate(self.unit, self.frame), timeout
            )

    def settled(self, timeout: float = 10.0) -> bool:
        """Block until every input given so far is handled and no command is in flight.

        A loop turn that starts after this call has taken every edge already
        queued; then nothing may be pending (simulated people, tests).
        """
        with self.changed:
            start = self._turns
            return self.changed.wait_for(
                lambda: (
                    self._turns > start + 1
                    and self._events.empty()
                    and self._outbox.empty()
                    and self.unit.pending is None
                ),
                timeout,
            )

    # -- sender thread ----------------------------------------------------------------

    def _sender(self) -> None:
        expiry = self.unit_config.command_expiry_s
        while True:
            action = self._outbox.get()
            if action is None:
                return
            command = self.commands.build(action.model, expires_in=expiry, **action.fields)
            reply = self.commands.request_until(command, time.monotonic() + expiry)
            self._events.put(_Answer(command.message_type(), reply))

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            if self.link.connected.is_set():
                beat = Heartbeat(
                    device_id=self.config.device_id,
                    uptime_s=uptime_s(),
                    cpu_temp_c=cpu_temperature_c(),
                    rss_bytes=rss_bytes(),
                )
                self.link.publish(spec("device.heartbeat"), beat, device_id=self.config.device_id)

    def _button_logic(self) -> dict[str, ButtonLogic]:
        debounce = self.unit_config.debounce_ms / 1000
        logic = {
            name: ButtonLogic(name, debounce, self.unit_config.hold_s if name == "next" else None)
            for name in self.unit_config.buttons.model_dump()
        }
        logic.update({name: ButtonLogic(name, debounce) for name in SKM_BUTTONS})
        return logic
