"""The update that changes nothing, found without reading the live generation's tables.

``notesearch index`` with nothing to do is what an editor hook or a cron job
runs most. The full update walks the notes folder and reads the file table
(JSON) to find that out: 0.3 s at 10,000 notes, 2 s at 50,000. Instead
:func:`unchanged` checks the live generation's seal (its stat signatures),
reads its packed stat table and runs the freshness check that queries run
(:func:`~.fresh.untouched`: a stat of each folder the last walk kept and of
each known note, and a listing of the folders whose signature was taken in
the clock tick of a change). Only when nothing at all moved, by the same
discovery rules, and the last walk warned about nothing (the full update
would say it again), is the answer "unchanged", with the counts the last
write kept in its meta table. Anything else, damage included, is left to
the full update, which says what it finds.

:func:`without_update` asks the same question on its own, under the lock, and
writes no generation (only the lock file, and the index folder when there is
none yet, as an update would): what ``notesearch index`` asks before it
imports the rest of the command line (:mod:`notesearch.shortcut`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from ..errors import NotesearchError
from ..models import IndexStats
from ..notes.folders import require_folder
from . import folder, fresh, seal, store, tables

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any

COUNTS = ("notes", "sections", "tags", "links")  # kept in the meta table of each write


def counts(stats: IndexStats) -> dict[str, int]:
    """What the meta table keeps of a write's stats, for the next update that changes
    nothing."""
    return {name: getattr(stats, name) for name in COUNTS}


def rules(extensions: Sequence[str], ignore: Sequence[str], max_bytes: int) -> dict[str, Any]:
    """The discovery rules as the meta table keeps them (a change of them is a change)."""
    return {"extensions": list(extensions), "ignore": list(ignore), "max_bytes": max_bytes}


def without_update(
    notes_dir: Path,
    index_dir: Path,
    key: bytes,
    *,
    extensions: Sequence[str],
    ignore: Sequence[str],
    max_bytes: int,
    lock_timeout: float = 10.0,
) -> IndexStats | None:
    """The stats of an update of ``index_dir`` that would change nothing (its
    ``seconds`` since this call), or None when it might change something: the checks
    :func:`~.build.build_index` makes before it updates, and no more.

    Raises:
        NotesFolderError, IndexWriteError, IndexUntrustedError, IndexLockedError: as
            :func:`~.build.build_index` does.
    """
    started = time.perf_counter()
    require_folder(notes_dir)
    folder.claim(index_dir, key)  # notesearch's own folder, or refused untouched
    with store.locked(index_dir, timeout=lock_timeout):
        live, discovery = store.current(index_dir), rules(extensions, ignore, max_bytes)
        same = nothing_to_do(index_dir, notes_dir, key, discovery, live)
    if same is not None:
        same.seconds = time.perf_counter() - started
    return same


def nothing_to_do(
    index_dir: Path, notes_dir: Path, key: bytes, discovery: dict[str, Any], live: Path | None
) -> IndexStats | None:
    """:func:`unchanged` for the live generation ``live`` (:func:`~.store.current`), unless
    a crashed or killed run left generations behind (the full update cleans them and
    reseals). The caller holds the index lock."""
    if store.leftovers(index_dir, keep=live):
        return None
    return unchanged(index_dir, notes_dir, key, discovery, live)


def unchanged(
    index_dir: Path, notes_dir: Path, key: bytes, discovery: dict[str, Any], gen: Path | None
) -> IndexStats | None:
    """The stats of an update of ``index_dir`` that would change nothing, or None when it
    might change something (or the live generation ``gen`` needs a closer look).

    The caller holds the index lock.
    """
    if gen is None:
        return None
    try:
        meta = store.check_version(index_dir, gen)
        kept = meta.get("counts")
        if meta.get("discovery") != discovery or meta.get("walk_warnings") != 0:
            return None
        if not isinstance(kept, dict) or any(type(kept.get(n)) is not int for n in COUNTS):
            return None
        seal.verify(index_dir, gen, key)  # every file as sealed (by its stat signature)
        stat = tables.read_stat(gen, strict=True)
        if stat is None or not fresh.untouched(notes_dir, index_dir, stat, meta):
            return None
    except (NotesearchError, OSError, ValueError):
        return None  # the full update says what is wrong
    return IndexStats(
        **{name: kept[name] for name in COUNTS},
        unchanged=kept["notes"],
        skipped=len(stat.skipped),
    )
