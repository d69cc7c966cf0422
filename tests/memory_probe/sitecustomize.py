"""Test probe: at exit, what this process imported and which pydantic models it built.

Python imports ``sitecustomize`` at start-up from its path; this directory is on
``PYTHONPATH`` only for the processes tests/test_counter_footprint.py starts.
The record (JSON) goes to ``$MPP_MEMORY_PROBE``, at exit — also ``mpp edge``'s
``os._exit`` after its clean stop, which skips ``atexit``.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from pathlib import Path


def _built() -> list[str]:
    """Every pydantic model class whose validator has been built, as module.Name."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return []
    seen: set[type] = set()
    built: list[str] = []
    todo: list[type] = [pydantic.BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            todo.append(sub)
            if sub.__dict__.get("__pydantic_complete__", False):
                built.append(f"{sub.__module__}.{sub.__qualname__}")
    return sorted(built)


def _write() -> None:
    path = os.environ.get("MPP_MEMORY_PROBE")
    if path:
        record = {"modules": sorted(sys.modules), "built": _built()}
        Path(path).write_text(json.dumps(record), encoding="utf-8")


def _exit_after_writing(code: int, _exit=os._exit) -> None:
    _write()
    _exit(code)


atexit.register(_write)
os._exit = _exit_after_writing
