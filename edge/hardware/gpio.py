"""GPIO through gpiozero: raw button edges, status LEDs, buzzer, the SKM box.

The pin factory is passed in (``lgpio`` on a Pi, ``MockFactory`` in tests and
the demo); nothing here touches gpiozero's global ``Device.pin_factory``.
Debounce and hold are not gpiozero's (see :mod:`edge.hardware.debounce`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from gpiozero import LED, Buzzer, DigitalInputDevice
from gpiozero.pins import Factory

EdgeHandler = Callable[[str, bool, float], None]


def make_pin_factory(name: str) -> Factory:
    """A pin factory by name: ``lgpio`` (Pi 5 and earlier), ``mock`` (tests, demo)."""
    if name == "mock":
        from gpiozero.pins.mock import MockFactory

        return MockFactory()
    if name == "lgpio":
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory()
    raise ValueError(f"unknown pin factory {name!r} (use 'lgpio' or 'mock')")


class GpioButtons:
    """Named push buttons to ground with pull-ups; reports every raw edge with its time.

    Plain input devices, not gpiozero's ``Button``: that adds hold detection we do
    not use (ours is :mod:`edge.hardware.debounce`) and a thread per button for it,
    nine idle threads on a unit with the SKM box (RSS, and ~70 ms each to stop).
    """

    def __init__(
        self,
        pins: Mapping[str, int],
        factory: Factory,
        on_edge: EdgeHandler,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._buttons: list[DigitalInputDevice] = []
        for name, pin in pins.items():
            button = DigitalInputDevice(pin, pull_up=True, bounce_time=None, pin_factory=factory)
            button.when_activated = _edge(on_edge, name, True, clock)
            button.when_deactivated = _edge(on_edge, name, False, clock)
            self._buttons.append(button)

    def close(self) -> None:
        for button in self._buttons:
            button.close()


def _edge(
    handler: EdgeHandler, name: str, down: bool, clock: Callable[[], float]
) -> Callable[[], None]:
    return lambda: handler(name, down, clock())


class Light(StrEnum):
    """What the status LEDs show; each look is distinct at a glance."""

    CLOSED = "closed"  # both off
    READY = "ready"  # green on
    CALLING = "calling"  # green blinking
    SERVING = "serving"  # green on
    PAUSED = "paused"  # red on
    OFFLINE = "offline"  # red blinking fast, green off


class Indicators:
    """Green and red status LEDs and the buzzer."""

    def __init__(self, green: int, red: int, buzzer: int, factory: Factory) -> None:
        self.green = LED(green, pin_factory=factory)
        self.red = LED(red, pin_factory=factory)
        self.buzzer = Buzzer(buzzer, pin_factory=factory)
        self.light: Light | None = None

    def show(self, light: Light) -> None:
        if light is self.light:
            return
        self.light = light
        looks: dict[Light, tuple[Any, Any]] = {
            Light.CLOSED: (self.green.off, self.red.off),
            Light.READY: (self.green.on, self.red.off),
            Light.SERVING: (self.green.on, self.red.off),
            Light.CALLING: (lambda: self.green.blink(0.3, 0.3), self.red.off),
            Light.PAUSED: (self.green.off, self.red.on),
            Light.OFFLINE: (self.green.off, lambda: self.red.blink(0.1, 0.1)),
        }
        for action in looks[light]:
            action()

    def identify(self, seconds: int) -> None:
        """Both LEDs blink fast and the buzzer chirps for ``seconds``, then the light is back."""
        previous = self.light
        self.light = None
        self.green.blink(0.15, 0.15, n=max(1, int(seconds / 0.3)))
        self.red.blink(0.15, 0.15, n=max(1, int(seconds / 0.3)))
        self.buzzer.beep(0.05, 0.95, n=max(1, seconds))
        if previous is not None:
            restore = threading.Timer(seconds, self.show, args=(previous,))
            restore.daemon = True
            restore.start()

    def error_beep(self) -> None:
        self.buzzer.beep(0.08, 0.06, n=3)

    def ok_beep(self) -> None:
        self.buzzer.beep(0.04, 0.01, n=1)

    def close(self) -> None:
        for device in (self.green, self.red, self.buzzer):
            device.close()


class SatisfactionLeds:
    """The four LEDs of the SKM box: inviting, thank-you, off."""

    def __init__(self, pins: list[int], factory: Factory) -> None:
        self.leds = [LED(pin, pin_factory=factory) for pin in pins]
        self.inviting = False

    def invite(self) -> None:
        self.inviting = True
        for led in self.leds:
            led.blink(0.5, 0.5)

    def thank(self, index: int) -> None:
        self.inviting = False
        for position, led in enumerate(self.leds):
            if position == index:
                led.blink(0.15, 0.15, n=4)
            else:
                led.off()

    def off(self) -> None:
        self.inviting = False
        for led in self.leds:
            led.off()

    def close(self) -> None:
        for led in self.leds:
            led.close()
