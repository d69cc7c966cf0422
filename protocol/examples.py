"""One or more valid examples of every message of the contract.

The AsyncAPI generator puts them in the document beside each message, and the
tests round-trip them through the codec, so an example can never drift from
its model: a change that makes one invalid fails the build. Every timestamp
is fixed, so the generated document is byte-for-byte stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from protocol.errors import ErrorCode
from protocol.models import (
    AdminAdvise,
    AdminAnnounce,
    AdminCommand,
    AdminComplaintAdd,
    AdminComplaintList,
    AdminComplaintShow,
    AdminCounterOfficer,
    AdminCounterServices,
    AdminCounterState,
    AdminDayClose,
    AdminDevice,
    AdminPing,
    AdminReportGet,
    AdminServiceClose,
    AdminServiceQuota,
    AdminServiceReopen,
    AdminSignaturePurge,
    AdminSignatureWaive,
    AdminStatus,
    AdminTicketCancel,
    AdminTicketFind,
    AdminTicketReceipt,
    AdminTicketReprint,
    AdminTicketRequeue,
    AdminTicketStatus,
    AdminTicketTransfer,
    Admission,
    AgencyAdvice,
    Announcements,
    BookingCheckIn,
    BookingRecord,
    BookingsPush,
    BookingsStored,
    CallEvent,
    Catalogue,
    CatalogueAgency,
    CatalogueCategory,
    CatalogueService,
    Command,
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    ComplaintStatusStored,
    ComplaintStatusUpdate,
    ComplaintSubmit,
    ComplaintView,
    ComponentState,
    CounterAction,
    CounterClose,
    CounterFinish,
    CounterNext,
    CounterNoShow,
    CounterOpen,
    CounterOverview,
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
    DeviceAction,
    DeviceControl,
    DeviceOverview,
    DeviceStatus,
    Envelope,
    HardwareHealth,
    Heartbeat,
    HourAdvice,
    HubOverview,
    HubStatus,
    LogEntry,
    Presence,
    PriorityCategory,
    RecentCalls,
    Reply,
    ReplyError,
    Resync,
    SatisfactionRate,
    SatisfactionRating,
    ServiceOverview,
    ServiceStatus,
    SurveySubmit,
    TicketPrinted,
    TicketPrintFailed,
    TicketReserve,
    TicketState,
    TicketStatusQuery,
    TicketView,
    UplinkAck,
    UplinkItem,
)
from protocol.models.signature import (
    Receipt,
    SignatureButton,
    SignatureClosed,
    SignaturePress,
    SignatureRequest,
    SignatureSubmit,
    SignatureWaive,
    Stroke,
    StrokePoint,
    WaiveReason,
    strokes_sha256,
)
from protocol.roles import Role

NOW = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
WIB = timezone(timedelta(hours=7))
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
WAITING_TICKET = TICKET.model_copy(
    update={
        "state": TicketState.WAITING,
        "counter": None,
        "people_ahead": 2,
        "estimated_wait_min": 9,
    }
)
CALL = CallEvent(
    sent_at=NOW,
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


_STROKES = [
    Stroke(
        points=[
            StrokePoint(
                x=round(0.2 + 0.05 * i, 3),
                y=round(0.55 - 0.04 * (i % 3), 3),
                pressure=0.6,
                t=12 * i,
            )
            for i in range(8)
        ]
    ),
    Stroke(
        points=[
            StrokePoint(
                x=round(0.62 + 0.03 * i, 3),
                y=round(0.4 + 0.05 * i, 3),
                pressure=0.45,
                t=900 + 12 * i,
            )
            for i in range(5)
        ]
    ),
]


@dataclass(frozen=True)
class Example:
    """One message as it travels on one concrete topic."""

    name: str
    summary: str
    topic: str
    message: Envelope

    def payload(self) -> dict[str, Any]:
        """The JSON payload, as plain data."""
        return self.message.model_dump(mode="json")


def _cmd(model: type[Command], device: str = "counter-01", **fields: object) -> Command:
    return model(
        sent_at=NOW,
        command_id=CID,
        device_id=device,
        seq=1,
        issued_at=NOW,
        expires_at=NOW + timedelta(seconds=5),
        **fields,
    )


def _query(model: type[Command], device: str, **fields: object) -> Command:
    """A read: no ``expires_at``."""
    return model(sent_at=NOW, command_id=CID, device_id=device, seq=1, issued_at=NOW, **fields)


def _admin(model: type[AdminCommand], **fields: object) -> AdminCommand:
    return model(sent_at=NOW, command_id=CID, account="admin", issued_at=NOW, **fields)


_ADMIN_CMD = "mpp/admin/admin/cmd"
OVERVIEW = HubOverview(
    site_name="MPP Kabupaten Lampung Timur",
    day=NOW.date(),
    at=NOW,
    counters=[
        CounterOverview(
            counter=3,
            name="Loket 3",
            agency="DUKCAPIL",
            state=CounterState.OPEN,
            current="A-012",
            current_state=TicketState.CALLED,
            served_today=14,
            primary=["DUK-KTP"],
            device_id="counter-03",
        )
    ],
    services=[
        ServiceOverview(
            service="DUK-KTP",
            name="Perekaman KTP-el",
            agency="DUKCAPIL",
            waiting=6,
            oldest_waiting_since=NOW - timedelta(minutes=22),
            estimated_wait_min=18,
            target_minutes=30,
            open_counters=2,
            issued_today=41,
            served_today=33,
            quota=120,
            quota_left=79,
            admission=Admission.OPEN,
        )
    ],
    devices=[
        DeviceOverview(
            device_id="kiosk-01",
            role=Role.KIOSK,
            online=True,
            known=True,
            last_seen=NOW,
            software_version="0.1.0",
            hardware={"printer": ComponentState(health=HardwareHealth.WARNING, detail="paper low")},
            cpu_temp_c=51.2,
            clock_offset_s=-0.42,
        )
    ],
    announcements=["Layanan dibuka 08.00"],
)
ADVICE = AgencyAdvice(
    agency="DUKCAPIL",
    agency_name="Dukcapil",
    open_counters=2,
    available_counters=5,
    waiting=14,
    target_minutes=30,
    service_minutes=7.0,
    hours=[
        HourAdvice(starts_at=NOW, arrivals_per_hour=31.0, counters_needed=3, expected_wait_min=3.1)
    ],
    advice="Dukcapil: buka 1 loket lagi sekarang agar tunggu ≤ 30 menit",
)

_COUNTER_CMD = "mpp/device/counter-01/cmd"
_KIOSK_CMD = "mpp/device/kiosk-01/cmd"

EXAMPLES: tuple[Example, ...] = (
    Example(
        "kioskOnline",
        "A kiosk's retained birth, its printer low on paper",
        "mpp/device/kiosk-01/status",
        DeviceStatus(
            sent_at=NOW,
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
    Example(
        "kioskHeartbeat",
        "A kiosk's periodic health",
        "mpp/device/kiosk-01/heartbeat",
        Heartbeat(
            sent_at=NOW,
            device_id="kiosk-01",
            uptime_s=3600.5,
            cpu_temp_c=48.2,
            rss_bytes=31_000_000,
        ),
    ),
    Example("next", "Counter 1 calls its next ticket", _COUNTER_CMD, _cmd(CounterNext)),
    Example("recall", "Counter 1 calls its ticket again", _COUNTER_CMD, _cmd(CounterRecall)),
    Example("start", "The citizen arrived", _COUNTER_CMD, _cmd(CounterStartService)),
    Example("noShow", "The citizen did not come", _COUNTER_CMD, _cmd(CounterNoShow)),
    Example(
        "requeue",
        "A no-show came back within the grace period",
        _COUNTER_CMD,
        _cmd(CounterRequeue, ticket_id="20261123-A-012"),
    ),
    Example("finish", "Counter 1 is done with its ticket", _COUNTER_CMD, _cmd(CounterFinish)),
    Example(
        "transfer",
        "Send the citizen on to the payment service",
        _COUNTER_CMD,
        _cmd(CounterTransfer, target_service="BLPG-BAYAR"),
    ),
    Example("pause", "A prayer break", _COUNTER_CMD, _cmd(CounterPause, reason="Istirahat salat")),
    Example("resume", "Back from the break", _COUNTER_CMD, _cmd(CounterResume)),
    Example(
        "open",
        "Open counter 1, Slamet Siregar signs in",
        _COUNTER_CMD,
        _cmd(CounterOpen, officer="199006212013061005"),
    ),
    Example("close", "Close counter 1", _COUNTER_CMD, _cmd(CounterClose)),
    Example(
        "sync", "Counter 1 asks for its state after a reconnect", _COUNTER_CMD, _cmd(CounterSync)
    ),
    Example(
        "rate",
        "A citizen presses 'sangat puas'",
        _COUNTER_CMD,
        _cmd(SatisfactionRate, ticket_id="20261123-A-012", rating=SatisfactionRating.SANGAT_PUAS),
    ),
    Example(
        "survey",
        "A citizen answers the nine-element survey at the kiosk (U3 left out)",
        _KIOSK_CMD,
        _cmd(
            SurveySubmit,
            "kiosk-01",
            ticket_id="20261123-A-012",
            answers=[4, 3, None, 4, 4, 3, 4, 3, 4],
        ),
    ),
    Example(
        "reserve",
        "A kiosk reserves a priority ticket for KTP-el",
        _KIOSK_CMD,
        _cmd(TicketReserve, "kiosk-01", service="DUK-KTP", category=PriorityCategory.PRIORITY),
    ),
    Example(
        "checkIn",
        "A kiosk checks in an online booking",
        _KIOSK_CMD,
        _cmd(BookingCheckIn, "kiosk-01", booking_code="BK-7F3A9"),
    ),
    Example(
        "printed",
        "The ticket came out of the printer",
        _KIOSK_CMD,
        _cmd(TicketPrinted, "kiosk-01", ticket_id="20261123-A-012"),
    ),
    Example(
        "printFailed",
        "The printer ran out of paper",
        _KIOSK_CMD,
        _cmd(TicketPrintFailed, "kiosk-01", ticket_id="20261123-A-012", reason="paper out"),
    ),
    Example(
        "ticketStatus",
        "A kiosk asks where ticket A-012 stands",
        _KIOSK_CMD,
        _query(TicketStatusQuery, "kiosk-01", ticket_id="20261123-A-012"),
    ),
    Example(
        "called",
        "Ticket A-012 called to counter 3",
        "mpp/device/counter-01/reply",
        Reply(
            sent_at=NOW,
            command_id=CID,
            ok=True,
            ticket=TICKET,
            counter=CounterView(counter=3, state=CounterState.OPEN, current=TICKET, waiting=5),
        ),
    ),
    Example(
        "nothingWaiting",
        "Next with nobody waiting and no current ticket",
        "mpp/device/counter-01/reply",
        Reply(
            sent_at=NOW,
            command_id=CID,
            ok=False,
            error=ReplyError(code=ErrorCode.NOTHING_WAITING, message="no ticket waiting"),
        ),
    ),
    Example(
        "ticketWaiting",
        "Ticket A-012 waits behind two people, about 9 minutes",
        "mpp/device/kiosk-01/reply",
        Reply(sent_at=NOW, command_id=CID, ok=True, ticket=WAITING_TICKET),
    ),
    Example(
        "unknownTicket",
        "A ticket id the hub does not hold today",
        "mpp/device/kiosk-01/reply",
        Reply(
            sent_at=NOW,
            command_id=CID,
            ok=False,
            error=ReplyError(
                code=ErrorCode.UNKNOWN_TICKET, message="unknown ticket 20261122-A-012"
            ),
        ),
    ),
    Example(
        "hubOnline",
        "The hub's retained birth",
        "mpp/hub/status",
        HubStatus(
            sent_at=NOW,
            state=Presence.ONLINE,
            session=3,
            software_version="0.1.0",
            site_id="mpp-lampung-timur",
            started_at=NOW,
        ),
    ),
    Example("resync", "After a hub restart", "mpp/hub/control", Resync(sent_at=NOW)),
    Example(
        "counterServing",
        "Counter 3 is open with A-012 called",
        "mpp/state/counter/3",
        CounterStatus(
            sent_at=NOW,
            counter=3,
            name="Loket 3",
            state=CounterState.OPEN,
            current=TICKET,
            waiting=5,
        ),
    ),
    Example(
        "quotaFull",
        "KTP-el has reached its daily quota",
        "mpp/state/service/DUK-KTP",
        ServiceStatus(
            sent_at=NOW,
            service="DUK-KTP",
            waiting=5,
            estimated_wait_min=20,
            open_counters=2,
            accepting=False,
            reason="Kuota hari ini sudah penuh",
        ),
    ),
    Example(
        "recentCalls", "The latest call", "mpp/state/calls", RecentCalls(sent_at=NOW, calls=[CALL])
    ),
    Example(
        "catalogue",
        "A one-agency catalogue",
        "mpp/state/catalogue",
        Catalogue(
            sent_at=NOW,
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
            services=[CatalogueService(code="DUK-KTP", name="Perekaman KTP-el", agency="DUKCAPIL")],
            categories=[
                CatalogueCategory(code=PriorityCategory.PRIORITY, name="Prioritas", who="Lansia")
            ],
        ),
    ),
    Example(
        "welcome",
        "One running-text line",
        "mpp/state/announcements",
        Announcements(sent_at=NOW, texts=["Selamat datang di MPP"]),
    ),
    Example("call", "A-012 to Loket 3", "mpp/event/call", CALL),
    Example(
        "announce",
        "The admin sets the running text",
        "mpp/admin/admin/cmd",
        AdminAnnounce(
            sent_at=NOW,
            command_id=CID,
            account="admin",
            issued_at=NOW,
            texts=["Layanan dibuka 08.00"],
        ),
    ),
    Example(
        "ping",
        "Does the hub answer?",
        "mpp/admin/admin/cmd",
        AdminPing(sent_at=NOW, command_id=CID, account="admin", issued_at=NOW),
    ),
    Example(
        "adminTicketStatus",
        "The admin asks where ticket A-012 stands",
        "mpp/admin/admin/cmd",
        AdminTicketStatus(
            sent_at=NOW, command_id=CID, account="admin", issued_at=NOW, ticket_id="20261123-A-012"
        ),
    ),
    Example("adminStatus", "Counters, queues, devices", _ADMIN_CMD, _admin(AdminStatus)),
    Example(
        "ticketReceipt",
        "The hand-over receipt of A-012",
        _ADMIN_CMD,
        _admin(AdminTicketReceipt, ticket_id="20261123-A-012"),
    ),
    Example(
        "receiptReply",
        "The signed hand-over of A-012, with the stored strokes",
        "mpp/admin/admin/reply",
        Reply(
            sent_at=NOW,
            command_id=CID,
            ok=True,
            receipt=Receipt(
                ticket_id="20261123-A-012",
                number="A-012",
                site_name="MPP Kabupaten Lampung Timur",
                agency_name="Dinas Kependudukan dan Pencatatan Sipil",
                service_name="Perekaman KTP-el",
                document="KTP-el",
                counter=3,
                device_id="sigpad-03",
                signed_at=NOW,
                time_zone="Asia/Jakarta",
                sha256=strokes_sha256(_STROKES),
                strokes=_STROKES,
            ),
        ),
    ),
    Example("advise", "Counters needed", _ADMIN_CMD, _admin(AdminAdvise, hours=3)),
    Example(
        "reportGet",
        "The figures of Triwulan III 2026 for Dukcapil",
        _ADMIN_CMD,
        _admin(
            AdminReportGet,
            first_day=date(2026, 7, 1),
            last_day=date(2026, 9, 30),
            agency="DUKCAPIL",
        ),
    ),
    Example(
        "closeCounter",
        "Close counter 3",
        _ADMIN_CMD,
        _admin(AdminCounterState, counter=3, action=CounterAction.CLOSE),
    ),
    Example(
        "counterServices",
        "Counter 4 helps KTP today",
        _ADMIN_CMD,
        _admin(AdminCounterServices, counter=4, primary=["DUK-KK"], secondary=["DUK-KTP"]),
    ),
    Example(
        "counterOfficer",
        "Sign an officer in at counter 3",
        _ADMIN_CMD,
        _admin(AdminCounterOfficer, counter=3, officer="199006212013061005"),
    ),
    Example("findTicket", "Find A-012", _ADMIN_CMD, _admin(AdminTicketFind, ticket="A-012")),
    Example(
        "cancelTicket",
        "Cancel A-012",
        _ADMIN_CMD,
        _admin(AdminTicketCancel, ticket="A-012", reason="double ticket"),
    ),
    Example(
        "requeueTicket", "Re-queue A-012", _ADMIN_CMD, _admin(AdminTicketRequeue, ticket="A-012")
    ),
    Example(
        "reprintTicket",
        "Reprint A-012 at kiosk-01",
        _ADMIN_CMD,
        _admin(AdminTicketReprint, ticket="20261123-A-012", kiosk="kiosk-01"),
    ),
    Example(
        "transferTicket",
        "Move A-012 to KK",
        _ADMIN_CMD,
        _admin(AdminTicketTransfer, ticket="A-012", target_service="DUK-KK"),
    ),
    Example(
        "setQuota",
        "KTP quota 150",
        _ADMIN_CMD,
        _admin(AdminServiceQuota, service="DUK-KTP", quota=150),
    ),
    Example(
        "closeService",
        "Close KTP early",
        _ADMIN_CMD,
        _admin(AdminServiceClose, service="DUK-KTP", reason="Blangko KTP-el habis"),
    ),
    Example(
        "reopenService", "Reopen KTP", _ADMIN_CMD, _admin(AdminServiceReopen, service="DUK-KTP")
    ),
    Example(
        "identify",
        "Blink counter-03",
        _ADMIN_CMD,
        _admin(AdminDevice, device="counter-03", action=DeviceAction.IDENTIFY),
    ),
    Example(
        "closeDay", "Close the day", _ADMIN_CMD, _admin(AdminDayClose, confirm_day="2026-11-23")
    ),
    Example(
        "adminOverview",
        "The answer to admin.status",
        "mpp/admin/admin/reply",
        Reply(sent_at=NOW, command_id=CID, ok=True, overview=OVERVIEW),
    ),
    Example(
        "adminAdvice",
        "The answer to admin.advise",
        "mpp/admin/admin/reply",
        Reply(sent_at=NOW, command_id=CID, ok=True, advice=[ADVICE]),
    ),
    Example(
        "logLine",
        "A-012 called",
        "mpp/event/log",
        LogEntry(
            sent_at=NOW,
            seq=1042,
            at=NOW,
            kind="ticket.called",
            text="A-012 called to counter 3",
            agency="DUKCAPIL",
            service="DUK-KTP",
            counter=3,
            device="counter-03",
            ticket="A-012",
        ),
    ),
    Example(
        "identifyDevice",
        "Blink and beep for 10 s",
        "mpp/device/counter-03/control",
        DeviceControl(sent_at=NOW, command_id=str(CID), action="identify", account="admin"),
    ),
    Example(
        "signatureRequest",
        "The hub asks counter 3's pad to have A-012 signed",
        "mpp/device/sigpad-03/sign",
        SignatureRequest(
            sent_at=NOW,
            request_id=CID,
            ticket_id="20261123-A-012",
            number="A-012",
            counter=3,
            service="DUK-KTP",
            service_name="Perekaman KTP-el",
            agency_name="Dinas Kependudukan dan Pencatatan Sipil",
            document="KTP-el",
            expires_at=NOW + timedelta(minutes=2),
        ),
    ),
    Example(
        "signatureSubmit",
        "The citizen signed for A-012 (two strokes)",
        "mpp/device/sigpad-03/signature",
        _cmd(
            SignatureSubmit,
            device="sigpad-03",
            request_id=CID,
            ticket_id="20261123-A-012",
            counter=3,
            width_mm=216.0,
            height_mm=135.0,
            strokes=_STROKES,
            sha256=strokes_sha256(_STROKES),
        ),
    ),
    Example(
        "signatureWaive",
        "Lewati: the officer at counter 3 hands A-012 over unsigned (the citizen cannot write)",
        "mpp/device/counter-03/cmd",
        _cmd(
            SignatureWaive,
            device="counter-03",
            ticket_id="20261123-A-012",
            reason=WaiveReason.UNABLE,
        ),
    ),
    Example(
        "signaturePress",
        "OK on counter 3's unit while A-012 is asked to sign",
        "mpp/device/counter-03/cmd",
        _cmd(SignaturePress, device="counter-03", ticket_id="20261123-A-012", button="ok"),
    ),
    Example(
        "signatureButton",
        "The hub passes counter 3's OK to its pad",
        "mpp/device/sigpad-03/sign",
        SignatureButton(sent_at=NOW, request_id=CID, ticket_id="20261123-A-012", button="ok"),
    ),
    Example(
        "signatureClosed",
        "The pad stops asking: A-012's signature is stored",
        "mpp/device/sigpad-03/sign",
        SignatureClosed(sent_at=NOW, request_id=CID, ticket_id="20261123-A-012", outcome="stored"),
    ),
    Example(
        "signatureWaiveAdmin",
        "The admin hands A-012 over unsigned: the pad is broken",
        _ADMIN_CMD,
        _admin(AdminSignatureWaive, ticket="A-012", reason=WaiveReason.DEVICE_FAULT),
    ),
    Example(
        "signaturePurge",
        "Purge strokes past the site's retention now",
        _ADMIN_CMD,
        _admin(AdminSignaturePurge),
    ),
    Example(
        "adminOk",
        "The hub answers the admin",
        "mpp/admin/admin/reply",
        Reply(sent_at=NOW, command_id=CID, ok=True),
    ),
    Example(
        "bookingsPush",
        "Upstream sends a booking for 08.30 and cancels another",
        "mpp/upstream/bookings",
        BookingsPush(
            sent_at=NOW,
            command_id=CID,
            bookings=[
                BookingRecord(
                    code="K7F3AZ-QX2MB7PA",
                    service="DUK-KTP",
                    slot_start=datetime(2026, 11, 23, 8, 30, tzinfo=WIB),
                    slot_end=datetime(2026, 11, 23, 9, 0, tzinfo=WIB),
                    name="Siti Rahma",
                    masked_nik="1807**********12",
                    phone="081234567890",
                )
            ],
            cancelled=["M2C4D6-ZK3PQ7RA"],
        ),
    ),
    Example(
        "bookingsStored",
        "The hub has them on disk",
        "mpp/upstream/reply",
        BookingsStored(sent_at=NOW, command_id=CID, stored=1, cancelled=1),
    ),
    Example(
        "complaintSubmit",
        "A citizen's complaint at the kiosk about ticket A-012",
        _KIOSK_CMD,
        _query(
            ComplaintSubmit,
            "kiosk-01",
            category=ComplaintCategory.PENGADUAN,
            text="Antrean KTP-el lama sekali, hanya satu loket yang buka.",
            contact="081234567890",
            ticket="A-012",
        ),
    ),
    Example(
        "complaintRecorded",
        "The hub recorded it and answers with its id",
        "mpp/device/kiosk-01/reply",
        Reply(
            sent_at=NOW,
            command_id=CID,
            ok=True,
            complaint=ComplaintView(
                complaint_id="PGD-20261123-003",
                category=ComplaintCategory.PENGADUAN,
                text="Antrean KTP-el lama sekali, hanya satu loket yang buka.",
                contact="081234567890",
                ticket_id="20261123-A-012",
                service="DUK-KTP",
                agency="DUKCAPIL",
                source=ComplaintSource.KIOSK,
                recorded_at=NOW,
            ),
        ),
    ),
    Example(
        "complaintAdd",
        "An officer records a suggestion for a citizen",
        _ADMIN_CMD,
        _admin(
            AdminComplaintAdd,
            category=ComplaintCategory.SARAN,
            text="Mohon disediakan ruang laktasi di lantai 2.",
            service="DUK-KTP",
        ),
    ),
    Example(
        "complaintList",
        "The complaints still at the hub",
        _ADMIN_CMD,
        _admin(AdminComplaintList, status=ComplaintStatus.RECORDED, limit=20),
    ),
    Example(
        "complaintShow",
        "One complaint with its history",
        _ADMIN_CMD,
        _admin(AdminComplaintShow, complaint_id="PGD-20261123-003"),
    ),
    Example(
        "complaintStatus",
        "Upstream: the agency is following it up",
        "mpp/upstream/complaints",
        ComplaintStatusUpdate(
            sent_at=NOW,
            command_id=CID,
            complaint_id="PGD-20261123-003",
            status=ComplaintStatus.IN_PROGRESS,
            note="Diteruskan ke Disdukcapil",
            reference="LAPOR-4471",
        ),
    ),
    Example(
        "complaintStatusStored",
        "The hub has the status on disk",
        "mpp/upstream/reply",
        ComplaintStatusStored(
            sent_at=NOW, command_id=CID, complaint_id="PGD-20261123-003", ok=True
        ),
    ),
    Example(
        "uplinkRating",
        "An SKM rating owed upstream",
        "mpp/uplink/item/ratings",
        UplinkItem(
            sent_at=NOW,
            id="lamtim:ratings:42",
            site_id="lamtim",
            stream="ratings",
            seq=42,
            follows=41,
            kind="skm.rated",
            at=NOW,
            payload={
                "ticket_id": "20261123-A-001",
                "counter": 3,
                "service": "DUK-KTP",
                "agency": "DUKCAPIL",
                "rating": 4,
            },
        ),
    ),
    Example(
        "uplinkAck",
        "Upstream holds ratings up to 42",
        "mpp/uplink/ack",
        UplinkAck(sent_at=NOW, stream="ratings", through=42, id="lamtim:ratings:42"),
    ),
)


def examples() -> list[tuple[str, Envelope]]:
    """(topic, message) pairs covering every model of the contract."""
    return [(example.topic, example.message) for example in EXAMPLES]


def examples_of(model: type[Envelope]) -> list[Example]:
    """The examples of one model, in the order they are listed."""
    return [example for example in EXAMPLES if type(example.message) is model]
