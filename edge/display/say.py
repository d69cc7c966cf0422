"""``mpp display say NUMBER COUNTER``: hear one reading without running a building.

Prints what the display would say — the sentence, then each clip and pause
on a time line — and writes the announcement as a WAV, made from the same
clip set and the same pacing the display uses (its device file, when given).
A person checks a reading ("A seratus lima", not "A satu nol lima") by
reading the words and listening to the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.display.clips import GAP_S, ClipSet, ClipSetError, make_clip_set
from edge.display.speech import CLIP_TEXT, Pacing, Part, Pause, Reading, announcement, call_text


@dataclass(frozen=True)
class Said:
    sentence: str
    timeline: list[str]
    seconds: float


def load_or_make(clips_dir: Path) -> ClipSet:
    """The clip set in ``clips_dir``; made there with espeak-ng when it is missing or incomplete."""
    try:
        return ClipSet(clips_dir)
    except ClipSetError:
        make_clip_set(clips_dir)
        return ClipSet(clips_dir)


def timeline(clips: ClipSet, parts: list[Part]) -> list[str]:
    """One line per clip or pause: start time in seconds and what is heard."""
    lines: list[str] = []
    at = 0.0
    previous_clip = False
    pause: float | None = None
    for part in parts:
        if isinstance(part, Pause):
            pause = max(pause or 0.0, part.seconds)
            continue
        if previous_clip:
            silence = GAP_S if pause is None else pause
            if pause is not None:
                lines.append(f"{at:6.2f} s  (jeda {silence:.1f} s)")
            at += silence
        heard = "(bel)" if part == "bel" else CLIP_TEXT.get(part, part)
        if part.startswith("huruf_"):
            heard = f"{heard} (huruf {part.removeprefix('huruf_').upper()})"
        lines.append(f"{at:6.2f} s  {heard}")
        at += clips.duration([part])
        previous_clip, pause = True, None
    return lines


def say(
    number: str,
    counter: int,
    clips: ClipSet,
    reading: Reading = Reading.NUMBER,
    pacing: Pacing | None = None,
    out: Path | None = None,
) -> Said:
    """What the display says for ``number`` at ``counter``; the WAV written to ``out``."""
    parts = announcement(number, counter, reading, pacing)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(clips.join(parts))
    return Said(call_text(number, counter, reading), timeline(clips, parts), clips.duration(parts))
