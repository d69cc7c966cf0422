"""Rich tables of what the hub answers: status, advice, a ticket, a device's hardware.

People-facing words stay short and English like the rest of the console
(column names, states); what the hub says in Bahasa Indonesia (reasons shown
on kiosks, advice) is shown as it is. Times are the site's, written ``13.05``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from protocol.models import (
    AgencyAdvice,
    CounterOverview,
    DeviceOverview,
    HardwareHealth,
    HubOverview,
    ServiceOverview,
    TicketView,
    UplinkOverview,
)

_STATE_STYLE = {"open": "green", "paused": "yellow", "closed": "dim"}
_HEALTH_STYLE = {
    HardwareHealth.OK: "green",
    HardwareHealth.WARNING: "yellow",
    HardwareHealth.FAULT: "bold red",
    HardwareHealth.ABSENT: "dim",
    HardwareHealth.UNKNOWN: "dim",
}


def hhmm(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(zone)).strftime("%H.%M")


def minutes_since(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "—"
    return f"{max(0, int((now - moment).total_seconds() // 60))} min"


UNBOUNDED = 10_000  # columns: wide enough that a measure is the table's own


class Fitted:
    """A table as wide as the terminal allows: the full one where it fits, else the
    compact one (fewer columns), so an admin on an 80-column SSH session reads whole
    words rather than ``ser…``. Chosen at each draw, so ``top`` follows a resize.

    "Fits" is the table's minimum width: codes and figures never wrap, headers and
    free text (officer, services, admission, hardware) keep a readable width of their
    own, so the full table is only chosen where nothing of it has to be cut."""

    def __init__(self, build: Callable[[bool], Table]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        full = self.build(False)
        unbounded = options.update_width(UNBOUNDED)  # rich clamps a measure to the width
        if Measurement.get(console, unbounded, full).minimum <= options.max_width:
            yield full
        else:
            yield self.build(True)


def _column(table: Table, name: str, readable: int = 0, **options: object) -> None:
    """A column whose header is never cut (at least as wide as its longest word) and
    whose free text keeps ``readable`` columns before the compact table is chosen."""
    width = max(readable, *(len(word) for word in name.split()))
    table.add_column(name, min_width=width, **options)  # type: ignore[arg-type]


def _figure(table: Table, name: str, **options: object) -> None:
    """A column of figures ("14 min", "39/40"): right-aligned and never wrapped."""
    _column(table, name, justify="right", no_wrap=True, **options)


def _code_column(table: Table, name: str, codes: list[str], **options: object) -> None:
    """A column of codes (service codes, device ids, counter and ticket numbers): never
    wrapped, never shrunk below its longest value, so a code is always shown whole."""
    width = max([len(name), *(len(code) for code in codes)])
    table.add_column(name, no_wrap=True, min_width=width, **options)  # type: ignore[arg-type]


def counters_table(counters: list[CounterOverview]) -> Fitted:
    return Fitted(lambda compact: _counters(counters, compact))


def _counters(counters: list[CounterOverview], compact: bool) -> Table:
    table = Table(title="Counters", title_justify="left", expand=False)
    _code_column(table, "#", [str(c.counter) for c in counters], justify="right")
    if not compact:
        _column(table, "name")
    _column(table, "state")
    _column(table, "officer", readable=14)
    _code_column(table, "current", [c.current or "" for c in counters])
    _figure(table, "served")
    codes = [code for c in counters for code in (*c.primary, *c.secondary)]
    _column(table, "services", readable=max([24, *(len(code) + 2 for code in codes)]))
    for c in counters:
        state = Text(c.state.value, style=_STATE_STYLE.get(c.state.value, ""))
        if c.reason:
            state.append(f" ({c.reason})", style="dim")
        current = c.current or "—"
        if c.current and c.current_state and not compact:
            current = f"{c.current} {c.current_state.value}"
        services = " ".join(c.primary)
        if c.secondary:
            services += " + " + " ".join(c.secondary)
        if c.services_changed:
            services += " *"
        cells = [str(c.counter), c.name, state, c.officer or "—", current, str(c.served_today)]
        if compact:
            del cells[1]
        table.add_row(*cells, services)
    return table


def _admission(service: ServiceOverview) -> Text:
    if service.admission.value == "open":
        return Text("open", style="green")
    text = Text(service.admission.value.replace("_", " "), style="yellow")
    if service.reason:
        text.append(f": {service.reason}", style="dim")
    return text


def _booking_room(service: ServiceOverview) -> str:
    """Bookings still takeable of those the reserve holds until closing (booked in brackets)."""
    if service.booking_reserved is None:
        return "—"
    return (
        f"{service.booking_bookable}/{service.booking_reserved}"
        f" ({service.booking_booked} booked)"
    )


def services_table(services: list[ServiceOverview], now: datetime, busy_only: bool) -> Fitted:
    shown = [
        s
        for s in services
        if not busy_only or s.waiting or s.admission.value != "open" or s.issued_today
    ]
    return Fitted(lambda compact: _services(shown, now, compact))


# The queue table's columns; the compact table (narrow terminals) keeps the first ones.
_QUEUE_COMPACT = ("waiting", "longest", "estimate", "quota")
_QUEUE_FULL = ("waiting", "longest", "estimate", "counters", "issued", "served", "quota",
               "booking room")  # fmt: skip


def _services(services: list[ServiceOverview], now: datetime, compact: bool) -> Table:
    table = Table(title="Queues", title_justify="left")
    _code_column(table, "service", [s.service for s in services])
    if not compact:
        _column(table, "agency")
    numbers = _QUEUE_COMPACT if compact else _QUEUE_FULL
    for name in numbers:
        if name == "booking room":
            _column(table, name, justify="right")
        else:
            _figure(table, "quota left" if name == "quota" else name)
    _column(table, "admission", readable=12)
    for s in services:
        longest = minutes_since(s.oldest_waiting_since, now) if s.waiting else "—"
        late = (
            s.oldest_waiting_since is not None
            and s.waiting
            and (now - s.oldest_waiting_since).total_seconds() / 60 > s.target_minutes
        )
        values: dict[str, str | Text] = {
            "waiting": str(s.waiting),
            "longest": Text(longest, style="bold red" if late else ""),
            "estimate": f"{s.estimated_wait_min} min",
            "counters": str(s.open_counters),
            "quota": "—" if s.quota_left is None else f"{s.quota_left}/{s.quota}",
            "issued": str(s.issued_today),
            "served": str(s.served_today),
            "booking room": _booking_room(s),
        }
        agency = [] if compact else [s.agency]
        table.add_row(s.service, *agency, *(values[name] for name in numbers), _admission(s))
    return table


def _hardware(device: DeviceOverview) -> Text:
    text = Text()
    for name, component in sorted(device.hardware.items()):
        if text:
            text.append(" ")
        label = name if component.detail is None else f"{name}: {component.detail}"
        text.append(f"{label}", style=_HEALTH_STYLE.get(component.health, ""))
        if component.health is not HardwareHealth.OK and component.detail is None:
            text.append(f" {component.health.value}", style=_HEALTH_STYLE[component.health])
    return text or Text("—", style="dim")


def _offset(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return "0.0 s" if abs(seconds) < 0.05 else f"{seconds:+.1f} s"


def devices_table(devices: list[DeviceOverview], zone: str, now: datetime) -> Fitted:
    return Fitted(lambda compact: _devices(devices, zone, now, compact))


def _devices(devices: list[DeviceOverview], zone: str, now: datetime, compact: bool) -> Table:
    """Compact (narrow terminals): no role (the id says it) and no software version."""
    table = Table(title="Devices", title_justify="left")
    _code_column(table, "device", [d.device_id for d in devices])
    wide = ("role", "version")
    for name in ("role", "presence", "last seen", "version", "CPU", "clock", "hardware"):
        if compact and name in wide:
            continue
        if name in ("last seen", "CPU", "clock"):
            _figure(table, name)
        else:
            _column(table, name, readable=16 if name == "hardware" else 0)
    for d in devices:
        if d.online:
            presence = Text("online", style="green")
        else:
            presence = Text("offline" if d.known else "never seen", style="bold red")
        seen = hhmm(d.last_seen, zone)
        if d.last_seen is not None and (now - d.last_seen).total_seconds() > 3600:
            seen = f"{d.last_seen.astimezone(ZoneInfo(zone)):%d/%m} {seen}"
        cells: dict[str, str | Text] = {
            "role": d.role.value,
            "presence": presence,
            "last seen": seen,
            "version": d.software_version or "—",
            "CPU": "—" if d.cpu_temp_c is None else f"{d.cpu_temp_c:.0f} °C",
            "clock": _offset(d.clock_offset_s),
            "hardware": _hardware(d),
        }
        if compact:
            for name in wide:
                del cells[name]
        table.add_row(d.device_id, *cells.values())
    return table


def uplink_line(uplink: UplinkOverview, zone: str) -> Text:
    """One line on what the hub owes upstream; its alert in yellow."""
    waiting = [f"{s.stream} {s.waiting}" for s in uplink.streams if s.waiting]
    line = Text("Uplink: " if uplink.configured else "Uplink (not configured): ")
    line.append(
        f"{uplink.waiting} waiting ({', '.join(waiting)})" if waiting else "nothing waiting"
    )
    if uplink.last_ack_at is not None:
        line.append(f" · last acknowledged {hhmm(uplink.last_ack_at, zone)}")
    if uplink.alert:
        line.append(f" · {uplink.alert}", style="bold yellow")
    return line


def status_view(overview: HubOverview, busy_only: bool = False) -> Group:
    zone = overview.timezone
    day = f"{overview.day:%d-%m-%Y}" if overview.day else "no day open"
    header = Text(f"{overview.site_name} · {day} · {hhmm(overview.at, zone)}", style="bold")
    if overview.day_closed:
        header.append(" · day closed", style="bold yellow")
    parts: list[object] = [header]
    if overview.announcements:
        until = (
            f" (until {hhmm(overview.announcements_until, zone)})"
            if overview.announcements_until
            else ""
        )
        parts.append(Text("Announcements" + until + ": " + " · ".join(overview.announcements)))
    if overview.uplink is not None:
        parts.append(uplink_line(overview.uplink, zone))
    parts += [
        counters_table(overview.counters),
        services_table(overview.services, overview.at, busy_only),
        devices_table(overview.devices, zone, overview.at),
    ]
    return Group(*parts)  # type: ignore[arg-type]


def advice_view(advice: list[AgencyAdvice], zone: str) -> Group:
    table = Table(title="Counters needed", title_justify="left")
    table.add_column("agency")
    table.add_column("open", justify="right")
    table.add_column("of", justify="right")
    table.add_column("waiting", justify="right")
    table.add_column("target", justify="right")
    table.add_column("service", justify="right")
    hours = max((len(a.hours) for a in advice), default=0)
    first = next((a.hours for a in advice if a.hours), [])
    for index in range(hours):
        label = hhmm(first[index].starts_at, zone) if index < len(first) else f"+{index} h"
        table.add_column(f"from {label}", justify="right")
    for a in advice:
        cells = [
            f"{h.counters_needed} ({h.arrivals_per_hour:.0f}/h)" for h in a.hours
        ] + [""] * (hours - len(a.hours))
        short = any(h.counters_needed > a.open_counters for h in a.hours)
        table.add_row(
            Text(a.agency_name, style="bold yellow" if short else ""),
            str(a.open_counters),
            str(a.available_counters),
            str(a.waiting),
            f"{a.target_minutes} min",
            f"{a.service_minutes:.1f} min",
            *cells,
        )
    lines = [Text(f"• {a.advice}") for a in advice]
    return Group(table, *lines)


def ticket_view(ticket: TicketView, zone: str) -> Table:
    table = Table(show_header=False, title=f"Ticket {ticket.number}", title_justify="left")
    table.add_column("field", style="dim")
    table.add_column("value")
    rows = [
        ("id", ticket.ticket_id),
        ("state", ticket.state.value),
        ("service", f"{ticket.service} · {ticket.service_name}"),
        ("agency", ticket.agency_name),
        ("category", ticket.category.value),
        ("issued", hhmm(ticket.issued_at, zone)),
        ("counter", str(ticket.counter) if ticket.counter else "—"),
        ("people ahead", str(ticket.people_ahead)),
        ("estimated wait", f"{ticket.estimated_wait_min} min"),
        ("recalls", str(ticket.recalls)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table
