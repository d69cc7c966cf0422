"""Base classes of every payload on the bus."""

from __future__ import annotations

import typing
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from protocol.clock import wall_now
from protocol.models.fields import Timestamp
from protocol.version import SCHEMA_VERSION, SCHEMA_VERSION_PATTERN


def utc_now() -> datetime:
    """Wall-clock now with a time zone; payload timestamps are never naive."""
    return wall_now()


class WireModel(BaseModel):
    """A value inside a payload: strict about unknown fields, immutable once made."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Envelope(WireModel):
    """Fields every payload starts with: its schema version, type and send time.

    Subclasses fix ``type`` to one literal; the codec reads it to pick the
    model, so a payload can never be validated against the wrong class.
    """

    schema_version: str = Field(
        default=SCHEMA_VERSION,
        pattern=SCHEMA_VERSION_PATTERN,
        title="Schema version",
        description="`MAJOR.MINOR` of the contract the sender speaks.",
    )
    type: str
    sent_at: Timestamp = Field(default_factory=utc_now)

    summary: ClassVar[str] = ""

    @classmethod
    def message_type(cls) -> str:
        """The literal value of ``type`` that selects this model."""
        (value,) = typing.get_args(cls.model_fields["type"].annotation)
        return str(value)
