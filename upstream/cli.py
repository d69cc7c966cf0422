"""``mpp upstream …``: the site's booking key and reference publishers of what upstream sends.

``complaints status`` reports a complaint's status back to the hub as the
national channel (SP4N-LAPOR) would, on ``mpp/upstream/complaints``, and waits
for the hub's ``complaint.status_stored``.

``bookings push`` publishes the way upstream does in this first step of the
uplink: straight into the hub's booking intake (``mpp/upstream/bookings``) on
the site broker, as the ``upstream`` account that ``mpp broker render``
creates (its ACL allows the upstream topics and their answer only). It is what a site
without a booking system yet, and the tests, use; a regional broker bridged to
the site broker carries the same payloads later.
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protocol.models import BookingRoom
    from protocol.tls import TlsFiles

log = logging.getLogger("mpp.upstream")
PUSH_TIMEOUT_S = 10.0


def register(subparsers: argparse._SubParsersAction) -> None:
    upstream = subparsers.add_parser(
        "upstream",
        help="the booking key and reference publishers of online bookings and complaint status",
    )
    commands = upstream.add_subparsers(title="upstream commands", metavar="COMMAND", required=True)
    key = commands.add_parser(
        "key", help="make the site's booking key (once) and say where it is kept"
    )
    key.add_argument("--secrets", type=Path, help="credentials file (the key is kept beside it)")
    key.add_argument(
        "--show", action="store_true", help="print the key (hex) to hand to the booking system"
    )
    key.set_defaults(func=_key)

    bookings = commands.add_parser("bookings", help="online bookings")
    actions = bookings.add_subparsers(title="bookings commands", metavar="COMMAND", required=True)
    push = actions.add_parser(
        "push", help="publish the bookings and cancellations of a JSON file to the hub"
    )
    push.add_argument("file", type=Path, help="JSON: {bookings: [...], cancelled: [codes]}")
    _connection_options(push)
    push.add_argument(
        "--site-id",
        help="publish on the regional broker under this site's prefix (mpp/site/ID/…), as "
        "upstream does once the site's broker bridges to it; --host/--port name the regional "
        "broker, the password comes from $MPP_UPSTREAM_PASSWORD",
    )
    push.add_argument(
        "--account",
        default=None,
        help="account on the broker (default: upstream; receiver with --site-id)",
    )
    push.set_defaults(func=_push)

    complaints = commands.add_parser(
        "complaints", help="complaints forwarded upstream (SP4N-LAPOR)"
    )
    complaint_actions = complaints.add_subparsers(
        title="complaints commands", metavar="COMMAND", required=True
    )
    status = complaint_actions.add_parser(
        "status", help="report a complaint's status back to the hub, as the national channel does"
    )
    status.add_argument("complaint_id", metavar="ID", help="the hub's id, e.g. PGD-20261124-003")
    status.add_argument(
        "status",
        metavar="STATUS",
        choices=["received", "verified", "in_progress", "resolved", "rejected"],
        help="received, verified, in_progress, resolved or rejected",
    )
    status.add_argument("--note", default="", help="what was done (shown in the console)")
    status.add_argument("--reference", help="the national channel's tracking number")
    _connection_options(status)
    status.set_defaults(func=_complaint_status)

    run = commands.add_parser(
        "run",
        help="the reference receiver: store and acknowledge what site hubs send upstream",
    )
    run.add_argument("--host", default="127.0.0.1", help="regional broker address")
    run.add_argument("--port", type=int, default=8883, help="regional broker port")
    run.add_argument("--account", default="receiver", help="its account on the regional broker")
    run.add_argument(
        "--secrets",
        type=Path,
        help="credentials file holding the account's password (else $MPP_UPSTREAM_PASSWORD)",
    )
    run.add_argument(
        "--ca", type=Path, metavar="FILE", help="CA of the regional broker: TLS (default: plain)"
    )
    run.add_argument(
        "--db", type=Path, help="SQLite file (default: $XDG_STATE_HOME/mpp/upstream.db)"
    )
    run.set_defaults(func=_run)

    received = commands.add_parser(
        "received", help="what the receiver holds: per site and stream, items, repeats, gaps"
    )
    received.add_argument("--db", type=Path, help="the receiver's SQLite file")
    received.add_argument("--json", action="store_true", help="JSON instead of a table")
    received.set_defaults(func=_received)

    regional = commands.add_parser(
        "broker", help="a reference regional broker: Mosquitto for many site bridges"
    )
    regional_commands = regional.add_subparsers(
        title="broker commands", metavar="COMMAND", required=True
    )
    regional_render = regional_commands.add_parser(
        "render",
        help="write mosquitto.conf, the password file and the ACL (each site under its own "
        "prefix) for the sites named",
    )
    regional_render.add_argument(
        "--sites", required=True, help="site ids, comma-separated (each site's account)"
    )
    regional_render.add_argument("--out", type=Path, required=True, help="directory to write")
    regional_render.add_argument("--port", type=int, default=8883)
    regional_render.add_argument("--bind", default="0.0.0.0", help="listener address")  # noqa: S104
    regional_render.add_argument(
        "--secrets", type=Path, required=True, help="where the accounts' passwords are kept"
    )
    regional_render.add_argument("--ca", type=Path, help="CA of the listener's certificate")
    regional_render.add_argument("--cert", type=Path, help="the listener's certificate")
    regional_render.add_argument("--key", type=Path, help="the listener's key")
    regional_render.add_argument("--run-as", default="mosquitto", help="user mosquitto drops to")
    regional_render.set_defaults(func=_regional_render)

    uplink = commands.add_parser(
        "password",
        help="keep the password of this site's account on the regional broker (read from "
        "standard input) for the bridge `mpp broker render` writes",
    )
    uplink.add_argument("--secrets", type=Path, help="credentials file (default: as for render)")
    uplink.set_defaults(func=_password)


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="site broker address")
    parser.add_argument("--port", type=int, default=1884, help="broker port (loopback listener)")
    parser.add_argument("--secrets", type=Path, help="credentials file written by broker render")
    parser.add_argument(
        "--ca",
        type=Path,
        metavar="FILE",
        help="site CA: publish over TLS to the LAN listener (default for a host that is not "
        "this machine: tls/ca.crt beside the credentials file)",
    )
    parser.add_argument(
        "--plain", action="store_true", help="plain MQTT off this machine (a plain-LAN site)"
    )
    parser.add_argument("--timeout", type=float, default=PUSH_TIMEOUT_S, help="seconds per answer")



def _key(args: argparse.Namespace) -> int:
    from firmware_config.credentials import default_store_path
    from hub.booking_codes import default_key_path, load_or_create_key

    path = default_key_path(args.secrets or default_store_path())
    key = load_or_create_key(path)
    print(key.hex() if args.show else f"booking key: {path}")
    return 0


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _tls(args: argparse.Namespace, secrets: Path) -> TlsFiles | None:
    """Plain on this machine's loopback (the hub's own listener never leaves the host);
    across the LAN, TLS against the site CA like every device, so the upstream
    account's password never crosses it in clear."""
    from firmware_config.credentials import UPSTREAM_ACCOUNT, site_tls_dir
    from protocol.link import LinkError
    from protocol.tls import TlsFiles, tls_files_in

    if args.plain or (args.ca is None and args.host in LOOPBACK_HOSTS):
        return None
    files = (
        TlsFiles(str(args.ca))
        if args.ca is not None
        else tls_files_in(site_tls_dir(secrets), UPSTREAM_ACCOUNT)
    )
    if not Path(files.ca_file).is_file():
        raise LinkError(
            f"no site CA at {files.ca_file}: give --ca FILE, or --plain for a plain-LAN site"
        )
    return files


