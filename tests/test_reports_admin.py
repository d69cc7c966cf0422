"""``mpp admin report`` against a real broker and a real ``mpp hub run``.

Three weeks of November 2026 are simulated into the hub's store first (the
real queue service, tests/quarter_sim.py); then the building starts on its
Monday-morning clock and the console, as a process, asks the hub for
reports over MQTT. The figures written by the console are the ones the
store gives when read directly.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from firmware_config.inventory import Inventory
from hub.reports.handler import build_report
from hub.site.loader import load_site
from tests.admin_fixtures import Building, start_building
from tests.quarter_sim import QuarterSimulation, QuarterSpec

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 20)


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[Building]:
    directory = tmp_path_factory.mktemp("reports-building")
    QuarterSimulation(directory, QuarterSpec(FIRST, LAST, tickets_per_day=40)).run()
    started = start_building(directory, inventory)
    try:
        yield started
    finally:
        started.stop()


def one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_the_console_writes_the_hubs_figures(building: Building, tmp_path: Path) -> None:
    out = tmp_path / "november.csv"
    building.admin_ok("report", "--from", str(FIRST), "--to", str(LAST), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    value = {(r["section"], r["key"], r["figure"]): r["value"] for r in rows}
    direct = build_report(building.db, load_site(), FIRST, LAST)
    assert direct.total.issued > 500
    assert int(value[("total", "total", "issued")]) == direct.total.issued
    assert int(value[("total", "total", "served")]) == direct.total.served
    assert float(value[("total", "total", "wait_p90_min")]) == direct.total.wait.p90
    for agency in direct.agencies:
        assert int(value[("agency", agency.key, "served")]) == agency.served

    dukcapil = tmp_path / "dukcapil.html"
    building.admin_ok(
        "report", "--from", str(FIRST), "--to", str(LAST), "--agency", "DUKCAPIL",
        "--out", str(dukcapil),
    )  # fmt: skip
    text = dukcapil.read_text(encoding="utf-8")
    assert "Dinas Kependudukan dan Pencatatan Sipil" in text and "<svg" in text


def test_the_quarterly_report_over_mqtt(building: Building, tmp_path: Path) -> None:
    out = tmp_path / "monev-2026-q4.pdf"
    building.admin_ok("report", "--year", "2026", "--quarter", "4", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    page = tmp_path / "monev-2026-q4.html"
    building.admin_ok("report", "--year", "2026", "--quarter", "4", "--out", str(page))
    text = page.read_text(encoding="utf-8")
    assert "Ringkasan untuk Bupati" in text and "Triwulan IV 2026" in text
    assert "Triwulan III 2026" in text  # the previous quarter, empty in this store


def test_refusals_are_one_line(building: Building, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    period = ("--from", str(FIRST), "--to", str(LAST))
    one_line(
        building.admin("report", *period, "--agency", "NOPE", "--out", str(out)),
        3,
        "refused",
        "unknown agency 'NOPE'",
    )
    one_line(building.admin("report", "--from", str(FIRST), "--out", str(out)), 1, "--to")
    one_line(
        building.admin("report", "--year", "2026", "--out", str(out)), 1, "--year and --quarter"
    )
    one_line(
        building.admin("report", "--from", str(LAST), "--to", str(FIRST), "--out", str(out)),
        1,
        "before it starts",
    )
    assert not out.exists()
