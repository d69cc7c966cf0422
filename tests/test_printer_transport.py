"""Printer transports: paper status decoding, failures as errors, file printer read-back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from escpos.printer import Dummy

from edge.printer.decode import split_tickets
from edge.printer.ticket import PROFILES
from edge.printer.transport import (
    EscposTransport,
    FileTransport,
    PrinterError,
    PrinterStatus,
    paper_status_from,
)
from tests.test_ticket_print import CONTENT, render_ticket


class AnsweringDummy(Dummy):
    """python-escpos's Dummy with a paper sensor that answers DLE EOT 4."""

    def __init__(self, answer: bytes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answer = answer

    def _read(self) -> bytes:
        return self.answer


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (b"\x12", PrinterStatus.OK),
        (b"\x1e", PrinterStatus.PAPER_NEAR_END),
        (b"\x72", PrinterStatus.PAPER_OUT),
        (b"", PrinterStatus.UNKNOWN),
    ],
)
def test_paper_sensor(answer: bytes, status: PrinterStatus) -> None:
    assert paper_status_from(answer) is status
    transport = EscposTransport("dummy", lambda: AnsweringDummy(answer))
    assert transport.status() is status


def test_unknown_is_not_paper_out() -> None:
    assert PrinterStatus.UNKNOWN.can_print
    assert not PrinterStatus.PAPER_OUT.can_print
    assert not PrinterStatus.OFFLINE.can_print


def test_escpos_transport_sends_the_bytes() -> None:
    printer = AnsweringDummy(b"\x12")
    transport = EscposTransport("dummy", lambda: printer)
    data = render_ticket(CONTENT, PROFILES["80mm"])
    transport.write(data)
    assert printer.output == data


class Vanishing(Dummy):
    def _raw(self, msg: bytes) -> None:
        raise OSError(19, "No such device")


def test_write_error_is_offline_and_reopens_next_time() -> None:
    opened: list[Dummy] = []

    def connect() -> Dummy:
        printer = Vanishing() if not opened else AnsweringDummy(b"\x12")
        opened.append(printer)
        return printer

    transport = EscposTransport("usb", connect)
    with pytest.raises(PrinterError) as raised:
        transport.write(b"ticket")
    assert raised.value.status is PrinterStatus.OFFLINE
    assert "No such device" in str(raised.value)
    transport.write(b"ticket")
    assert len(opened) == 2


def test_printer_that_cannot_be_opened_is_offline() -> None:
    def connect() -> Dummy:
        raise FileNotFoundError("/dev/usb/lp0")

    transport = EscposTransport("usb", connect)
    assert transport.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterError, match="cannot open printer"):
        transport.write(b"x")


def test_file_printer_tickets_read_back_as_text(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "printer.bin")
    data = render_ticket(CONTENT, PROFILES["80mm"])
    transport.write(data)
    transport.write(data)
    tickets = split_tickets((tmp_path / "printer.bin").read_bytes())
    assert len(tickets) == 2 and "NOMOR ANTREAN" in tickets[1].text()
    assert FileTransport(tmp_path / "missing" / "p.bin").status() is PrinterStatus.OFFLINE
