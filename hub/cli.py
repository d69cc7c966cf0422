"""``mpp hub …`` subcommands."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

log = logging.getLogger("mpp.hub")


def register(subparsers: argparse._SubParsersAction) -> None:
    hub = subparsers.add_parser("hub", help="the queue hub service and its contract")
    commands = hub.add_subparsers(title="hub commands", metavar="COMMAND", required=True)
    asyncapi = commands.add_parser(
        "asyncapi", help="print the AsyncAPI 3 document of the MQTT contract"
    )
    asyncapi.add_argument("--out", type=Path, help="write to this file instead of stdout")
    asyncapi.set_defaults(func=_asyncapi)

    run = commands.add_parser("run", help="run the queue hub service against the local broker")
    run.add_argument("--site", type=Path, help="site file (default: bundled Lampung Timur)")
    run.add_argument("--inventory", type=Path, help="firmware_config dir (default: bundled)")
    run.add_argument("--db", type=Path, help="SQLite store (default: $XDG_STATE_HOME/mpp/hub.db)")
    run.add_argument("--host", default="127.0.0.1", help="broker address")
    run.add_argument("--port", type=int, default=1884, help="broker port (loopback listener)")
    run.add_argument("--secrets", type=Path, help="credentials file written by broker render")
    run.add_argument(
        "--clock-start",
        type=_aware_datetime,
        help="run as if it were this instant, e.g. 2026-11-23T08:00+07:00 (demo, tests)",
    )
    run.set_defaults(func=_run)


def render_asyncapi() -> str:
    """The AsyncAPI document as YAML, byte-for-byte stable for the drift test."""
    import yaml

    from protocol.asyncapi import build_document

    return yaml.safe_dump(build_document(), sort_keys=False, allow_unicode=True, width=100)


def _aware_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone offset, e.g. +07:00")
    return moment


def default_db_path() -> Path:
    from firmware_config.credentials import state_home

    return state_home() / "hub.db"


def bookings_db_path(db: Path) -> Path:
    """The online bookings' SQLite file beside the event store (``hub-bookings.db``)."""
    return db.with_name(f"{db.stem}-bookings{db.suffix}")


def _run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT (both a normal stop: exit 0).

    The broker need not be up yet: the link keeps trying and says so, and
    "hub ready" is logged once the state is published.
    """
    from protocol.signals import stop_on_signals

    with stop_on_signals() as stop:
        return _serve(args, stop)


def _serve(args: argparse.Namespace, stop: threading.Event) -> int:
    started = time.monotonic()

    from firmware_config.credentials import CredentialStore, default_store_path
    from firmware_config.inventory import DEFAULT_INVENTORY, load_inventory
    from hub.app import HubApp, HubSettings
    from hub.booking_codes import default_key_path, load_or_create_key
    from hub.booking_store import SqliteBookings
    from hub.clock import OffsetClock, SystemClock
    from hub.health import Notifier
    from hub.site.loader import DEFAULT_SITE, load_site
    from hub.store import EventStore
    from hub.uplink.outbox import OutboxLimits
    from protocol.link import LinkSettings, MqttLink
    from protocol.malloc_tuning import map_large_blocks
    from protocol.signals import wait_interruptibly

    map_large_blocks()  # the state's snapshot text grows all day: freed ones go back
    site = load_site(args.site or DEFAULT_SITE)
    for where, message in site.capacity_warnings():
        log.warning("site %s: %s: %s", site.id, where, message)
    inventory = load_inventory(args.inventory or DEFAULT_INVENTORY)
    secrets = args.secrets or default_store_path()
    password = CredentialStore(secrets).password("hub")
    clock = OffsetClock(args.clock_start) if args.clock_start else SystemClock()
    db = args.db or default_db_path()
    upstream = inventory.hub.upstream if inventory.hub is not None else None
    limits, settings = OutboxLimits(), HubSettings()
    if upstream is not None:  # hub.toml [upstream]: the outbox's bound and alert
        limits = OutboxLimits(
            upstream.max_items, upstream.alert_items, upstream.alert_age_minutes, upstream=True
        )
        settings = HubSettings(health_every_s=upstream.health_every_minutes * 60.0)
    app = HubApp(
        site,
        inventory,
        EventStore(db, limits),
        MqttLink(LinkSettings(args.host, args.port, "hub", password)),
        clock=clock,
        bookings=SqliteBookings(
            bookings_db_path(db), load_or_create_key(default_key_path(secrets))
        ),
        notifier=Notifier.from_environment(),  # systemd Type=notify, WatchdogSec=
        settings=settings,
    )

    def announce_ready() -> None:
        app.ready.wait()
        log.info(
            "hub ready in %.2f s: %s, %d tickets today",
            time.monotonic() - started,
            site.name,
            len(app.service.state.tickets),
        )

    app.start(wait=None)
    threading.Thread(target=announce_ready, name="hub-ready", daemon=True).start()
    try:
        wait_interruptibly(stop)
    finally:
        stopping = time.monotonic()
        app.stop()
        log.info("hub stopped in %.2f s", time.monotonic() - stopping)
    return 0


def _asyncapi(args: argparse.Namespace) -> int:
    text = render_asyncapi()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if not args.out.parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT,
            f"no directory {args.out.parent}; create it or choose another --out",
            str(args.out),
        )
    args.out.write_text(text, encoding="utf-8")
    return 0
