"""Announcing calls: one after another, each once per display, none missed.

A cursor file keeps the ids of calls already announced, so a reconnect or a
restart (the retained list of recent calls arrives again) never repeats one;
a recall is a new call event and is announced again, as it should be. Calls
from the retained list older than ``stale_after_s`` (the display was off)
are shown but not announced. Quiet hours silence the speaker, not the screen.

A call enters the cursor only once it has been spoken (or deliberately kept
silent in quiet hours). It used to be written when the call was queued: a
display stopped during a burst (a service restart, a power cut) then kept
calls as "announced" that nobody heard, and after the restart the retained
list could not bring them back — the demo's three ids and two announcements.
Now the worst case of a crash mid-sentence is one call said again, which a
hall forgives; a call never said it does not. Calls queued but not yet said
are remembered in memory, so the live event and the retained list racing
after a connect still queue a call once.
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
from edge.display.speech import Pacing, Reading, announcement, call_text
from protocol.clock import wall_now
from protocol.models import CallEvent

log = logging.getLogger(__name__)
SPOKEN_KEPT = 16
CURSOR_KEEP = 500
STOP_WAIT_S = 1.5  # a stop lets the sentence being said end, not the queue behind it


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
    """Writes each announcement to a WAV file (demo: check the voice without a speaker).

    Numbering continues after the files already there: a restarted display
    (or a second demo run in the same directory) must not overwrite earlier
    announcements, or the files no longer match the cursor.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(path.stem.removeprefix("announcement-"))
            for path in directory.glob("announcement-*.wav")
            if path.stem.removeprefix("announcement-").isdigit()
        ]
        self.count = max(numbers, default=0)

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
        reading: Reading = Reading.NUMBER,
        quiet: QuietHours | None = None,
        local_now: Callable[[], datetime] = lambda: wall_now().astimezone(),
        stale_after_s: float = 120.0,
        pacing: Pacing | None = None,
    ) -> None:
        self.clips, self.player, self.cursor = clips, player, cursor
        self.reading, self.quiet, self.local_now = reading, quiet, local_now
        self.pacing = pacing or Pacing()
        self.stale_after_s = stale_after_s
        self.spoken: deque[str] = deque(maxlen=SPOKEN_KEPT)  # the latest, for status
        self.spoken_count = 0
        self._queue: queue.Queue[CallEvent | None] = queue.Queue()
        self._queued: set[str] = set()  # offered, not yet said (not in the cursor yet)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self.idle = threading.Event()
        self.idle.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """Stop after the announcement being said; calls still queued stay unsaid and
        out of the cursor, so the retained list brings them back after a restart."""
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(wait_s)
        with self._lock:
            left = len(self._queued)
        if left:
            log.info("stopping with %d call(s) not yet announced", left)

    def offer(self, call: CallEvent, now: datetime, live: bool = True) -> bool:
        """Queue ``call`` unless it was announced already or is stale; True if queued.

        A live call event is fresh by definition. A call from the retained
        list of recent calls (after a restart) is said only if it is recent by
        the clock, so a display that was off does not replay the morning.
        """
        event_id = str(call.event_id)
        with self._lock:
            if event_id in self.cursor or event_id in self._queued:
                return False
            if not live and abs((now - call.called_at).total_seconds()) > self.stale_after_s:
                # Too old to say — but not remembered as said: the same call may still
                # arrive live (its event and the retained list race after a connect).
                return False
            self._queued.add(event_id)
            self.idle.clear()
            self._queue.put(call)
        return True

    def _run(self) -> None:
        while not self._stopping.is_set():
            call = self._queue.get()
            if call is None or self._stopping.is_set():
                return
            event_id = str(call.event_id)
            try:
                said = self._announce(call)
            except Exception as error:  # the speaker failed: not said, so not in the cursor
                log.error("could not announce %s: %s", call.number, error)
                said = False
            with self._lock:
                if said:
                    self.cursor.add(event_id)  # after speaking: on disk means heard
                self._queued.discard(event_id)
                if self._queue.empty():
                    self.idle.set()

    def _announce(self, call: CallEvent) -> bool:
        """Say ``call``; True once it was said or deliberately kept silent."""
        text = call_text(call.number, call.counter, self.reading)
        if self.quiet is not None and self.quiet.contains(self.local_now().time()):
            log.info("quiet hours: not saying %r", text)
            return True
        parts = announcement(call.number, call.counter, self.reading, self.pacing)
        self.player.play(self.clips.join(parts), self.clips.duration(parts))
        self.spoken.append(text)
        self.spoken_count += 1
        log.info("announced %s: %s", call.number, text)
        return True
