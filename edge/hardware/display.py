"""The counter unit's small display: what to show, and drivers that show it.

The agent builds a :class:`Screen` (pure data, easy to assert on); a driver
draws it. :class:`LumaDisplay` draws on any luma device — an SSD1306 OLED on
I²C on the unit, luma's ``dummy`` device in tests — inside luma's ``canvas``,
which hands the frame to the device only when drawing succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from PIL import ImageFont

MIN_FONT = 7


@dataclass(frozen=True)
class Screen:
    """One frame of the counter display (text in Bahasa Indonesia)."""

    header: str
    big: str
    footer: str


class CounterDisplay(Protocol):
    present: bool

    def show(self, screen: Screen) -> None: ...
    def close(self) -> None: ...


class NullDisplay:
    """No display fitted: remembers the last screen (for logs and tests)."""

    present = False

    def __init__(self) -> None:
        self.screen: Screen | None = None

    def show(self, screen: Screen) -> None:
        self.screen = screen

    def close(self) -> None:
        return None


class LumaDisplay:
    """Draws a :class:`Screen` on a luma device (128×64 and larger)."""

    present = True

    def __init__(self, device: Any) -> None:
        from luma.core.render import canvas

        self.device = device
        self._canvas = canvas
        self._fonts: dict[int, Any] = {}
        self.screen: Screen | None = None

    def close(self) -> None:
        """Blank the panel and release the bus (luma's cleanup; done here, not at exit)."""
        self.device.cleanup()

    def show(self, screen: Screen) -> None:
        if screen == self.screen:
            return
        width = self.device.width
        with self._canvas(self.device) as draw:
            draw.text((0, 0), screen.header, font=self._fit(draw, screen.header, 11), fill="white")
            big = self._fit(draw, screen.big, 30)
            draw.text(
                ((width - draw.textlength(screen.big, font=big)) / 2, 14),
                screen.big,
                font=big,
                fill="white",
            )
            draw.text(
                (0, self.device.height - 12),
                screen.footer,
                font=self._fit(draw, screen.footer, 11),
                fill="white",
            )
        self.screen = screen

    def _fit(self, draw: Any, text: str, size: int) -> Any:
        """The largest font up to ``size`` in which ``text`` fits the width (never overflow)."""
        while size > MIN_FONT and draw.textlength(text, font=self._font(size)) > self.device.width:
            size -= 1
        return self._font(size)

    def _font(self, size: int) -> Any:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.load_default(size=size)
        return self._fonts[size]


def open_ssd1306(port: int, address: int) -> LumaDisplay:
    """The real OLED; raises OSError when it does not answer on the bus."""
    from luma.core.interface.serial import i2c
    from luma.oled.device import ssd1306

    return LumaDisplay(ssd1306(i2c(port=port, address=address)))
