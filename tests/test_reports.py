"""Reports from a simulated quarter, checked against an independent computation.

The store is written by the real queue service (tests/quarter_sim.py): the
last weeks of Triwulan II 2026 and all of Triwulan III, every day archived
by the roll-over. The report's figures are recomputed here with SQL straight
from the ``events`` table (json_extract, julianday) and numpy percentiles —
nothing of hub/reports is reused. Reports are made through ``mpp report`` as
a process, the way an admin on the hub makes them; the HTML is opened in
headless Chromium and its screenshot kept in tests/output/reports/.
"""

# ruff: noqa: S608 - the SQL below is built from constants and ISO dates, never from input
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest

from hub.reports.handler import answer, build_report
from hub.site.loader import load_site
from protocol.clock import wall_now
from protocol.models import AdminReportGet, Reply
from protocol.models.reports import Durations, Report
from tests.quarter_sim import QuarterSimulation, QuarterSpec

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output" / "reports"
Q2_TAIL = date(2026, 6, 10)
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
TOLERANCE = 0.006  # the report keeps minutes to two decimals


@pytest.fixture(scope="module")
def store() -> Iterator[Path]:
    shm = Path("/dev/shm")  # noqa: S108 - a private TemporaryDirectory inside it
    with tempfile.TemporaryDirectory(
        prefix="mpp-quarter-", dir=shm if shm.is_dir() else None
    ) as directory:
        simulation = QuarterSimulation(Path(directory), QuarterSpec(Q2_TAIL, Q3[1]))
        simulation.run()
        yield simulation.db


@pytest.fixture(scope="module")
def q3(store: Path) -> Report:
    return build_report(store, load_site(), *Q3)


