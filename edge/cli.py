"""``mpp edge --config …``: run the agent of the device a config file describes."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

log = logging.getLogger("mpp.edge")


def register(subparsers: argparse._SubParsersAction) -> None:
    edge = subparsers.add_parser(
        "edge", help="run a device agent by the role in its file (what systemd runs on a Pi)"
    )
    edge.add_argument("--config", type=Path, required=True, help="firmware_config device file")
    edge.add_argument("--host", help="broker host (default: from the config)")
    edge.add_argument("--port", type=int, help="broker port (default: from the config)")
    edge.add_argument(
        "--secrets",
        type=Path,
        help="credentials file (development; devices use mqtt.password_file)",
    )
    edge.add_argument(
        "--tls-dir",
        type=Path,
        help="site TLS directory with ca.crt (and clients/<device>.crt/.key for mutual TLS), "
        "instead of the device file's files (development, the demo, tests)",
    )
    edge.add_argument(
        "--simulate",
        action="store_true",
        help="the same agent on simulated hardware (mock GPIO, dummy OLED/LED panel, "
        "printer into a file, headless screen saved as PNG, voice saved as WAV)",
    )
    edge.add_argument(
        "--state-dir",
        type=Path,
        help="where the agent keeps its files (simulated outputs, announced-calls cursor); "
        "default $XDG_STATE_HOME/mpp/sim with --simulate",
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
    say = display_commands.add_parser(
        "say",
        help="print the words the display says for a call and write them as a WAV",
    )
    say.add_argument("number", help="ticket number, e.g. A-012")
    say.add_argument("counter", type=int, help="loket number, e.g. 3")
    say.add_argument("--out", type=Path, help="WAV file to write (default: none)")
    say.add_argument("--config", type=Path, help="a display's device file: its reading and pauses")
    say.add_argument(
        "--reading", choices=("number", "digits"), help="override: full number or digit by digit"
    )
    say.add_argument("--twice", action="store_true", help="say the call a second time")
    say.add_argument(
        "--clips",
        type=Path,
        help="voice clip set (default: the device file's, else one made once with "
        "espeak-ng in $XDG_STATE_HOME/mpp/voice-clips)",
    )
    say.set_defaults(func=_say)
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


def _make_clips(args: argparse.Namespace) -> int:
    from edge.display.clips import make_clip_set

    written = make_clip_set(args.out, rate_wpm=args.rate)
    print(f"wrote {len(written)} clips to {args.out}")
    return 0


def _say(args: argparse.Namespace) -> int:
    from edge.display.clips import ClipSet, ClipSetError
    from edge.display.say import load_or_make, say
    from edge.display.speech import Pacing, Reading
    from firmware_config.credentials import state_home
    from firmware_config.schema import DisplayUnitConfig

    unit = DisplayUnitConfig(clips_dir=state_home() / "voice-clips")
    if args.config is not None:
        from firmware_config.inventory import ConfigError, load_device

        try:
            unit = load_device(args.config).display_unit()
        except (ConfigError, ValueError, OSError) as error:
            print(f"{args.config}: {error}".splitlines()[0], file=sys.stderr)
            return 2
    reading = Reading(args.reading or unit.reading)
    pacing = Pacing(
        after_chime_s=unit.pause_after_chime_s,
        before_silakan_s=unit.pause_before_silakan_s,
        repeats=2 if args.twice or unit.say_twice else 1,
    )
    try:
        if args.clips is None and args.config is None:
            clips = load_or_make(unit.clips_dir)  # a private set, made once
        else:
            clips = ClipSet(args.clips or unit.clips_dir)  # a device's set: never written here
        said = say(args.number, args.counter, clips, reading, pacing, args.out)
    except (ValueError, ClipSetError, OSError) as error:
        print(f"cannot say {args.number} at loket {args.counter}: {error}", file=sys.stderr)
        return 2
    print(said.sentence)
    if pacing.repeats > 1:
        print(f"(said {pacing.repeats} times)")
    print()
    print("\n".join(said.timeline))
    print(f"{said.seconds:6.2f} s  end")
    if args.out is not None:
        print(f"wrote {args.out}")
    return 0


def default_sim_dir() -> Path:
    from firmware_config.credentials import state_home

    return state_home() / "sim"


def _run(args: argparse.Namespace) -> int:
    """Build the agent of the device file on real or simulated hardware; run until a signal."""
    from edge.compose import build_agent, device_link, device_password
    from edge.hardware.choice import Hardware, RealHardware, SimulatedHardware
    from edge.liveness import AgentNotifier, AgentWatchdog
    from firmware_config.inventory import load_device

    started = time.monotonic()
    config = load_device(args.config)
    state_dir: Path | None = args.state_dir
    hardware: Hardware
    if args.simulate:
        state_dir = state_dir or default_sim_dir()
        hardware = SimulatedHardware(state_dir)
    else:
        hardware = RealHardware()
    link = device_link(
        config, device_password(config, args.secrets), args.host, args.port, args.tls_dir
    )
    agent = build_agent(config, link, hardware, state_dir)
    control = None
    if args.simulate:
        from edge.simulation.control import ControlServer, socket_path
        from edge.simulation.people import actions_for

        assert state_dir is not None
        actions = actions_for(config.role, agent)
        actions["hang"] = lambda _request: agent.beat.hang() or {}  # the watchdog test's hook
        control = ControlServer(socket_path(state_dir, config.device_id), actions)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: agent.request_stop())
    agent.start()
    if control is not None:
        control.start()
    watchdog = AgentWatchdog(
        AgentNotifier.from_environment(), agent.beat, agent.link.connected.is_set, link.where
    )
    watchdog.start(f"{config.role.value} {config.device_id}")
    log.info(
        "%s %s started in %.2f s (%s hardware), broker %s",
        config.role.value,
        config.device_id,
        time.monotonic() - started,
        "simulated" if args.simulate else "real",
        link.where,
    )
    try:
        agent.run()
    finally:
        stopping = time.monotonic()
        watchdog.stop()
        if control is not None:
            control.close()
        agent.stop()
        log.info("%s stopped in %.2f s", config.device_id, time.monotonic() - stopping)
    _exit_now(0)
    return 0


def _exit_now(code: int) -> None:
    """Leave at once after a clean stop: offline is published, the hardware closed,
    files written. Python's own finalisation of pygame, paho and gpiozero took
    ~0.1 s of CPU per process — 3 s for a building's worth of agents stopping
    together on a 2-core hub — and does nothing a device needs."""
    if "pygame" in sys.modules:
        sys.modules["pygame"].quit()  # gives the console back (KMSDRM)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
