"""``mpp admin complaints list|show|add``: complaints and suggestions (SP4N-LAPOR).

The hub keeps them (hub/complaints.py) with the status upstream reports back;
the console records one for a citizen at the information desk and shows where
each stands. Read commands take ``--json``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from admin.client import ConsoleError
from protocol.models import (
    AdminComplaintAdd,
    AdminComplaintList,
    AdminComplaintShow,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintView,
)

if TYPE_CHECKING:
    from admin.session import Session

STATUS_WORDS = {
    ComplaintStatus.RECORDED: "recorded at the hub",
    ComplaintStatus.RECEIVED: "received upstream",
    ComplaintStatus.VERIFIED: "verified",
    ComplaintStatus.IN_PROGRESS: "in progress",
    ComplaintStatus.RESOLVED: "resolved",
    ComplaintStatus.REJECTED: "rejected",
}


def register_complaints(commands: argparse._SubParsersAction) -> None:
    complaints = commands.add_parser(
        "complaints", help="complaints and suggestions (SP4N-LAPOR): list, show, add"
    )
    actions = complaints.add_subparsers(title="complaint commands", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the complaints, newest first, with their status")
    listing.add_argument("--status", choices=[s.value for s in ComplaintStatus])
    listing.add_argument("--limit", type=int, default=50, help="at most this many (1–200)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(action=_list)

    show = actions.add_parser("show", help="one complaint in full, with its status history")
    show.add_argument("complaint_id", metavar="ID", help="e.g. PGD-20261124-003")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(action=_show)

    add = actions.add_parser("add", help="record a complaint or suggestion for a citizen")
    add.add_argument("--category", required=True, choices=[c.value for c in ComplaintCategory])
    add.add_argument("--text", required=True, help="what the citizen said (10–2000 characters)")
    add.add_argument("--contact", help="telephone or e-mail the citizen gave")
    add.add_argument("--ticket", help="ticket id or today's number it is about (A-012)")
    add.add_argument("--service", help="service code it is about, when there is no ticket")
    add.set_defaults(action=_add)


def _list(session: Session, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 200:
        raise ConsoleError("--limit must be 1–200")
    status = ComplaintStatus(args.status) if args.status else None
    reply = session.ask(AdminComplaintList, status=status, limit=args.limit)
    complaints = reply.complaints or []
    if args.json:
        session.print_json([c.model_dump(mode="json") for c in complaints])
        return 0
    from rich.table import Table

    table = Table(title=f"Complaints ({len(complaints)})", expand=True)
    for name in ("id", "recorded", "category", "agency / service", "status", "text"):
        table.add_column(name, overflow="fold", ratio=3 if name == "text" else None)
    zone = ZoneInfo(session.timezone)
    for item in complaints:
        where = " / ".join(x for x in (item.agency, item.service) if x) or "-"
        table.add_row(
            item.complaint_id,
            f"{item.recorded_at.astimezone(zone):%d-%m %H.%M}",
            item.category.value,
            where,
            STATUS_WORDS[item.status],
            item.text,
        )
    session.console.print(table)
    return 0


def _show(session: Session, args: argparse.Namespace) -> int:
    reply = session.ask(AdminComplaintShow, complaint_id=args.complaint_id.strip().upper())
    complaint = reply.complaint
    assert complaint is not None
    if args.json:
        session.print_json(complaint.model_dump(mode="json"))
        return 0
    session.console.print(_details(complaint, ZoneInfo(session.timezone)))
    return 0


def _details(complaint: ComplaintView, zone: ZoneInfo) -> object:
    from rich.table import Table

    table = Table(show_header=False, title=complaint.complaint_id, expand=True)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    rows = [
        ("category", complaint.category.value),
        ("recorded", f"{complaint.recorded_at.astimezone(zone):%Y-%m-%d %H.%M} "
         f"({complaint.source.value})"),
        ("ticket", complaint.ticket_id or "-"),
        ("service", complaint.service or "-"),
        ("agency", complaint.agency or "-"),
        ("contact", complaint.contact or "-"),
        ("status", STATUS_WORDS[complaint.status]),
        ("reference", complaint.reference or "-"),
        ("text", complaint.text),
    ]  # fmt: skip
    for entry in complaint.history:
        note = f": {entry.note}" if entry.note else ""
        rows.append(
            ("history", f"{entry.at.astimezone(zone):%Y-%m-%d %H.%M} {entry.status.value}{note}")
        )
    for name, value in rows:
        table.add_row(name, value)
    return table


def _add(session: Session, args: argparse.Namespace) -> int:
    fields: dict[str, object] = {"category": ComplaintCategory(args.category), "text": args.text}
    if args.contact:
        fields["contact"] = args.contact
    if args.ticket:
        fields["ticket"] = args.ticket.strip().upper()
    if args.service:
        fields["service"] = args.service.strip().upper()
    reply = session.ask(AdminComplaintAdd, **fields)  # the contract's limits: one line
    assert reply.complaint is not None
    session.done(f"{reply.complaint.complaint_id} recorded")
    return 0