def mpp(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- the independent computation --------------------------------------------------


class Sql:
    """The figures of a period straight from the store, with SQL.

    Queries are built from constants of this class and ISO dates, never from input.
    """

    def __init__(self, db: Path, first: date, last: date) -> None:
        self.db = sqlite3.connect(db)
        assert first.isoformat() <= last.isoformat()
        self.db.executescript(
            f"""
            CREATE TEMP TABLE ev AS SELECT seq, kind, at,
                json_extract(body, '$.ticket_id') AS tid,
                json_extract(body, '$.counter') AS counter,
                json_extract(body, '$.service') AS service,
                json_extract(body, '$.to_service') AS to_service,
                json_extract(body, '$.recall') AS recall,
                json_extract(body, '$.reason') AS reason,
                json_extract(body, '$.detail') AS detail,
                json_extract(body, '$.rating') AS rating,
                json_extract(body, '$.code') AS code,
                json_extract(body, '$.command_type') AS command_type,
                json_extract(body, '$.officer') AS officer
            FROM events WHERE day >= '{first.isoformat()}' AND day <= '{last.isoformat()}';
            CREATE INDEX temp.ev_tid ON ev (tid, seq);
            CREATE TEMP TABLE origin AS
                SELECT tid, service FROM ev WHERE kind = 'ticket.reserved';
            CREATE INDEX temp.origin_tid ON origin (tid);
            """
        )

    def by(self, query: str) -> dict:
        return {key: value for key, value in self.db.execute(query)}

    def issued(self) -> dict[str, int]:
        return self.by(
            "SELECT o.service, count(*) FROM ev i JOIN origin o ON o.tid = i.tid "
            "WHERE i.kind = 'ticket.issued' GROUP BY o.service"
        )

    def per_counter(self, *kinds: str) -> dict[int, int]:
        marks = ",".join(f"'{k}'" for k in kinds)
        query = f"SELECT counter, count(*) FROM ev WHERE kind IN ({marks}) GROUP BY counter"
        return self.by(query)

    def count(self, where: str) -> int:
        query = f"SELECT count(*) FROM ev WHERE {where}"
        return int(self.db.execute(query).fetchone()[0])

    _QUEUED = "('ticket.issued', 'ticket.transferred', 'ticket.requeued')"

    def waits(self) -> list[tuple[int, str, float]]:
        """(counter, service of the visit, minutes) of every first call."""
        return self.db.execute(
            f"""
            SELECT c.counter,
                COALESCE((SELECT t.to_service FROM ev t WHERE t.tid = c.tid
                          AND t.kind = 'ticket.transferred' AND t.seq < c.seq
                          ORDER BY t.seq DESC LIMIT 1), o.service),
                (julianday(c.at) - julianday(s.at)) * 1440
            FROM ev c JOIN origin o ON o.tid = c.tid
            JOIN ev s ON s.seq = (SELECT max(x.seq) FROM ev x WHERE x.tid = c.tid
                                  AND x.seq < c.seq AND x.kind IN {self._QUEUED})
            WHERE c.kind = 'ticket.called' AND c.recall = 0
            """
        ).fetchall()

    def service_times(self) -> list[tuple[int, float]]:
        """(counter, minutes) from service start (else first call) to done or transfer."""
        return self.db.execute(
            f"""
            WITH ends AS (
                SELECT e.seq, e.tid, e.counter, e.at,
                    (SELECT max(x.seq) FROM ev x WHERE x.tid = e.tid AND x.seq < e.seq
                     AND x.kind IN {self._QUEUED}) AS queued
                FROM ev e WHERE e.kind IN ('ticket.done', 'ticket.transferred'))
            SELECT counter, (julianday(at) - julianday(COALESCE(
                (SELECT y.at FROM ev y WHERE y.tid = ends.tid AND y.kind = 'ticket.serving'
                 AND y.seq < ends.seq AND y.seq > ends.queued ORDER BY y.seq DESC LIMIT 1),
                (SELECT y.at FROM ev y WHERE y.tid = ends.tid AND y.kind = 'ticket.called'
                 AND y.recall = 0 AND y.seq < ends.seq AND y.seq > ends.queued
                 ORDER BY y.seq DESC LIMIT 1)))) * 1440
            FROM ends
            """
        ).fetchall()

    def ratings(self) -> dict[int, list[int]]:
        result: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for counter, rating, count in self.db.execute(
            "SELECT counter, rating, count(*) FROM ev WHERE kind = 'skm.rated' GROUP BY 1, 2"
        ):
            result[counter][rating - 1] = count
        return result

    def survey_elements(self) -> tuple[list[int], list[int]]:
        """Per element U1…U9: the sum of the answers given, and how many gave one."""
        rows = self.db.execute(
            "SELECT CAST(a.key AS INTEGER), sum(a.value), count(a.value) FROM events e, "
            "json_each(json_extract(e.body, '$.answers')) a "
            "WHERE e.kind = 'survey.answered' AND e.seq IN (SELECT seq FROM ev) "
            "AND a.value IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert [r[0] for r in rows] == list(range(9))
        return [r[1] for r in rows], [r[2] for r in rows]

    # Who was on duty at an event's counter, from the sign-in/out timeline alone (not the
    # NIP the ticket events carry): the last sign-in or -out at that counter before it.
    _ON_DUTY = (
        "(SELECT CASE WHEN d.kind = 'officer.signed_in' THEN d.officer END FROM ev d "
        "WHERE d.counter = {e}.counter AND d.seq < {e}.seq "
        "AND d.kind IN ('officer.signed_in', 'officer.signed_out') "
        "ORDER BY d.seq DESC LIMIT 1)"
    )

    def per_officer(self, *kinds: str) -> dict[str, int]:
        marks = ",".join(f"'{k}'" for k in kinds)
        duty = self._ON_DUTY.format(e="e")
        return self.by(
            f"SELECT o, count(*) FROM (SELECT {duty} AS o FROM ev e WHERE e.kind IN ({marks})"
            f"{' AND e.recall = 0' if kinds == ('ticket.called',) else ''}) "
            "WHERE o IS NOT NULL GROUP BY o"
        )

    def officer_waits(self) -> list[tuple[str | None, float]]:
        """(officer on duty at the call, minutes) of every first call."""
        duty = self._ON_DUTY.format(e="c")
        return self.db.execute(
            f"""
            SELECT {duty}, (julianday(c.at) - julianday(s.at)) * 1440
            FROM ev c
            JOIN ev s ON s.seq = (SELECT max(x.seq) FROM ev x WHERE x.tid = c.tid
                                  AND x.seq < c.seq AND x.kind IN {self._QUEUED})
            WHERE c.kind = 'ticket.called' AND c.recall = 0
            """
        ).fetchall()

    def officer_service_times(self) -> list[tuple[str | None, float]]:
        """(officer on duty at the finish, minutes) as :meth:`service_times`."""
        duty = self._ON_DUTY.format(e="ends")
        return self.db.execute(
            f"""
            WITH ends AS (
                SELECT e.seq, e.tid, e.counter, e.at,
                    (SELECT max(x.seq) FROM ev x WHERE x.tid = e.tid AND x.seq < e.seq
                     AND x.kind IN {self._QUEUED}) AS queued
                FROM ev e WHERE e.kind IN ('ticket.done', 'ticket.transferred'))
            SELECT {duty}, (julianday(at) - julianday(COALESCE(
                (SELECT y.at FROM ev y WHERE y.tid = ends.tid AND y.kind = 'ticket.serving'
                 AND y.seq < ends.seq AND y.seq > ends.queued ORDER BY y.seq DESC LIMIT 1),
                (SELECT y.at FROM ev y WHERE y.tid = ends.tid AND y.kind = 'ticket.called'
                 AND y.recall = 0 AND y.seq < ends.seq AND y.seq > ends.queued
                 ORDER BY y.seq DESC LIMIT 1)))) * 1440
            FROM ends
            """
        ).fetchall()

    def officer_ratings(self) -> dict[str, list[int]]:
        """SKM ratings per officer who finished the rated visit at that counter."""
        finisher = (
            "(SELECT {duty} FROM ev f WHERE f.tid = r.tid AND f.counter = r.counter "
            "AND f.kind IN ('ticket.done', 'ticket.transferred') AND f.seq < r.seq "
            "ORDER BY f.seq DESC LIMIT 1)"
        ).format(duty=self._ON_DUTY.format(e="f"))
        result: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for officer, rating in self.db.execute(
            f"SELECT {finisher}, r.rating FROM ev r WHERE r.kind = 'skm.rated'"
        ):
            if officer is not None:
                result[officer][rating - 1] += 1
        return result

    def heat(self) -> list[list[int]]:
        counts = [[0] * 24 for _ in range(7)]
        rows = self.db.execute(
            "SELECT CAST(strftime('%w', at, '+7 hours') AS INTEGER), "
            "CAST(strftime('%H', at, '+7 hours') AS INTEGER), count(*) "
            "FROM ev WHERE kind = 'ticket.issued' GROUP BY 1, 2"
        )
        for sunday_first, hour, count in rows:
            counts[(sunday_first + 6) % 7][hour] += count
        return counts


def stats(values: list[float]) -> tuple[int, float, float, float]:
    array = np.array(values)
    return len(values), array.mean(), np.percentile(array, 50), np.percentile(array, 90)


def assert_durations(got: Durations, values: list[float]) -> None:
    count, mean, median, p90 = stats(values)
    assert got.count == count
    assert got.mean == pytest.approx(mean, abs=TOLERANCE)
    assert got.median == pytest.approx(median, abs=TOLERANCE)
    assert got.p90 == pytest.approx(p90, abs=TOLERANCE)


# -- the figures ---------------------------------------------------------------------------


def test_quarter_figures_match_an_independent_computation(store: Path, q3: Report) -> None:
    site = load_site()
    sql = Sql(store, *Q3)
    # A quarter of a real hall: thousands of tickets, every kind of outcome present.
    assert q3.service_days == 66
    assert q3.total.issued > 4000
    for figure in ("no_shows", "cancelled", "turned_away", "transfers_out", "walked_out"):
        assert getattr(q3.total, figure) > 0, figure

    issued = sql.issued()
    assert {s.key: s.issued for s in q3.services if s.issued} == issued
    assert q3.total.issued == sum(issued.values())
    by_agency: dict[str, int] = defaultdict(int)
    for code, count in issued.items():
        by_agency[site.service(code).agency] += count
    assert {a.key: a.issued for a in q3.agencies if a.issued} == dict(by_agency)

    served = sql.per_counter("ticket.done", "ticket.transferred")
    no_shows = sql.per_counter("ticket.no_show")
    assert {int(c.key): c.served for c in q3.counters if c.served} == served
    assert {int(c.key): c.no_shows for c in q3.counters if c.no_shows} == no_shows
    assert q3.total.transfers_out == sql.count("kind = 'ticket.transferred'")
    assert q3.total.transfers_in == q3.total.transfers_out
    assert q3.total.turned_away == sql.count(
        "kind = 'command.rejected' AND command_type = 'ticket.reserve' "
        "AND code IN ('quota_full', 'closed')"
    )
    assert q3.total.walked_out == sql.count(
        "kind = 'ticket.cancelled' AND (reason IN ('not_served', 'return_ticket') "
        "OR (reason = 'day_closed' "
        "AND (detail LIKE 'still waiting%' OR detail LIKE 'still called%')))"
    )
    assert q3.total.cancelled == sql.count("kind = 'ticket.cancelled' AND reason = 'print_failed'")

    waits = sql.waits()
    assert_durations(q3.total.wait, [w for _, _, w in waits])
    for counter in q3.counters:
        mine = [w for c, _, w in waits if c == int(counter.key)]
        if mine:
            assert_durations(counter.wait, mine)
    within = [w <= site.service(service).target_minutes for _, service, w in waits]
    assert q3.total.within_target == pytest.approx(sum(within) / len(within), abs=1e-4)
    for agency in q3.agencies:
        mine = [
            w <= site.service(s).target_minutes
            for _, s, w in waits
            if site.service(s).agency == agency.key
        ]
        if mine:
            assert agency.within_target == pytest.approx(sum(mine) / len(mine), abs=1e-4)

    times = sql.service_times()
    assert_durations(q3.total.service, [m for _, m in times])
    for counter in q3.counters:
        mine = [m for c, m in times if c == int(counter.key)]
        if mine:
            assert_durations(counter.service, mine)

    ratings = sql.ratings()
    assert {int(r.key): r.counts for r in q3.skm_counters if r.total} == dict(ratings)
    assert q3.skm_total.counts == [sum(c[i] for c in ratings.values()) for i in range(4)]
    total = sum(q3.skm_total.counts)
    mean = sum((i + 1) * c for i, c in enumerate(q3.skm_total.counts)) / total
    assert q3.skm_total.score == pytest.approx(mean * 25, abs=TOLERANCE)

    sums, counts = sql.survey_elements()
    assert q3.ikm.respondents == sql.count("kind = 'survey.answered'") > 100
    assert [e.respondents for e in q3.ikm.elements] == counts
    exact = sum(Fraction(s, c) for s, c in zip(sums, counts, strict=True)) / 9 * 25
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert q3.ikm.value == float(rounded)
    assert q3.ikm.band == (
        "A" if rounded >= Decimal("88.31") else "B" if rounded >= Decimal("76.61") else "C"
    )

    assert q3.busiest.counts == sql.heat()
    assert sum(p.issued for p in q3.daily) == q3.total.issued


def test_officer_figures_match_the_sign_in_timeline(store: Path, q3: Report) -> None:
    """Per officer: who was signed in at the counter when each thing happened, from the
    sign-in and sign-out events alone, against the report (which reads the NIP each
    ticket event carries)."""
    site = load_site()
    sql = Sql(store, *Q3)
    officers = {o.key: o for o in q3.officers}
    assert sql.count("kind = 'officer.signed_out' AND reason = 'replaced'") > 20  # reliefs
    assert sql.count("kind = 'officer.signed_in'") > 500
    served = sql.per_officer("ticket.done", "ticket.transferred")
    assert {k: o.served for k, o in officers.items() if o.served} == served
    no_shows = sql.per_officer("ticket.no_show")
    assert {k: o.no_shows for k, o in officers.items() if o.no_shows} == no_shows
    called = sql.per_officer("ticket.called")
    assert {k: o.called for k, o in officers.items() if o.called} == called
    # A counter opened without a pick: its visits count for the counter, for no officer.
    assert 0 < sum(served.values()) < q3.total.served
    waits, times = sql.officer_waits(), sql.officer_service_times()
    for nip, figures in officers.items():
        known = site.officer(nip)
        assert known is not None and figures.name == known.name
        assert figures.agency == known.agency
        assert_durations(figures.wait, [w for o, w in waits if o == nip])
        assert_durations(figures.service, [m for o, m in times if o == nip])
    ratings = sql.officer_ratings()
    assert {r.key: r.counts for r in q3.skm_officers if r.total} == dict(ratings)


def test_archived_days_are_reported_from_their_events(store: Path, q3: Report) -> None:
    """Every day of the quarter was rolled over (archived) before the report was made."""
    with sqlite3.connect(store) as db:
        archived = {row[0] for row in db.execute("SELECT day FROM day_archive")}
    assert {p.day.isoformat() for p in q3.daily} <= archived
    assert q3.daily[0].day == Q3[0] and q3.daily[-1].day == Q3[1]


def test_one_agency(store: Path, q3: Report) -> None:
    dukcapil = build_report(store, load_site(), *Q3, agency="DUKCAPIL")
    row = next(a for a in q3.agencies if a.key == "DUKCAPIL")
    assert [a.key for a in dukcapil.agencies] == ["DUKCAPIL"]
    assert dukcapil.total.model_dump(exclude={"key", "name", "agency"}) == row.model_dump(
        exclude={"key", "name", "agency"}
    )
    assert {s.agency for s in dukcapil.services} == {"DUKCAPIL"}
    assert {c.agency for c in dukcapil.counters} == {"DUKCAPIL"}
    assert dukcapil.skm_total.counts == next(
        r.counts for r in q3.skm_agencies if r.key == "DUKCAPIL"
    )


def test_the_admin_request_is_answered_with_compact_figures(store: Path) -> None:
    request = AdminReportGet(
        command_id=uuid4(), account="admin", issued_at=wall_now(), first_day=Q3[0], last_day=Q3[1]
    )
    reply = answer(request, store, load_site())
    assert reply.ok and reply.report is not None
    payload = reply.model_dump_json().encode()
    assert len(payload) < 96 * 1024, len(payload)  # the figures, not the events
    assert Reply.model_validate_json(payload) == reply

    unknown = answer(request.model_copy(update={"agency": "NOPE"}), store, load_site())
    assert not unknown.ok and unknown.error is not None
    assert "unknown agency" in unknown.error.message


# -- through `mpp report`, as on the hub ------------------------------------------------


def test_csv_carries_the_same_figures(store: Path, q3: Report, tmp_path: Path) -> None:
    out = tmp_path / "q3.csv"
    done = mpp("report", "--from", Q3[0], "--to", Q3[1], "--db", store, "--out", out)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    value = {(r["section"], r["key"], r["figure"]): r["value"] for r in rows}
    assert int(value[("total", "total", "issued")]) == q3.total.issued
    assert float(value[("total", "total", "wait_p90_min")]) == q3.total.wait.p90
    for counter in q3.counters:
        assert int(value[("counter", counter.key, "served")]) == counter.served
    for rating in q3.skm_agencies:
        assert int(value[("skm_agency", rating.key, "ratings")]) == rating.total


def test_pdf_report(store: Path, q3: Report, tmp_path: Path) -> None:
    out = tmp_path / "q3.pdf"
    done = mpp("report", "--from", Q3[0], "--to", Q3[1], "--db", store, "--out", out)
    assert done.returncode == 0, done.stderr
    # One plain result line, what was written and where; no log records (timestamps, INFO).
    assert done.stdout.splitlines() == [
        f"{out}: pdf report {Q3[0]} – {Q3[1]}: {q3.total.issued:,} tickets issued, "
        f"{q3.total.served:,} served"
    ]
    assert done.stderr == ""
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 6


def test_refusals_are_one_line(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    for args, says in (
        (("--agency", "NOPE", "--db", store), "unknown agency 'NOPE'"),
        (("--db", tmp_path / "missing.db"), "no hub store here"),
    ):
        done = mpp("report", "--from", Q3[0], "--to", Q3[1], *args, "--out", out)
        assert done.returncode != 0
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], done.stderr
    backwards = mpp("report", "--from", Q3[1], "--to", Q3[0], "--db", store, "--out", out)
    assert backwards.returncode != 0 and "before it starts" in backwards.stderr
    assert not out.exists()


def _screenshot(page: Path, png: Path, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail(  # never a silent skip: the report a person opens is what this checks
            "chromium is not installed: run scripts/bootstrap.sh (apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size=1280,{height}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HOME": profile},
        )
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]


def test_quarterly_report_for_the_bupati(store: Path, q3: Report) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = OUTPUT / "monev-2026-q3.html"
    done = mpp("report", "--year", 2026, "--quarter", 3, "--db", store, "--out", page)
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    # One self-contained file: nothing is fetched (SVG namespaces are names, not requests).
    for fetch in ("<script", "<link", "<img", "@import", "<iframe", "<object"):
        assert fetch not in text, fetch
    outside = re.findall(r'(?:href|src)\s*=\s*"(?!#|data:)[^"]*"|url\((?!#)[^)]*\)', text)
    assert outside == []  # only references inside the file (#clip-path, data: images)
    assert text.count("<svg") >= 6
    headers = re.findall(r"<tr><th>.*?</tr>", text)
    widest = max(row.count("<th>") for row in headers)
    assert widest <= 13, f"a table of {widest} columns does not fit an A4 page"
    assert "Booking" not in text, "the glossary's word is 'daftar online'"
    assert "Ringkasan untuk Bupati" in text and "Triwulan III 2026" in text
    assert "Triwulan II 2026" in text and "Pasal 15" in text
    q2 = build_report(store, load_site(), *Q2)
    assert f"menerbitkan {q3.total.issued:,} tiket".replace(",", ".") in text
    assert f"{q2.total.served:,} layanan dalam {q2.service_days} hari".replace(",", ".") in text

    pdf = OUTPUT / "monev-2026-q3.pdf"
    done = mpp("report", "--year", 2026, "--quarter", 3, "--db", store, "--out", pdf)
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")

    png = OUTPUT / "monev-2026-q3.png"
    _screenshot(page, png, 2600)
    from matplotlib.image import imread

    pixels = imread(png)
    assert pixels.shape[0] == 2600 and pixels.shape[1] == 1280
    assert pixels.std() > 0.05  # not a blank page: text, tables and charts were drawn


def test_heat_map_numbers_are_legible_on_every_colour() -> None:
    """Each number on the busiest-hours map is black or white, whichever reaches 4.5:1
    against its cell (white on the map's orange was 3:1)."""
    from matplotlib import colormaps

    from admin.reports.charts import legible_ink

    def luminance(rgb: tuple[float, ...]) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    cmap = colormaps["YlOrRd"]
    for step in range(101):
        cell = cmap(step / 100)
        ink = 1.0 if legible_ink(cell) == "white" else 0.0
        light, dark = sorted((luminance(cell), ink), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (step, legible_ink(cell))
