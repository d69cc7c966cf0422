"""The AsyncAPI document: committed copy is current, and every reference resolves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.cli import render_asyncapi
from mpp.cli import main
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
