"""The report's charts, drawn with matplotlib from the figures alone.

Figures are made with :class:`matplotlib.figure.Figure` (no pyplot, no global
state, no display needed), so the same chart goes inline into the HTML as SVG
and onto a PDF page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from matplotlib.figure import Figure

from admin.reports.text import RATING_LABELS, WEEKDAYS, day
from protocol.models.reports import Report

BLUE, GREEN, ORANGE, RED, GREY = "#1f5fa8", "#2e8b57", "#e08a1e", "#c0392b", "#9aa5b1"
RATING_COLOURS = (RED, ORANGE, "#7fb3d5", GREEN)
FIRST_HOUR, LAST_HOUR = 7, 15  # the hall's day (07.00–15.00); the heat map shows these hours


def _figure(width: float = 7.5, height: float = 3.2) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.patch.set_facecolor("white")
    return figure


def daily_trend(report: Report) -> Figure:
    """Tickets printed and served per service day, with the mean wait."""
    figure = _figure()
    axes = figure.add_subplot()
    days = [point.day for point in report.daily]
    axes.bar(days, [p.issued for p in report.daily], color=BLUE, alpha=0.75, label="Tiket diambil")
    axes.plot(days, [p.served for p in report.daily], color=GREEN, label="Dilayani")
    axes.set_ylabel("tiket per hari")
    waits = axes.twinx()
    waits.plot(
        days,
        [p.mean_wait if p.mean_wait is not None else float("nan") for p in report.daily],
        color=ORANGE,
        linestyle=":",
        label="Rata-rata tunggu (mnt)",
    )
    waits.set_ylabel("menit tunggu")
    lines = axes.get_legend_handles_labels()
    more = waits.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    axes.set_title("Tiket per hari layanan", fontsize=11, loc="left")
    figure.autofmt_xdate()
    return figure


def heat_map(report: Report) -> Figure:
    """Mean tickets printed per weekday and hour: when the hall is busiest."""
    figure = _figure(7.5, 2.9)
    axes = figure.add_subplot()
    rows = []
    labels = []
    for index, counts in enumerate(report.busiest.counts):
        days = report.busiest.days[index]
        if index >= 5 and not days:
            continue  # Saturday and Sunday only when the hall opened then
        labels.append(WEEKDAYS[index])
        rows.append([c / days if days else 0.0 for c in counts[FIRST_HOUR:LAST_HOUR]])
    image = axes.imshow(rows, aspect="auto", cmap="YlOrRd")
    axes.set_yticks(range(len(labels)), labels)
    hours = list(range(FIRST_HOUR, LAST_HOUR))
    axes.set_xticks(range(len(hours)), [f"{h:02d}.00" for h in hours], fontsize=8)
    for y, row in enumerate(rows):
        for x, value in enumerate(row):
            if value >= 0.5:
                colour = legible_ink(image.cmap(image.norm(value)))
                axes.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=9, color=colour)
    figure.colorbar(image, ax=axes, label="tiket / hari")
    axes.set_title("Jam tersibuk (rata-rata tiket per jam)", fontsize=11, loc="left")
    return figure


def legible_ink(background: tuple[float, ...]) -> str:
    """Black or white, whichever contrasts more with ``background`` (RGB(A) in 0-1, WCAG
    relative luminance): white on the heat map's orange was 3:1, under the 4.5:1 a
    printed report read at arm's length needs."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in background[:3])
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.05
    return "black" if on_black >= on_white else "white"


def agencies(report: Report) -> Figure:
    """Per agency: tickets printed and served, and the share within the waiting target."""
    figure = _figure(7.5, 3.6)
    axes = figure.add_subplot()
    shown = [a for a in report.agencies if a.issued or a.served]
    names = [a.key for a in shown]
    positions = range(len(shown))
    axes.barh(
        [p + 0.2 for p in positions], [a.issued for a in shown], 0.4, color=BLUE, label="Tiket"
    )
    axes.barh(
        [p - 0.2 for p in positions], [a.served for a in shown], 0.4, color=GREEN, label="Dilayani"
    )
    axes.set_yticks(list(positions), names, fontsize=8)
    axes.invert_yaxis()
    axes.legend(fontsize=8, loc="lower right")
    axes.set_title("Tiket dan layanan per instansi", fontsize=11, loc="left")
    return figure


def waits(report: Report) -> Figure:
    """Per agency: median and 90th-percentile wait."""
    figure = _figure(7.5, 3.6)
    axes = figure.add_subplot()
    shown = [a for a in report.agencies if a.wait.count]
    positions = range(len(shown))
    axes.barh(list(positions), [a.wait.p90 or 0 for a in shown], color=ORANGE, label="P90")
    axes.barh(list(positions), [a.wait.median or 0 for a in shown], color=BLUE, label="Median")
    axes.set_yticks(list(positions), [a.key for a in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("menit tunggu")
    axes.legend(fontsize=8, loc="lower right")
    axes.set_title("Waktu tunggu per instansi", fontsize=11, loc="left")
    return figure


def ratings(report: Report) -> Figure:
    """SKM button-box ratings per agency as stacked shares."""
    figure = _figure(7.5, 3.6)
    axes = figure.add_subplot()
    shown = [r for r in report.skm_agencies if r.total]
    positions = list(range(len(shown)))
    left = [0.0] * len(shown)
    for index, label in enumerate(RATING_LABELS):
        shares = [r.counts[index] / r.total * 100 for r in shown]
        axes.barh(positions, shares, left=left, color=RATING_COLOURS[index], label=label)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_yticks(positions, [r.key for r in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% penilaian")
    axes.legend(fontsize=7, ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.set_title("Penilaian SKM (tombol) per instansi", fontsize=11, loc="left", pad=22)
    return figure


def comparison(current: Report, previous: Report, label_now: str, label_before: str) -> Figure:
    """Per agency: tickets served this quarter against the previous one."""
    figure = _figure(7.5, 3.6)
    axes = figure.add_subplot()
    before = {a.key: a for a in previous.agencies}
    shown = [a for a in current.agencies if a.served or before.get(a.key, a).served]
    positions = range(len(shown))
    axes.barh(
        [p + 0.2 for p in positions],
        [before[a.key].served if a.key in before else 0 for a in shown],
        0.4,
        color=GREY,
        label=label_before,
    )
    axes.barh(
        [p - 0.2 for p in positions], [a.served for a in shown], 0.4, color=BLUE, label=label_now
    )
    axes.set_yticks(list(positions), [a.key for a in shown], fontsize=8)
    axes.invert_yaxis()
    axes.legend(fontsize=8, loc="lower right")
    axes.set_title("Dilayani: triwulan ini dan sebelumnya", fontsize=11, loc="left")
    return figure


def standard(report: Report) -> Iterator[tuple[str, Figure]]:
    """The charts every report has, with their captions."""
    yield f"Tiket per hari, {day(report.first_day)} – {day(report.last_day)}", daily_trend(report)
    yield "Jam tersibuk", heat_map(report)
    yield "Tiket per instansi", agencies(report)
    yield "Waktu tunggu per instansi", waits(report)
    if report.skm_total.total:
        yield "Penilaian SKM per instansi", ratings(report)


def svg(figure: Figure) -> str:
    """The figure as inline SVG markup (text kept as paths: no font needed to view it)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