def _push(args: argparse.Namespace) -> int:
    import os

    from firmware_config.credentials import UPSTREAM_ACCOUNT, CredentialStore, default_store_path
    from hub.booking_codes import default_key_path, load_or_create_key
    from protocol.codec import Decoded
    from protocol.link import LinkError, LinkSettings, MqttLink
    from protocol.models import BookingsPush, BookingsStored
    from protocol.models.upstream import MAX_BOOKINGS_PER_PUSH
    from protocol.topics import spec
    from protocol.version import parse_schema_version
    from upstream.bookings_file import read_bookings_file, records
    from upstream.regional_broker import RECEIVER_ACCOUNT

    secrets = args.secrets or default_store_path()
    given = read_bookings_file(args.file)
    made = records(load_or_create_key(default_key_path(secrets)), given)
    regional = args.site_id is not None
    account = args.account or (RECEIVER_ACCOUNT if regional else UPSTREAM_ACCOUNT)
    password = os.environ.get("MPP_UPSTREAM_PASSWORD") or CredentialStore(secrets).password(account)
    where = {"site_id": args.site_id} if regional else {}
    bookings_topic = spec("regional.bookings" if regional else "upstream.bookings")
    reply_topic = spec("regional.reply" if regional else "upstream.reply")
    answers: queue.Queue[BookingsStored] = queue.Queue()

    def on_answer(decoded: Decoded, _properties: object) -> None:
        if isinstance(decoded.message, BookingsStored):
            answers.put(decoded.message)

    settings = LinkSettings(args.host, args.port, account, password)
    link = MqttLink(settings.with_tls(_tls(args, secrets)))
    link.subscribe(reply_topic, on_answer, **where)
    link.start(wait=args.timeout)
    stored = cancelled = 0
    refused: list[str] = []
    room: list[BookingRoom] = []
    told_room = True
    try:
        size = MAX_BOOKINGS_PER_PUSH
        pushes = [
            BookingsPush(command_id=uuid.uuid4(), bookings=made[i : i + size])
            for i in range(0, len(made), size)
        ]
        pushes += [
            BookingsPush(command_id=uuid.uuid4(), cancelled=given.cancelled[i : i + size])
            for i in range(0, len(given.cancelled), size)
        ]
        for push in pushes or [BookingsPush(command_id=uuid.uuid4())]:
            link.publish(bookings_topic, push, **where).wait_for_publish(args.timeout)
            while True:
                try:
                    answer = answers.get(timeout=args.timeout)
                except queue.Empty:
                    raise LinkError(
                        f"the hub did not answer the push within {args.timeout} s "
                        "(is `mpp hub run` running on this broker?)"
                    ) from None
                if answer.command_id == push.command_id:
                    break
            if answer.error is not None:
                print(
                    f"mpp: error: the hub stored {stored} booking(s) before this push failed: "
                    f"{answer.error}",
                    file=sys.stderr,
                )
                return 8
            stored += answer.stored
            cancelled += answer.cancelled
            refused += answer.refused
            room = answer.room  # the last answer's room counts every push before it
            # hubs before 1.5 do not say it
            told_room = (parse_schema_version(answer.schema_version) or (1, 0)) >= (1, 5)
    finally:
        link.stop()
    for record in made:
        if record.code not in refused:
            print(
                f"{record.code}  {record.service}  {record.slot_start.isoformat()}  {record.name}"
            )
    print(f"hub stored {stored} booking(s), {cancelled} cancellation(s)")
    if told_room:
        _print_room(room)
    else:
        print("this hub does not tell the room for bookings (contract before 1.5)")
    if refused:
        print(
            f"mpp: error: the hub refused {len(refused)} booking(s) whose code does not verify "
            f"under the site key: {', '.join(refused)}",
            file=sys.stderr,
        )
        return 8
    return 0


