"""LED panels behind one interface: chained MAX7219 8×8 matrices via luma, or luma's dummy.

A second driver (e.g. a P10/HUB75 controller on a serial link) implements
the same two things: its size, and ``show(image)`` for a 1-bit frame.
"""

from __future__ import annotations

from typing import Any, Protocol

from PIL import Image


class TextPanel(Protocol):
    width: int
    height: int

    def show(self, frame: Image.Image) -> None: ...
    def close(self) -> None: ...


class LumaPanel:
    """Any luma device (max7219 chain, dummy): frames go out through ``display``."""

    def __init__(self, device: Any) -> None:
        self.device = device
        self.width, self.height = device.width, device.height

    def show(self, frame: Image.Image) -> None:
        self.device.display(frame.convert(self.device.mode))

    def close(self) -> None:
        """Blank the panels and release SPI (luma's cleanup; done here, not at exit)."""
        self.device.cleanup()


def open_max7219(cascaded: int, port: int, device: int) -> LumaPanel:
    from luma.core.interface.serial import noop, spi
    from luma.led_matrix.device import max7219

    serial = spi(port=port, device=device, gpio=noop())
    return LumaPanel(max7219(serial, cascaded=cascaded, block_orientation=-90))


def open_dummy(cascaded: int) -> LumaPanel:
    from luma.core.device import dummy

    return LumaPanel(dummy(width=8 * cascaded, height=8, mode="1"))
