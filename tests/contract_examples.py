"""One valid example of every payload model, for round-trip and fuzz tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from protocol.errors import ErrorCode
from protocol.models import (
    AdminAnnounce,
    AdminPing,
    Announcements,
    BookingCheckIn,
    CallEvent,
    Catalogue,
    CatalogueAgency,
    CatalogueCategory,
    CatalogueService,
    ComponentState,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterPause,
    CounterRecall,
    CounterRequeue,
    CounterResume,
    CounterStartService,
    CounterState,
    CounterStatus,
    CounterSync,
    CounterTransfer,
    CounterView,
    DeviceStatus,
    Envelope,
    HardwareHealth,
    Heartbeat,
    HubStatus,
    Presence,
    PriorityCategory,
    RecentCalls,
    Reply,
    ReplyError,
    Resync,
    SatisfactionRate,
    SatisfactionRating,
    ServiceStatus,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketState,
    TicketView,
)
from protocol.roles import Role

NOW = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
CID = UUID("0b8f4a52-3c1e-4e0a-9d7e-2f4b5c6d7e8f")
TICKET = TicketView(
    ticket_id="20261123-A-012",
    number="A-012",
    service="DUK-KTP",
    service_name="Perekaman KTP-el",
    agency_name="Dinas Kependudukan dan Pencatatan Sipil",
    category=PriorityCategory.REGULAR,
    state=TicketState.CALLED,
    issued_at=NOW,
    people_ahead=4,
    estimated_wait_min=18,
    counter=3,
)
CALL = CallEvent(
    event_id=CID,
    seq=7,
    number="A-012",
    counter=3,
    counter_name="Loket 3",
    service="DUK-KTP",
    agency_name="Dinas Kependudukan dan Pencatatan Sipil",
    zone="lantai-1",
    recall=0,
    called_at=NOW,
)


def _cmd(model: type, device: str = "counter-01", **fields: object) -> Envelope:
    return model(
        command_id=CID,
        device_id=device,
        seq=1,
        issued_at=NOW,
        expires_at=NOW + timedelta(seconds=10),
        **fields,
    )


def examples() -> list[tuple[str, Envelope]]:
    """(topic, message) pairs covering every model of the contract."""
    return [
        (
            "mpp/device/kiosk-01/status",
            DeviceStatus(
                device_id="kiosk-01",
                role=Role.KIOSK,
                state=Presence.ONLINE,
                session=12,
                software_version="0.1.0",
                capabilities=["print", "scan"],
                hardware={
                    "printer": ComponentState(
                        health=HardwareHealth.WARNING, detail="kertas hampir habis"
                    )
                },
            ),
        ),
        (
            "mpp/device/kiosk-01/heartbeat",
            Heartbeat(device_id="kiosk-01", uptime_s=3600.5, cpu_temp_c=48.2, rss_bytes=31_000_000),
        ),
        ("mpp/device/counter-01/cmd", _cmd(CounterNext)),
        ("mpp/device/counter-01/cmd", _cmd(CounterRecall)),
        ("mpp/device/counter-01/cmd", _cmd(CounterStartService)),
        ("mpp/device/counter-01/cmd", _cmd(CounterNoShow)),
        ("mpp/device/counter-01/cmd", _cmd(CounterRequeue, ticket_id="20261123-A-012")),
        ("mpp/device/counter-01/cmd", _cmd(CounterFinish)),
        ("mpp/device/counter-01/cmd", _cmd(CounterTransfer, target_service="BLPG-BAYAR")),
        ("mpp/device/counter-01/cmd", _cmd(CounterPause, reason="Istirahat salat")),
        ("mpp/device/counter-01/cmd", _cmd(CounterResume)),
        ("mpp/device/counter-01/cmd", _cmd(CounterOpen)),
        ("mpp/device/counter-01/cmd", _cmd(CounterClose)),
        ("mpp/device/counter-01/cmd", _cmd(CounterSync)),
        (
            "mpp/device/counter-01/cmd",
            _cmd(
                SatisfactionRate, ticket_id="20261123-A-012", rating=SatisfactionRating.SANGAT_PUAS
            ),
        ),
        (
            "mpp/device/kiosk-01/cmd",
            _cmd(TicketReserve, "kiosk-01", service="DUK-KTP", category=PriorityCategory.PRIORITY),
        ),
        ("mpp/device/kiosk-01/cmd", _cmd(BookingCheckIn, "kiosk-01", booking_code="BK-7F3A9")),
        ("mpp/device/kiosk-01/cmd", _cmd(TicketPrinted, "kiosk-01", ticket_id="20261123-A-012")),
        (
            "mpp/device/kiosk-01/cmd",
            _cmd(TicketPrintFailed, "kiosk-01", ticket_id="20261123-A-012", reason="paper out"),
        ),
        (
            "mpp/device/counter-01/reply",
            Reply(
                command_id=CID,
                ok=True,
                ticket=TICKET,
                counter=CounterView(counter=3, state=CounterState.OPEN, current=TICKET, waiting=5),
            ),
        ),
        (
            "mpp/device/counter-01/reply",
            Reply(
                command_id=CID,
                ok=False,
                error=ReplyError(code=ErrorCode.NOTHING_WAITING, message="no ticket waiting"),
            ),
        ),
        (
            "mpp/hub/status",
            HubStatus(
                state=Presence.ONLINE,
                session=3,
                software_version="0.1.0",
                site_id="mpp-lampung-timur",
                started_at=NOW,
            ),
        ),
        ("mpp/hub/control", Resync()),
        (
            "mpp/state/counter/3",
            CounterStatus(
                counter=3, name="Loket 3", state=CounterState.OPEN, current=TICKET, waiting=5
            ),
        ),
        (
            "mpp/state/service/DUK-KTP",
            ServiceStatus(
                service="DUK-KTP",
                waiting=5,
                estimated_wait_min=20,
                open_counters=2,
                accepting=False,
                reason="Kuota hari ini sudah penuh",
            ),
        ),
        ("mpp/state/calls", RecentCalls(calls=[CALL])),
        (
            "mpp/state/catalogue",
            Catalogue(
                site_id="mpp-lampung-timur",
                site_name="MPP Kabupaten Lampung Timur",
                timezone="Asia/Jakarta",
                agencies=[
                    CatalogueAgency(
                        code="DUKCAPIL",
                        name="Dinas Kependudukan dan Pencatatan Sipil",
                        short_name="Dukcapil",
                        colour="#2e7d32",
                    )
                ],
                services=[
                    CatalogueService(code="DUK-KTP", name="Perekaman KTP-el", agency="DUKCAPIL")
                ],
                categories=[
                    CatalogueCategory(
                        code=PriorityCategory.PRIORITY, name="Prioritas", who="Lansia"
                    )
                ],
            ),
        ),
        ("mpp/state/announcements", Announcements(texts=["Selamat datang di MPP"])),
        ("mpp/event/call", CALL),
        (
            "mpp/admin/admin/cmd",
            AdminAnnounce(
                command_id=CID, account="admin", issued_at=NOW, texts=["Layanan dibuka 08.00"]
            ),
        ),
        ("mpp/admin/admin/cmd", AdminPing(command_id=CID, account="admin", issued_at=NOW)),
        ("mpp/admin/admin/reply", Reply(command_id=CID, ok=True)),
    ]
