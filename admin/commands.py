"""The console's commands, each a parser and an action on a :class:`~admin.session.Session`.

The one list of subcommands is :func:`admin.cli.subcommands`; each module-level
``register_*`` here adds its parsers. An action returns the exit code; a
refusal or an unreachable hub is a :class:`~admin.client.ConsoleError`, said
in one line by the runner. Read commands take ``--json``.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from admin.client import ConsoleError
from protocol.models import (
    AdminAdvise,
    AdminAnnounce,
    AdminCounterOfficer,
    AdminCounterServices,
    AdminCounterState,
    AdminDayClose,
    AdminDevice,
    AdminPing,
    AdminServiceClose,
    AdminServiceQuota,
    AdminServiceReopen,
    AdminTicketCancel,
    AdminTicketFind,
    AdminTicketReprint,
    AdminTicketRequeue,
    AdminTicketTransfer,
    CounterAction,
    DeviceAction,
    DeviceStatus,
)
from protocol.topics import spec

if TYPE_CHECKING:  # rich is imported when a command runs, not when `mpp --help` parses
    from admin.session import Session


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def _services(text: str) -> list[str]:
    return [code.strip().upper() for code in text.split(",") if code.strip()]


# -- status, advise, ping ---------------------------------------------------------------


def register_status(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="counters, queues per service, devices")
    _json_flag(status)
    status.add_argument("--busy", action="store_true", help="only services with tickets today")
    status.set_defaults(action=_status)

    advise = commands.add_parser(
        "advise", help="counters each agency needs for the next hours (M/G/c model)"
    )
    advise.add_argument("--hours", type=int, default=3, help="how many hours ahead (1–12)")
    _json_flag(advise)
    advise.set_defaults(action=_advise)

    ping = commands.add_parser("ping", help="check that the hub answers")
    ping.set_defaults(action=_ping)


def _status(session: Session, args: argparse.Namespace) -> int:
    from admin.render import status_view

    overview = session.overview()
    warnings = _certificate_warnings(session)
    until = _hub_certificate_expiry(session)
    if args.json:
        session.print_json(
            {
                **overview.model_dump(mode="json"),
                "certificate_warnings": warnings,
                "hub_certificate_valid_until": until.isoformat() if until else None,
            }
        )
    else:
        session.console.print(status_view(overview, busy_only=args.busy))
        for line in warnings:
            session.console.print(f"[bold yellow]Certificate:[/] {line}")
        if until is not None and not warnings:
            left = (until - datetime.now(UTC)).days
            session.console.print(
                f"TLS: hub certificate valid until {until:%d-%m-%Y} ({left} days)"
            )
    return 0


def _certificate_warnings(session: Session) -> list[str]:
    """The site certificates expiring within 30 days (only where the site TLS directory
    is at hand, i.e. on the hub): devices stop trusting an expired hub certificate."""
    directory = session.settings.site_tls_dir
    if directory is None:
        return []
    from firmware_config.certificate_expiry import expiry_warnings

    return expiry_warnings(directory)


def _hub_certificate_expiry(session: Session) -> datetime | None:
    """When the hub's TLS certificate expires: the one the broker presented (the console
    connected over TLS), else the one in the site TLS directory at hand (on the hub);
    None where neither is (a plain connection from another PC)."""
    presented = session.client.peer_certificate_expiry()
    if presented is not None:
        return presented
    directory = session.settings.site_tls_dir
    if directory is None:
        return None
    from firmware_config.certificate_expiry import not_valid_after
    from protocol.tls import SERVER_CERT

    path = directory / SERVER_CERT
    return not_valid_after(path) if path.exists() else None


def _advise(session: Session, args: argparse.Namespace) -> int:
    if not 1 <= args.hours <= 12:
        raise ConsoleError("--hours must be 1–12")
    from admin.render import advice_view

    reply = session.ask(AdminAdvise, hours=args.hours)
    advice = reply.advice or []
    if args.json:
        session.print_json([a.model_dump(mode="json") for a in advice])
    else:
        session.console.print(advice_view(advice, session.timezone))
    return 0


def _ping(session: Session, _args: argparse.Namespace) -> int:
    started = datetime.now()
    session.ask(AdminPing)
    elapsed = (datetime.now() - started).total_seconds() * 1000
    session.done(f"hub answered in {elapsed:.0f} ms")
    return 0


# -- counters ---------------------------------------------------------------------------


def register_counter(commands: argparse._SubParsersAction) -> None:
    counter = commands.add_parser(
        "counter",
        aliases=["counters"],
        help="open, close, pause a counter; its services; who is on duty",
    )
    actions = counter.add_subparsers(title="counter commands", metavar="ACTION", required=True)
    for action in CounterAction:
        one = actions.add_parser(action.value, help=f"{action.value} a counter")
        one.add_argument("number", type=int, help="counter (loket) number")
        if action in (CounterAction.PAUSE, CounterAction.CLOSE):
            one.add_argument("--reason", help="shown to the officer and in the log")
        one.set_defaults(action=_counter_state, counter_action=action)
    services = actions.add_parser("services", help="primary/secondary services for the day")
    services.add_argument("number", type=int)
    services.add_argument("--primary", required=True, help="service codes, comma-separated")
    services.add_argument("--secondary", default="", help="service codes, comma-separated")
    services.set_defaults(action=_counter_services)
    officer = actions.add_parser("officer", help="sign an officer in (NIP) or out (--out)")
    officer.add_argument("number", type=int, help="counter (loket) number")
    who = officer.add_mutually_exclusive_group(required=True)
    who.add_argument("nip", nargs="?", help="the officer's NIP (employee number) in the site file")
    who.add_argument("--out", action="store_true", help="sign out whoever is on duty")
    officer.set_defaults(action=_counter_officer)


def _counter_state(session: Session, args: argparse.Namespace) -> int:
    action: CounterAction = args.counter_action
    reply = session.ask(
        AdminCounterState,
        counter=args.number,
        action=action,
        reason=getattr(args, "reason", None),
    )
    state = reply.counter.state.value if reply.counter else "?"
    session.done(f"counter {args.number} is {state}")
    return 0


def _counter_services(session: Session, args: argparse.Namespace) -> int:
    primary, secondary = _services(args.primary), _services(args.secondary)
    session.ask(AdminCounterServices, counter=args.number, primary=primary, secondary=secondary)
    extra = f", helps {' '.join(secondary)}" if secondary else ""
    session.done(f"counter {args.number} calls {' '.join(primary)}{extra} for the rest of today")
    return 0


def _counter_officer(session: Session, args: argparse.Namespace) -> int:
    reply = session.ask(
        AdminCounterOfficer, counter=args.number, officer=None if args.out else args.nip
    )
    if args.out:
        session.done(f"counter {args.number}: signed out, nobody on duty")
        return 0
    state = reply.counter.state.value if reply.counter else "?"
    session.done(f"counter {args.number} ({state}): {args.nip} on duty")
    return 0


# -- tickets ----------------------------------------------------------------------------


def register_ticket(commands: argparse._SubParsersAction) -> None:
    ticket = commands.add_parser("ticket", help="find, cancel, re-queue, reprint, transfer")
    actions = ticket.add_subparsers(title="ticket commands", metavar="ACTION", required=True)
    find = actions.add_parser("find", help="where a ticket stands (id or number of today)")
    find.add_argument("ticket", type=str.upper)
    _json_flag(find)
    find.set_defaults(action=_ticket_find)
    cancel = actions.add_parser("cancel", help="cancel an open ticket")
    cancel.add_argument("ticket", type=str.upper)
    cancel.add_argument("--reason", required=True, help="why, for the log")
    cancel.set_defaults(action=_ticket_cancel)
    requeue = actions.add_parser("requeue", help="put a no-show back in its queue")
    requeue.add_argument("ticket", type=str.upper)
    requeue.set_defaults(action=_ticket_requeue)
    reprint = actions.add_parser("reprint", help="print a waiting ticket again at a kiosk")
    reprint.add_argument("ticket", type=str.upper)
    reprint.add_argument("--kiosk", required=True, help="kiosk device id, e.g. kiosk-01")
    reprint.set_defaults(action=_ticket_reprint)
    transfer = actions.add_parser("transfer", help="move a ticket to another service's queue")
    transfer.add_argument("ticket", type=str.upper)
    transfer.add_argument("service", type=str.upper, help="target service code")
    transfer.set_defaults(action=_ticket_transfer)


def _ticket_find(session: Session, args: argparse.Namespace) -> int:
    from admin.render import ticket_view

    reply = session.ask(AdminTicketFind, ticket=args.ticket)
    assert reply.ticket is not None
    if args.json:
        session.print_json(reply.ticket.model_dump(mode="json"))
    else:
        session.console.print(ticket_view(reply.ticket, session.timezone))
    return 0


def _ticket_cancel(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminTicketCancel, ticket=args.ticket, reason=args.reason)
    session.done(f"{args.ticket} cancelled")
    return 0


def _ticket_requeue(session: Session, args: argparse.Namespace) -> int:
    reply = session.ask(AdminTicketRequeue, ticket=args.ticket)
    ahead = f" ({reply.ticket.service})" if reply.ticket else ""
    session.done(f"{args.ticket} is waiting again{ahead}")
    return 0


def _ticket_reprint(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminTicketReprint, ticket=args.ticket, kiosk=args.kiosk)
    session.done(f"{args.ticket} sent to {args.kiosk} for printing")
    return 0


def _ticket_transfer(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminTicketTransfer, ticket=args.ticket, target_service=args.service)
    session.done(f"{args.ticket} now waits for {args.service}")
    return 0


# -- services ---------------------------------------------------------------------------


def register_service(commands: argparse._SubParsersAction) -> None:
    service = commands.add_parser("service", help="daily quota, close early, reopen")
    actions = service.add_subparsers(title="service commands", metavar="ACTION", required=True)
    quota = actions.add_parser("quota", help="set today's quota, or lift it with 'none'")
    quota.add_argument("service", type=str.upper)
    quota.add_argument("quota", help="a number, or none")
    quota.set_defaults(action=_service_quota)
    close = actions.add_parser("close", help="stop issuing tickets today; kiosks show the reason")
    close.add_argument("service", type=str.upper)
    close.add_argument("--reason", required=True, help="shown on the kiosk, in Bahasa Indonesia")
    close.set_defaults(action=_service_close)
    reopen = actions.add_parser("reopen", help="issue tickets again")
    reopen.add_argument("service", type=str.upper)
    reopen.set_defaults(action=_service_reopen)


def _service_quota(session: Session, args: argparse.Namespace) -> int:
    text = str(args.quota).lower()
    if text in ("none", "lift", "-"):
        quota = None
    elif text.isdigit():
        quota = int(text)
    else:
        raise ConsoleError(f"quota {args.quota!r}: give a number, or none to lift it")
    session.ask(AdminServiceQuota, service=args.service, quota=quota)
    said = "lifted" if quota is None else f"{quota}"
    session.done(f"quota of {args.service} today: {said}")
    return 0


def _service_close(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminServiceClose, service=args.service, reason=args.reason)
    session.done(f"{args.service} closed for today: kiosks show “{args.reason}”")
    return 0


def _service_reopen(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminServiceReopen, service=args.service)
    session.done(f"{args.service} issues tickets again")
    return 0


# -- announcements ----------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m(?:in)?)?(?:(\d+)s)?$")
_CLOCK = re.compile(r"^(\d{1,2})[.:](\d{2})$")


def register_announce(commands: argparse._SubParsersAction) -> None:
    announce = commands.add_parser(
        "announce", help="running text and display footer, with an expiry"
    )
    announce.add_argument("texts", nargs="*", help="one or more lines (quoted)")
    when = announce.add_mutually_exclusive_group()
    when.add_argument("--until", help="clear at this site time today, e.g. 15.00")
    when.add_argument("--for", dest="duration", help="clear after e.g. 2h, 30m, 1h30m")
    announce.add_argument("--clear", action="store_true", help="remove every announcement")
    announce.set_defaults(action=_announce)


def expiry_from(
    until: str | None, duration: str | None, now: datetime, zone: str
) -> datetime | None:
    """The instant ``--until 15.00`` (site time today) or ``--for 2h`` names."""
    if duration:
        found = _DURATION.match(duration.strip().lower())
        if not found or not any(found.groups()):
            raise ConsoleError(f"--for {duration!r}: write e.g. 2h, 30m or 1h30m")
        hours, minutes, seconds = (int(part or 0) for part in found.groups())
        return now + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if until:
        found = _CLOCK.match(until.strip())
        if not found:
            raise ConsoleError(f"--until {until!r}: write a time like 15.00")
        local = now.astimezone(ZoneInfo(zone))
        moment = local.replace(
            hour=int(found.group(1)), minute=int(found.group(2)), second=0, microsecond=0
        )
        if moment <= local:
            raise ConsoleError(f"--until {until}: that time has passed today")
        return moment
    return None


def _announce(session: Session, args: argparse.Namespace) -> int:
    if args.clear == bool(args.texts):
        raise ConsoleError("give the texts to show, or --clear")
    overview = session.overview()  # the hub's clock and the site's time zone
    expires = expiry_from(args.until, args.duration, overview.at, overview.timezone)
    session.ask(AdminAnnounce, texts=list(args.texts), expires_at=expires)
    if args.clear:
        session.done("announcements cleared")
    else:
        until = f" until {expires.astimezone(ZoneInfo(overview.timezone)):%H.%M}" if expires else ""
        session.done(f"{len(args.texts)} announcement(s) on the running text{until}")
    return 0


# -- devices ----------------------------------------------------------------------------


def register_device(commands: argparse._SubParsersAction) -> None:
    device = commands.add_parser("device", help="identify, restart, hardware state")
    actions = device.add_subparsers(title="device commands", metavar="ACTION", required=True)
    identify = actions.add_parser("identify", help="blink and beep a unit, or flash its screen")
    identify.add_argument("device")
    identify.set_defaults(action=_device_control, device_action=DeviceAction.IDENTIFY)
    restart = actions.add_parser("restart", help="restart the device's agent")
    restart.add_argument("device")
    restart.set_defaults(action=_device_control, device_action=DeviceAction.RESTART)
    hardware = actions.add_parser("hardware", help="the device's hardware, reported afresh")
    hardware.add_argument("device")
    _json_flag(hardware)
    hardware.set_defaults(action=_device_hardware)


def _device_control(session: Session, args: argparse.Namespace) -> int:
    session.ask(AdminDevice, device=args.device, action=args.device_action)
    if args.device_action is DeviceAction.RESTART:
        session.done(f"{args.device} restarts its agent; `status` shows it online again")
    else:
        session.done(f"{args.device} identifies itself")
    return 0


def _device_hardware(session: Session, args: argparse.Namespace) -> int:
    """Ask the device to report, then show its fresh birth (or the last one held)."""
    import queue

    from admin.usage import build_command

    # Built first: a malformed id is one line, before it is put in a topic name.
    command = build_command(
        AdminDevice, session.settings.account, device=args.device, action=DeviceAction.REPORT
    )
    births: queue.Queue[DeviceStatus] = queue.Queue()
    client = session.client

    def on_status(decoded: object) -> None:
        message = getattr(decoded, "message", None)
        if isinstance(message, DeviceStatus) and message.device_id == args.device:
            births.put(message)

    client.subscribe(spec("device.status"), on_status, device_id=args.device)
    held: DeviceStatus | None = None
    while not births.empty():
        held = births.get()
    client.request(command)
    try:
        birth = births.get(timeout=session.settings.timeout_s)
        fresh = True
    except queue.Empty:
        if held is None:
            raise ConsoleError(f"{args.device} did not report within the timeout") from None
        birth, fresh = held, False
    if args.json:
        session.print_json({**birth.model_dump(mode="json"), "fresh": fresh})
        return 0
    from rich.table import Table

    table = Table(title=f"{birth.device_id} ({birth.role.value}, {birth.software_version})")
    table.add_column("component")
    table.add_column("health")
    table.add_column("detail")
    for name, component in sorted(birth.hardware.items()):
        table.add_row(name, component.health.value, component.detail or "")
    session.console.print(table)
    if not fresh:
        session.console.print("[yellow]no fresh report: this is the last one the broker holds")
    return 0


# -- the day ----------------------------------------------------------------------------


def register_day(commands: argparse._SubParsersAction) -> None:
    day = commands.add_parser("day", help="close the service day")
    actions = day.add_subparsers(title="day commands", metavar="ACTION", required=True)
    close = actions.add_parser(
        "close", help="cancel open tickets, close counters and kiosks until tomorrow"
    )
    close.add_argument("--confirm", metavar="YYYY-MM-DD", help="the day, typed to confirm")
    close.set_defaults(action=_day_close)


def _day_close(session: Session, args: argparse.Namespace) -> int:
    overview = session.overview()
    if overview.day is None:
        raise ConsoleError("the hub has no service day open")
    day = overview.day.isoformat()
    confirm = args.confirm
    if confirm is None:
        if not sys.stdin.isatty() and not session.interactive:
            raise ConsoleError(f"closing the day needs confirmation: --confirm {day}")
        waiting = sum(s.waiting for s in overview.services)
        session.console.print(
            f"[bold yellow]Closing {day}[/]: {waiting} waiting ticket(s) will be cancelled, "
            "every counter closed, kiosks stop issuing until tomorrow."
        )
        confirm = session.console.input(f"Type the day ({day}) to confirm: ").strip()
    if confirm != day:
        raise ConsoleError(f"not confirmed ({confirm!r} is not {day}); nothing was done")
    session.ask(AdminDayClose, confirm_day=confirm)
    session.done(f"day {day} closed")
    return 0
