"""The site's certificate authority and the certificates it signs.

One small CA per site, made once by ``mpp broker render`` and kept beside the
credentials store (``tls/`` next to ``mqtt-credentials.json``). It signs the
hub's server certificate (names: the hub's host names and addresses, from the
inventory and ``--san``) and, for sites with mutual TLS, one client
certificate per account. Private keys are written with mode 0600.

Each render renews what needs it: a certificate that expires within
:data:`RENEW_WITHIN_DAYS`, no longer carries the names asked for, or was signed
by another CA. The CA itself lives ten years and is never replaced silently —
a new CA means a new ``ca.crt`` on every device — so :func:`expiry_warnings`
(shown by ``mpp admin status``) says when it, or anything else, runs short.

The ``cryptography`` package does the ASN.1; keys are ECDSA P-256 (small, and
fast to verify on a Pi).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from firmware_config.certificate_expiry import (  # noqa: F401 - re-exported for callers
    WARN_WITHIN_DAYS,
    expiry_warnings,
    site_certificates,
)
from protocol.tls import CA_CERT, CLIENTS_DIR, SERVER_CERT, SERVER_KEY

CA_KEY = "ca.key"

CA_VALID_DAYS = 3650
CERT_VALID_DAYS = 825
RENEW_WITHIN_DAYS = 60
"""``mpp broker render`` replaces a certificate with fewer days left than this."""
"""``mpp admin status`` warns about a certificate with fewer days left than this."""
_BACKDATE = dt.timedelta(hours=1)  # a device clock a little behind still accepts a new cert


class SiteCaError(RuntimeError):
    """The site CA's files are unusable (said in one line)."""


@dataclass(frozen=True)
class Authority:
    """The CA's certificate and key, to sign with."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SiteTls:
    """Where the site's TLS files are, and what this render made anew."""

    directory: Path
    names: tuple[str, ...]
    renewed: tuple[str, ...] = ()
    clients: tuple[str, ...] = field(default=())

    @property
    def ca_cert(self) -> Path:
        return self.directory / CA_CERT

    @property
    def ca_key(self) -> Path:
        return self.directory / CA_KEY

    @property
    def server_cert(self) -> Path:
        return self.directory / SERVER_CERT

    @property
    def server_key(self) -> Path:
        return self.directory / SERVER_KEY

    def client_cert(self, identity: str) -> Path:
        return self.directory / CLIENTS_DIR / f"{identity}.crt"

    def client_key(self, identity: str) -> Path:
        return self.directory / CLIENTS_DIR / f"{identity}.key"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- making -----------------------------------------------------------------------------


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_authority(
    site_id: str, now: dt.datetime | None = None, days: int = CA_VALID_DAYS
) -> Authority:
    """A new self-signed site CA that may sign end certificates only (path length 0)."""
    now = now or utc_now()
    key = new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Antrian MPP"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{site_id} site CA"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(certificate, key)


def subject_alternative_names(names: Iterable[str]) -> list[x509.GeneralName]:
    """IP addresses as IP entries, everything else as DNS names."""
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return entries


