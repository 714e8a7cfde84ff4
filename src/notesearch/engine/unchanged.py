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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import NotesearchError
from ..models import IndexStats
from . import fresh, seal, store, tables

COUNTS = ("notes", "sections", "tags", "links")  # kept in the meta table of each write


def counts(stats: IndexStats) -> dict[str, int]:
    """What the meta table keeps of a write's stats, for the next update that changes
    nothing."""
    return {name: getattr(stats, name) for name in COUNTS}


def unchanged(
    index_dir: Path, notes_dir: Path, key: bytes, discovery: dict[str, Any]
) -> IndexStats | None:
    """The stats of an update of ``index_dir`` that would change nothing, or None when it
    might change something (or the live generation needs a closer look).

    The caller holds the index lock.
    """
    gen = store.current(index_dir)
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
