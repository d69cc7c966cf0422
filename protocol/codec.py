"""Turning bytes from the broker into validated models, and back.

:func:`decode` is the only way a received payload becomes a model. It never
lets an exception other than :class:`~protocol.errors.ContractError` escape,
whatever the bytes, so a receiver can reply with a clear error and carry on.
The checks run cheapest first: size, UTF-8 JSON object, schema version, type,
then the full model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from protocol.errors import (
    ContractError,
    InvalidPayloadError,
    MalformedPayloadError,
    MissingExpiryError,
    PayloadTooLargeError,
    TopicMismatchError,
    UnknownMessageTypeError,
    UnsupportedVersionError,
)
from protocol.models import Envelope
from protocol.topics import SELF_PARAMETERS, TOPICS, TopicSpec, resolve
from protocol.version import SCHEMA_MAJOR, SCHEMA_VERSION, parse_schema_version

_MAX_ERRORS_SHOWN = 5
# How much of a payload is ever read for its command id: the largest limit of any
# topic but the admin's replies (large status answers, and no command id to read).
_LARGEST_PAYLOAD = max(spec.max_bytes for spec in TOPICS if spec.key != "admin.reply")


@dataclass(frozen=True)
class Decoded:
    """A payload that passed every check, with the topic it arrived on."""

    spec: TopicSpec
    params: dict[str, str]
    message: Envelope
    retained: bool = False  # delivered from the broker's store, not as it was sent


def encode(message: Envelope, spec: TopicSpec | None = None) -> bytes:
    """Serialise a model; refuse to send what the receiver would reject as too large."""
    data = message.model_dump_json().encode("utf-8")
    limit = spec.max_bytes if spec is not None else None
    if limit is not None and len(data) > limit:
        raise PayloadTooLargeError(
            f"{message.message_type()} payload is {len(data)} bytes, over the "
            f"{limit}-byte limit of {spec.key if spec else 'the topic'}"
        )
    return data


def decode(
    topic: str, payload: bytes, read_as: Mapping[str, type[Envelope]] | None = None
) -> Decoded:
    """Validate ``payload`` received on ``topic`` against the contract.

    ``read_as`` maps a topic key to a narrower model of one of its message types
    that this receiver reads it as (a device reads its replies as
    :class:`~protocol.models.replies.DeviceReply`).

    A :class:`ContractError` raised here carries the payload's ``command_id``
    when one can still be read (see :func:`readable_command_id`).
    """
    try:
        spec, params = resolve(topic)
        message = decode_for(spec, payload, read_as.get(spec.key) if read_as else None)
        _check_self_parameters(spec, params, message)
    except ContractError as error:
        error.command_id = readable_command_id(payload)
        raise
    return Decoded(spec=spec, params=params, message=message)


def readable_command_id(payload: bytes) -> UUID | None:
    """The ``command_id`` of a payload that may be invalid otherwise, or ``None``.

    Only a JSON object within the largest size limit of the contract whose
    ``command_id`` is a UUID in its canonical text form counts: an error reply
    must never name a command the device did not send.
    """
    if len(payload) > _LARGEST_PAYLOAD:
        return None
    try:
        value = _parse_json_object(payload).get("command_id")
    except ContractError:
        return None
    if not isinstance(value, str):
        return None
    try:
        command_id = UUID(value)
    except ValueError:
        return None
    return command_id if str(command_id) == value.lower() else None


def decode_for(spec: TopicSpec, payload: bytes, narrower: type[Envelope] | None = None) -> Envelope:
    """Validate ``payload`` as one of the models allowed on ``spec``; a payload of
    ``narrower``'s type as ``narrower`` (a subclass of that model)."""
    if len(payload) > spec.max_bytes:
        raise PayloadTooLargeError(
            f"payload of {len(payload)} bytes is over the {spec.max_bytes}-byte limit of {spec.key}"
        )
    document = _parse_json_object(payload)
    _check_version(document.get("schema_version"))
    kind = document.get("type")
    models = spec.message_types
    if not isinstance(kind, str) or kind not in models:
        allowed = ", ".join(sorted(models))
        shown = repr(kind)[:60]
        raise UnknownMessageTypeError(
            f"message type {shown} is not accepted on {spec.key} (accepted: {allowed})"
        )
    model = models[kind]
    if narrower is not None and narrower.message_type() == kind:
        model = narrower
    try:
        return model.model_validate_json(payload, strict=True)
    except ValidationError as error:
        if getattr(model, "calls_citizen", False) and _lacks(error, "expires_at"):
            raise MissingExpiryError(
                f"{kind} calls a citizen, so it must carry expires_at "
                "(a press is never applied after its validity)"
            ) from None
        raise InvalidPayloadError(_describe(kind, error)) from None


def _parse_json_object(payload: bytes) -> dict[str, Any]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedPayloadError(f"payload is not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(
            text, object_pairs_hook=_reject_duplicate_keys, parse_constant=_reject_constant
        )
    except RecursionError:
        raise MalformedPayloadError("payload JSON is nested too deeply") from None
    except ValueError as error:
        raise MalformedPayloadError(f"payload is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedPayloadError(f"payload must be a JSON object, not {type(document).__name__}")
    return document


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key[:40]!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in payloads")


def _check_version(value: object) -> None:
    version = parse_schema_version(value)
    if version is None:
        raise UnsupportedVersionError(
            f"schema_version {repr(value)[:40]} is missing or not MAJOR.MINOR "
            f"(this receiver speaks {SCHEMA_VERSION})"
        )
    if version[0] != SCHEMA_MAJOR:
        raise UnsupportedVersionError(
            f"schema_version {value} has major version {version[0]}; this receiver "
            f"speaks {SCHEMA_VERSION} and accepts only major version {SCHEMA_MAJOR}"
        )


def _check_self_parameters(spec: TopicSpec, params: dict[str, str], message: Envelope) -> None:
    """A payload naming a device or account must name the one in its topic."""
    for name in SELF_PARAMETERS & set(params):
        field = "device_id" if name == "device_id" else "account"
        claimed = getattr(message, field, None)
        if claimed is not None and claimed != params[name]:
            raise TopicMismatchError(
                f"payload {field} {claimed!r} does not match topic {name} {params[name]!r}"
            )


def _lacks(error: ValidationError, name: str) -> bool:
    return any(
        item["type"] == "missing" and tuple(item["loc"]) == (name,)
        for item in error.errors(include_url=False)
    )


def _describe(kind: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False)[:_MAX_ERRORS_SHOWN]:
        path = ".".join(str(part) for part in item["loc"]) or "(payload)"
        value = repr(item.get("input"))[:40] if item["type"] != "missing" else ""
        problems.append(f"{path}: {item['msg']}" + (f" (got {value})" if value else ""))
    more = error.error_count() - len(problems)
    suffix = f"; and {more} more" if more > 0 else ""
    return f"invalid {kind}: " + "; ".join(problems) + suffix


__all__ = ["ContractError", "Decoded", "decode", "decode_for", "encode", "readable_command_id"]
