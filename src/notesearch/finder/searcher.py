"""Searches off the UI thread, newest first: a query overtaken by a newer one is dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Latest(Generic[T, R]):
    """Runs ``work`` on one background thread, always on the newest job submitted.

    A job still waiting when a newer one arrives is never run; ``done(number,
    result)`` is called (on the background thread) for each job that ran, and
    the caller shows a result only if its number is still the newest, so a
    slow answer never lands over a newer one.
    """

    def __init__(self, work: Callable[[T], R], done: Callable[[int, R], None]) -> None:
        self._work = work
        self._done = done
        self._cond = threading.Condition()
        self._pending: tuple[int, T] | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="finder-search", daemon=True)
        self._thread.start()

    def submit(self, number: int, job: T) -> None:
        with self._cond:
            self._pending = (number, job)
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                assert self._pending is not None
                number, job = self._pending
                self._pending = None
            self._done(number, self._work(job))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=2.0)
