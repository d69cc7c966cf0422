"""What the running text shows, frame by frame: pure, so it is tested exactly.

A message is drawn once into a strip with an 8-pixel bitmap font and slides
through the panel from right to left, one column per frame, until it has
left completely (strip width + panel width frames). A call interrupts
whatever is scrolling and is shown ``call_passes`` times; then the
announcements cycle again. Calls waiting their turn are bounded, so a burst
never leaves the panel minutes behind the hall: a waiting call of a counter
that has called again since is replaced by the newer one, and beyond
``MAX_WAITING_CALLS`` the oldest waiting call is dropped (the display lists
every call and its voice says each).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from luma.core.legacy import text, textsize
from luma.core.legacy.font import CP437_FONT, proportional
from PIL import Image, ImageDraw

FONT = proportional(CP437_FONT)
IDLE_TEXT = "SELAMAT DATANG DI MAL PELAYANAN PUBLIK"
MAX_WAITING_CALLS = 3  # calls queued, the rest of the one scrolling included (~5 s a pass)


def ascii_upper(message: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 else " " for c in message.upper())


def strip(message: str, height: int = 8) -> Image.Image:
    """The message rendered once, 1-bit, as wide as it needs."""
    message = ascii_upper(message)
    width, _ = textsize(message, font=FONT)
    image = Image.new("1", (max(1, width), height))
    text(ImageDraw.Draw(image), (0, 0), message, fill="white", font=FONT)
    return image


NOTICE = 0  # queue key of a notice: no counter has number 0


def call_message(number: str, counter: int) -> str:
    return f"{number} KE LOKET {counter}"


@dataclass
class Scroller:
    panel_width: int
    call_passes: int = 2
    announcements: list[str] = field(default_factory=list)
    _queue: deque[tuple[int, str]] = field(default_factory=deque)  # (counter, message)
    _strip: Image.Image | None = None
    _offset: int = 0
    _is_call: bool = False
    _next_announcement: int = 0
    current: str = ""

    def call(self, number: str, counter: int, passes: int | None = None) -> None:
        """Interrupt now with a call (after any calls already waiting).

        ``passes`` overrides ``call_passes``: a call restored after a restart is a
        reminder, shown once, so it does not hold up the next live call.
        """
        message = call_message(number, counter)
        if not self._is_call:
            self._queue.clear()
            self._strip = None
        self._drop(counter)  # superseded: that counter has called someone else
        self._queue.extend([(counter, message)] * (passes or self.call_passes))
        while len({waiting for waiting, _ in self._queue}) > MAX_WAITING_CALLS:
            self._drop(self._queue[0][0])

    def notice(self, message: str, passes: int = 2) -> None:
        """Show ``message`` next, ahead of announcements but after waiting calls (the
        admin's *identify*: the panel says which unit it is)."""
        self._queue.extend([(NOTICE, message)] * passes)

    def _drop(self, counter: int) -> None:
        self._queue = deque(entry for entry in self._queue if entry[0] != counter)

    def frame(self) -> Image.Image:
        """The next frame for the panel."""
        if self._strip is None or self._offset >= self._strip.width + self.panel_width:
            self._load_next()
        assert self._strip is not None
        canvas = Image.new("1", (self._strip.width + 2 * self.panel_width, self._strip.height))
        canvas.paste(self._strip, (self.panel_width, 0))
        window = canvas.crop((self._offset, 0, self._offset + self.panel_width, self._strip.height))
        self._offset += 1
        return window

    def frames_for(self, message: str) -> int:
        return strip(message).width + self.panel_width

    def _load_next(self) -> None:
        if self._queue:
            self.current, self._is_call = self._queue.popleft()[1], True
        else:
            self._is_call = False
            if self.announcements:
                index = self._next_announcement % len(self.announcements)
                self.current = self.announcements[index]
                self._next_announcement += 1
            else:
                self.current = IDLE_TEXT
        self._strip = strip(self.current)
        self._offset = 0
