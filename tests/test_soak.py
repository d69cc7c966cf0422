"""``bench/soak.py`` as a process on a small day: every part starts as it ships, the
day is done through the devices, and the table and the goals are printed.

The figures are the bench's business (a 16-ticket day says little about memory);
this test keeps the one command working: its processes, its readings, its report.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ("hub", "counter-01", "kiosk-01", "kiosk-02", "display-01", "runtext-01")
ROLES = ("display", "kiosk", "counter", "running_text", "hub")


def test_a_small_day_prints_every_process_and_every_goal() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--tickets", "16", "--counters", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"a 8-hour day of 16 tickets .* at 1 counters", out), out
    table = out.split("\n\n")[1]
    assert table.splitlines()[0].split()[:5] == ["process", "start", "peak", "end", "MB/h"]
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert set(rows) == set(PROCESSES), table
    for name, row in rows.items():
        start, peak, end = (float(value) for value in row[1:4])
        assert 10 < start <= peak and end <= peak, f"{name}: {row}"
        float(row[4])  # the second half's slope, MB per simulated hour
    for role in ROLES:
        assert re.search(
            rf"^(PASS|FAIL)  {role}: peak [\d.]+ MB = \d+% of the goal \(< \d+ MB\); "
            r"second half [+-][\d.]+ ± [\d.]+ MB \((flat|growing)",
            out,
            re.MULTILINE,
        ), f"no verdict for {role}:\n{out}"
    assert re.search(r"^display-01: said [1-9]\d* calls", out, re.MULTILINE), out