def issue(
    authority: Authority,
    common_name: str,
    names: Sequence[str] = (),
    server: bool = True,
    now: dt.datetime | None = None,
    days: int = CERT_VALID_DAYS,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate signed by ``authority``: the hub's (``server``) or a client's.

    A client certificate's common name is its MQTT account (Mosquitto's
    ``use_identity_as_username``).
    """
    now = now or utc_now()
    key = new_key()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    ca_key_id = authority.certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    ).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(subject_alternative_names(names)), critical=False
        )
    return builder.sign(authority.key, hashes.SHA256()), key


# -- files ------------------------------------------------------------------------------


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    _write(path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)


def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """The key in PEM, unencrypted (services start unattended), mode 0600 from creation."""
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(path, data, 0o600)


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def read_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SiteCaError(f"{path}: not a usable certificate: {error}") from None


def load_authority(directory: Path) -> Authority:
    certificate = read_certificate(directory / CA_CERT)
    try:
        key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), None)
    except (OSError, ValueError, TypeError) as error:
        raise SiteCaError(f"{directory / CA_KEY}: not a usable key: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SiteCaError(f"{directory / CA_KEY}: expected an EC key")
    return Authority(certificate, key)


# -- keeping them valid -----------------------------------------------------------------


def days_left(certificate: x509.Certificate, now: dt.datetime | None = None) -> float:
    """Days until ``certificate`` expires (negative once it has)."""
    remaining = certificate.not_valid_after_utc - (now or utc_now())
    return remaining.total_seconds() / 86400


def days_to_expiry(path: Path, now: dt.datetime | None = None) -> float:
    """Days until the certificate in ``path`` expires (negative once it has)."""
    return days_left(read_certificate(path), now)


def certificate_lines(directory: Path, now: dt.datetime | None = None) -> list[str]:
    """One line per certificate: what, its names, until when, days left."""
    lines = []
    for what, path in site_certificates(directory):
        certificate = read_certificate(path)
        names = sorted(_names_of(certificate)) or [certificate.subject.rfc4514_string()]
        until = certificate.not_valid_after_utc.strftime("%Y-%m-%d")
        left = days_left(certificate, now)
        lines.append(f"{what}: {', '.join(names)}; valid until {until} ({left:.0f} days)")
    return lines


def _names_of(certificate: x509.Certificate) -> set[str]:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(entry.value) for entry in san}


def _needs_new(
    path: Path,
    authority: Authority,
    names: Sequence[str] | None,
    now: dt.datetime,
) -> str | None:
    """Why the certificate in ``path`` must be made again, or ``None`` when it is good."""
    if not path.exists() or not path.with_suffix(".key").exists():
        return "new"
    certificate = read_certificate(path)
    if certificate.issuer != authority.certificate.subject:
        return "signed by another CA"
    try:
        certificate.verify_directly_issued_by(authority.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return "signed by another CA"
    if days_left(certificate, now) < RENEW_WITHIN_DAYS:
        return "renewed before expiry"
    if names is not None and _names_of(certificate) != {
        str(entry.value) for entry in subject_alternative_names(names)
    }:
        return "names changed"
    return None


def _common_name(names: Sequence[str]) -> str:
    """The first host name (clients check the SAN; the CN is for people reading it)."""
    for name in names:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return name
    return names[0] if names else "mpp-hub"


def ensure_site_tls(
    directory: Path,
    site_id: str,
    names: Sequence[str],
    clients: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> SiteTls:
    """Make what is missing in ``directory`` and renew what needs it; keep the rest.

    The CA is made only when it does not exist. The hub's certificate carries
    ``names``; ``clients`` get a client certificate each (mutual TLS).
    """
    now = now or utc_now()
    # Certificates are public (the hub and `mpp admin status` read their dates);
    # every key is 0600 on its own.
    directory.mkdir(parents=True, exist_ok=True)
    renewed: list[str] = []
    if (directory / CA_CERT).exists() or (directory / CA_KEY).exists():
        authority = load_authority(directory)
    else:
        authority = make_authority(site_id, now)
        write_key(directory / CA_KEY, authority.key)
        write_certificate(directory / CA_CERT, authority.certificate)
        renewed.append("site CA: new")
    site = SiteTls(directory, tuple(names), clients=tuple(clients))
    why = _needs_new(site.server_cert, authority, names, now)
    if why is not None:
        certificate, key = issue(authority, _common_name(names), names, True, now)
        write_key(site.server_key, key)
        write_certificate(site.server_cert, certificate)
        renewed.append(f"hub certificate: {why}")
    for identity in clients:
        path = site.client_cert(identity)
        why = _needs_new(path, authority, None, now)
        if why is not None:
            certificate, key = issue(authority, identity, (), False, now)
            write_key(site.client_key(identity), key)
            write_certificate(path, certificate)
            renewed.append(f"client certificate of {identity}: {why}")
    return SiteTls(directory, tuple(names), tuple(renewed), tuple(clients))
