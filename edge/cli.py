"""``mpp edge --config …``: run the agent of the device a config file describes."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("mpp.edge")


def register(subparsers: argparse._SubParsersAction) -> None:
    edge = subparsers.add_parser("edge", help="run a device agent (counter unit, …)")
    edge.add_argument("--config", type=Path, required=True, help="firmware_config device file")
    edge.add_argument("--host", help="broker host (default: from the config)")
    edge.add_argument("--port", type=int, help="broker port (default: from the config)")
    edge.add_argument(
        "--secrets",
        type=Path,
        help="credentials file (development; devices use mqtt.password_file)",
    )
    edge.add_argument(
        "--pin-factory",
        default=os.environ.get("GPIOZERO_PIN_FACTORY", "lgpio"),
        help="gpiozero pin factory: lgpio on a Pi, mock for trials",
    )
    edge.add_argument(
        "--display",
        choices=["auto", "none", "dummy"],
        default="auto",
        help="auto: as configured; none; dummy: luma's in-memory device (trials)",
    )
    edge.set_defaults(func=_run)
    display = subparsers.add_parser("display", help="call display tools")
    display_commands = display.add_subparsers(
        title="display commands", metavar="COMMAND", required=True
    )
    clips = display_commands.add_parser(
        "make-clips", help="make the voice clip set with espeak-ng (Indonesian voice)"
    )
    clips.add_argument("--out", type=Path, required=True)
    clips.add_argument("--rate", type=int, default=140, help="words per minute")
    clips.set_defaults(func=_make_clips)
    tickets = subparsers.add_parser(
        "tickets", help="print the tickets in a file-backed printer's output as text"
    )
    tickets.add_argument("file", type=Path)
    tickets.set_defaults(func=_tickets)


def _tickets(args: argparse.Namespace) -> int:
    from edge.printer.decode import split_tickets

    for index, printout in enumerate(split_tickets(args.file.read_bytes()), start=1):
        print(f"--- ticket {index} ---")
        for line in printout.lines:
            print(line.text.center(48) if line.align == "center" else line.text)
        for payload in printout.qr:
            print(f"[QR: {payload}]".center(48))
    return 0


def device_password(config: object, secrets: Path | None) -> str:
    """Password from the config, its password file, or the development credentials store."""
    from firmware_config.credentials import CredentialStore, default_store_path
    from firmware_config.schema import DeviceConfig

    assert isinstance(config, DeviceConfig)
    if config.mqtt.password is not None:
        return config.mqtt.password.get_secret_value()
    if config.mqtt.password_file is not None and secrets is None:
        return config.mqtt.password_file.read_text(encoding="utf-8").strip()
    return CredentialStore(secrets or default_store_path()).password(config.device_id)


def _run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    from firmware_config.inventory import ConfigError, load_device

    config = load_device(args.config)
    from protocol.roles import Role

    if config.role is Role.KIOSK:
        return _run_kiosk(args, config, started)
    if config.role is Role.DISPLAY:
        return _run_display(args, config, started)
    if config.role is Role.RUNNING_TEXT:
        return _run_running_text(args, config, started)
    from edge.counter.agent import CounterAgent
    from edge.hardware.display import CounterDisplay, LumaDisplay, NullDisplay, open_ssd1306
    from edge.hardware.gpio import make_pin_factory
    from protocol.roles import Role

    if config.role is not Role.COUNTER:
        raise ConfigError(f"{args.config}: the {config.role.value} agent is not available yet")
    unit = config.counter_unit()
    display: CounterDisplay = NullDisplay()
    if args.display == "dummy":
        from luma.core.device import dummy

        display = LumaDisplay(dummy(width=128, height=64, mode="1"))
    elif unit.display == "ssd1306" and args.display == "auto":
        try:
            display = open_ssd1306(unit.i2c_port, unit.i2c_address)
        except (OSError, RuntimeError) as error:
            log.warning(
                "display not found on i2c-%d 0x%02x (%s); running without it",
                unit.i2c_port,
                unit.i2c_address,
                error,
            )
    agent = CounterAgent(
        config,
        _link_settings(args, config),  # type: ignore[arg-type]
        make_pin_factory(args.pin_factory),
        display,
    )
    return _serve(agent, f"counter unit {config.device_id}", started)


def _link_settings(args: argparse.Namespace, config: object) -> object:
    from firmware_config.schema import DeviceConfig
    from protocol.link import LinkSettings

    assert isinstance(config, DeviceConfig)
    return LinkSettings(
        args.host or config.mqtt.host,
        args.port or config.mqtt.port,
        config.device_id,
        device_password(config, args.secrets),
        keepalive_s=config.mqtt.keepalive_s,
        tls_ca_file=str(config.mqtt.tls_ca_file) if config.mqtt.tls_ca_file else None,
    )


def _run_kiosk(args: argparse.Namespace, config: object, started: float) -> int:
    """The kiosk: pygame full screen (KMSDRM on a Pi, a window on a desktop)."""
    from firmware_config.schema import DeviceConfig

    assert isinstance(config, DeviceConfig)
    if args.display in ("dummy", "none"):
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    import pygame

    from edge.kiosk.agent import KioskAgent
    from edge.kiosk.hotplug import PrinterWatcher
    from edge.kiosk.scanner import EvdevScanner, find_scanner
    from edge.printer.transport import FileTransport, open_transport

    unit = config.kiosk_unit()
    pygame.display.init()
    flags = pygame.FULLSCREEN if unit.fullscreen and args.display == "auto" else 0
    surface = pygame.display.set_mode((unit.width, unit.height), flags)
    pygame.display.set_caption("Antrian MPP")
    printer = unit.printer
    transport = (
        FileTransport(args.printer_file)
        if args.printer_file
        else open_transport(
            printer.connection, printer.device, printer.host, printer.port, printer.baudrate
        )
    )
    scanner_node = find_scanner(unit.scanner.name_contains) if unit.scanner.enabled else None
    agent = KioskAgent(
        config,
        _link_settings(args, config),
        transport,  # type: ignore[arg-type]
        surface,
        scanner_present=scanner_node is not None,
    )
    scanner = EvdevScanner(scanner_node, agent.scanned) if scanner_node else None
    watcher = PrinterWatcher(printer.usb_vendor_id, printer.device, agent.printer_changed)
    signal.signal(signal.SIGTERM, lambda *_: agent.request_stop())
    agent.start()
    if scanner is not None:
        scanner.start()
    watcher.start()
    if agent.link.connected.wait(15):
        log.info("kiosk %s connected in %.2f s", config.device_id, time.monotonic() - started)
    with contextlib.suppress(KeyboardInterrupt):
        agent.run()
    watcher.stop()
    if scanner is not None:
        scanner.close()
    agent.stop()
    return 0


def _make_clips(args: argparse.Namespace) -> int:
    from edge.display.clips import make_clip_set

    written = make_clip_set(args.out, rate_wpm=args.rate)
    print(f"wrote {len(written)} clips to {args.out}")
    return 0


def _run_display(args: argparse.Namespace, config: object, started: float) -> int:
    """The call display: pygame full screen, the voice through pygame.mixer."""
    from datetime import time as clock_time

    from firmware_config.schema import DeviceConfig

    assert isinstance(config, DeviceConfig)
    if args.display in ("dummy", "none"):
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import pygame

    from edge.display.agent import DisplayAgent
    from edge.display.announcer import AnnouncedCursor, Announcer, PygamePlayer, QuietHours
    from edge.display.clips import ClipSet
    from edge.display.speech import Reading

    unit = config.display_unit()
    clips = ClipSet(unit.clips_dir)  # missing clips: a clear start-up error
    quiet = None
    if unit.quiet_start and unit.quiet_end:
        quiet = QuietHours(
            clock_time.fromisoformat(unit.quiet_start), clock_time.fromisoformat(unit.quiet_end)
        )
    pygame.display.init()
    flags = pygame.FULLSCREEN if unit.fullscreen and args.display == "auto" else 0
    surface = pygame.display.set_mode((unit.width, unit.height), flags)
    announcer = Announcer(
        clips,
        PygamePlayer(unit.volume),
        AnnouncedCursor(unit.clips_dir.parent / "announced.json"),
        Reading(unit.reading),
        quiet,
    )
    agent = DisplayAgent(
        config,
        _link_settings(args, config),
        surface,  # type: ignore[arg-type]
        announcer,
    )
    signal.signal(signal.SIGTERM, lambda *_: agent.request_stop())
    agent.start()
    if agent.link.connected.wait(15):
        log.info("display %s connected in %.2f s", config.device_id, time.monotonic() - started)
    with contextlib.suppress(KeyboardInterrupt):
        agent.run()
    agent.stop()
    return 0


def _run_running_text(args: argparse.Namespace, config: object, started: float) -> int:
    from firmware_config.schema import DeviceConfig

    assert isinstance(config, DeviceConfig)
    from edge.running_text.agent import RunningTextAgent
    from edge.running_text.panel import open_dummy, open_max7219

    unit = config.running_text_unit()
    panel = (
        open_dummy(unit.cascaded)
        if unit.driver == "dummy" or args.display == "dummy"
        else open_max7219(unit.cascaded, unit.spi_port, unit.spi_device)
    )
    agent = RunningTextAgent(config, _link_settings(args, config), panel)  # type: ignore[arg-type]
    return _serve(agent, f"running text {config.device_id}", started)


def _serve(agent: Any, name: str, started: float) -> int:
    """Start an agent without a UI loop, log when connected, run until SIGTERM or Ctrl-C."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    agent.start()
    if agent.link.connected.wait(15):
        log.info("%s connected in %.2f s", name, time.monotonic() - started)
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    agent.stop()
    return 0
