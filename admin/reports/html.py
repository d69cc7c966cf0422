"""One self-contained HTML file: styles inline, charts as inline SVG, no network.

It opens from a USB stick on any office PC, prints on A4, and can be mailed
as one attachment. Nothing is fetched: no fonts, scripts or images from
anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure

from admin.reports import charts
from admin.reports.text import RATING_LABELS, day, minutes, number, percent, period
from protocol.models.reports import Figures, Ikm, Ratings, Report

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0; background:
  #f3f5f8; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
header { border-bottom: 4px solid #1f5fa8; padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 26px; margin: 0 0 4px; color: #1f5fa8; }
h2 { font-size: 19px; margin: 30px 0 10px; border-bottom: 1px solid #d5dbe3; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: #4a5868; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 10px; }
.card { border: 1px solid #d5dbe3; border-radius: 6px; padding: 10px 12px; background: #f9fbfd; }
.card .v { font-size: 24px; font-weight: bold; color: #1f5fa8; }
.card .l { font-size: 12px; color: #4a5868; }
.card .d { font-size: 12px; color: #4a5868; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 12px; }
figure { margin: 0; border: 1px solid #e3e7ed; border-radius: 6px; padding: 6px; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 12px; color: #4a5868; }
table { border-collapse: collapse; width: 100%; font-size: 11.5px; margin-bottom: 4px; }
th, td { border: 1px solid #d5dbe3; padding: 3px 5px; text-align: right; }
th { background: #eaf0f7; }
td:first-child, th:first-child { text-align: left; min-width: 200px; }
tr.total td { font-weight: bold; background: #f3f6fa; }
.summary { border: 2px solid #1f5fa8; border-radius: 8px; padding: 14px 20px; background: #f7faff; }
.summary p { margin: 6px 0; line-height: 1.45; }
.band { display: inline-block; padding: 2px 8px; border-radius: 4px; color: white; font-weight:
  bold; }
.bA { background: #2e8b57; } .bB { background: #1f5fa8; } .bC { background: #e08a1e; } .bD {
  background: #c0392b; }
.note { font-size: 12px; color: #4a5868; }
@media print { body { background: white; } main { padding: 0; } .charts { display: block; } }
"""


def _cell(value: object) -> str:
    return f"<td>{escape(str(value))}</td>"


Column = tuple[str, Callable[[Figures], str]]


def _columns(visits_only: bool) -> tuple[list[Column], list[Column]]:
    """(header, cell) of the figure tables, counts and times apart (one table of both
    was 19 columns, wider than an A4 page and a laptop's screen); a counter has visits,
    not tickets of its own."""
    tickets: list[Column] = [
        ("Tiket", lambda r: number(r.issued)),
    ]
    visits: list[Column] = [
        ("Dilayani", lambda r: number(r.served)),
        ("Tidak hadir", lambda r: number(r.no_shows)),
    ]
    lost: list[Column] = [
        ("Batal", lambda r: number(r.cancelled)),
        ("Ditolak", lambda r: number(r.turned_away)),
        ("Pergi", lambda r: number(r.walked_out)),
    ]
    transfers: list[Column] = [
        ("Transfer keluar", lambda r: number(r.transfers_out)),
    ]
    if not visits_only:
        transfers.append(("Transfer masuk", lambda r: number(r.transfers_in)))
    times: list[Column] = [
        ("Tunggu rata-rata", lambda r: number(r.wait.mean, 1)),
        ("Tunggu median", lambda r: number(r.wait.median, 1)),
        ("Tunggu P90", lambda r: number(r.wait.p90, 1)),
        ("Jalan median", lambda r: number(r.walk.median, 1)),
        ("Layanan rata-rata", lambda r: number(r.service.mean, 1)),
        ("Layanan median", lambda r: number(r.service.median, 1)),
        ("Layanan P90", lambda r: number(r.service.p90, 1)),
        ("Sesuai target", lambda r: percent(r.within_target)),
    ]
    bookings: list[Column] = [
        (
            "Daftar online hadir / tidak hadir",
            lambda r: f"{number(r.bookings_checked_in)} / {number(r.bookings_no_show)}",
        ),
        ("Daftar online tidak datang", lambda r: number(r.bookings_unclaimed)),
    ]
    if visits_only:
        return [("Dipanggil", lambda r: number(r.called)), *visits, *transfers], times
    return tickets + visits + lost + transfers + bookings, times


