"""The composition root: the one place an agent is wired from a device file.

``mpp edge``, the demo (through ``mpp edge`` processes), the benches and the
tests all build agents here, from a device file, an MQTT link and a
:class:`~edge.hardware.choice.Hardware` (real or simulated). Nothing else
constructs drivers for an agent, so what the tests run is what systemd runs.

Every agent has the same life: ``start()`` (threads and connection, never
blocking on the broker), ``run()`` (until ``request_stop()``; the kiosk and
display draw on the calling thread there), ``stop()`` (offline status, hardware
closed, bounded in time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from edge.hardware.choice import Hardware
from edge.liveness import LoopBeat
from firmware_config.schema import DeviceConfig
from protocol.link import LinkSettings, MqttLink
from protocol.roles import Role
from protocol.tls import TlsFiles, tls_files_in

if TYPE_CHECKING:
    from edge.counter.agent import CounterAgent
    from edge.display.agent import DisplayAgent
    from edge.kiosk.agent import KioskAgent
    from edge.running_text.agent import RunningTextAgent
    from edge.signature.agent import SignaturePadAgent

SNAPSHOT_EVERY_S = 5.0


class Agent(Protocol):
    link: MqttLink
    beat: LoopBeat  # the main loop's turns; systemd's watchdog follows them

    def start(self) -> None: ...
    def run(self) -> None: ...
    def request_stop(self) -> None: ...
    def stop(self) -> None: ...


class RoleNotAvailableError(RuntimeError):
    """The device file names a role whose agent does not exist yet."""


def device_password(config: DeviceConfig, secrets: Path | None) -> str:
    """Password from the config, its password file, or the credentials store.

    With mutual TLS the certificate is the credential: no password is needed
    (an empty one is sent when none is configured).
    """
    from firmware_config.credentials import CredentialStore, default_store_path

    if config.mqtt.security == "mutual-tls" and secrets is None and config.mqtt.password is None:
        password_file = config.mqtt.password_file
        if password_file is None or not password_file.exists():
            return ""
    if config.mqtt.password is not None:
        return config.mqtt.password.get_secret_value()
    if config.mqtt.password_file is not None and secrets is None:
        return config.mqtt.password_file.read_text(encoding="utf-8").strip()
    return CredentialStore(secrets or default_store_path()).password(config.device_id)


def device_tls(config: DeviceConfig, tls_dir: Path | None = None) -> TlsFiles | None:
    """The TLS files of the device: from its file (provisioned), or from ``tls_dir``
    (a site TLS directory: the demo, tests and benches); ``None`` on a plain LAN."""
    mqtt = config.mqtt
    if mqtt.security == "plain":
        return None
    if tls_dir is not None:
        return tls_files_in(tls_dir, config.device_id)
    if mqtt.security == "mutual-tls":
        return TlsFiles(str(mqtt.tls_ca_file), str(mqtt.tls_cert_file), str(mqtt.tls_key_file))
    return TlsFiles(str(mqtt.tls_ca_file))


def link_settings(
    config: DeviceConfig,
    password: str,
    host: str | None = None,
    port: int | None = None,
    tls_dir: Path | None = None,
) -> LinkSettings:
    """Where and as whom a device connects: its file, with optional overrides."""
    return LinkSettings(
        host or config.mqtt.host,
        port or config.mqtt.port,
        config.device_id,
        password,
        keepalive_s=config.mqtt.keepalive_s,
    ).with_tls(device_tls(config, tls_dir))


def device_link(
    config: DeviceConfig,
    password: str,
    host: str | None = None,
    port: int | None = None,
    tls_dir: Path | None = None,
) -> MqttLink:
    """The device's MQTT link (presence is added by the agent it is given to)."""
    return MqttLink(link_settings(config, password, host, port, tls_dir))


def build_agent(
    config: DeviceConfig, link: MqttLink, hardware: Hardware, state_dir: Path | None = None
) -> Agent:
    """The agent for ``config.role`` on ``hardware``; HardwareError if a part is missing.

    Every agent obeys the admin's device requests (edge/device_control.py).
    """
    from edge.device_control import DeviceControlHandler

    agent: Agent
    if config.role is Role.COUNTER:
        agent = counter_agent(config, link, hardware)
    elif config.role is Role.KIOSK:
        agent = kiosk_agent(config, link, hardware)
    elif config.role is Role.DISPLAY:
        agent = display_agent(config, link, hardware, state_dir)
    elif config.role is Role.RUNNING_TEXT:
        agent = running_text_agent(config, link, hardware)
    elif config.role is Role.SIGNATURE_PAD:
        agent = signature_pad_agent(config, link, hardware, state_dir)
    else:
        raise RoleNotAvailableError(
            f"{config.device_id}: the {config.role.value} agent is not available yet"
        )
    DeviceControlHandler(agent, config.device_id)
    if config.role is not Role.COUNTER:  # the counter unit beats on its own thread
        from edge.heartbeat import HeartbeatSender

        HeartbeatSender(link, config.device_id).start()
    return agent


