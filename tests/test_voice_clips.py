"""The clip set made with espeak-ng: complete, uniform, joined to the right length."""

from __future__ import annotations

import math
import subprocess
import sys
import wave
from array import array
from pathlib import Path

import pytest

from edge.display.clips import ClipSet, ClipSetError
from edge.display.speech import ALL_CLIPS, Pacing, announcement, call_clips


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


def _gated_rms_db(path: Path) -> float:
    """Loudness measured here on its own: RMS of the 50 ms windows above -45 dBFS."""
    with wave.open(str(path), "rb") as clip:
        rate = clip.getframerate()
        samples = array("h", clip.readframes(clip.getnframes()))
    size = rate // 20
    powers = [
        sum(s * s for s in samples[i : i + size]) / len(samples[i : i + size]) / 32768.0**2
        for i in range(0, len(samples), size)
    ]
    loud = [p for p in powers if p > 10 ** (-45 / 10)]
    return 10 * math.log10(sum(loud) / len(loud))


def test_every_clip_has_one_loudness(clip_dir: Path) -> None:
    """espeak-ng's words differed by 6.5 dB; a hall hears a quieter word as a word missed."""
    levels = {name: _gated_rms_db(clip_dir / f"{name}.wav") for name in ALL_CLIPS}
    quietest, loudest = min(levels, key=levels.get), max(levels, key=levels.get)
    spread = levels[loudest] - levels[quietest]
    assert spread <= 1.0, (
        f"{quietest} {levels[quietest]:.1f} dB, {loudest} {levels[loudest]:.1f} dB"
    )


def test_pauses_are_silence_of_the_asked_length(clip_dir: Path) -> None:
    clips = ClipSet(clip_dir)
    short = clips.duration(announcement("A-012", 3, pacing=Pacing(0.0, 0.0)))
    paced = clips.duration(announcement("A-012", 3, pacing=Pacing(0.8, 0.4)))
    twice = clips.duration(announcement("A-012", 3, pacing=Pacing(0.8, 0.4, 2, 1.2)))
    assert paced - short == pytest.approx(1.2, abs=0.002)
    assert twice - paced == pytest.approx(1.2 + paced - clips.duration(["bel"]) - 0.8, abs=0.002)


def test_mpp_display_say_prints_the_words_and_writes_the_wav(
    clip_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "a105.wav"
    command = [sys.executable, "-m", "mpp.cli", "display", "say", "A-105", "3"]
    result = subprocess.run(
        [*command, "--clips", str(clip_dir), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Nomor antrean A seratus lima, silakan menuju loket tiga."
    assert any("(jeda 0.8 s)" in line for line in lines), "the pause after the chime is shown"
    with wave.open(str(out), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    expected = ClipSet(clip_dir).duration(announcement("A-105", 3))
    assert seconds == pytest.approx(expected, abs=0.002)
    assert f"{expected:6.2f} s  end" in result.stdout
    digits = subprocess.run(
        [*command, "--clips", str(clip_dir), "--reading", "digits"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert digits.stdout.splitlines()[0] == (
        "Nomor antrean A satu nol lima, silakan menuju loket tiga."
    )
    wrong = subprocess.run(
        [sys.executable, "-m", "mpp.cli", "display", "say", "A_1", "3", "--clips", str(clip_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip().count("\n") == 0 and "not a ticket number" in wrong.stderr


def test_a_simulated_display_replaces_a_clip_set_an_older_version_made(
    clip_dir: Path, tmp_path: Path
) -> None:
    """A demo state directory kept across an upgrade had no `nomor_antrean` clip and the
    display refused to start (seen in the demo); the simulated display makes the set anew."""
    from edge.hardware.choice import SimulatedHardware
    from firmware_config.inventory import load_inventory

    outdated = tmp_path / "voice-clips"
    outdated.mkdir()
    for name in ALL_CLIPS:
        if name != "nomor_antrean":
            (outdated / f"{name}.wav").write_bytes((clip_dir / f"{name}.wav").read_bytes())
    with pytest.raises(ClipSetError):
        ClipSet(outdated)
    hardware = SimulatedHardware(tmp_path)
    clips, _player = hardware.voice(load_inventory().device("display-01"))
    assert clips.duration(["nomor_antrean"]) > 0.3
    ClipSet(outdated)  # whole again, in place
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
