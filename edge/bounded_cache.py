"""A least-recently-used cache bounded by the memory its values hold, not by their count.

Why: the screens cached rendered text by entry count (2,048 pygame Surfaces).
One big call number at the display's size is ~0.6 MB, and every call brings
new numbers, so a count-bounded cache grew to over a gigabyte through a busy
day. A byte budget keeps what the frame redraws (labels, headings) and lets
yesterday's numbers go.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    """``get_or_make(key, make)`` with LRU eviction once ``budget`` bytes are held."""

    def __init__(self, budget: int, weigh: Callable[[Value], int]) -> None:
        self.budget = budget
        self.weigh = weigh
        self.held = 0  # bytes
        self.made = 0  # values made (misses): a budget too small for a frame shows here
        self._items: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
        value = make()
        weight = self.weigh(value)
        with self._lock:
            self.made += 1
            if weight > self.budget:
                return value  # larger than the whole budget: used once, never kept
            if key not in self._items:
                self._items[key] = (value, weight)
                self.held += weight
            while self.held > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.held -= dropped
        return value

    def held_keys(self) -> list[Hashable]:
        """The keys held, least recently used first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0
