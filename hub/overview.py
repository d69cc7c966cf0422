"""The building now, as ``admin.status`` answers it: counters, queues, devices.

Built from the day's state, the admin's changes for the day
(:mod:`hub.day_plan`) and what the hub has heard from each device
(:mod:`hub.device_watch`, :mod:`hub.clock_offsets`). A read: nothing is written.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from datetime import datetime

from hub.bookings import Booking
from hub.clock_offsets import ClockOffsets
from hub.day_plan import admission, counter_services, daily_quota
from hub.device_watch import DeviceWatch
from hub.dispatch.booking_reserve import booking_room
from hub.site.schema import Site
from hub.state import QueueState
from hub.views import service_status
from protocol.models import (
    CounterOverview,
    DeviceOverview,
    HubOverview,
    Presence,
    ServiceOverview,
)


def build_overview(
    site: Site,
    state: QueueState,
    devices: DeviceWatch,
    clocks: ClockOffsets,
    now: datetime,
    steady_now: float,
    bookings: Sequence[Booking] = (),
) -> HubOverview:
    """What ``mpp admin status`` shows; ``bookings`` are today's (admission and the room
    kept for bookings count them)."""
    served_at: Tally[int] = Tally()
    served_for: Tally[str] = Tally()
    for ticket in state.tickets.values():
        for visit in ticket.visits:
            served_at[visit.counter] += 1
            served_for[visit.service] += 1
    counters = []
    for counter in site.counters:
        record = state.counter(counter.number)
        current = state.tickets.get(record.current) if record.current else None
        primary, secondary = counter_services(site, state, counter.number)
        counters.append(
            CounterOverview(
                counter=counter.number,
                name=counter.name,
                agency=counter.agency,
                state=record.state,
                reason=record.reason,
                officer=record.officer_name,
                officer_id=record.officer,
                current=current.number if current else None,
                current_state=current.state if current else None,
                served_today=served_at[counter.number],
                primary=primary,
                secondary=secondary,
                services_changed=counter.number in state.counter_services,
                device_id=counter.device_id,
            )
        )
    rooms = {r.service: r for r in booking_room(site, state, bookings, now, days=1)}
    services = []
    for service in site.services:
        waiting = list(state.waiting({service.code}))
        oldest = min((t.queued_at or t.reserved_at for t in waiting), default=None)
        published = service_status(site, state, service.code, now, bookings)
        verdict = admission(site, state, service.code, now, bookings=bookings)
        room = rooms.get(service.code)
        quota = daily_quota(site, state, service.code)
        issued = state.issued_count(service.code)
        services.append(
            ServiceOverview(
                service=service.code,
                name=service.name,
                agency=service.agency,
                waiting=len(waiting),
                oldest_waiting_since=oldest,
                estimated_wait_min=published.estimated_wait_min,
                target_minutes=service.target_minutes,
                open_counters=published.open_counters,
                issued_today=issued,
                served_today=served_for[service.code],
                quota=quota,
                quota_left=max(0, quota - issued) if quota is not None else None,
                admission=verdict.state,
                reason=verdict.reason,
                booking_reserved=room.reserved if room else None,
                booking_booked=room.booked if room else None,
                booking_bookable=room.bookable if room else None,
            )
        )
    device_rows = []
    for device_id, role in sorted(devices.roles.items()):
        status = devices.presence.devices.get(device_id)
        beat = devices.heartbeats.get(device_id)
        offset = clocks.offset(device_id, now.timestamp(), steady_now)
        device_rows.append(
            DeviceOverview(
                device_id=device_id,
                role=role,
                online=status is not None and status.state is Presence.ONLINE,
                known=status is not None,
                last_seen=devices.last_seen.get(device_id),
                software_version=status.software_version if status else None,
                hardware=dict(status.hardware) if status else {},
                cpu_temp_c=beat.cpu_temp_c if beat else None,
                clock_offset_s=round(offset, 3) if offset is not None else None,
            )
        )
    return HubOverview(
        site_name=site.name,
        timezone=site.timezone,
        day=state.day,
        at=now,
        day_closed=state.day_closed,
        counters=counters,
        services=services,
        devices=device_rows,
        announcements=list(state.announcements),
        announcements_until=state.announcements_until,
    )
