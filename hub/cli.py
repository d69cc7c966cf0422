"""``mpp hub …`` subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    hub = subparsers.add_parser("hub", help="the queue hub service and its contract")
    commands = hub.add_subparsers(title="hub commands", metavar="COMMAND", required=True)
    asyncapi = commands.add_parser(
        "asyncapi", help="print the AsyncAPI 3 document of the MQTT contract"
    )
    asyncapi.add_argument("--out", type=Path, help="write to this file instead of stdout")
    asyncapi.set_defaults(func=_asyncapi)


def render_asyncapi() -> str:
    """The AsyncAPI document as YAML, byte-for-byte stable for the drift test."""
    import yaml

    from protocol.asyncapi import build_document

    return yaml.safe_dump(build_document(), sort_keys=False, allow_unicode=True, width=100)


def _asyncapi(args: argparse.Namespace) -> int:
    text = render_asyncapi()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0
