"""The hardware an agent gets: the real drivers, or simulated ones with the same interfaces.

``mpp edge --config FILE`` runs with :class:`RealHardware`; ``--simulate`` runs
exactly the same agent with :class:`SimulatedHardware` — gpiozero's
MockFactory pins, luma's in-memory dummy devices, a printer that writes into
a file, SDL's dummy video driver and a "speaker" that writes WAV files — all
under one state directory. The choice is the only difference between a
building and a demo, so tests of the simulated path test what ships.

Opening a real part that is not there raises :class:`HardwareError` with one
line naming the device, the path and the fix; ``mpp`` prints it and exits
with its code, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from firmware_config.schema import DeviceConfig
from protocol.roles import Role

if TYPE_CHECKING:
    import pygame
    from gpiozero.pins import Factory

    from edge.display.announcer import Player
    from edge.display.clips import ClipSet
    from edge.hardware.display import CounterDisplay
    from edge.printer.transport import Transport
    from edge.running_text.panel import TextPanel
    from edge.signature.pen import PenSource

log = logging.getLogger(__name__)
SIMULATE_HINT = "or run with --simulate"
HEADLESS_DRIVERS = ("dummy", "offscreen")  # SDL draws nowhere: no screen for people


class HardwareError(RuntimeError):
    """A part the device file asks for is missing at start-up (one line, with the fix)."""


class Hardware(Protocol):
    """Opens the parts of one device; each method is called once at start-up."""

    simulated: bool

    def pins(self, config: DeviceConfig) -> Factory: ...
    def oled(self, config: DeviceConfig) -> CounterDisplay: ...
    def printer(self, config: DeviceConfig) -> Transport: ...
    def screen(self, config: DeviceConfig, size: tuple[int, int]) -> pygame.Surface: ...
    def voice(self, config: DeviceConfig) -> tuple[ClipSet, Player]: ...
    def led_panel(self, config: DeviceConfig) -> TextPanel: ...
    def scanner_node(self, config: DeviceConfig) -> str | None: ...
    def screenshot_path(self, config: DeviceConfig) -> Path | None: ...
    def pen(self, config: DeviceConfig) -> PenSource: ...


class RealHardware:
    """The parts of a Raspberry Pi in the building."""

    simulated = False

    def pins(self, config: DeviceConfig) -> Factory:
        chip = Path("/dev/gpiochip0")
        try:
            from gpiozero.pins.lgpio import LGPIOFactory

            return LGPIOFactory()
        except Exception as error:  # lgpio raises its own error types, or ImportError
            raise HardwareError(
                f"{config.device_id}: no GPIO at {chip} ({_reason(error)}; on a Raspberry Pi "
                f"install python3-lgpio, {SIMULATE_HINT})"
            ) from None

    def oled(self, config: DeviceConfig) -> CounterDisplay:
        unit = config.counter_unit()
        if unit.display == "none":
            from edge.hardware.display import NullDisplay

            return NullDisplay()
        bus = Path(f"/dev/i2c-{unit.i2c_port}")
        if not bus.exists():
            raise HardwareError(
                f"{config.device_id}: no OLED at {bus} (enable I2C with raspi-config, "
                f"{SIMULATE_HINT})"
            )
        from edge.hardware.display import open_ssd1306

        try:
            return open_ssd1306(unit.i2c_port, unit.i2c_address)
        except Exception as error:  # luma raises DeviceNotFoundError and OSError
            raise HardwareError(
                f"{config.device_id}: no OLED answers at {bus} address "
                f"0x{unit.i2c_address:02x} ({_reason(error)}; check its wiring and "
                f"counter.i2c_address, {SIMULATE_HINT})"
            ) from None

    def printer(self, config: DeviceConfig) -> Transport:
        """The configured printer; a missing one is a state the kiosk shows, not an error."""
        from edge.printer.transport import open_transport

        printer = config.kiosk_unit().printer
        if printer.connection in ("usb", "serial") and not Path(printer.device).exists():
            log.warning(
                "%s: no printer at %s yet (plug it in and switch it on; the kiosk shows "
                "'tidak tersedia' until it answers)",
                config.device_id,
                printer.device,
            )
        return open_transport(
            printer.connection, printer.device, printer.host, printer.port, printer.baudrate
        )

    def screen(self, config: DeviceConfig, size: tuple[int, int]) -> pygame.Surface:
        import pygame

        fullscreen = _fullscreen(config)
        try:
            with sdl_chatter_to_log():
                pygame.display.init()
            driver = pygame.display.get_driver()
            if driver in HEADLESS_DRIVERS:
                raise pygame.error(f"SDL found only its {driver!r} video driver")
            return pygame.display.set_mode(size, pygame.FULLSCREEN if fullscreen else 0)
        except pygame.error as error:
            raise HardwareError(
                f"{config.device_id}: no screen ({error}; connect the HDMI screen and boot "
                f"to the console or a desktop session, {SIMULATE_HINT})"
            ) from None

    def voice(self, config: DeviceConfig) -> tuple[ClipSet, Player]:
        from edge.display.announcer import PygamePlayer
        from edge.display.clips import ClipSet, ClipSetError

        unit = config.display_unit()
        try:
            clips = ClipSet(unit.clips_dir)
        except ClipSetError:
            raise HardwareError(
                f"{config.device_id}: no voice clips in {unit.clips_dir} (run `mpp display "
                f"make-clips --out {unit.clips_dir}`, {SIMULATE_HINT})"
            ) from None
        import pygame

        try:
            return clips, PygamePlayer(unit.volume)
        except pygame.error as error:
            raise HardwareError(
                f"{config.device_id}: no speaker ({error}; check the HDMI or jack audio "
                f"output, {SIMULATE_HINT})"
            ) from None

    def led_panel(self, config: DeviceConfig) -> TextPanel:
        unit = config.running_text_unit()
        if unit.driver == "dummy":
            from edge.running_text.panel import open_dummy

            return open_dummy(unit.cascaded)
        node = Path(f"/dev/spidev{unit.spi_port}.{unit.spi_device}")
        if not node.exists():
            raise HardwareError(
                f"{config.device_id}: no LED panel at {node} (enable SPI with raspi-config, "
                f"{SIMULATE_HINT})"
            )
        from edge.running_text.panel import open_max7219

        try:
            return open_max7219(unit.cascaded, unit.spi_port, unit.spi_device)
        except Exception as error:  # luma and spidev raise their own types
            raise HardwareError(
                f"{config.device_id}: LED panel at {node} cannot be opened ({_reason(error)})"
            ) from None

    def scanner_node(self, config: DeviceConfig) -> str | None:
        scanner = config.kiosk_unit().scanner
        if not scanner.enabled:
            return None
        from edge.kiosk.scanner import find_scanner

        node = find_scanner(scanner.name_contains, scanner.usb_id)
        if node is None:
            log.warning("%s: no QR scanner found; check-in by keypad only", config.device_id)
        return node

    def screenshot_path(self, config: DeviceConfig) -> Path | None:
        return None  # people look at the real screen

    def pen(self, config: DeviceConfig) -> PenSource:
        """The USB tablet or touch screen; one not plugged in yet is waited for, not an error."""
        from edge.signature.pen import EvdevPen

        unit = config.signature_pad_unit()
        return EvdevPen(unit.usb_id, unit.name_contains, touch=unit.input == "touchscreen")


class SimulatedHardware:
    """Stand-ins with the real interfaces, writing what a person would see into ``state_dir``.

    Outputs per device: ``printer-<id>.bin`` (ESC/POS, read with ``mpp tickets``),
    ``<id>.png`` (the screen, refreshed by the agent), ``voice/`` (each
    announcement as a WAV). The voice clips are made once with espeak-ng into
    ``voice-clips/`` (shared by every simulated display of the state dir).
    """

    simulated = True

    def __init__(
        self,
        state_dir: Path,
        *,
        printer: Transport | None = None,
        player: Player | None = None,
        clip_dir: Path | None = None,
        panel: TextPanel | None = None,
    ) -> None:
        """Parts handed in replace the default stand-ins (a printer a test can unplug,
        a speaker that records, a panel that watches, a clip set made once)."""
        self.state_dir = state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self._printer, self._player, self._panel = printer, player, panel
        self._clip_dir = clip_dir or state_dir / "voice-clips"

    def pins(self, config: DeviceConfig) -> Factory:
        from gpiozero.pins.mock import MockFactory

        return MockFactory()

    def oled(self, config: DeviceConfig) -> CounterDisplay:
        from luma.core.device import dummy

        from edge.hardware.display import LumaDisplay

        return LumaDisplay(dummy(width=128, height=64, mode="1"))

    def printer(self, config: DeviceConfig) -> Transport:
        from edge.printer.transport import FileTransport

        if self._printer is not None:
            return self._printer
        return FileTransport(self.state_dir / f"printer-{config.device_id}.bin")

    def screen(self, config: DeviceConfig, size: tuple[int, int]) -> pygame.Surface:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
        import pygame

        pygame.display.init()
        return pygame.display.set_mode(size)

    def voice(self, config: DeviceConfig) -> tuple[ClipSet, Player]:
        from edge.display.announcer import WavFilePlayer
        from edge.display.clips import ClipSet, ClipSetError

        clip_dir = self._clip_dir
        try:
            clips = ClipSet(clip_dir)
        except ClipSetError:
            # Missing, or made by an older version that lacks a clip (a state
            # directory kept across an upgrade): made anew.
            log.info("making the voice clip set with espeak-ng in %s", clip_dir)
            self._make_clips(clip_dir, config.device_id)
            clips = ClipSet(clip_dir)
        player = self._player or WavFilePlayer(self.state_dir / "voice" / config.device_id)
        return clips, player

    @staticmethod
    def _make_clips(clip_dir: Path, device_id: str) -> None:
        """Made aside and renamed into place: two displays of one state directory start
        together, and neither may read the other's half-written clips; an outdated
        set is moved away whole, never mixed with the new one."""
        from edge.display.clips import ClipSet, ClipSetError, make_clip_set

        clip_dir.parent.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=".voice-clips-", dir=clip_dir.parent))
        old = clip_dir.with_name(f".{clip_dir.name}-outdated-{aside.name}")
        try:
            make_clip_set(aside)
            try:
                aside.rename(clip_dir)
            except OSError:  # a set is there: the other display's new one, or an old one
                try:
                    ClipSet(clip_dir)
                except ClipSetError:
                    with contextlib.suppress(OSError):  # the other display moved it
                        clip_dir.rename(old)
                    with contextlib.suppress(OSError):  # the other display was first
                        aside.rename(clip_dir)
        except (OSError, RuntimeError, subprocess.SubprocessError) as error:
            raise HardwareError(
                f"{device_id}: cannot make voice clips in {clip_dir} ({error}; install espeak-ng)"
            ) from None
        finally:
            shutil.rmtree(aside, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)

    def led_panel(self, config: DeviceConfig) -> TextPanel:
        from edge.running_text.panel import open_dummy

        if self._panel is not None:
            return self._panel
        return open_dummy(config.running_text_unit().cascaded)

    def scanner_node(self, config: DeviceConfig) -> str | None:
        return None

    def screenshot_path(self, config: DeviceConfig) -> Path | None:
        """Where the headless screen is saved for people to look at."""
        return self.state_dir / f"{config.device_id}.png"

    def pen(self, config: DeviceConfig) -> PenSource:
        """A pen the control socket draws with (``{"do": "sign", ...}``)."""
        from edge.signature.pen import SimulatedPen

        return SimulatedPen()


@contextlib.contextmanager
def sdl_chatter_to_log() -> Iterator[None]:
    """SDL writes probing notes ("XDG_RUNTIME_DIR is invalid") straight to fd 2;
    keep stderr for the one line a failure gets, and log SDL's notes at debug."""
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode(errors="replace").splitlines():
                log.debug("SDL: %s", line)


def _fullscreen(config: DeviceConfig) -> bool:
    if config.role is Role.KIOSK:
        return config.kiosk_unit().fullscreen
    return config.display_unit().fullscreen


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__
