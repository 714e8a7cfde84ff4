"""What an open index keeps for the next search: a small thread-safe LRU."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """At most ``limit`` worth of values, as ``size(key, value)`` counts them (1 each by
    default); the least recently used let go first. Safe to use from several threads."""

    def __init__(self, limit: int, size: Callable[[K, V], int] | None = None) -> None:
        self.limit = limit
        self._size = size
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._kept.get(key)
            if value is not None:
                self._kept.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        size = self._size
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._total -= 1 if size is None else size(key, old)
            self._kept[key] = value
            self._total += 1 if size is None else size(key, value)
            while self._total > self.limit and self._kept:
                gone, dropped = self._kept.popitem(last=False)
                self._total -= 1 if size is None else size(gone, dropped)

    def keys(self) -> list[K]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._kept)
