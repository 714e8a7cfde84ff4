"""Building and updating the index: the only module that writes with Whoosh.

``build_index`` compares the notes on disk with the file table of the live
generation (size and mtime first, a content hash to confirm), parses only
what changed, and commits the change into a new generation (see
:mod:`.store` for why that is crash-safe).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import collector
from .. import settings as settings_mod
from ..models import Diagnostic, IndexStats, Note
from ..notes.folders import require_folder
from . import folder, seal, store
from .tables import FileTable, NoteEntry
from .unchanged import counts, nothing_to_do, rules

# What only an update that changes something needs is imported then (an update
# with nothing to do, the most frequent, is answered before: engine/unchanged.py).
if TYPE_CHECKING:
    from ..notes.discover import Discovery, NoteFile
    from ..notes.links import NoteSet
    from .base import Base
    from .documents import Outcome
    from .workers import Work

WarningSink = Callable[[Diagnostic], None]
ProgressSink = Callable[[int, int], None]


def build_index(
    notes_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    on_warning: WarningSink | None = None,
    on_progress: ProgressSink | None = None,
    lock_timeout: float = 10.0,
    max_bytes: int | None = None,
    extensions: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int | None = None,
    key: bytes | None = None,
) -> IndexStats:
    """Index (or update the index of) the notes under ``notes_dir`` into ``index_dir``.

    Only notes whose size or mtime changed are read, and only those whose
    content hash changed are parsed again. The previous index stays live and
    intact until the new one is complete.

    ``max_bytes``, ``extensions`` and ``ignore`` default to what the notes
    folder's ``.notesearch.toml`` (or the user's config file) says.

    ``jobs`` is how many worker processes read, parse and index the notes
    (each writes its own index segment). None picks one per usable CPU when
    at least 200 notes must be read, and works in this process otherwise; 1
    never starts a worker. An update that would change nothing is found
    without reading the live generation's tables (:mod:`.unchanged`).

    ``key`` is the user's secret key: the live generation must be sealed with
    it before it is read, and the new one is sealed with it (None: the key at
    :func:`~notesearch.settings.key_file`, made on first use). ``rebuild``
    never reads the live generation, so it replaces one that is not sealed.

    Raises:
        NotesFolderError: ``notes_dir`` is missing or not a folder.
        IndexWriteError: the index folder cannot be written, or is not
            notesearch's (not empty and without its marker file).
        IndexLockedError: another process holds the index lock.
        IndexVersionError: the index has another schema (use ``rebuild``).
        IndexUntrustedError: the index is not sealed with ``key`` (use ``rebuild``).
    """
    started = time.perf_counter()
    stats = IndexStats()

    def warn(diag: Diagnostic) -> None:
        stats.warnings.append(diag)
        if on_warning is not None:
            on_warning(diag)

    require_folder(notes_dir)
    key = seal.load_key() if key is None else key
    folder.claim(index_dir, key)  # notesearch's own folder, or refused untouched

    if max_bytes is None or extensions is None or ignore is None:
        settings = settings_mod.for_notes(notes_dir)
        max_bytes = settings["max_bytes"] if max_bytes is None else max_bytes
        extensions = settings["extensions"] if extensions is None else extensions
        ignore = settings["ignore"] if ignore is None else ignore
    assert max_bytes is not None and extensions is not None and ignore is not None
    discovery = rules(extensions, ignore, max_bytes)

    with store.locked(index_dir, timeout=lock_timeout):
        live = store.current(index_dir)
        same = None if rebuild else nothing_to_do(index_dir, notes_dir, key, discovery, live)
        if same is not None:  # nothing changed: found by a stat of each folder and note
            same.seconds = time.perf_counter() - started
            return same
        # Real work from here (and worker processes inherit the collector's state).
        collector.resume()
        from ..notes.discover import discover
        from ..notes.links import NoteSet
        from .base import open_base, verify_all
        from .documents import examine
        from .workers import in_parallel, worker_count

        base: Base | None = None
        if not rebuild:
            base, damage = open_base(index_dir, key)
            if damage is not None:
                warn(Diagnostic(f"{damage}; rebuilding it from the notes"))
        # Leftovers of a crashed or killed run (their hard links went: reseal).
        if store.clean(index_dir, keep=live) and base is not None:
            seal.reseal(base.gen, key, base.known)

        found = discover(notes_dir, exclude=[index_dir], suffixes=extensions, ignore=ignore)
        for diag in found.warnings:
            warn(diag)
            stats.skipped += 1
        note_set = NoteSet((n.path for n in found.notes), found.assets)
        table, pending, skipped = _sort(found, base, discovery)
        if base is not None and (
            pending or base.meta.get("discovery") != discovery or not table.same_as(base.table)
        ):
            # About to build on it: every file it carries over is hashed first.
            damage = verify_all(index_dir, base, key)
            if damage is not None:
                warn(Diagnostic(f"{damage}; rebuilding it from the notes"))
                base = None
                table, pending, skipped = _sort(found, base, discovery)
        stats.skipped += skipped
        old = base.table if base is not None else FileTable()
        same_rules = base is not None and base.meta.get("discovery") == discovery
        known = base.known if base is not None else None
        base_gen = base.gen if base is not None else None

        workers = worker_count(jobs, len(pending))
        parsed: list[Note] = []  # changed notes parsed here (serial), to add below
        work: Work | None = None
        if workers > 1:
            work = in_parallel(
                index_dir, base_gen, notes_dir, pending, max_bytes, note_set, workers, on_progress
            )
            results: Iterable[tuple[Outcome, Note | None]] = ((o, None) for o in work.outcomes)
        else:
            results = (examine(notes_dir, nf, entry, max_bytes) for nf, entry in pending)
        changed: list[tuple[NoteFile, str]] = []
        for done, ((note_file, _), (outcome, note)) in enumerate(
            zip(pending, results, strict=True), 1
        ):
            for diag in outcome.diagnostics:
                warn(diag)
            if outcome.entry is None:
                # A file that is the problem waits for a change; a failed read
                # ("access") is tried again next time.
                if outcome.kind == "content":
                    table.skipped[note_file.path] = [note_file.size, note_file.mtime_ns]
                stats.skipped += 1
            else:
                table.notes[note_file.path] = outcome.entry
                if outcome.kind == "changed":
                    changed.append((note_file, outcome.hashed))
                    if note is not None:
                        parsed.append(note)
            if on_progress is not None and work is None:
                on_progress(done, len(pending))

        table.settle_folders(nf.path for nf in found.notes)  # for the freshness check
        removed = [path for path in old.notes if path not in table.notes]
        # A new path whose content is that of a removed path is a rename.
        gone = {old.notes[p].digest for p in removed}
        for note_file, hashed in changed:
            if note_file.path in old.notes:
                stats.updated += 1
            elif hashed in gone:
                gone.discard(hashed)
                stats.renamed += 1
            else:
                stats.added += 1
        stats.removed = len(removed) - stats.renamed
        stats.unchanged = len(table.notes) - len(changed)

        table_changed = not table.same_as(old) or not same_rules
        _count(table, stats)
        if base is None or changed or removed or table_changed:
            meta = {
                "notes_root": str(notes_dir.resolve()),
                "written": time.time(),
                # when the walk began, or later: its racy folders seen again (engine/fresh.py)
                "scanned_ns": settled(notes_dir, index_dir, table, found.started_ns, discovery),
                "discovery": discovery,
                "counts": counts(stats),  # for an update that changes nothing (unchanged.py)
                "walk_warnings": len(found.warnings),
            }
            drop = [*removed, *(nf.path for nf, _ in changed)] if base is not None else []
            _write(index_dir, base_gen, table, parsed, drop, note_set, meta, key, known, work)
            stats.written = True
        elif work is not None and store.clean(index_dir, keep=live) and base is not None:
            # Workers ran, but nothing changed (new notes unreadable): their
            # unfinished generation went, and with it links to the live files.
            seal.reseal(base.gen, key, base.known)

        stats.seconds = time.perf_counter() - started
        return stats


def settled(
    notes_dir: Path, index_dir: Path, table: FileTable, started: int, discovery: dict[str, Any]
) -> int:
    """:func:`~.fresh.settled` for the file table a build is about to write."""
    if table.folders is None:
        return started
    from .fresh import settled as at

    folders = {rel: (sig[0], sig[1], sig[2]) for rel, sig in table.folders.items()}
    known = chain(
        ((path, entry.size, entry.mtime_ns) for path, entry in table.notes.items()),
        ((path, sig[0], sig[1]) for path, sig in table.skipped.items()),
    )
    return at(notes_dir, index_dir, started, discovery, folders, known, table.assets)


def _sort(
    found: Discovery, base: Base | None, discovery: dict[str, Any]
) -> tuple[FileTable, list[tuple[NoteFile, NoteEntry | None]], int]:
    """(the new file table with the unchanged notes, the notes to read, how many skipped).

    A note whose size and mtime are those of ``base``'s table is unchanged; a
    skipped one that did not change is skipped again without a word.
    """
    old = base.table if base is not None else FileTable()
    same_rules = base is not None and base.meta.get("discovery") == discovery
    folders = {rel: list(sig) for rel, sig in found.folders.items()} if found.simple else None
    table = FileTable(assets=found.assets, folders=folders)
    pending: list[tuple[NoteFile, NoteEntry | None]] = []
    skipped = 0
    for note_file in found.notes:
        entry = old.notes.get(note_file.path)
        if (
            entry is not None
            and entry.size == note_file.size
            and entry.mtime_ns == note_file.mtime_ns
        ):
            table.notes[note_file.path] = entry
            continue
        signature = [note_file.size, note_file.mtime_ns]
        if same_rules and old.skipped.get(note_file.path) == signature:
            table.skipped[note_file.path] = signature  # warned about when first seen
            skipped += 1
            continue
        pending.append((note_file, entry))
    return table, pending, skipped


def _write(
    index_dir: Path,
    base: Path | None,
    table: FileTable,
    notes: list[Note],
    drop: list[str],
    note_set: NoteSet,
    meta: dict[str, Any],
    key: bytes,
    known: dict[str, seal.Entry] | None,
    work: Work | None = None,
) -> None:
    """Commit the changes into a new generation and switch CURRENT to it.

    ``drop`` names the notes whose old sections go; ``notes`` are added here;
    ``work`` holds what worker processes already wrote into the generation;
    ``known`` the verified seal entries of ``base`` (its files are not hashed again, nor
    are the segment files that the workers hashed).
    """
    from .documents import documents
    from .segments import SegmentBuilder, commit_with, new_generation
    from .workers import pool_limit, write_error

    try:
        tmp, ix = (work.tmp, work.ix) if work is not None else new_generation(index_dir, base)
        # Plain segment files, not one compound file: Whoosh reads a compound
        # file's parts by copying them into memory at every open (about 0.1 s
        # per query at 10,000 notes); plain files are memory-mapped.
        writer = ix.writer(limitmb=128, compound=False)
        try:
            for path in drop:
                writer.delete_by_term("note", path)
            added: list[Any] = []
            if notes:  # (an update that only deletes opens no segment)
                builder = SegmentBuilder(ix, pool_limit(1))
                for note in notes:
                    entry = table.notes[note.path]
                    for doc in documents(note, note_set, entry.aliases):
                        builder.add(doc)
                added = builder.finish()
            commit_with(writer, [*added, *(work.segments if work is not None else [])])
        except BaseException:
            # A failed add or commit leaves Whoosh's writer holding its lock
            # (an flock on a file that the next generation hard-links):
            # release it, or the next run in this process could not write.
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        finally:
            ix.close()
        if work is not None:  # the workers' segment files, hashed by the workers
            known = {**(known or {}), **work.sealed}
        final = store.publish(index_dir, tmp, table, meta, key, known)
        if store.clean(index_dir, keep=final):
            seal.reseal(final, key)
    except Exception as exc:  # the OS's, or Whoosh's own errors (LockError, ...)
        raise write_error(index_dir, exc) from exc


def _count(table: FileTable, stats: IndexStats) -> None:
    stats.notes = len(table.notes)
    stats.sections = sum(e.sections for e in table.notes.values())
    stats.links = sum(e.links for e in table.notes.values())
    stats.tags = len({t for e in table.notes.values() for t in e.tags})
