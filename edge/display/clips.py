"""The voice clip set: checking it, joining clips into one announcement, making it.

Clips are WAV files named after :data:`edge.display.speech.ALL_CLIPS`, all in
one format. ``mpp display make-clips`` makes a set with Debian's espeak-ng
Indonesian voice (no cloud speech: the building has no internet when it
matters) and a synthesised chime; a professionally recorded set with the same
names can replace it. A missing clip is a start-up error, not a silent gap.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from edge.display.speech import ALL_CLIPS, CLIP_TEXT, Part, Pause

GAP_S = 0.06
TARGET_DB = -20.0  # gated RMS in dBFS of every clip; speech peaks stay ~8 dB below full scale
GATE_DB = -45.0  # 50 ms windows quieter than this are silence, not part of the loudness
WINDOW_S = 0.05
PEAK_LIMIT = 0.97
CHIME_NOTES = ((880.0, 0.28), (660.0, 0.42))


class ClipSetError(RuntimeError):
    """The clip set cannot be used; the message says which files and why."""


@dataclass(frozen=True)
class ClipFormat:
    channels: int
    sample_width: int
    rate: int


class ClipSet:
    """A directory of clips, loaded into memory once and checked."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        missing = [name for name in ALL_CLIPS if not (directory / f"{name}.wav").is_file()]
        if missing:
            raise ClipSetError(
                f"{directory}: {len(missing)} voice clips missing ({', '.join(missing[:8])}"
                f"{', …' if len(missing) > 8 else ''}); run `mpp display make-clips --out "
                f"{directory}`"
            )
        self.frames: dict[str, bytes] = {}
        formats: dict[ClipFormat, list[str]] = {}
        for name in ALL_CLIPS:
            try:
                with wave.open(str(directory / f"{name}.wav"), "rb") as clip:
                    shape = ClipFormat(
                        clip.getnchannels(), clip.getsampwidth(), clip.getframerate()
                    )
                    self.frames[name] = clip.readframes(clip.getnframes())
            except (wave.Error, EOFError) as error:
                raise ClipSetError(f"{directory / name}.wav: not a WAV file: {error}") from error
            formats.setdefault(shape, []).append(name)
        if len(formats) != 1:
            detail = "; ".join(
                f"{f.rate} Hz/{f.channels} ch/{8 * f.sample_width} bit: {', '.join(names[:3])}"
                for f, names in formats.items()
            )
            raise ClipSetError(f"{directory}: clips differ in format ({detail})")
        (self.format,) = formats

    def duration(self, parts: Sequence[Part], gap_s: float = GAP_S) -> float:
        """Seconds the rendered announcement lasts (what :meth:`join` makes)."""
        frame_bytes = self.format.channels * self.format.sample_width
        return len(self._body(parts, gap_s)) // frame_bytes / self.format.rate

    def _silence(self, seconds: float) -> bytes:
        frame_bytes = self.format.channels * self.format.sample_width
        return b"\x00" * (int(self.format.rate * seconds) * frame_bytes)

    def _body(self, parts: Sequence[Part], gap_s: float) -> bytes:
        """Clips with ``gap_s`` between words; a :class:`Pause` replaces the gap where it stands."""
        chunks: list[bytes] = []
        pause: float | None = None
        for part in parts:
            if isinstance(part, Pause):
                pause = max(pause or 0.0, part.seconds)
                continue
            if chunks:
                chunks.append(self._silence(gap_s if pause is None else pause))
            chunks.append(self.frames[part])
            pause = None
        return b"".join(chunks)

    def join(self, parts: Sequence[Part], gap_s: float = GAP_S) -> bytes:
        """One WAV file: the clips in order, a short gap between words, pauses where asked."""
        body = self._body(parts, gap_s)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(self.format.channels)
            out.setsampwidth(self.format.sample_width)
            out.setframerate(self.format.rate)
            out.writeframes(body)
        return buffer.getvalue()


