"""``mpp admin signature …``: hand a document over without a signature; purge old strokes.

``waive`` is the console's Lewati (the counter unit has the same): the open
request for the ticket's signature is closed and the reason is recorded as a
``signature.waived`` event with the account. ``purge`` deletes the strokes of
signatures past the site's retention now rather than at the hub's daily run.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from protocol.models import AdminSignaturePurge, AdminSignatureWaive, WaiveReason

if TYPE_CHECKING:
    from admin.session import Session


def register_signature(commands: argparse._SubParsersAction) -> None:
    signature = commands.add_parser(
        "signature", help="hand over without a signature (waive), purge old strokes"
    )
    actions = signature.add_subparsers(metavar="ACTION", required=True)
    waive = actions.add_parser(
        "waive", help="finish a hand-over without the citizen's signature, saying why"
    )
    waive.add_argument("ticket", type=str.upper, help="ticket number (A-012) or id")
    waive.add_argument(
        "--reason",
        required=True,
        choices=[reason.value for reason in WaiveReason],
        help="refused: will not sign; unable: cannot write; device_fault: pad broken; "
        "left: walked away",
    )
    waive.add_argument("--detail", default="", help="a note for the log")
    waive.set_defaults(action=_waive)
    purge = actions.add_parser(
        "purge", help="delete strokes past the site's retention now (hashes are kept)"
    )
    purge.set_defaults(action=_purge)


def _waive(session: Session, args: argparse.Namespace) -> int:
    session.ask(
        AdminSignatureWaive, ticket=args.ticket, reason=WaiveReason(args.reason), detail=args.detail
    )
    session.done(f"{args.ticket} handed over without a signature ({args.reason})")
    return 0


def _purge(session: Session, args: argparse.Namespace) -> int:
    reply = session.ask(AdminSignaturePurge)
    purged = reply.purged if reply.purged is not None else 0
    session.done(f"{purged} signature(s) past retention purged; their hashes are kept")
    return 0
