"""The signature at hand-over: the hub's request to a pad, and the pad's strokes back.

A service flagged ``needs_signature`` in the site file hands a document over
(a printed KTP-el, KK, SIM, akta) only against the citizen's signature. The
hub asks the pad of the counter (``signature.request``); the pad sends the
strokes it captured (``signature.submit``) as a command, answered like every
command on the device's reply topic.

Strokes are the evidence, not the picture: each point carries its position
normalised to the pad's range (0..1, origin top left), its pressure (0..1)
and its time in milliseconds since the first point, so a later dispute can
be checked against what the pen did. ``sha256`` is the hash of
:func:`canonical_strokes` and is printed on the receipt; the hub refuses a
submission whose hash does not match its strokes, and one that is empty, a
mere dot or dash, or larger than the limits below.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from protocol.models.base import Envelope, WireModel
from protocol.models.commands import Command
from protocol.models.fields import (
    CounterNumber,
    DeviceId,
    ServiceCode,
    ShortText,
    TicketId,
    TicketNumber,
    Timestamp,
)
from protocol.roles import Role

MAX_STROKES = 100
MAX_POINTS = 2500  # over every stroke; a pad samples faster, so the agent thins its points
MAX_DURATION_MS = 5 * 60 * 1000
MIN_POINTS = 10  # fewer is a tap, not a signature
MIN_EXTENT = 0.05  # of the pad's width or height: a signature is not a dot
SIGNATURE_MAX_BYTES = 192 * 1024  # the submission topic's limit; MAX_POINTS fit with room
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class StrokePoint(WireModel):
    """One sample of the pen while it touched the pad."""

    x: float = Field(ge=0.0, le=1.0, description="Left 0 … right 1 of the pad's range.")
    y: float = Field(ge=0.0, le=1.0, description="Top 0 … bottom 1 of the pad's range.")
    pressure: float = Field(ge=0.0, le=1.0, description="0 … the pad's full pressure.")
    t: int = Field(ge=0, le=MAX_DURATION_MS, description="Milliseconds since the first point.")


class Stroke(WireModel):
    """The points from pen down to pen up."""

    points: list[StrokePoint] = Field(min_length=1, max_length=MAX_POINTS)


def canonical_strokes(strokes: Sequence[Stroke]) -> bytes:
    """The bytes hashed: strokes as compact JSON, keys sorted, floats as Python writes them.

    Kept independent of the envelope (field order, send time), so the pad, the
    hub and a later check of a receipt all hash the same bytes.
    """
    data = [[[p.x, p.y, p.pressure, p.t] for p in stroke.points] for stroke in strokes]
    return json.dumps(data, separators=(",", ":")).encode("ascii")


def strokes_sha256(strokes: Sequence[Stroke]) -> str:
    return hashlib.sha256(canonical_strokes(strokes)).hexdigest()


class SignatureRequest(Envelope):
    """The hub asks a pad for the citizen's signature for one ticket.

    The pad shows the number, the service and "Silakan tanda tangan", and
    answers with ``signature.submit`` carrying the same ``request_id`` — or
    nothing, when the officer finishes without a signature before then.
    """

    summary = "Ask the counter's pad for a signature"
    type: Literal["signature.request"] = "signature.request"
    request_id: UUID
    ticket_id: TicketId
    number: TicketNumber
    counter: CounterNumber
    service: ServiceCode
    service_name: ShortText
    agency_name: ShortText
    document: ShortText | None = Field(
        default=None, description="What is handed over, e.g. `KTP-el`; for the receipt."
    )
    expires_at: Timestamp = Field(description="The pad stops asking at this instant.")


class SignatureSubmit(Command):
    """The strokes of one signature for a ticket served at this pad's counter.

    Refused `invalid` (nothing stored) when empty, shorter than
    :data:`MIN_POINTS` points or smaller than :data:`MIN_EXTENT` of the pad,
    over :data:`MAX_STROKES` strokes or :data:`MAX_POINTS` points, or when
    `sha256` is not the hash of the strokes; `unknown_ticket` for a ticket the
    hub does not hold today; `invalid_state` for one not served at `counter`
    or already signed with other strokes.
    """

    summary = "Submit a citizen's signature"
    allowed_roles = frozenset({Role.SIGNATURE_PAD, Role.COUNTER})
    type: Literal["signature.submit"] = "signature.submit"
    request_id: UUID | None = Field(
        default=None, description="The `signature.request` answered, if the hub asked."
    )
    ticket_id: TicketId
    counter: CounterNumber = Field(description="The counter the pad belongs to (device file).")
    width_mm: float | None = Field(
        default=None, ge=1, le=1000, description="The pad's active width, for true-size output."
    )
    height_mm: float | None = Field(default=None, ge=1, le=1000)
    strokes: list[Stroke] = Field(max_length=MAX_STROKES)
    sha256: str = Field(
        pattern=SHA256_PATTERN, description="SHA-256 (hex) of the canonical stroke JSON."
    )

    @model_validator(mode="after")
    def _a_real_signature(self) -> Self:
        points = [p for stroke in self.strokes for p in stroke.points]
        if not points:
            raise ValueError("empty signature: no strokes; ask the citizen to sign")
        if len(points) > MAX_POINTS:
            raise ValueError(f"signature of {len(points)} points is over the {MAX_POINTS} limit")
        if len(points) < MIN_POINTS:
            raise ValueError(
                f"signature too short: {len(points)} points, at least {MIN_POINTS}; sign again"
            )
        width = max(p.x for p in points) - min(p.x for p in points)
        height = max(p.y for p in points) - min(p.y for p in points)
        if max(width, height) < MIN_EXTENT:
            raise ValueError(
                f"signature too small: {max(width, height):.0%} of the pad, at least "
                f"{MIN_EXTENT:.0%}; sign again"
            )
        expected = strokes_sha256(self.strokes)
        if self.sha256 != expected:
            raise ValueError("sha256 does not match the strokes (canonical stroke JSON)")
        return self


class WaiveReason(StrEnum):
    """Why an officer hands a document over without the citizen's signature.

    The counter unit's menu words them (edge/counter/signature.py); the hub
    records the reason in a ``signature.waived`` event.
    """

    REFUSED = "refused"  # the citizen will not sign
    UNABLE = "unable"  # cannot write (disability, illiteracy): a thumbprint on paper instead
    DEVICE_FAULT = "device_fault"  # the pad is broken or unplugged: signed on paper
    LEFT = "left"  # the citizen walked away with the document before signing


class SignatureWaive(Command):
    """Lewati: the officer finishes the hand-over without a signature, saying why.

    Refused `invalid_state` when no signature is being asked for `ticket_id` at
    the sender's counter (already signed, expired or waived).
    """

    summary = "Finish a hand-over without the citizen's signature"
    allowed_roles = frozenset({Role.COUNTER})
    type: Literal["signature.waive"] = "signature.waive"
    ticket_id: TicketId
    reason: WaiveReason
    detail: str = Field(default="", max_length=200, description="Free text, e.g. a note.")


SignatureButtonName = Literal["ok", "again"]


class SignaturePress(Command):
    """OK or Ulangi pressed on the counter unit while a signature is asked: the hub
    forwards it to the pad (`signature.button`), which sends or clears the strokes.
    Nothing is stored."""

    summary = "OK / Ulangi for the pad, from the counter's buttons"
    allowed_roles = frozenset({Role.COUNTER})
    type: Literal["signature.press"] = "signature.press"
    ticket_id: TicketId
    button: SignatureButtonName


SIGNATURE_COMMANDS: tuple[type[Command], ...] = (SignatureWaive, SignaturePress)


class SignatureButton(Envelope):
    """A counter's OK / Ulangi for the request the pad is showing (forwarded by the hub)."""

    summary = "OK / Ulangi pressed at the counter"
    type: Literal["signature.button"] = "signature.button"
    request_id: UUID
    ticket_id: TicketId
    button: SignatureButtonName


class SignatureClosed(Envelope):
    """The hub no longer asks: the signature was stored, waived by the officer, or the
    request expired. The pad clears its screen and strokes."""

    summary = "Stop asking for a signature"
    type: Literal["signature.closed"] = "signature.closed"
    request_id: UUID
    ticket_id: TicketId
    outcome: Literal["stored", "waived", "expired"]


class Receipt(WireModel):
    """What `mpp admin receipt` prints: the hand-over, and the stored strokes with their hash.

    The strokes are those the hub stored; the console recomputes `sha256` from
    them before it prints, so a receipt never shows a hash its strokes do not have.
    """

    ticket_id: TicketId
    number: TicketNumber
    site_name: ShortText
    agency_name: ShortText
    service_name: ShortText
    document: ShortText | None = None
    counter: CounterNumber
    device_id: DeviceId
    officer: ShortText | None = None
    signed_at: Timestamp
    time_zone: str = Field(max_length=64, description="The site's IANA time zone.")
    sha256: str = Field(pattern=SHA256_PATTERN)
    strokes: list[Stroke] = Field(max_length=MAX_STROKES)
    strokes_purged: bool = Field(
        default=False,
        description="The strokes were deleted after the site's retention; only the hash is kept.",
    )
