"""Complaints in the hub's service (in-process, a manual clock): numbering per local day,
a ticket of an earlier day, status updates, repeats, and a restart."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from hub.events import ComplaintRecorded
from protocol.errors import ErrorCode
from protocol.models import (
    ComplaintCategory,
    ComplaintStatus,
    ComplaintStatusUpdate,
    ComplaintSubmit,
    CounterFinish,
    CounterNext,
)
from tests.hub_harness import Harness

SAY = "Mohon ruang tunggu diberi kipas angin."


def _complain(harness: Harness, **fields: object) -> str:
    reply = harness.ok(
        ComplaintSubmit, "kiosk-01", category=ComplaintCategory.PENGADUAN, text=SAY, **fields
    )
    assert reply.complaint is not None
    return reply.complaint.complaint_id


def test_numbered_per_local_day_and_kept_across_days_and_restarts(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    ticket_id = harness.issue("DUK-KTP")
    harness.open_counter(1)
    harness.ok(CounterNext, "counter-01")
    harness.ok(CounterFinish, "counter-01")
    assert _complain(harness) == "PGD-20261123-001"
    assert _complain(harness, contact="081234567890") == "PGD-20261123-002"

    harness.clock.advance(days=1)  # Tuesday: the queue starts afresh, complaints do not
    yesterday = _complain(harness, ticket=ticket_id)
    assert yesterday == "PGD-20261124-001"
    about = harness.service.complaints.get(yesterday)
    assert (about.ticket_id, about.service, about.agency) == (ticket_id, "DUK-KTP", "DUKCAPIL")
    unknown = harness.cmd(
        ComplaintSubmit,
        "kiosk-01",
        category=ComplaintCategory.SARAN,
        text=SAY,
        ticket="20261122-A-001",
    )
    assert unknown.error is not None and unknown.error.code is ErrorCode.UNKNOWN_TICKET

    update = ComplaintStatusUpdate(
        command_id=uuid4(),
        complaint_id="PGD-20261123-002",
        status=ComplaintStatus.RESOLVED,
        note="Kipas angin sudah dipasang",
    )
    answer, events = harness.service.complaint_status(update, "upstream")
    assert answer.ok and len(events) == 1
    again, repeated = harness.service.complaint_status(update, "upstream")
    assert again == answer and repeated == [], "a repeat is answered, not stored twice"
    missing = update.model_copy(update={"command_id": uuid4(), "complaint_id": "PGD-20261123-009"})
    refused, none = harness.service.complaint_status(missing, "upstream")
    assert not refused.ok and none == [] and "PGD-20261123-009" in (refused.error or "")

    harness.restart()
    book = harness.service.complaints
    assert len(book) == 3
    assert book.get("PGD-20261123-002").status is ComplaintStatus.RESOLVED
    assert [c.complaint_id for c in book.listed(ComplaintStatus.RECORDED, 10)] == [
        "PGD-20261124-001",
        "PGD-20261123-001",
    ]
    assert _complain(harness) == "PGD-20261124-002"


def test_a_repeat_of_a_complaint_is_answered_with_the_same_id(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.seq += 1
    command = ComplaintSubmit(
        command_id=uuid4(),
        device_id="kiosk-01",
        seq=harness.seq,
        issued_at=harness.clock.now(),
        category=ComplaintCategory.PERTANYAAN,
        text="Apakah akta kelahiran bisa diurus di sini?",
    )
    first = harness.service.handle(command)
    second = harness.service.handle(command)
    assert second.duplicate and second.reply == first.reply
    recorded = [
        e for _, e in harness.service.store.complaint_events() if isinstance(e, ComplaintRecorded)
    ]
    assert len(recorded) == 1


def test_a_counter_may_not_file_a_complaint(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    reply = harness.cmd(
        ComplaintSubmit, "counter-01", category=ComplaintCategory.PENGADUAN, text=SAY
    )
    assert reply.error is not None and reply.error.code is ErrorCode.NOT_AUTHORISED
    assert len(harness.service.complaints) == 0
