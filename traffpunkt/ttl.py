"""A few seconds' memory of hot lookups, per process.

At the door a phone sends scan after scan with the same door token for the same event; looking
both up again for every scan was two of a check-in's seven queries. Entries live `seconds`
(monotonic clock); whoever changes the underlying row calls `clear()` in its own process, and
other processes see the change once the entry expires.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(self, seconds: float, max_size: int = 10_000) -> None:
        self.seconds = seconds
        self.max_size = max_size
        self._items: dict[K, tuple[float, V]] = {}
        # Bumped by clear(): a value read from the database before a clear() must not be put
        # back after it (see `put`'s `since`).
        self.generation = 0

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            self._items.pop(key, None)
            return None
        return item[1]

    def put(self, key: K, value: V, since: int | None = None) -> None:
        """Remember `value`; with `since` (the generation when it was read), only if nothing
        was cleared in between."""
        if since is not None and since != self.generation:
            return
        if len(self._items) >= self.max_size:
            self._items.clear()  # crude, and never hit at the sizes of a door
        self._items[key] = (time.monotonic() + self.seconds, value)

    async def get_or_load(self, key: K, load: Callable[[K], Awaitable[V | None]]) -> V | None:
        """The remembered value, else `await load(key)`, remembered unless it is None (a miss
        may exist a moment later) or a clear() happened while it loaded (it may be stale)."""
        value = self.get(key)
        if value is None:
            since = self.generation
            value = await load(key)
            if value is not None:
                self.put(key, value, since)
        return value

    def clear(self) -> None:
        self._items.clear()
        self.generation += 1
