"""Sending ticket bytes to a printer, and knowing whether it can print.

Each transport writes the bytes of a whole ticket and says whether that
worked; the kiosk confirms the print to the hub only then. Status is an enum
with UNKNOWN: "could not read" never looks like "no paper".

* :class:`EscposTransport` — USB (``/dev/usb/lp0``), serial or network
  printers through python-escpos connection classes; write errors and
  timeouts mark the printer offline; ``DLE EOT 4`` gives the paper sensor
  where the printer answers.
* :class:`FileTransport` — appends to a file (the demo's printer), so its
  tickets can be read back as text with :mod:`edge.printer.decode`.
* :class:`FakeTransport` — records bytes; tests unplug it, empty its paper
  or make it fail mid-ticket.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

DLE_EOT_PAPER = b"\x10\x04\x04"
PAPER_NEAR_END_BITS = 0x0C
PAPER_OUT_BITS = 0x60


class PrinterStatus(StrEnum):
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_NEAR_END, PrinterStatus.UNKNOWN)


class PrinterError(RuntimeError):
    """The ticket was not printed (or not completely)."""

    def __init__(self, status: PrinterStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class Transport(Protocol):
    name: str

    def write(self, data: bytes) -> None:
        """Send a whole ticket; raises :class:`PrinterError` when it did not go out."""
        ...

    def status(self) -> PrinterStatus: ...

    def close(self) -> None: ...


def paper_status_from(response: bytes) -> PrinterStatus:
    """Interpret the answer to ``DLE EOT 4`` (paper roll sensor status)."""
    if not response:
        return PrinterStatus.UNKNOWN
    value = response[0]
    if value & PAPER_OUT_BITS:
        return PrinterStatus.PAPER_OUT
    if value & PAPER_NEAR_END_BITS:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK


class EscposTransport:
    """A python-escpos connection (File, Serial, Network, Usb), opened on demand."""

    def __init__(self, name: str, connect: Callable[[], Any], can_read: bool = True) -> None:
        self.name = name
        self._connect = connect
        self._can_read = can_read
        self._printer: Any = None
        self._lock = threading.Lock()
        self._last = PrinterStatus.UNKNOWN

    def _open(self) -> Any:
        if self._printer is None:
            try:
                self._printer = self._connect()
            except Exception as error:  # escpos raises its own and OS errors
                self._last = PrinterStatus.OFFLINE
                raise PrinterError(
                    PrinterStatus.OFFLINE, f"{self.name}: cannot open printer: {error}"
                ) from error
        return self._printer

    def write(self, data: bytes) -> None:
        with self._lock:
            printer = self._open()
            try:
                printer._raw(data)
                flush = getattr(printer, "flush", None)
                if callable(flush):
                    flush()
            except Exception as error:
                self._drop()
                raise PrinterError(
                    PrinterStatus.OFFLINE, f"{self.name}: write failed: {error}"
                ) from error
            self._last = PrinterStatus.OK if self._last is PrinterStatus.OFFLINE else self._last

    def status(self) -> PrinterStatus:
        with self._lock:
            try:
                printer = self._open()
            except PrinterError:
                return PrinterStatus.OFFLINE
            if not self._can_read:
                return PrinterStatus.UNKNOWN
            try:
                printer._raw(DLE_EOT_PAPER)
                response = printer._read()
            except Exception as error:
                log.info("%s: status query failed: %s", self.name, error)
                self._drop()
                return PrinterStatus.OFFLINE
            self._last = paper_status_from(bytes(response or b""))
            return self._last

    def _drop(self) -> None:
        try:
            if self._printer is not None:
                self._printer.close()
        except Exception as error:  # closing a vanished device may fail too
            log.debug("%s: close failed: %s", self.name, error)
        self._printer = None
        self._last = PrinterStatus.OFFLINE

    def close(self) -> None:
        with self._lock:
            self._drop()


class FileTransport:
    """Appends tickets to a file: the demo's printer, readable with the decoder."""

    def __init__(self, path: Path) -> None:
        self.name = f"file:{path}"
        self.path = path

    def write(self, data: bytes) -> None:
        try:
            with self.path.open("ab") as handle:
                handle.write(data)
        except OSError as error:
            raise PrinterError(PrinterStatus.OFFLINE, f"{self.path}: {error}") from error

    def status(self) -> PrinterStatus:
        return PrinterStatus.OK if self.path.parent.is_dir() else PrinterStatus.OFFLINE

    def close(self) -> None:
        return None


class FakeTransport:
    """A printer at the hardware boundary for tests: same interface, test controls."""

    def __init__(self) -> None:
        self.name = "fake"
        self.printed: list[bytes] = []
        self.partial = b""
        self.paper = PrinterStatus.OK
        self.plugged = True
        self.fail_after: int | None = None
        self.wrote = threading.Event()

    def write(self, data: bytes) -> None:
        if not self.plugged:
            raise PrinterError(PrinterStatus.OFFLINE, "fake: unplugged")
        if self.paper is PrinterStatus.PAPER_OUT:
            raise PrinterError(PrinterStatus.PAPER_OUT, "fake: paper out")
        if self.fail_after is not None and len(data) > self.fail_after:
            self.partial = data[: self.fail_after]
            self.plugged = False
            raise PrinterError(PrinterStatus.OFFLINE, "fake: unplugged mid-ticket")
        self.printed.append(data)
        self.wrote.set()

    def status(self) -> PrinterStatus:
        return self.paper if self.plugged else PrinterStatus.OFFLINE

    def close(self) -> None:
        return None


def open_transport(kind: str, device: str, host: str, port: int, baudrate: int) -> Transport:
    """The configured printer connection (real hardware)."""
    if kind == "file":
        return FileTransport(Path(device))
    if kind == "usb":  # the kernel's usblp device: no libusb, no root
        from escpos.printer import File

        return EscposTransport(f"usb:{device}", lambda: File(devfile=device), can_read=False)
    if kind == "serial":
        from escpos.printer import Serial

        return EscposTransport(
            f"serial:{device}", lambda: Serial(devfile=device, baudrate=baudrate, timeout=1)
        )
    if kind == "network":
        from escpos.printer import Network

        return EscposTransport(
            f"network:{host}:{port}", lambda: Network(host=host, port=port, timeout=5)
        )
    raise ValueError(f"unknown printer connection {kind!r}")
