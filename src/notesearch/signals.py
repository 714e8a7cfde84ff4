"""Signal handlers installed for a while and then put back: the one helper every use shares.

Handlers can only be set from the main thread; elsewhere (a test's thread, a
server thread) :func:`handling` changes nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

Handler = Callable[[int, Any], Any] | int | signal.Handlers | None


@contextmanager
def handling(handlers: Mapping[str, Handler], *, block: Iterable[str] = ()) -> Iterator[None]:
    """Install ``handlers`` (signal name -> handler) while the block runs.

    Signals named in ``block`` are also blocked meanwhile (where the platform
    can), so one that arrives is delivered, not lost, when the block ends.
    Names this platform lacks (SIGQUIT on Windows) are skipped.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = {getattr(signal, n): h for n, h in handlers.items() if hasattr(signal, n)}
    blocking = {getattr(signal, n) for n in block if hasattr(signal, n)}
    masked = hasattr(signal, "pthread_sigmask") and bool(blocking)
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, blocking) if masked else None
    previous = [(number, signal.signal(number, handler)) for number, handler in numbers.items()]
    try:
        yield
    finally:
        for number, handler in previous:
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if old_mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def interrupt(signum: int, frame: object) -> None:
    """A handler that turns a signal into Ctrl-C (KeyboardInterrupt)."""
    raise KeyboardInterrupt


def ignore(signum: int, frame: object) -> None:
    """A handler that does nothing (unlike SIG_IGN, exec resets it in a child)."""
