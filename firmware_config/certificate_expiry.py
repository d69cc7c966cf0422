"""How long the site's certificates have left: read-only, for whoever watches the site.

``mpp broker certs`` (on the hub) and ``mpp admin status`` (the admin console,
which must not depend on the broker renderer) both warn 30 days before a
certificate of the site TLS directory expires: an expired hub certificate
takes every device off the LAN at once. Making and renewing certificates stays
in ``mqtt_broker.site_ca``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from protocol.tls import CA_CERT, CLIENTS_DIR, SERVER_CERT

WARN_WITHIN_DAYS = 30


def site_certificates(directory: Path) -> list[tuple[str, Path]]:
    """(what, path) of every certificate in a site TLS directory that exists."""
    found = [("site CA", directory / CA_CERT), ("hub certificate", directory / SERVER_CERT)]
    found += [
        (f"client certificate of {path.stem}", path)
        for path in sorted((directory / CLIENTS_DIR).glob("*.crt"))
    ]
    return [(what, path) for what, path in found if path.exists()]


def not_valid_after(path: Path) -> dt.datetime | None:
    """The expiry of the PEM certificate in ``path``; None when it cannot be read."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(path.read_bytes()).not_valid_after_utc
    except (OSError, ValueError):
        return None


def expiry_warnings(
    directory: Path, now: dt.datetime | None = None, within_days: float = WARN_WITHIN_DAYS
) -> list[str]:
    """One line per certificate of the site TLS directory expiring within ``within_days``
    (or unreadable); empty when all is well or the site has no TLS yet."""
    now = now or dt.datetime.now(dt.UTC)
    lines = []
    for what, path in site_certificates(directory):
        until = not_valid_after(path)
        if until is None:
            lines.append(f"{what} ({path}) cannot be read: run `mpp broker render`")
            continue
        left = (until - now).total_seconds() / 86400
        if left < 0:
            lines.append(f"{what} ({path}) expired {-left:.0f} days ago: run `mpp broker render`")
        elif left < within_days:
            lines.append(
                f"{what} ({path}) expires in {left:.0f} days: run `mpp broker render`"
                + (" and give every device the new ca.crt" if path.name == CA_CERT else "")
            )
    return lines
