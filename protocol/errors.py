"""Errors raised when a payload or topic breaks the contract.

Each error carries an :class:`ErrorCode` so the hub can turn it into a reply
without a lookup table of its own, and subclasses :class:`ValueError` so
generic callers can still catch it as bad input.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID


class ErrorCode(StrEnum):
    """Machine-readable reasons in error replies; the message says it for people."""

    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_TYPE = "unknown_type"
    INVALID = "invalid"
    UNKNOWN_TOPIC = "unknown_topic"
    TOPIC_MISMATCH = "topic_mismatch"
    NOT_AUTHORISED = "not_authorised"
    UNKNOWN_DEVICE = "unknown_device"
    UNKNOWN_COUNTER = "unknown_counter"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_TICKET = "unknown_ticket"
    UNKNOWN_OFFICER = "unknown_officer"  # not in the site's officer list (contract 1.3)
    UNKNOWN_BOOKING = "unknown_booking"
    UNKNOWN_COMPLAINT = "unknown_complaint"
    FORGED_BOOKING = "forged_booking"  # the code does not verify against the site key
    CANCELLED_BOOKING = "cancelled_booking"  # cancelled upstream
    BOOKING_SLOT_PASSED = "booking_slot_passed"  # today's slot and its late grace are over
    INVALID_STATE = "invalid_state"
    NOTHING_WAITING = "nothing_waiting"
    QUOTA_FULL = "quota_full"
    AGENCY_FULL = "agency_full"  # the agency's counters cannot serve one more ticket today
    CLOSED = "closed"
    EXPIRED = "expired"
    STORAGE_FULL = "storage_full"  # the hub's disk is full: nothing was done, try again later
    EXPIRY_REQUIRED = "expiry_required"
    INTERNAL = "internal"


class ContractError(ValueError):
    """A message that does not follow the contract; never crashes the receiver.

    ``command_id`` is the rejected payload's own command id when
    :func:`protocol.codec.decode` could still read one, so the error reply
    names the command it refuses even when the payload failed validation.
    """

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.command_id: UUID | None = None


class UnknownTopicError(ContractError):
    code = ErrorCode.UNKNOWN_TOPIC


class PayloadTooLargeError(ContractError):
    code = ErrorCode.TOO_LARGE


class MalformedPayloadError(ContractError):
    code = ErrorCode.MALFORMED


class UnsupportedVersionError(ContractError):
    code = ErrorCode.UNSUPPORTED_VERSION


class UnknownMessageTypeError(ContractError):
    code = ErrorCode.UNKNOWN_TYPE


class InvalidPayloadError(ContractError):
    code = ErrorCode.INVALID


class TopicMismatchError(ContractError):
    code = ErrorCode.TOPIC_MISMATCH


class MissingExpiryError(ContractError):
    """A command that calls a citizen came without ``expires_at``."""

    code = ErrorCode.EXPIRY_REQUIRED