def _figure_rows(
    rows: Sequence[Figures],
    total: Figures | None,
    first: str,
    visits_only: bool = False,
    label: Callable[[Figures], str] | None = None,
) -> str:
    counts, times = _columns(visits_only)
    tables = []
    for columns in (counts, times):
        head = (
            f"<tr><th>{first}</th>"
            + "".join(f"<th>{escape(h)}</th>" for h, _ in columns)
            + "</tr>"
        )
        body = []
        for row, css in [*((r, "") for r in rows), *(((total, "total"),) if total else ())]:
            if label is not None:
                text = label(row)
            elif row.key == "total" or row.key.isdigit():
                text = row.name
            else:
                text = f"{row.key} · {row.name}"
            body.append(
                f'<tr class="{css}">'
                + _cell(text)
                + "".join(_cell(cell(row)) for _, cell in columns)
                + "</tr>"
            )
        tables.append(f'<table>{head}{"".join(body)}</table>')
    return f'{tables[0]}{tables[1]}<p class="note">Waktu dalam menit.</p>'


def officer_label(row: Figures) -> str:
    """An officer's row: name, NIP and agency, as the M&E report names people."""
    agency = f" · {row.agency}" if row.agency else ""
    kind = "NIP" if len(row.key) == 18 and row.key.isdigit() else "No. pegawai"
    return f"{row.name} ({kind} {row.key}){agency}"


def _band(band: str | None, quality: str | None) -> str:
    if band is None:
        return "–"
    return f'<span class="band b{band}">{band}</span> {escape(quality or "")}'


def _rating_rows(rows: Sequence[Ratings], total: Ratings, first: str) -> str:
    head = (
        f"<tr><th>{first}</th>"
        + "".join(f"<th>{label}</th>" for label in RATING_LABELS)
        + "<th>Jumlah</th><th>Rata-rata (1–4)</th><th>Nilai (25–100)</th><th>Mutu</th></tr>"
    )
    body = []
    for row, css in [*((r, "") for r in rows if r.total), (total, "total")]:
        body.append(
            f'<tr class="{css}">'
            + _cell(row.name)
            + "".join(
                _cell(f"{number(c)} ({percent(c / row.total if row.total else None, 0)})")
                for c in row.counts
            )
            + _cell(number(row.total))
            + _cell(number(row.mean, 2))
            + _cell(number(row.score, 2))
            + f"<td>{_band(row.band, row.quality)}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _ikm(ikm: Ikm) -> str:
    if ikm.value is None:
        return (
            '<p class="note">Belum ada survei kepuasan sembilan unsur (PermenPANRB 14/2017) '
            f"yang lengkap pada periode ini ({number(ikm.respondents)} responden). Penilaian "
            "tombol SKM di atas adalah satu pertanyaan, bukan IKM.</p>"
        )
    rows = "".join(
        "<tr>"
        + _cell(f"{e.code} · {e.name}")
        + _cell(number(e.respondents))
        + _cell(number(e.nrr, 3))
        + _cell(number(e.nrr / 9 if e.nrr is not None else None, 3))
        + "</tr>"
        for e in ikm.elements
    )
    return (
        "<table><tr><th>Unsur</th><th>Responden</th><th>NRR</th><th>NRR × 1/9</th></tr>"
        f"{rows}</table>"
        f"<p><b>IKM = Σ (NRR × 1/9) × 25 = {number(ikm.value, 2)}</b> "
        f'<span class="band b{ikm.band}">{ikm.band}</span> {escape(ikm.quality or "")} '
        f"({number(ikm.respondents)} responden; dibulatkan hanya di akhir)</p>"
    )


def _ikm_agencies(report: Report) -> str:
    if not report.ikm_agencies:
        return ""
    names = {a.key: a.name for a in report.agencies}
    rows = "".join(
        "<tr>"
        + _cell(names.get(code, code))
        + _cell(number(value.respondents))
        + _cell(number(value.value, 2))
        + f"<td>{_band(value.band, value.quality)}</td></tr>"
        for code, value in report.ikm_agencies
    )
    return (
        "<h3>IKM per instansi</h3><table><tr><th>Instansi</th><th>Responden</th><th>IKM</th>"
        f"<th>Mutu</th></tr>{rows}</table>"
    )


def cards(report: Report) -> list[tuple[str, str, str]]:
    """(value, label, detail) of the key figures."""
    total = report.total
    result = [
        (number(total.issued), "tiket diambil", f"{number(report.service_days)} hari layanan"),
        (number(total.served), "layanan selesai", f"{number(total.transfers_out)} diteruskan"),
        (minutes(total.wait.median), "median tunggu", f"P90 {minutes(total.wait.p90)}"),
        (percent(total.within_target), "dipanggil sesuai target", "tunggu ≤ target layanan"),
        (minutes(total.service.median), "median layanan", f"P90 {minutes(total.service.p90)}"),
        (
            number(total.no_shows),
            "tidak hadir",
            f"{number(total.walked_out)} pergi sebelum dipanggil",
        ),
        (number(total.turned_away), "ditolak di kios", "kuota habis atau tutup"),
    ]
    if report.skm_total.total:
        result.append(
            (
                number(report.skm_total.score, 2),
                "nilai SKM tombol",
                f"{number(report.skm_total.total)} penilaian",
            )
        )
    if report.ikm.value is not None:
        result.append(
            (number(report.ikm.value, 2), f"IKM (mutu {report.ikm.band})", report.ikm.quality or "")
        )
    return result


def _cards(report: Report) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="v">{escape(v)}</div>'
            f'<div class="l">{escape(label)}</div>'
            f'<div class="d">{escape(d)}</div></div>'
            for v, label, d in cards(report)
        )
        + "</div>"
    )