def _print_room(room: list[BookingRoom]) -> None:
    """The room the hub keeps for bookings, per service and day (what may still be booked)."""
    if not room:
        print("no service keeps room for bookings (booking_share 0 everywhere)")
        return
    print(f"{'day':<10}  {'service':<16} {'from':>5} {'reserved':>8} {'booked':>6} {'bookable':>8}")
    for row in room:
        print(
            f"{row.day.isoformat():<10}  {row.service:<16} {row.since:%H:%M} "
            f"{row.reserved:>8} {row.booked:>6} {row.bookable:>8}"
        )


def _complaint_status(args: argparse.Namespace) -> int:
    """Publish one ``complaint.status`` and wait for the hub's answer (stored, or why not)."""
    from pydantic import ValidationError

    from firmware_config.credentials import UPSTREAM_ACCOUNT, CredentialStore, default_store_path
    from protocol.codec import Decoded
    from protocol.link import LinkError, LinkSettings, MqttLink
    from protocol.models import ComplaintStatus, ComplaintStatusStored, ComplaintStatusUpdate
    from protocol.topics import spec

    try:
        update = ComplaintStatusUpdate(
            command_id=uuid.uuid4(),
            complaint_id=args.complaint_id.strip().upper(),
            status=ComplaintStatus(args.status),
            note=args.note,
            reference=args.reference,
        )
    except ValidationError as error:
        first = error.errors()[0]
        print(f"mpp: error: {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    secrets = args.secrets or default_store_path()
    password = CredentialStore(secrets).password(UPSTREAM_ACCOUNT)
    answers: queue.Queue[ComplaintStatusStored] = queue.Queue()

    def on_answer(decoded: Decoded, _properties: object) -> None:
        message = decoded.message
        if isinstance(message, ComplaintStatusStored) and message.command_id == update.command_id:
            answers.put(message)

    settings = LinkSettings(args.host, args.port, UPSTREAM_ACCOUNT, password)
    link = MqttLink(settings.with_tls(_tls(args, secrets)))
    link.subscribe(spec("upstream.reply"), on_answer)
    link.start(wait=args.timeout)
    try:
        link.publish(spec("upstream.complaints"), update).wait_for_publish(args.timeout)
        try:
            answer = answers.get(timeout=args.timeout)
        except queue.Empty:
            raise LinkError(
                f"the hub did not answer within {args.timeout} s "
                "(is `mpp hub run` running on this broker?)"
            ) from None
    finally:
        link.stop()
    if not answer.ok:
        print(f"mpp: error: the hub refused it: {answer.error}", file=sys.stderr)
        return 8
    print(f"hub stored: {update.complaint_id} {update.status.value}")
    return 0


def _default_received_db() -> Path:
    from firmware_config.credentials import state_home

    return state_home() / "upstream.db"


def _run(args: argparse.Namespace) -> int:
    """Receive until SIGTERM or SIGINT (a normal stop: exit 0)."""
    import os
    import threading

    from firmware_config.credentials import CredentialStore, CredentialStoreError
    from protocol.link import LinkSettings, MqttLink
    from protocol.signals import stop_on_signals, wait_interruptibly
    from protocol.tls import TlsFiles
    from upstream.receiver.service import Receiver
    from upstream.receiver.storage import SqliteReceivedItems

    password = os.environ.get("MPP_UPSTREAM_PASSWORD")
    if password is None:
        if args.secrets is None:
            raise CredentialStoreError(
                f"no password for {args.account!r}: give --secrets FILE or set "
                "MPP_UPSTREAM_PASSWORD"
            )
        password = CredentialStore(args.secrets).password(args.account)
    settings = LinkSettings(args.host, args.port, args.account, password)
    if args.ca is not None:
        settings = settings.with_tls(TlsFiles(str(args.ca)))
    db = args.db or _default_received_db()
    receiver = Receiver(SqliteReceivedItems(db), MqttLink(settings))
    with stop_on_signals() as stop:
        receiver.start()

        def announce() -> None:
            if receiver.link.connected.wait(3600):
                log.info(
                    "upstream receiver ready: %s as %s, storing in %s",
                    receiver.link.where,
                    args.account,
                    db,
                )

        threading.Thread(target=announce, name="receiver-ready", daemon=True).start()
        try:
            wait_interruptibly(stop)
        finally:
            receiver.stop()
            log.info(
                "upstream receiver stopped: %d stored, %d repeats answered",
                receiver.stored,
                receiver.duplicates,
            )
    return 0


def _received(args: argparse.Namespace) -> int:
    import json

    from upstream.receiver.storage import SqliteReceivedItems

    db = args.db or _default_received_db()
    if not db.is_file():
        raise FileNotFoundError(2, "no receiver store here; give --db", str(db))
    storage = SqliteReceivedItems(db)
    try:
        tally = storage.tally()
    finally:
        storage.close()
    if args.json:
        print(json.dumps([row.__dict__ for row in tally], indent=2))
        return 0
    print(f"{'site':<16} {'stream':<14} {'items':>7} {'last':>7} {'repeats':>8} {'gaps':>5}")
    for row in tally:
        print(
            f"{row.site_id:<16} {row.stream:<14} {row.items:>7} {row.last_seq:>7} "
            f"{row.duplicates:>8} {row.declared_gaps:>5}"
        )
    return 0


def _password(args: argparse.Namespace) -> int:
    from firmware_config.credentials import (
        CredentialStore,
        CredentialStoreError,
        default_store_path,
    )
    from mqtt_broker.bridge import UPLINK_SECRET

    text = sys.stdin.readline().strip()
    if not text:
        raise CredentialStoreError("no password on standard input")
    store = CredentialStore(args.secrets or default_store_path())
    store.ensure([UPLINK_SECRET], {UPLINK_SECRET: text})
    print(f"uplink password kept in {store.path}; run `mpp broker render` to write the bridge")
    return 0


def _regional_render(args: argparse.Namespace) -> int:
    from firmware_config.credentials import CredentialStore
    from protocol.link import LinkError
    from upstream.regional_broker import RECEIVER_ACCOUNT, render_regional

    sites = [site.strip() for site in args.sites.split(",") if site.strip()]
    given = [args.ca, args.cert, args.key]
    if any(given) and not all(given):
        raise LinkError("TLS needs --ca, --cert and --key together")
    tls = (args.ca.resolve(), args.cert.resolve(), args.key.resolve()) if all(given) else None
    broker = render_regional(
        args.out,
        sites,
        args.port,
        CredentialStore(args.secrets),
        bind=args.bind,
        tls=tls,
        run_as=args.run_as,
    )
    print(f"wrote {broker.conf} for {len(sites)} site(s) and the {RECEIVER_ACCOUNT} account")
    print(
        f"passwords kept in {args.secrets}: give each site its own "
        "(`mpp upstream password` on its hub)"
    )
    if tls is None:
        print(
            "mpp: warning: plain MQTT: the sites' passwords would cross the internet in clear; "
            "give --ca --cert --key",
            file=sys.stderr,
        )
    return 0
