"""The clip set made with espeak-ng: complete, uniform, joined to the right length."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from edge.display.clips import ClipSet, ClipSetError
from edge.display.speech import ALL_CLIPS, call_clips


def test_clip_set_is_complete_and_uniform(clip_dir: Path) -> None:
    clips = ClipSet(clip_dir)
    assert set(clips.frames) == set(ALL_CLIPS)
    assert (clips.format.channels, clips.format.sample_width) == (1, 2)
    assert all(len(frames) > 1000 for frames in clips.frames.values()), "every clip has sound"


def test_joined_announcement_has_the_expected_duration(clip_dir: Path) -> None:
    clips = ClipSet(clip_dir)
    names = call_clips("A-012", 3)
    data = clips.join(names)
    path = clip_dir.parent / "a012.wav"
    path.write_bytes(data)
    with wave.open(str(path), "rb") as joined:
        seconds = joined.getnframes() / joined.getframerate()
    parts = sum(len(clips.frames[n]) // 2 for n in names) / clips.format.rate
    assert seconds == pytest.approx(parts + 0.06 * (len(names) - 1), abs=0.002)
    assert seconds == pytest.approx(clips.duration(names), abs=0.002)
    assert 2.0 < seconds < 8.0


def test_missing_clip_is_a_clear_error(clip_dir: Path, tmp_path: Path) -> None:
    for name in ALL_CLIPS:
        if name != "sebelas":
            (tmp_path / f"{name}.wav").write_bytes((clip_dir / f"{name}.wav").read_bytes())
    with pytest.raises(ClipSetError, match=r"1 voice clips missing \(sebelas\)"):
        ClipSet(tmp_path)


def test_mixed_formats_are_refused(clip_dir: Path, tmp_path: Path) -> None:
    for name in ALL_CLIPS:
        (tmp_path / f"{name}.wav").write_bytes((clip_dir / f"{name}.wav").read_bytes())
    with wave.open(str(tmp_path / "loket.wav"), "wb") as odd:
        odd.setnchannels(1)
        odd.setsampwidth(2)
        odd.setframerate(8000)
        odd.writeframes(b"\x00\x01" * 800)
    with pytest.raises(ClipSetError, match="clips differ in format"):
        ClipSet(tmp_path)
