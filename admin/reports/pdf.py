"""The report as PDF, from the same figures and charts, with matplotlib's PDF backend.

A4 pages: a cover with the key figures (and, for the quarterly report, the
summary for the Bupati) and the agency table; then each chart as a vector
page of A4 width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from admin.reports import charts
from admin.reports.html import cards
from admin.reports.text import minutes, number, percent, period
from protocol.models.reports import Report

A4 = (8.27, 11.69)


def _page() -> Figure:
    return Figure(figsize=A4)


def _cover(report: Report, title: str, summary: Sequence[str]) -> Figure:
    figure = _page()
    y = 0.955
    for line in textwrap.wrap(title, 52):
        figure.text(0.07, y, line, fontsize=16, weight="bold", color=charts.BLUE)
        y -= 0.024
    scope = report.total.name if report.agency else report.site_name
    figure.text(0.07, y - 0.004, scope, fontsize=10)
    figure.text(
        0.07, y - 0.022, f"Periode {period(report.first_day, report.last_day)}", fontsize=10
    )
    y -= 0.06
    for paragraph in summary:
        for line in textwrap.wrap(paragraph, 95) or [""]:
            figure.text(0.07, y, line, fontsize=9.5)
            y -= 0.0165
        y -= 0.008
    y -= 0.01
    for index, (value, label, detail) in enumerate(cards(report)):
        column, row = index % 3, index // 3
        x = 0.07 + column * 0.3
        top = y - row * 0.07
        figure.text(x, top, value, fontsize=15, weight="bold", color=charts.BLUE)
        figure.text(x, top - 0.02, label, fontsize=8.5)
        figure.text(x, top - 0.036, detail, fontsize=7.5, color="#4a5868")
    return figure


def _agency_table(report: Report) -> Figure:
    figure = _page()
    figure.text(0.07, 0.95, "Per instansi", fontsize=14, weight="bold")
    axes = figure.add_axes((0.04, 0.05, 0.92, 0.87))
    axes.axis("off")
    columns = [
        "Instansi",
        "Tiket",
        "Dilayani",
        "Tdk hadir",
        "Ditolak",
        "Pergi",
        "Tunggu\nmedian",
        "Tunggu\nP90",
        "Layanan\nmedian",
        "Sesuai\ntarget",
        "SKM",
    ]
    skm = {r.key: r for r in report.skm_agencies}
    rows = []
    for agency in [*report.agencies, report.total]:
        rating = skm.get(agency.key, report.skm_total if agency.key == "total" else None)
        rows.append(
            [
                agency.key if agency.key != "total" else "Jumlah",
                number(agency.issued),
                number(agency.served),
                number(agency.no_shows),
                number(agency.turned_away),
                number(agency.walked_out),
                minutes(agency.wait.median),
                minutes(agency.wait.p90),
                minutes(agency.service.median),
                percent(agency.within_target, 0),
                number(rating.score, 1) if rating and rating.score is not None else "–",
            ]
        )
    table = axes.table(
        cellText=rows,
        colLabels=columns,
        colWidths=[0.17] + [0.083] * (len(columns) - 1),
        loc="upper center",
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1, 1.35)
    for (row, column), cell in table.get_celld().items():
        if row == 0:
            cell.set_facecolor("#eaf0f7")
            cell.set_height(cell.get_height() * 1.8)
        if column == 0:
            cell.set_text_props(ha="left")
    return figure


OFFICER_ROWS_PER_PAGE = 32


def _officer_pages(report: Report) -> list[Figure]:
    """Per officer on duty (A4 pages of at most :data:`OFFICER_ROWS_PER_PAGE` rows)."""
    columns = [
        "Petugas",
        "NIP / No. pegawai",
        "Instansi",
        "Dipanggil",
        "Dilayani",
        "Tdk hadir",
        "Tunggu\nrata-rata",
        "Tunggu\nmedian",
        "Layanan\nrata-rata",
        "Layanan\nmedian",
        "Layanan\nP90",
        "SKM",
    ]
    skm = {r.key: r for r in report.skm_officers}
    rows = []
    for officer in report.officers:
        rating = skm.get(officer.key)
        rows.append(
            [
                officer.name,
                officer.key,
                officer.agency or "–",
                number(officer.called),
                number(officer.served),
                number(officer.no_shows),
                minutes(officer.wait.mean),
                minutes(officer.wait.median),
                minutes(officer.service.mean),
                minutes(officer.service.median),
                minutes(officer.service.p90),
                number(rating.score, 1) if rating and rating.score is not None else "–",
            ]
        )
    pages = []
    for start in range(0, len(rows), OFFICER_ROWS_PER_PAGE):
        figure = _page()
        figure.text(0.07, 0.95, "Per petugas", fontsize=14, weight="bold")
        axes = figure.add_axes((0.03, 0.05, 0.94, 0.87))
        axes.axis("off")
        table = axes.table(
            cellText=rows[start : start + OFFICER_ROWS_PER_PAGE],
            colLabels=columns,
            colWidths=[0.16, 0.14, 0.12] + [0.064] * (len(columns) - 3),
            loc="upper center",
            cellLoc="right",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        table.scale(1, 1.35)
        for (row, column), cell in table.get_celld().items():
            if row == 0:
                cell.set_facecolor("#eaf0f7")
                cell.set_height(cell.get_height() * 1.8)
            if column < 3:
                cell.set_text_props(ha="left")
        pages.append(figure)
    return pages


def write(
    report: Report,
    path: Path,
    title: str = "Laporan Pelayanan Antrean",
    summary: Sequence[str] = (),
    extra_charts: Sequence[tuple[str, Figure]] = (),
) -> None:
    items = [*extra_charts, *charts.standard(report)]
    with PdfPages(path, metadata={"Title": title, "Creator": "mpp report"}) as pdf:
        pdf.savefig(_cover(report, title, summary))
        pdf.savefig(_agency_table(report))
        for page in _officer_pages(report):
            pdf.savefig(page)
        for caption, chart in items:  # vector pages, A4 wide
            chart.set_size_inches(A4[0], A4[0] * 0.5)
            chart.suptitle(caption, fontsize=8, x=0.01, ha="left", color="#4a5868")
            pdf.savefig(chart)