def _charts(items: Sequence[tuple[str, Figure]]) -> str:
    return (
        '<div class="charts">'
        + "".join(
            f"<figure>{charts.svg(figure)}<figcaption>{escape(caption)}</figcaption></figure>"
            for caption, figure in items
        )
        + "</div>"
    )


DEFINITIONS = """
<h2>Catatan</h2>
<ul class="note">
<li><b>Tunggu</b>: dari tiket dicetak (atau diteruskan/diantrekan ulang) sampai dipanggil pertama
  kali.
<b>Jalan</b>: dari dipanggil sampai petugas menekan mulai layanan. <b>Layanan</b>: dari mulai
(atau dipanggil) sampai selesai atau diteruskan. P90: 90% pemohon menunggu paling lama selama
  itu.</li>
<li><b>Sesuai target</b>: panggilan yang waktu tunggunya tidak melebihi target layanan.</li>
<li><b>Ditolak</b>: permintaan tiket di kios yang ditolak karena kuota habis atau layanan tutup.
<b>Pergi</b>: tiket yang masih menunggu atau dipanggil saat hari layanan ditutup.
<b>Batal</b>: tiket yang gagal dicetak atau dibatalkan admin.</li>
<li>Tiket dihitung pada layanan yang dipilih di kios; layanan, tidak hadir dan waktu dihitung
per kunjungan, sehingga tiket yang diteruskan ke Bank Lampung dilayani di kedua loket.</li>
<li>Nilai SKM tombol = rata-rata penilaian × 25 (satu pertanyaan). IKM menurut PermenPANRB
14/2017: NRR tiap unsur × 1/9, dijumlahkan, × 25; mutu A 88,31–100 (sangat baik),
B 76,61–88,30 (baik), C 65,00–76,60 (kurang baik), D 25,00–64,99 (tidak baik).</li>
<li>Angka dihitung oleh hub dari catatan kejadian (event store), termasuk hari yang sudah
  diarsipkan.</li>
</ul>
"""


def body(report: Report, extra_charts: Sequence[tuple[str, Figure]] = ()) -> str:
    """Every section of a report, without the page around it."""
    officers = (
        _figure_rows(report.officers, None, "Petugas", visits_only=True, label=officer_label)
        if report.officers
        else '<p class="note">Tidak ada petugas yang masuk (login) di loket pada periode ini; '
        "angka per loket di atas.</p>"
    )
    counters = [c for c in report.counters if c.served or c.no_shows or c.wait.count]
    return (
        "<h2>Angka utama</h2>"
        + _cards(report)
        + "<h2>Grafik</h2>"
        + _charts([*extra_charts, *charts.standard(report)])
        + "<h2>Per instansi</h2>"
        + _figure_rows(report.agencies, report.total, "Instansi")
        + "<h2>Per layanan</h2>"
        + _figure_rows(
            [s for s in report.services if s.issued or s.served or s.turned_away], None, "Layanan"
        )
        + "<h2>Per loket</h2>"
        + _figure_rows(counters, None, "Loket", visits_only=True)
        + "<h2>Per petugas</h2>"
        + officers
        + "<h2>Survei Kepuasan Masyarakat (tombol SKM)</h2>"
        + "<h3>Per instansi</h3>"
        + _rating_rows(report.skm_agencies, report.skm_total, "Instansi")
        + "<h3>Per layanan</h3>"
        + _rating_rows(report.skm_services, report.skm_total, "Layanan")
        + "<h3>Per loket</h3>"
        + _rating_rows(report.skm_counters, report.skm_total, "Loket")
        + (
            "<h3>Per petugas</h3>"
            + _rating_rows(report.skm_officers, report.skm_total, "Petugas")
            if any(r.total for r in report.skm_officers)
            else ""
        )
        + "<h2>Indeks Kepuasan Masyarakat (IKM)</h2>"
        + _ikm(report.ikm)
        + _ikm_agencies(report)
        + DEFINITIONS
    )


def page(title: str, subtitle: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{subtitle}</div></header>'
        f"{content}</main></body></html>\n"
    )


def subtitle(report: Report) -> str:
    scope = escape(report.total.name) if report.agency else escape(report.site_name)
    made = report.generated_at.astimezone(ZoneInfo(report.timezone))
    return (
        f"{scope}<br>Periode {escape(period(report.first_day, report.last_day))} · "
        f"dibuat {escape(day(made.date()))} pukul {made:%H.%M}"
    )


def render(report: Report) -> str:
    return page("Laporan Pelayanan Antrean", subtitle(report), body(report))
