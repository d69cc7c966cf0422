"""Announcing calls: one after another, each exactly once per display.

A cursor file keeps the ids of calls already announced, so a reconnect or a
restart (the retained list of recent calls arrives again) never repeats one;
a recall is a new call event and is announced again, as it should be. Calls
from the retained list older than ``stale_after_s`` (the display was off)
are shown but not announced. Quiet hours silence the speaker, not the screen.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Protocol

from edge.display.clips import ClipSet
from edge.display.speech import Reading, call_clips, call_text
from protocol.models import CallEvent

log = logging.getLogger(__name__)
SPOKEN_KEPT = 16
CURSOR_KEEP = 500


class Player(Protocol):
    def play(self, wav: bytes, seconds: float) -> None:
        """Play the whole announcement; return when it has finished."""
        ...


class PygamePlayer:
    """The speaker, through pygame.mixer (SDL_AUDIODRIVER=dummy in tests)."""

    def __init__(self, volume: float) -> None:
        import pygame

        self._pygame = pygame
        if not pygame.mixer.get_init():
            pygame.mixer.init()
        self.volume = volume

    def play(self, wav: bytes, seconds: float) -> None:
        import io

        sound = self._pygame.mixer.Sound(file=io.BytesIO(wav))
        sound.set_volume(self.volume)
        channel = sound.play()
        deadline = time.monotonic() + seconds + 1.0
        while channel is not None and channel.get_busy() and time.monotonic() < deadline:
            self._pygame.time.wait(20)


class WavFilePlayer:
    """Writes each announcement to a WAV file (demo: check the voice without a speaker)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def play(self, wav: bytes, seconds: float) -> None:
        self.count += 1
        (self.directory / f"announcement-{self.count:04d}.wav").write_bytes(wav)


class AnnouncedCursor:
    """Ids of calls already announced by this display, kept on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ids: list[str] = []
        if path.exists():
            try:
                self._ids = [str(i) for i in json.loads(path.read_text())["announced"]]
            except (OSError, ValueError, KeyError, TypeError) as error:
                log.warning("%s unreadable (%s); starting a new cursor", path, error)

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids = [*self._ids[-(CURSOR_KEEP - 1) :], event_id]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"announced": self._ids}))
        temporary.replace(self.path)


@dataclass(frozen=True)
class QuietHours:
    start: clock_time
    end: clock_time

    def contains(self, moment: clock_time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class Announcer:
    def __init__(
        self,
        clips: ClipSet,
        player: Player,
        cursor: AnnouncedCursor,
        reading: Reading = Reading.DIGITS,
        quiet: QuietHours | None = None,
        local_now: Callable[[], datetime] = datetime.now,
        stale_after_s: float = 120.0,
    ) -> None:
        self.clips, self.player, self.cursor = clips, player, cursor
        self.reading, self.quiet, self.local_now = reading, quiet, local_now
        self.stale_after_s = stale_after_s
        self.spoken: deque[str] = deque(maxlen=SPOKEN_KEPT)  # the latest, for status
        self.spoken_count = 0
        self._queue: queue.Queue[CallEvent | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self.idle = threading.Event()
        self.idle.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(10)

    def offer(self, call: CallEvent, now: datetime, live: bool = True) -> bool:
        """Queue ``call`` unless it was announced already or is stale; True if queued.

        A live call event is fresh by definition. A call from the retained
        list of recent calls (after a restart) is said only if it is recent by
        the clock, so a display that was off does not replay the morning.
        """
        event_id = str(call.event_id)
        if event_id in self.cursor:
            return False
        if not live and abs((now - call.called_at).total_seconds()) > self.stale_after_s:
            # Too old to say — but not remembered as said: the same call may still
            # arrive live (its event and the retained list race after a connect).
            return False
        self.cursor.add(event_id)  # before speaking: never twice, even after a crash
        self.idle.clear()
        self._queue.put(call)
        return True

    def _run(self) -> None:
        while True:
            call = self._queue.get()
            if call is None:
                return
            try:
                self._announce(call)
            except Exception:
                log.exception("announcement of %s failed", call.number)
            if self._queue.empty():
                self.idle.set()

    def _announce(self, call: CallEvent) -> None:
        text = call_text(call.number, call.counter, self.reading)
        if self.quiet is not None and self.quiet.contains(self.local_now().time()):
            log.info("quiet hours: not saying %r", text)
            return
        names = call_clips(call.number, call.counter, self.reading)
        self.player.play(self.clips.join(names), self.clips.duration(names))
        self.spoken.append(text)
        self.spoken_count += 1
        log.info("announced %s: %s", call.number, text)