def counter_agent(
    config: DeviceConfig,
    link: MqttLink,
    hardware: Hardware,
    clock: Callable[[], float] = time.monotonic,
) -> CounterAgent:
    """``clock`` (monotonic seconds) is the debounce and hold clock; tests move it by hand."""
    from edge.counter.agent import CounterAgent

    display = hardware.oled(config)
    return CounterAgent(config, link, hardware.pins(config), display, clock=clock)


def kiosk_agent(
    config: DeviceConfig,
    link: MqttLink,
    hardware: Hardware,
    clock: Callable[[], float] = time.monotonic,
) -> KioskAgent:
    """``clock`` (monotonic seconds) times the idle return to welcome; tests move it by hand."""
    from edge.kiosk.agent import KioskAgent
    from protocol.malloc_tuning import map_large_blocks

    map_large_blocks()  # text surfaces come and go all day: freed ones go back

    unit = config.kiosk_unit()
    surface = hardware.screen(config, (unit.width, unit.height))
    transport = hardware.printer(config)
    scanner_node = hardware.scanner_node(config)
    agent = KioskAgent(
        config, link, transport, surface, clock=clock, scanner_present=scanner_node is not None
    )
    agent.screenshot_path = hardware.screenshot_path(config)
    if scanner_node is not None:
        from edge.kiosk.scanner import EvdevScanner

        agent.attach(EvdevScanner(scanner_node, agent.scanned))
    if not hardware.simulated:
        from edge.kiosk.hotplug import PrinterWatcher

        agent.attach(
            PrinterWatcher(unit.printer.usb_vendor_id, unit.printer.device, agent.printer_changed)
        )
    return agent


def display_agent(
    config: DeviceConfig, link: MqttLink, hardware: Hardware, state_dir: Path | None = None
) -> DisplayAgent:
    from datetime import time as clock_time

    from edge.display.agent import DisplayAgent
    from edge.display.announcer import AnnouncedCursor, Announcer, QuietHours
    from edge.display.speech import Pacing, Reading
    from protocol.malloc_tuning import map_large_blocks

    map_large_blocks()  # text surfaces come and go all day: freed ones go back
    unit = config.display_unit()
    clips, player = hardware.voice(config)
    quiet = None
    if unit.quiet_start and unit.quiet_end:
        quiet = QuietHours(
            clock_time.fromisoformat(unit.quiet_start), clock_time.fromisoformat(unit.quiet_end)
        )
    cursor_dir = state_dir or unit.clips_dir.parent
    announcer = Announcer(
        clips,
        player,
        AnnouncedCursor(cursor_dir / f"announced-{config.device_id}.json"),
        Reading(unit.reading),
        quiet,
        pacing=Pacing(
            after_chime_s=unit.pause_after_chime_s,
            before_silakan_s=unit.pause_before_silakan_s,
            repeats=2 if unit.say_twice else 1,
        ),
    )
    surface = hardware.screen(config, (unit.width, unit.height))
    return DisplayAgent(
        config,
        link,
        surface,
        announcer,
        snapshot_dir=state_dir if hardware.simulated else None,
        snapshot_every_s=SNAPSHOT_EVERY_S,
        snapshot_name=f"{config.device_id}.png",
    )


def running_text_agent(
    config: DeviceConfig, link: MqttLink, hardware: Hardware
) -> RunningTextAgent:
    from edge.running_text.agent import RunningTextAgent

    return RunningTextAgent(config, link, hardware.led_panel(config))


def signature_pad_agent(
    config: DeviceConfig, link: MqttLink, hardware: Hardware, state_dir: Path | None = None
) -> SignaturePadAgent:
    """The pad's pictures go to ``<state dir>/signatures`` (on a device: /var/lib/mpp)."""
    from edge.signature.agent import SignaturePadAgent

    output = (state_dir or Path("/var/lib/mpp")) / "signatures"
    return SignaturePadAgent(config, link, hardware.pen(config), output)
