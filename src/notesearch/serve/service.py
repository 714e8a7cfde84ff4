"""The index a watch keeps open for its query server, and the answers it gives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..printers.messages import exit_status
from .protocol import QUERY_BUDGET, Declined, Recorder

if TYPE_CHECKING:
    from ..engine.reader import Index
    from ..settings import Settings


class QueryService:
    """The index a watch keeps open for its query server, and the answers it gives.

    :meth:`refresh` (after each update of the watch) opens the new generation
    when there is one and swaps it in; a query answered meanwhile reads the
    generation it started with, which no writer changes. Queries are
    answered one at a time; one that waits for the index longer than
    :data:`~.protocol.QUERY_BUDGET` is declined.
    """

    def __init__(
        self,
        notes_dir: Path,
        index_dir: Path,
        settings: Settings | None = None,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.notes_dir = notes_dir
        self.index_dir = index_dir
        self.settings = settings
        self.warn = warn  # how a failed refresh is reported
        self.problem: str | None = "no index open yet"  # why the last refresh failed
        self._index: Index | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Open the live generation if it is not the one open (never raises)."""
        from ..engine import seal, store
        from ..engine.reader import open_index
        from ..errors import NotesearchError

        try:
            live = store.current(self.index_dir)
            if self._index is not None and live == self._index.generation:
                return
            key = seal.load_key(self.settings.key_file if self.settings else None)
            fresh = open_index(self.index_dir, self.notes_dir, key)
        except Exception as exc:  # keep answering from the last good index
            problem = str(exc)
            if not isinstance(exc, NotesearchError):
                problem = f"{type(exc).__name__}: {problem}"
            if self._index is not None and problem != self.problem and self.warn is not None:
                self.warn(f"queries keep the previous index: {problem}")
            self.problem = problem
            return
        self.problem = None
        with self._lock:
            stale, self._index = self._index, fresh
        if stale is not None:
            stale.close()

    def answer(self, args: Any, terminal: Any) -> tuple[int, list[tuple[int, str]]]:
        """A forwarded query, run as `notesearch query` runs it: (exit code, output)."""
        from ..answers import QueryArgs, run_query
        from ..printers.context import Terminal

        try:
            request, facts = QueryArgs.from_json(args), Terminal.from_json(terminal)
        except ValueError as exc:
            raise Declined(str(exc)) from None
        if request.refresh:
            raise Declined("--refresh runs in process")
        recorded = Recorder()
        # One query at a time reads the index; one that waits longer than a
        # query may take is turned down (its client runs it), never queued for ever.
        if not self._lock.acquire(timeout=QUERY_BUDGET):
            raise Declined("busy with another query")
        try:
            index = self._index
            if index is None:
                raise Declined("no index open yet")
            code = exit_status(
                lambda: run_query(
                    request,
                    facts,
                    recorded.out,
                    recorded.err,
                    settings=self.settings,
                    served=index,
                ),
                recorded.err,
            )
        finally:
            self._lock.release()
        return code, recorded.output

    def close(self) -> None:
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()
