"""``mpp broker …`` subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    broker = subparsers.add_parser("broker", help="Mosquitto configuration of the hub")
    commands = broker.add_subparsers(title="broker commands", metavar="COMMAND", required=True)
    render = commands.add_parser(
        "render", help="write mosquitto.conf, the hashed password file and the ACL"
    )
    render.add_argument("--inventory", type=Path, required=True, help="firmware_config dir")
    render.add_argument("--out", type=Path, required=True, help="directory to write into")
    render.add_argument(
        "--secrets",
        type=Path,
        help="credentials file outside git (default: ~/.local/state/mpp/mqtt-credentials.json)",
    )
    render.add_argument("--lan-port", type=int, default=1883)
    render.add_argument("--lan-bind", help="address of the LAN listener (default: all)")
    render.add_argument("--local-port", type=int, default=1884, help="loopback listener port")
    render.add_argument("--persistence-dir", type=Path, default=Path("/var/lib/mosquitto"))
    render.add_argument(
        "--run-as",
        default="mosquitto",
        help="user mosquitto drops to; run as root, the password file and ACL are given to it",
    )
    render.set_defaults(func=_render)


def _render(args: argparse.Namespace) -> int:
    from firmware_config.credentials import CredentialStore, default_store_path
    from firmware_config.inventory import load_inventory
    from mqtt_broker.render import BrokerSettings, render_broker

    inventory = load_inventory(args.inventory)
    settings = BrokerSettings(
        lan_port=args.lan_port,
        lan_bind=args.lan_bind,
        local_port=args.local_port,
        persistence_dir=args.persistence_dir,
        run_as=args.run_as or None,
    )
    store = CredentialStore(args.secrets or default_store_path())
    rendered = render_broker(inventory, args.out, settings, store)
    print(f"wrote {rendered.conf}, {rendered.password_file}, {rendered.acl_file}")
    for warning in rendered.warnings:
        print(f"mpp: warning: {warning}", file=sys.stderr)
    print(f"{len(rendered.passwords)} accounts; passwords kept in {store.path}")
    return 0
