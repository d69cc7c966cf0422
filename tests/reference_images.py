"""Frames compared pixel for pixel with reference images committed under ``tests/reference/``.

As luma.core's own tests do: a screen test renders a frame and compares it
with a reference PNG kept in the repository; any pixel that differs fails
the test. The dummy devices are deterministic (the OLED is 1-bit), so the
comparison is exact, with no tolerance to hide a missing or moved element.

A reference is written from the current rendering, never by a normal run.
To make or remake references after an intended change of the drawing (or a
Pillow upgrade that changes glyphs)::

    MPP_UPDATE_REFERENCES=1 .venv/bin/python -m pytest tests/test_counter_agent.py

then look at the new PNGs under ``tests/reference/`` before committing them.
A missing reference fails the test with that command. On a mismatch the
frame drawn and a difference image (white where pixels differ) are written
to ``tests/output/<group>/`` to look at (and removed once the frame matches again).
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops

TESTS = Path(__file__).resolve().parent
REFERENCE = TESTS / "reference"
OUTPUT = TESTS / "output"
UPDATE_VARIABLE = "MPP_UPDATE_REFERENCES"


def updating() -> bool:
    """True when this run rewrites the references instead of checking against them."""
    return os.environ.get(UPDATE_VARIABLE, "") not in ("", "0")


def reference_path(group: str, name: str) -> Path:
    return REFERENCE / group / f"{name}.png"


def assert_matches_reference(image: Image.Image, group: str, name: str) -> None:
    """``image`` is identical to ``tests/reference/<group>/<name>.png`` (size, mode, pixels)."""
    path = reference_path(group, name)
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        return
    assert path.exists(), (
        f"no reference image {path.relative_to(TESTS.parent)}; write it with "
        f"{UPDATE_VARIABLE}=1 and look at it before committing"
    )
    with Image.open(path) as stored:
        reference = stored.copy()
    assert (image.size, image.mode) == (reference.size, reference.mode), (
        f"{name}: frame is {image.size} {image.mode}, reference {reference.size} {reference.mode}"
    )
    out = OUTPUT / group
    if image.tobytes() == reference.tobytes():
        for stale in (out / f"{name}.actual.png", out / f"{name}.diff.png"):
            stale.unlink(missing_ok=True)  # of an earlier mismatch, fixed since
        return
    difference = ImageChops.difference(image.convert("L"), reference.convert("L"))
    changed = sum(1 for value in difference.getdata() if value)
    out.mkdir(parents=True, exist_ok=True)
    image.save(out / f"{name}.actual.png")
    difference.point(lambda value: 255 if value else 0).save(out / f"{name}.diff.png")
    raise AssertionError(
        f"{name}: {changed} pixels differ from {path.relative_to(TESTS.parent)} "
        f"in box {difference.getbbox()}; see {out / name}.actual.png and .diff.png "
        f"({UPDATE_VARIABLE}=1 rewrites the reference if the change is intended)"
    )
