"""``mpp broker …`` subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    broker = subparsers.add_parser("broker", help="Mosquitto configuration of the hub")
    commands = broker.add_subparsers(title="broker commands", metavar="COMMAND", required=True)
    render = commands.add_parser(
        "render",
        help="write mosquitto.conf, the hashed password file and the ACL; make or renew "
        "the site CA and the hub's TLS certificate",
    )
    render.add_argument("--inventory", type=Path, required=True, help="firmware_config dir")
    render.add_argument("--out", type=Path, required=True, help="directory to write into")
    render.add_argument(
        "--secrets",
        type=Path,
        help="credentials file outside git (default: ~/.local/state/mpp/mqtt-credentials.json)",
    )
    render.add_argument(
        "--lan-port", type=int, help="LAN listener port (default: 8883 with TLS, 1883 plain)"
    )
    render.add_argument(
        "--san",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name or address of the hub for its certificate (repeatable); "
        "the device files' mqtt.host names are always in",
    )
    render.add_argument(
        "--tls-dir",
        type=Path,
        help="site CA directory (default: tls/ beside the credentials file)",
    )
    render.add_argument("--lan-bind", help="address of the LAN listener (default: all)")
    render.add_argument("--local-port", type=int, default=1884, help="loopback listener port")
    render.add_argument("--persistence-dir", type=Path, default=Path("/var/lib/mosquitto"))
    render.add_argument(
        "--run-as",
        default="mosquitto",
        help="user mosquitto drops to; run as root, the password file and ACL are given to it",
    )
    render.set_defaults(func=_render)
    certs = commands.add_parser(
        "certs", help="the site's TLS certificates: names, expiry, days left, warnings"
    )
    certs.add_argument(
        "--secrets",
        type=Path,
        help="credentials file the site CA sits beside (default: as for render)",
    )
    certs.add_argument("--tls-dir", type=Path, help="site CA directory (default: beside --secrets)")
    certs.set_defaults(func=_certs)


def _certs(args: argparse.Namespace) -> int:
    """One line per certificate, then the warnings ``mpp admin status`` shows."""
    from firmware_config.credentials import default_store_path, site_tls_dir
    from mqtt_broker.site_ca import certificate_lines, expiry_warnings

    directory = args.tls_dir or site_tls_dir(args.secrets or default_store_path())
    lines = certificate_lines(directory)
    if not lines:
        print(f"no site CA in {directory}: `mpp broker render` makes it", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    for warning in expiry_warnings(directory):
        print(f"mpp: warning: {warning}", file=sys.stderr)
    return 0


def _render(args: argparse.Namespace) -> int:
    from firmware_config.credentials import CredentialStore, default_store_path
    from firmware_config.inventory import load_inventory
    from mqtt_broker.render import BrokerSettings, render_broker

    inventory = load_inventory(args.inventory)
    settings = BrokerSettings(
        lan_port=args.lan_port,
        lan_bind=args.lan_bind,
        san=tuple(args.san),
        tls_dir=args.tls_dir,
        local_port=args.local_port,
        persistence_dir=args.persistence_dir,
        run_as=args.run_as or None,
    )
    store = CredentialStore(args.secrets or default_store_path())
    rendered = render_broker(inventory, args.out, settings, store)
    print(f"wrote {rendered.conf}, {rendered.password_file}, {rendered.acl_file}")
    if rendered.tls is None:
        print(
            f"mpp: warning: plain MQTT on the LAN (port {rendered.lan_port}), as the inventory "
            "says: passwords cross the LAN in clear text",
            file=sys.stderr,
        )
    else:
        tls = rendered.tls
        print(
            f"LAN listener: TLS on port {rendered.lan_port} ({rendered.lan}); site CA "
            f"{tls.ca_cert} (devices get ca.crt), hub certificate for {', '.join(tls.names)}"
        )
        for line in tls.renewed:
            print(f"  {line}")
    if rendered.bridge is not None:
        bridge = rendered.bridge
        print(
            f"bridge to the regional broker as {bridge.account} "
            f"({'TLS' if bridge.tls else 'plain MQTT'}): outbox items out, acknowledgements "
            f"and bookings in, under mpp/site/{bridge.site_id}/"
        )
        if not bridge.tls:
            print(
                "mpp: warning: the bridge to the regional broker is plain MQTT (no tls_ca in "
                "hub.toml [upstream]): its password crosses the internet in clear",
                file=sys.stderr,
            )
    for warning in rendered.warnings:
        print(f"mpp: warning: {warning}", file=sys.stderr)
    print(f"{len(rendered.passwords)} accounts; passwords kept in {store.path}")
    return 0
