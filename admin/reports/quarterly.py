"""The quarterly monitoring-and-evaluation report (Perbup Lampung Timur 23/2025 Pasal 15).

Pasal 15: monitoring and evaluation at least every three months, reported to
the Bupati through the Sekretaris Daerah. The report is the quarter's
figures, the comparison with the previous quarter, and a one-page summary
in Bahasa Indonesia written from the figures: what was served, how long
people waited, where it went wrong, what citizens said, what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

from admin.reports import charts, html, pdf
from admin.reports.text import (
    ROMAN,
    WEEKDAYS,
    change,
    hour,
    minutes,
    number,
    percent,
    period,
    trend,
    within,
)
from protocol.models.reports import Figures, Report

LOW_WITHIN_TARGET = 0.9  # an agency calling fewer within target needs attention
HIGH_NO_SHOWS = 0.05
TITLE = "Laporan Monitoring dan Evaluasi Penyelenggaraan MPP"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def label(self) -> str:
        return f"Triwulan {ROMAN[self.number - 1]} {self.year}"


def _per_day(report: Report) -> float | None:
    return report.total.served / report.service_days if report.service_days else None


def _satisfied(report: Report) -> float | None:
    total = report.skm_total.total
    return (report.skm_total.counts[2] + report.skm_total.counts[3]) / total if total else None


def _busiest_hour(report: Report) -> str | None:
    best, where = 0.0, None
    for weekday, counts in enumerate(report.busiest.counts):
        days = report.busiest.days[weekday]
        for at, count in enumerate(counts):
            if days and count / days > best:
                best, where = count / days, (weekday, at)
    if where is None:
        return None
    weekday, at = where
    return f"{WEEKDAYS[weekday]} {hour(at)}–{hour(at + 1)} (rata-rata {number(best)} tiket)"


def _needs_attention(report: Report) -> list[Figures]:
    return sorted(
        (
            a
            for a in report.agencies
            if a.within_target is not None
            and a.within_target < LOW_WITHIN_TARGET
            and a.served >= 20
        ),
        key=lambda a: a.within_target or 0.0,
    )


def summary(current: Report, previous: Report, quarter: Quarter) -> list[str]:
    """The summary for the Bupati: short paragraphs, figures first, then what to do."""
    total, before = current.total, previous.total
    where = current.total.name if current.agency else current.site_name
    paragraphs = [
        f"Pada {quarter.label} ({period(current.first_day, current.last_day)}), {where} "
        f"menerbitkan {number(total.issued)} tiket antrean dan menyelesaikan "
        f"{number(total.served)} layanan dalam {number(current.service_days)} hari layanan "
        f"(rata-rata {number(_per_day(current))} layanan per hari). Dibanding "
        f"{quarter.previous.label} ({number(before.served)} layanan dalam "
        f"{number(previous.service_days)} hari layanan), rata-rata layanan per hari "
        f"{trend(_per_day(current), _per_day(previous))}.",
        f"Separuh pemohon dipanggil dalam {within(total.wait.median)} dan 90% dalam "
        f"{within(total.wait.p90)} (triwulan lalu {within(before.wait.p90)}); "
        f"{percent(total.within_target)} panggilan memenuhi target waktu tunggu layanan "
        f"(triwulan lalu {percent(before.within_target)}). Lama layanan median "
        f"{within(total.service.median)}.",
    ]
    busiest = sorted(current.agencies, key=lambda a: a.served, reverse=True)[:3]
    if busiest and total.served:
        names = ", ".join(
            f"{a.key} ({number(a.served)}; {percent(a.served / total.served, 0)})"
            for a in busiest
            if a.served
        )
        text = f"Instansi dengan layanan terbanyak: {names}."
        when = _busiest_hour(current)
        if when:
            text += f" Jam tersibuk: {when}."
        paragraphs.append(text)
    lost = total.no_shows + total.walked_out + total.turned_away
    lost_before = before.no_shows + before.walked_out + before.turned_away
    paragraphs.append(
        f"{number(total.no_shows)} pemohon tidak hadir saat dipanggil "
        f"({percent(total.no_shows / total.issued if total.issued else None)} dari tiket), "
        f"{number(total.walked_out)} pergi sebelum dipanggil, dan {number(total.turned_away)} "
        "ditolak di kios karena kuota habis atau di luar jam pengambilan tiket: "
        f"{number(lost)} orang tidak terlayani (triwulan lalu {number(lost_before)})."
    )
    skm = current.skm_total
    if skm.total:
        paragraphs.append(
            f"Penilaian tombol SKM: {number(skm.total)} penilaian, {percent(_satisfied(current))} "
            f"puas atau sangat puas; nilai {number(skm.score, 2)}"
            + (f" (mutu {skm.band}, {(skm.quality or '').lower()})" if skm.band else "")
            + f", triwulan lalu {number(previous.skm_total.score, 2)}."
        )
    if current.ikm.value is not None:
        paragraphs.append(
            f"Indeks Kepuasan Masyarakat (PermenPANRB 14/2017) dari "
            f"{number(current.ikm.respondents)} responden: {number(current.ikm.value, 2)}, "
            f"mutu {current.ikm.band} ({(current.ikm.quality or '').lower()})."
        )
    else:
        paragraphs.append(
            "IKM sembilan unsur (PermenPANRB 14/2017) belum dapat dihitung: belum ada survei "
            "sembilan unsur yang lengkap pada triwulan ini."
        )
    actions = []
    for agency in _needs_attention(current)[:3]:
        actions.append(
            f"{agency.key}: hanya {percent(agency.within_target, 0)} panggilan sesuai target "
            f"(P90 tunggu {minutes(agency.wait.p90)}) — tambah loket atau petugas pada jam sibuk."
        )
    if total.issued and total.no_shows / total.issued > HIGH_NO_SHOWS:
        actions.append(
            "Tingkat tidak hadir di atas 5%: periksa suara panggilan dan layar di ruang tunggu."
        )
    quota = [s for s in current.services if s.turned_away >= 10]
    if quota:
        names = ", ".join(f"{s.name} ({number(s.turned_away)})" for s in quota[:3])
        actions.append(f"Tinjau kuota dan jam pengambilan tiket untuk: {names}.")
    paragraphs.append(
        "Tindak lanjut: " + (" ".join(actions) if actions else "tidak ada yang mendesak.")
    )
    paragraphs.append(
        "Dasar: Peraturan Bupati Lampung Timur Nomor 23 Tahun 2025 Pasal 15 — monitoring dan "
        "evaluasi penyelenggaraan MPP paling sedikit 3 (tiga) bulan sekali, dilaporkan kepada "
        "Bupati melalui Sekretaris Daerah."
    )
    return paragraphs


def comparison_rows(current: Report, previous: Report) -> list[tuple[str, str, str, str]]:
    """(figure, this quarter, previous quarter, change) for the total."""
    now, before = current.total, previous.total

    def row(label: str, a: float | None, b: float | None, fmt) -> tuple[str, str, str, str]:
        return (label, fmt(a), fmt(b), change(a, b))

    return [
        row("Tiket diambil", now.issued, before.issued, number),
        row("Layanan selesai", now.served, before.served, number),
        row("Hari layanan", current.service_days, previous.service_days, number),
        row("Layanan per hari", _per_day(current), _per_day(previous), number),
        row("Median tunggu", now.wait.median, before.wait.median, minutes),
        row("P90 tunggu", now.wait.p90, before.wait.p90, minutes),
        row("Sesuai target tunggu", now.within_target, before.within_target, percent),
        row("Median layanan", now.service.median, before.service.median, minutes),
        row("Tidak hadir", now.no_shows, before.no_shows, number),
        row("Pergi sebelum dipanggil", now.walked_out, before.walked_out, number),
        row("Ditolak di kios", now.turned_away, before.turned_away, number),
        row(
            "Nilai SKM tombol",
            current.skm_total.score,
            previous.skm_total.score,
            lambda v: number(v, 2),
        ),
        row("IKM", current.ikm.value, previous.ikm.value, lambda v: number(v, 2)),
    ]


def _comparison_table(current: Report, previous: Report, quarter: Quarter) -> str:
    head = (
        f"<tr><th>Angka</th><th>{quarter.label}</th><th>{quarter.previous.label}</th>"
        "<th>Perubahan</th></tr>"
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in comparison_rows(current, previous)
    )
    before = {a.key: a for a in previous.agencies}
    agencies = "".join(
        f"<tr><td>{escape(a.key)} · {escape(a.name)}</td><td>{number(a.served)}</td>"
        f"<td>{number(before[a.key].served) if a.key in before else '–'}</td>"
        f"<td>{change(a.served, before[a.key].served if a.key in before else None)}</td>"
        f"<td>{percent(a.within_target, 0)}</td>"
        f"<td>{percent(before[a.key].within_target if a.key in before else None, 0)}</td></tr>"
        for a in current.agencies
        if a.served or (a.key in before and before[a.key].served)
    )
    return (
        f"<table>{head}{body}</table><h3>Layanan per instansi</h3>"
        f"<table><tr><th>Instansi</th><th>Dilayani {quarter.label}</th>"
        f"<th>{quarter.previous.label}</th><th>Perubahan</th><th>Sesuai target</th>"
        f"<th>Sesuai target (lalu)</th></tr>{agencies}</table>"
    )


def render_html(current: Report, previous: Report, quarter: Quarter) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in summary(current, previous, quarter))
    extra = [
        (
            f"Dilayani per instansi: {quarter.label} dan {quarter.previous.label}",
            charts.comparison(current, previous, quarter.label, quarter.previous.label),
        )
    ]
    content = (
        f'<h2>Ringkasan untuk Bupati</h2><div class="summary">{paragraphs}</div>'
        f"<h2>Perbandingan dengan {escape(quarter.previous.label)}</h2>"
        + _comparison_table(current, previous, quarter)
        + html.body(current, extra)
    )
    return html.page(f"{TITLE} — {quarter.label}", html.subtitle(current), content)


def write_pdf(current: Report, previous: Report, quarter: Quarter, path: Path) -> None:
    extra = [
        (
            f"Dilayani per instansi: {quarter.label} dan {quarter.previous.label}",
            charts.comparison(current, previous, quarter.label, quarter.previous.label),
        )
    ]
    pdf.write(
        current,
        path,
        title=f"{TITLE} — {quarter.label}",
        summary=summary(current, previous, quarter),
        extra_charts=extra,
    )
