"""When the finder's process collects its garbage: while the user is not waiting for a key.

Python's cyclic collector walks every object it tracks on a full collection:
with an index open that is 30 to 100 ms (1,000 to 10,000 notes), which landed
on whichever key came next, every few dozen keys. The finder leaves what is
alive when it opens (the index, the screen, the modules) out of the walk
(``gc.freeze``), and does the full collections itself once typing has paused
(the young generations are collected as usual, a few ms at most, and a full
collection still comes on its own after a long run of keys without a pause).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE = 1.0  # seconds without an answer shown before a full collection
_OLDEST_EVERY = 100  # young collections before a full one comes on its own (Python: 10)


class Collector:
    """The finder's garbage collection policy, from :meth:`start` to :meth:`stop`."""

    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None
        self._last = time.monotonic()  # the last answer shown
        self._dirty = False  # answers shown since the last full collection

    def start(self, every: Callable[[float, Callable[[], None]], object]) -> None:
        """The finder opened: what is alive stays alive, out of the walks; ``every(seconds,
        callback)`` calls back every so often (the app's ``set_interval``)."""
        every(IDLE, self.idle)
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, _OLDEST_EVERY)

    def shown(self) -> None:
        """An answer was shown (the user may type the next key any moment)."""
        self._last, self._dirty = time.monotonic(), True

    def idle(self) -> None:
        """Called every second or so: a full collection once typing has paused."""
        if self._dirty and time.monotonic() - self._last >= IDLE:
            self._dirty = False
            gc.collect()

    def renewed(self) -> None:
        """A new index generation is open: the last one's objects (frozen, some in cycles)
        collected once, now, then what is alive frozen again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        """The finder closed: everything is the collector's again, as it was."""
        gc.unfreeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