def make_clip_set(out: Path, rate_wpm: int = 140, voice: str = "id") -> list[Path]:
    """Speak every clip with espeak-ng, and synthesise the chime in the same format."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise ClipSetError("espeak-ng not found: install it with `sudo apt-get install espeak-ng`")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stale in out.glob("*.wav"):
        if stale.stem not in ALL_CLIPS:
            stale.unlink()  # a clip of an older set (nomor_antrian): no longer said
    for name, text in CLIP_TEXT.items():
        path = out / f"{name}.wav"
        result = subprocess.run(
            [espeak, "-v", voice, "-s", str(rate_wpm), "-w", str(path), text],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ClipSetError(f"espeak-ng failed for {name!r}: {result.stderr.strip()}")
        written.append(normalise(_trim(path)))
    with wave.open(str(written[0]), "rb") as sample:
        rate = sample.getframerate()
    written.append(normalise(_chime(out / "bel.wav", rate)))
    return written


def loudness_db(samples: Sequence[int], rate: int) -> float:
    """Gated RMS loudness of 16-bit samples in dBFS: windows below :data:`GATE_DB` are left out."""
    size = max(1, int(rate * WINDOW_S))
    powers = []
    for start in range(0, len(samples), size):
        window = samples[start : start + size]
        power = sum(s * s for s in window) / len(window) / 32768.0**2
        if power > 10 ** (GATE_DB / 10):
            powers.append(power)
    if not powers:
        return -math.inf
    return 10 * math.log10(sum(powers) / len(powers))


def read_samples(path: Path) -> tuple[array[int], int]:
    """The 16-bit mono samples of a clip and its rate."""
    with wave.open(str(path), "rb") as clip:
        rate = clip.getframerate()
        samples = array("h", clip.readframes(clip.getnframes()))
    return samples, rate


def normalise(path: Path, target_db: float = TARGET_DB) -> Path:
    """Scale a clip to ``target_db`` gated loudness (never past :data:`PEAK_LIMIT`).

    Raising a clip lifts quiet windows over the gate, which moves the measure a
    little: a second pass settles it.
    """
    samples, rate = read_samples(path)
    scaled = samples
    for _ in range(3):
        level = loudness_db(scaled, rate)
        if not scaled or level == -math.inf or abs(level - target_db) < 0.05:
            break
        gain = 10 ** ((target_db - level) / 20)
        peak = max(abs(s) for s in scaled) / 32768.0
        if peak * gain > PEAK_LIMIT:
            raise ClipSetError(
                f"{path}: reaching {target_db} dBFS would clip (peak {peak:.2f}, gain {gain:.2f})"
            )
        scaled = array("h", (round(s * gain) for s in scaled))
    if scaled is samples:
        return path
    with wave.open(str(path), "rb") as clip:
        params = clip.getparams()
    with wave.open(str(path), "wb") as clip:
        clip.setparams(params)
        clip.writeframes(scaled.tobytes())
    return path


def _trim(path: Path, threshold: int = 300) -> Path:
    """Cut espeak's leading and trailing silence so announcements flow."""
    with wave.open(str(path), "rb") as clip:
        params = clip.getparams()
        frames = clip.readframes(clip.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    loud = [i for i, sample in enumerate(samples) if abs(sample) > threshold]
    if loud:
        samples = samples[max(0, loud[0] - 200) : loud[-1] + 400]
    with wave.open(str(path), "wb") as clip:
        clip.setparams(params)
        clip.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def _chime(path: Path, rate: int) -> Path:
    """A two-note "ding-dong" with a soft decay, mono 16-bit."""
    samples: list[int] = []
    for frequency, seconds in CHIME_NOTES:
        count = int(rate * seconds)
        for i in range(count):
            envelope = math.exp(-3.0 * i / count)
            samples.append(int(12000 * envelope * math.sin(2 * math.pi * frequency * i / rate)))
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(rate)
        clip.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path
