"""The AsyncAPI document: committed copy is current, every reference resolves, and
every message has an example that its model and its published schema accept."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml

from hub.cli import render_asyncapi
from mpp.cli import main
from protocol.codec import decode_for
from protocol.examples import EXAMPLES, examples_of
from protocol.models import Envelope, TicketStatusQuery
from protocol.topics import TOPICS

DOC = Path(__file__).resolve().parent.parent / "docs/asyncapi.yaml"


def test_committed_document_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_asyncapi(), (
        "docs/asyncapi.yaml is stale: run `mpp hub asyncapi --out docs/asyncapi.yaml`"
    )


def test_cli_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "asyncapi"]) == 0
    assert capsys.readouterr().out == render_asyncapi()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_every_reference_resolves_and_every_topic_is_a_channel() -> None:
    document = yaml.safe_load(render_asyncapi())
    assert document["asyncapi"] == "3.0.0"
    for ref in _refs(document):
        _resolve(document, ref)
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {spec.template for spec in TOPICS}


def test_commands_declare_request_reply() -> None:
    document = yaml.safe_load(render_asyncapi())
    operation = document["operations"]["receiveDeviceCmd"]
    assert operation["reply"]["channel"] == {"$ref": "#/channels/deviceReply"}
    message = document["components"]["messages"]["CounterNext"]
    assert message["x-allowed-roles"] == ["counter"]
    assert "correlationData" in message["bindings"]["mqtt"]


def test_every_message_has_an_example() -> None:
    document = yaml.safe_load(render_asyncapi())
    bare = [name for name, m in document["components"]["messages"].items() if not m["examples"]]
    assert not bare, f"messages without an example in protocol/examples.py: {bare}"


def _models() -> dict[str, type[Envelope]]:
    return {model.__name__: model for topic in TOPICS for model in topic.messages}


def test_every_example_is_valid_against_its_model_and_its_schema() -> None:
    """Each example in the document decodes on every topic carrying its message, and
    validates against the JSON schema the document publishes for it."""
    document = yaml.safe_load(render_asyncapi())
    checked = 0
    for name, message in document["components"]["messages"].items():
        model = _models()[name]
        schema = _resolve(document, message["payload"]["$ref"])
        for example in message["examples"]:
            payload = json.dumps(example["payload"]).encode()
            for topic in (t for t in TOPICS if model in t.messages):
                decoded = decode_for(topic, payload)
                assert type(decoded) is model, (name, example["name"])
                assert decoded.model_dump(mode="json") == example["payload"]
            problems = _schema_problems(document, schema, example["payload"], name)
            assert not problems, f"{name} example {example['name']}: {problems}"
            checked += 1
    assert checked == len(EXAMPLES)


def test_schema_check_catches_a_broken_example() -> None:
    """The schema walker below is not vacuous: it names what is wrong."""
    document = yaml.safe_load(render_asyncapi())
    schema = _resolve(document, "#/components/schemas/TicketStatusQuery")
    payload = dict(examples_of(TicketStatusQuery)[0].payload())
    payload.update(ticket_id="A-12", seq=-1, extra=True)
    del payload["device_id"]
    problems = "; ".join(_schema_problems(document, schema, payload, "q"))
    for expected in ("q.ticket_id", "q.seq", "q.extra", "q.device_id"):
        assert expected in problems


def _schema_problems(document: dict[str, Any], schema: Any, value: Any, path: str) -> list[str]:
    """Check ``value`` against the subset of JSON Schema pydantic emits; fail on the rest."""
    if "$ref" in schema:
        return _schema_problems(document, _resolve(document, schema["$ref"]), value, path)
    if "anyOf" in schema:
        options = [_schema_problems(document, s, value, path) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{path}: matches no anyOf branch"]
    unknown = set(schema) - _KNOWN_KEYWORDS
    assert not unknown, f"{path}: schema keywords this check does not know: {unknown}"
    problems = [
        f"{path}: {name} fails for {value!r}"
        for name, check in _CHECKS.items()
        if name in schema and not check(schema[name], value)
    ]
    if problems:
        return problems
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [
            f"{path}.{key}: missing" for key in schema.get("required", ()) if key not in value
        ]
        for key, item in value.items():
            if "propertyNames" in schema:
                problems += _schema_problems(
                    document, schema["propertyNames"], key, f"{path}.{key}"
                )
            if key in properties:
                problems += _schema_problems(document, properties[key], item, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{key}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                extra = schema["additionalProperties"]
                problems += _schema_problems(document, extra, item, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += _schema_problems(document, schema["items"], item, f"{path}[{index}]")
    return problems


def _is_type(expected: str, value: Any) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    kinds = {"string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}
    return isinstance(value, kinds[expected])


def _has_format(name: str, value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        if name == "uuid":
            UUID(value)
        elif name == "date-time":
            return datetime.fromisoformat(value).tzinfo is not None
        elif name == "date":
            date.fromisoformat(value)
        else:
            raise AssertionError(f"unknown format {name}")
    except ValueError:
        return False
    return True


_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "type": _is_type,
    "const": lambda expected, value: value == expected,
    "enum": lambda options, value: value in options,
    "pattern": lambda pattern, value: not isinstance(value, str) or bool(re.search(pattern, value)),
    "minLength": lambda n, value: not isinstance(value, str) or len(value) >= n,
    "maxLength": lambda n, value: not isinstance(value, str) or len(value) <= n,
    "minimum": lambda n, value: not _is_type("number", value) or value >= n,
    "maximum": lambda n, value: not _is_type("number", value) or value <= n,
    "maxItems": lambda n, value: not isinstance(value, list) or len(value) <= n,
    "minItems": lambda n, value: not isinstance(value, list) or len(value) >= n,
    "maxProperties": lambda n, value: not isinstance(value, dict) or len(value) <= n,
    "format": _has_format,
}
_KNOWN_KEYWORDS = set(_CHECKS) | {
    "title",
    "description",
    "default",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
}
