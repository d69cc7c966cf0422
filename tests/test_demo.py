"""The one-command demo really runs broker, hub and simulated devices end to end."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mpp.cli import main


def test_demo_issues_and_calls_tickets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mpp.demo")
    # Officers hold *next* for 3 s (real time) to open their counters first.
    assert main(["demo", "--state-dir", str(tmp_path), "--duration", "7", "--pace", "0.05"]) == 0
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("kiosk: tiket ") for m in messages), messages
    assert any(m.startswith("display: Nomor antrian ") for m in messages), messages
    assert (tmp_path / "hub.db").exists()
    from edge.printer.decode import split_tickets

    tickets = split_tickets((tmp_path / "printer-kiosk-01.bin").read_bytes())
    assert tickets and "NOMOR ANTRIAN" in tickets[0].text()
    assert (tmp_path / "display.png").stat().st_size > 10_000, "the display's screen, saved"
    assert list((tmp_path / "voice").glob("announcement-*.wav")), "the voice, saved"
