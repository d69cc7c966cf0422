"""``bench/dispatch_sim.py`` as a process on a tiny profile: the ``--json`` keys other
tools read, and figures that hang together (not the goals: those are the bench's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORY_KEYS = {"mean", "p50", "p90", "p95", "max", "within_target"}
TOP_KEYS = {
    "policies",
    "agencies",
    "turned_away",
    "walked_out",
    "waiting_at_closing",
    "overtime_min",
    "estimate_within",
    "estimate_mean_error_min",
}


def test_json_keys_on_a_tiny_day(tmp_path: Path) -> None:
    profile = tmp_path / "tiny.toml"
    profile.write_text(
        f'extends = "{ROOT / "bench" / "profiles" / "busy.toml"}"\n'
        'name = "tiny"\ntickets = 60\npriority_share = 0.2\n'
    )
    out = tmp_path / "sim.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "dispatch_sim.py"),
            "--profile",
            str(profile),
            "--seeds",
            "2",
            "--policies",
            "mpp",
            "fifo",
            "--jobs",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "tiny: 2 seeds, 2 policies" in result.stdout
    figures = json.loads(out.read_text())
    assert set(figures) >= TOP_KEYS
    assert set(figures["policies"]) == {"mpp", "fifo"}
    for policy in ("mpp", "fifo"):
        categories = figures["policies"][policy]["categories"]
        assert set(categories) == {"regular", "priority"}
        for category in categories.values():
            assert set(category) >= CATEGORY_KEYS
            assert 0 <= category["p50"] <= category["p90"] <= category["p95"] <= category["max"]
            assert 0 <= category["within_target"] <= 1
        for key in TOP_KEYS - {"policies", "agencies"}:
            assert figures[key][policy] >= 0
        assert 0 <= figures["estimate_within"][policy] <= 1
    dukcapil = figures["agencies"]["DUKCAPIL"]
    assert {"rho_peak", "reference_mean", "mpp", "fifo"} <= set(dukcapil)
    assert {"mean", "p95"} <= set(dukcapil["mpp"])
    assert dukcapil["rho_peak"] > 0
    # FIFO knows no categories: priority citizens wait like anyone; the MPP policy
    # calls them first.
    mpp, fifo = (figures["policies"][p]["categories"]["priority"] for p in ("mpp", "fifo"))
    assert mpp["mean"] <= fifo["mean"]
