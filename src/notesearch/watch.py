"""Watch mode: keep the index fresh while notes change (the core of ``notesearch watch``).

:func:`watch` runs one :func:`~notesearch.engine.build.build_index` at start, then
waits for file events (``watchfiles``, which already groups a burst of
events into one batch) and runs ``build_index`` again once per batch. Events
that cannot change the index are dropped before they wake us up: anything
in the index folder or in a hidden folder, and non-note files unless they
disappear (a deleted or renamed-away folder may have held notes).

``build_index`` holds the index lock only while it updates, and readers never
need the lock (they read the live generation), so queries keep working while
a watch runs. When another ``notesearch index`` holds the lock for longer
than ``lock_timeout``, the batch is retried a moment later, not lost.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import watchfiles
from watchfiles import Change

from .engine.build import build_index
from .errors import IndexLockedError, IndexWriteError, WatchError
from .models import Diagnostic, IndexStats
from .notes.names import is_note_name
from .settings import NOTE_SUFFIXES

DEFAULT_DEBOUNCE_MS = 1_600  # longest a burst is grouped (watchfiles' default)
DEFAULT_STEP_MS = 50  # a batch ends after this long without a new event
RETRY_MS = 1_000  # how soon an update that failed on a busy index is tried again


class StopEvent(Protocol):
    """Anything with ``is_set()``, such as :class:`threading.Event`."""

    def is_set(self) -> bool: ...


class EventFilter:
    """Decides which file events may change the index.

    Paths are compared as seen from the real path of the notes root, which
    is the path handed to the watcher. ``suffixes`` are the configured
    note suffixes (``extensions``), as discovery uses them.
    """

    def __init__(self, root: str, index_dir: Path, suffixes: Iterable[str] = NOTE_SUFFIXES) -> None:
        self.root = root
        self.suffixes = tuple(suffixes)
        index_real = os.path.realpath(index_dir)
        self.index_rel: str | None = None
        if index_real != root and index_real.startswith(root.rstrip(os.sep) + os.sep):
            self.index_rel = os.path.relpath(index_real, root)

    def relative(self, path: str) -> str | None:
        """``path`` relative to the root, or None when it is not below it."""
        prefix = self.root.rstrip(os.sep) + os.sep
        if not path.startswith(prefix):
            return None
        return path[len(prefix) :]

    def __call__(self, change: Change, path: str) -> bool:
        rel = self.relative(path)
        if rel is None:  # the root itself (or an odd path): let build_index decide
            return change == Change.deleted
        if self.index_rel is not None and (
            rel == self.index_rel or rel.startswith(self.index_rel + os.sep)
        ):
            return False
        if any(part.startswith(".") for part in rel.split(os.sep)):
            return False  # .git, .obsidian, editor swap files: never indexed
        if change == Change.deleted or is_note_name(os.path.basename(rel), self.suffixes):
            return True
        # A folder that appeared (created, or renamed into place) may hold notes.
        return change == Change.added and os.path.isdir(path)


def watch(
    notes_dir: Path,
    index_dir: Path,
    *,
    on_update: Callable[[IndexStats], None],
    on_warning: Callable[[Diagnostic], None],
    on_ready: Callable[[IndexStats], None] | None = None,
    on_indexed: Callable[[IndexStats], None] | None = None,
    debounce_ms: int = DEFAULT_DEBOUNCE_MS,
    step_ms: int = DEFAULT_STEP_MS,
    stop_event: StopEvent | None = None,
    lock_timeout: float = 10.0,
    force_polling: bool | None = None,
    extensions: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    max_bytes: int | None = None,
    key: bytes | None = None,
) -> None:
    """Keep the index of ``notes_dir`` up to date until stopped.

    Args:
        on_update: called once per batch of events that changed the index
            (a note added, updated, removed or renamed), with that run's stats.
        on_warning: called with each warning of a run (a note that cannot be
            read, a busy index). A warning repeated by the next run is not
            repeated, unless it is about a file of the new batch.
        on_ready: called once with the stats of the first run, before watching.
        on_indexed: called after every run that succeeded (the first one
            included, before ``on_ready``), whether or not it changed anything:
            the index on disk is then as fresh as the watch can make it.
        debounce_ms: the longest time a burst of events is grouped into one batch.
        step_ms: a batch ends when no event came for this long.
        stop_event: watching ends (and the function returns) soon after it is set.
        lock_timeout: seconds one run waits for the index lock before the
            batch is put off and retried.
        force_polling: poll instead of using OS notifications (None: watchfiles
            decides, honouring ``WATCHFILES_FORCE_POLLING``).
        extensions, ignore, max_bytes: the discovery rules, as for
            :func:`~notesearch.engine.build.build_index` (None: the notes
            folder's own ``.notesearch.toml``, else the defaults).
        key: the user's secret key that seals the index, as for ``build_index``.

    Returns when ``stop_event`` is set. Ctrl-C raises KeyboardInterrupt (after
    the watcher is closed); the index is never left damaged.

    Raises:
        NotesFolderError, IndexWriteError, IndexVersionError, IndexLockedError:
            the first run failed (as from ``build_index``).
        WatchError: the folder cannot be watched.
    """
    shown: set[str] = set()
    if extensions is None:
        from .settings import for_notes

        extensions = for_notes(notes_dir)["extensions"]
    rules: dict[str, Any] = {
        "extensions": list(extensions),
        "ignore": ignore,
        "max_bytes": max_bytes,
    }

    def run(touched: set[str] | None) -> IndexStats:
        """One build_index; warnings already shown by the previous run stay quiet."""
        nonlocal shown
        current: set[str] = set()

        def sink(diag: Diagnostic) -> None:
            text = str(diag)
            current.add(text)
            if touched is None or text not in shown or _is_touched(diag.path, touched):
                on_warning(diag)

        stats = build_index(
            notes_dir, index_dir, on_warning=sink, lock_timeout=lock_timeout, key=key, **rules
        )
        shown = current
        if on_indexed is not None:
            on_indexed(stats)
        return stats

    stats = run(None)
    if on_ready is not None:
        on_ready(stats)
    if stop_event is not None and stop_event.is_set():
        return

    root = os.path.realpath(notes_dir)
    accept = EventFilter(root, index_dir, rules["extensions"])
    # The first pass of the loop always runs an update: it catches what changed
    # between the first run and the moment the watcher was in place.
    pending = True
    touched: set[str] = set()
    failing = False
    changes_iter = watchfiles.watch(
        root,
        watch_filter=accept,
        debounce=debounce_ms,
        step=step_ms,
        stop_event=stop_event,
        rust_timeout=RETRY_MS,
        yield_on_timeout=True,
        force_polling=force_polling,
    )
    try:
        while True:
            try:
                changes = next(changes_iter)
            except StopIteration:
                return
            except (OSError, RuntimeError) as exc:
                raise WatchError(
                    f"cannot watch the notes folder {notes_dir}: {exc}",
                    hint="Set WATCHFILES_FORCE_POLLING=1 to poll for changes instead.",
                ) from exc
            for _, path in changes:
                rel = accept.relative(path)
                if rel is not None:
                    touched.add(rel.replace(os.sep, "/"))
            if not changes and not pending:
                continue  # an idle wake-up
            try:
                stats = run(touched)
            except (IndexLockedError, IndexWriteError) as exc:
                if not failing:
                    on_warning(Diagnostic(f"{exc}; the update will be retried"))
                failing = pending = True
                continue
            if failing:
                on_warning(Diagnostic("the index is up to date again"))
            failing = pending = False
            touched = set()
            if stats.written and (stats.added or stats.updated or stats.removed or stats.renamed):
                on_update(stats)
            if stop_event is not None and stop_event.is_set():
                return
    finally:
        changes_iter.close()


def _is_touched(path: str | None, touched: set[str]) -> bool:
    """Is ``path`` (relative, ``/``-separated) one of ``touched`` or inside one of them?"""
    if path is None:
        return False
    return any(path == t or path.startswith(t + "/") for t in touched)
