"""Heartbeat figures read from the kernel's files, and their absence handled."""

from __future__ import annotations

from pathlib import Path

from edge.system import cpu_temperature_c, rss_bytes, uptime_s


def test_cpu_temperature_from_thermal_zone(tmp_path: Path) -> None:
    zone = tmp_path / "temp"
    zone.write_text("48312\n")
    assert cpu_temperature_c(zone) == 48.312
    assert cpu_temperature_c(tmp_path / "missing") is None
    zone.write_text("garbage")
    assert cpu_temperature_c(zone) is None


def test_rss_and_uptime() -> None:
    rss = rss_bytes()
    assert rss is not None and rss > 1_000_000
    assert uptime_s() >= 0
