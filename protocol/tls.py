"""TLS for MQTT clients on the building LAN: verify the hub against the site CA.

Every client that leaves the hub's loopback (devices, an admin console on a
laptop, the tests' devices) connects to the LAN listener over TLS 1.2+ and
checks the hub's certificate against the *site* CA only — not the system's
public CAs, which know nothing of ``mpp-hub.local``. The files come with the
device identity at provisioning; in the demo and tests from the directory
``mpp broker render`` fills (:func:`tls_files_in`).

paho-mqtt swallows the reason a TLS handshake failed (it retries and tells
``on_connect_fail`` nothing), so the context made here remembers the last
handshake error, and :func:`describe_failure` turns it into the one line a
technician needs: wrong CA, expired, name mismatch, not TLS at all.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt

# Names of the files in a site's TLS directory and in a rendered broker directory.
CA_CERT = "ca.crt"
SERVER_CERT = "hub.crt"
SERVER_KEY = "hub.key"
CLIENTS_DIR = "clients"

# OpenSSL X509_V_ERR_* codes a device meets when the hub cannot be verified.
_EXPIRED = 10
_NOT_YET_VALID = 9
_HOSTNAME_MISMATCH = 62
_IP_MISMATCH = 64
_UNKNOWN_ISSUER = (2, 18, 19, 20, 21)


@dataclass(frozen=True)
class TlsFiles:
    """The site CA a client trusts, and its own certificate for mutual TLS."""

    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None

    def context(self) -> ReportingContext:
        """A client context: TLS 1.2+, the site CA only, host name checked.

        Raises :class:`TlsSetupError` (one line) when a file is missing or unusable.
        """
        context = ReportingContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_verify_locations(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise TlsSetupError(
                f"site CA {self.ca_file} cannot be used: {_reason(error)}"
            ) from None
        if self.cert_file is not None:
            try:
                context.load_cert_chain(self.cert_file, self.key_file)
            except (OSError, ssl.SSLError) as error:
                raise TlsSetupError(
                    f"client certificate {self.cert_file} cannot be used: {_reason(error)}"
                ) from None
        return context

    def apply(self, client: mqtt.Client) -> ReportingContext:
        """Make ``client`` connect over TLS with these files; returns the context."""
        context = self.context()
        client.tls_set_context(context)
        return context


class TlsSetupError(RuntimeError):
    """A TLS file of the client is missing or unusable (said in one line)."""


def tls_files_in(directory: Path, identity: str | None = None) -> TlsFiles:
    """The TLS files in a site TLS directory (or a rendered broker directory).

    ``ca.crt`` is the site CA; with mutual TLS, ``clients/<identity>.crt`` and
    ``.key`` are that account's certificate and key, used when present. This is
    how the demo, the tests and an admin console on the hub find them.
    """
    cert = directory / CLIENTS_DIR / f"{identity}.crt" if identity else None
    key = directory / CLIENTS_DIR / f"{identity}.key" if identity else None
    if cert is not None and key is not None and cert.exists() and key.exists():
        return TlsFiles(str(directory / CA_CERT), str(cert), str(key))
    return TlsFiles(str(directory / CA_CERT))


class _ReportingSocket(ssl.SSLSocket):
    """An SSL socket that leaves its TLS errors on its context.

    The handshake, and the first read: with TLS 1.3 a broker that wants a client
    certificate says so only after the client's handshake has finished.
    """

    def _remember(self, error: OSError) -> None:
        context = self.context
        if isinstance(context, ReportingContext):
            context.remember(error)

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except OSError as error:
            self._remember(error)
            raise

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        try:
            return super().recv(buflen, flags)
        except ssl.SSLWantReadError:
            raise
        except ssl.SSLError as error:
            self._remember(error)
            raise


class ReportingContext(ssl.SSLContext):
    """An SSL context that keeps the last handshake failure until it is taken."""

    sslsocket_class = _ReportingSocket

    _failure: OSError | None = None
    _lock = threading.Lock()

    def remember(self, error: OSError) -> None:
        with self._lock:
            self._failure = error

    def take_failure(self) -> OSError | None:
        with self._lock:
            failure, self._failure = self._failure, None
            return failure


def describe_failure(error: BaseException, host: str, ca_file: str | None = None) -> str:
    """One line saying why the hub at ``host`` could not be verified or reached."""
    trust = f"the site CA {ca_file}" if ca_file else "the site CA"
    if isinstance(error, ssl.SSLCertVerificationError):
        code = error.verify_code
        if code == _EXPIRED:
            return (
                "TLS: the hub's certificate has expired (renew it on the hub: "
                "`mpp broker render`, then reload mosquitto)"
            )
        if code == _NOT_YET_VALID:
            return "TLS: the hub's certificate is not valid yet (is this device's clock right?)"
        if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
            return (
                f"TLS: name mismatch: the hub's certificate is not made for {host!r} "
                "(add it with `mpp broker render --san`, or fix mqtt.host)"
            )
        if code in _UNKNOWN_ISSUER:
            return (
                f"TLS: wrong CA: the hub's certificate is not signed by {trust} "
                "(copy this site's ca.crt to the device)"
            )
        return f"TLS: the hub's certificate was refused: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        reason = (error.reason or "").upper()
        if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
            return "TLS: the broker port does not speak TLS (plain MQTT port, or mqtt.port wrong?)"
        if "CERTIFICATE_REQUIRED" in reason or "HANDSHAKE_FAILURE" in reason:
            return "TLS: the broker wants a client certificate this device does not have"
        if "UNKNOWN_CA" in reason or "BAD_CERTIFICATE" in reason:
            return "TLS: the broker refused this device's client certificate (another site's CA?)"
        if "CERTIFICATE_EXPIRED" in reason:
            return "TLS: the broker refused this device's client certificate: it has expired"
        return f"TLS: handshake failed: {_reason(error)}"
    return f"TLS: {_reason(error)}"


def _reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason).lower().replace("_", " ")
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
