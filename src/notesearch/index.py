"""Building and updating the index: the only module that writes with Whoosh.

``build_index`` compares the notes on disk with the file table of the live
generation (size and mtime first, a content hash to confirm), parses only
what changed, and commits the change into a new generation (see
:mod:`notesearch.store` for why that is crash-safe).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, store
from . import tags as tagmod
from .discover import NoteFile, discover
from .errors import IndexVersionError, IndexWriteError, NotesearchError, NotesFolderError
from .links import NOTE_SUFFIXES, NoteSet, split_anchor
from .models import Diagnostic, IndexStats, Note
from .read import NotARegularFile, decode, read_note

if TYPE_CHECKING:
    from whoosh.fields import Schema

WarningSink = Callable[[Diagnostic], None]
ProgressSink = Callable[[int, int], None]

# Field weights for BM25F: a word in a heading says more than one in a body.
HEADING_BOOST = 3.0
TITLE_BOOST = 2.0


def make_schema() -> Schema:
    """The Whoosh schema of a section document (versioned by store.SCHEMA_VERSION).

    ``body`` holds the note title and aliases, the heading and the section
    text together, so BM25 sees one document with one length; words without
    a field search it. ``heading`` and ``title`` (with the aliases) are
    indexed again on their own for ``heading:`` and ``title:``.
    """
    # Whoosh and the parser are imported when something is written: a run
    # that finds nothing changed (the common case) needs neither.
    from whoosh import fields
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    from .searcher import make_analyzer

    stem = make_analyzer()
    words = RegexTokenizer(r"[^\W_]+") | LowercaseFilter()
    return fields.Schema(
        id=fields.ID(unique=True),
        note=fields.ID(),  # exact note path: deletes and --path filters
        path=fields.TEXT(analyzer=words, multitoken_query="phrase"),
        title=fields.TEXT(analyzer=stem, field_boost=TITLE_BOOST, multitoken_query="phrase"),
        heading=fields.TEXT(analyzer=stem, field_boost=HEADING_BOOST, multitoken_query="phrase"),
        # No spelling=True: its extra word graph cost 44 % of a build; spelling
        # suggestions come from the stemmed terms instead (searcher.suggest).
        body=fields.TEXT(analyzer=stem, multitoken_query="phrase"),
        tag=fields.KEYWORD(lowercase=True, commas=True),  # tags and their ancestors
        link=fields.KEYWORD(lowercase=True, commas=True),  # link targets
        data=fields.STORED(),  # the Section record, for display and export
    )


def __getattr__(name: str) -> Any:
    if name == "SafeFileStorage":
        return _safe_storage()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _safe_storage() -> Any:
    """The class ``SafeFileStorage`` (made on first use: it subclasses Whoosh's FileStorage)."""
    from whoosh.filedb.filestore import FileStorage

    class SafeFileStorage(FileStorage):  # type: ignore[misc]  # untyped base
        """A FileStorage that never writes through a hard link shared with the live index."""

        def create_file(
            self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any
        ) -> Any:
            path = self._fpath(name)
            if os.path.lexists(path):
                os.unlink(path)
            return super().create_file(name, excl=excl, mode=mode, **kwargs)

    return SafeFileStorage


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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
) -> IndexStats:
    """Index (or update the index of) the notes under ``notes_dir`` into ``index_dir``.

    Only notes whose size or mtime changed are read, and only those whose
    content hash changed are parsed again. The previous index stays live and
    intact until the new one is complete.

    ``max_bytes``, ``extensions`` and ``ignore`` default to what the notes
    folder's ``.notesearch.toml`` (or the user's config file) says.

    ``jobs`` is how many worker processes read, parse and index the notes
    (each writes its own index segment). None picks one per usable CPU (at
    most 4) when at least 200 notes must be read, and works in this process
    otherwise; 1 never starts a worker.

    Raises:
        NotesFolderError: ``notes_dir`` is missing or not a folder.
        IndexWriteError: the index folder cannot be written.
        IndexLockedError: another process holds the index lock.
        IndexVersionError: the index has another schema (use ``rebuild``).
    """
    started = time.perf_counter()
    stats = IndexStats()

    def warn(diag: Diagnostic) -> None:
        stats.warnings.append(diag)
        if on_warning is not None:
            on_warning(diag)

    if not notes_dir.exists():
        raise NotesFolderError(f"notes folder {store.display(notes_dir)} does not exist")
    if not notes_dir.is_dir():
        raise NotesFolderError(f"notes folder {store.display(notes_dir)} is not a folder")
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"index folder {store.display(index_dir)} is not a folder")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexWriteError(
            f"cannot create the index folder {store.display(index_dir)}: {exc.strerror}"
        ) from exc

    if max_bytes is None or extensions is None or ignore is None:
        settings = config.for_notes(notes_dir)
        max_bytes = settings["max_bytes"] if max_bytes is None else max_bytes
        extensions = settings["extensions"] if extensions is None else extensions
        ignore = settings["ignore"] if ignore is None else ignore
    assert max_bytes is not None and extensions is not None and ignore is not None
    discovery = {"extensions": list(extensions), "ignore": list(ignore), "max_bytes": max_bytes}

    with store.locked(index_dir, timeout=lock_timeout):
        live = store.current(index_dir)
        store.clean(index_dir, keep=live)  # leftovers of a crashed or killed run
        live_meta = store.read_meta(live) if live is not None else {}
        old = store.FileTable()
        if live is not None and not rebuild:
            if live_meta.get("schema_version") != store.SCHEMA_VERSION:
                raise IndexVersionError(
                    f"The index at {store.display(index_dir)} was written by another version "
                    "of notesearch. Run `notesearch index --rebuild`."
                )
            old = store.read_table(live)

        found = discover(notes_dir, exclude=[index_dir], suffixes=extensions, ignore=ignore)
        for diag in found.warnings:
            warn(diag)
            stats.skipped += 1

        same_rules = live is not None and live_meta.get("discovery") == discovery
        table = store.FileTable(assets=found.assets)
        note_set = NoteSet((n.path for n in found.notes), found.assets)
        pending: list[tuple[NoteFile, store.NoteEntry | None]] = []
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
                stats.skipped += 1
                continue
            pending.append((note_file, entry))

        base = None if rebuild else live
        workers = _workers(jobs, len(pending))
        parsed: list[Note] = []  # changed notes parsed here (serial), to add below
        work: _Work | None = None
        if workers > 1:
            work = _in_parallel(
                index_dir, base, notes_dir, pending, max_bytes, note_set, workers, on_progress
            )
            results: Iterable[tuple[_Outcome, Note | None]] = ((o, None) for o in work.outcomes)
        else:
            results = (_examine(notes_dir, nf, entry, max_bytes) for nf, entry in pending)
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

        table_changed = table.to_json() != old.to_json() or not same_rules
        if live is None or rebuild or changed or removed or table_changed:
            meta = {
                "notes_root": str(notes_dir.resolve()),
                "written": time.time(),
                "discovery": discovery,
            }
            drop = [*removed, *(nf.path for nf, _ in changed)] if base is not None else []
            _write(index_dir, base, table, parsed, drop, note_set, meta, work)
            stats.written = True
        elif work is not None:  # workers ran, but nothing changed (new notes unreadable)
            store.clean(index_dir, keep=live)

        _count(table, stats)
        stats.seconds = time.perf_counter() - started
        return stats


@dataclass(slots=True)
class _Outcome:
    """What became of one note that had to be read.

    ``kind`` is ``"changed"`` (parsed anew), ``"touched"`` (same content),
    ``"content"`` (skipped until the file changes) or ``"access"`` (skipped,
    tried again next time); ``entry`` is None for the last two.
    """

    kind: str
    diagnostics: list[Diagnostic]
    entry: store.NoteEntry | None = None
    hashed: str = ""


def _examine(
    root: Path, note_file: NoteFile, old: store.NoteEntry | None, max_bytes: int
) -> tuple[_Outcome, Note | None]:
    """Read one note and, if its content changed, parse it."""
    diags: list[Diagnostic] = []
    loaded = _load(root, note_file, max_bytes, diags.append)
    if isinstance(loaded, str):
        return _Outcome(loaded, diags), None
    data, text, read_diags = loaded
    diags += read_diags
    hashed = digest(data)
    if old is not None and old.digest == hashed:  # touched, not changed
        touched = replace(old, size=note_file.size, mtime_ns=note_file.mtime_ns)
        return _Outcome("touched", diags, touched, hashed), None
    from .parse import parse_note

    try:
        note, parse_diags = parse_note(note_file.path, text)
    except Exception as exc:  # a parser bug must not stop the other notes
        diags.append(
            Diagnostic(
                f"could not be parsed ({type(exc).__name__}: {exc}); skipped", note_file.path
            )
        )
        return _Outcome("content", diags), None
    diags += parse_diags
    return _Outcome("changed", diags, _entry(note_file, hashed, note), hashed), note


def _load(
    root: Path, note_file: NoteFile, max_bytes: int, warn: WarningSink
) -> tuple[bytes, str, list[Diagnostic]] | str:
    """Read and decode one note, or say why it is skipped (with a warning).

    The reason is ``"content"`` when the file itself is the problem (too
    large, binary, undecodable: remembered until the file changes) and
    ``"access"`` when reading it failed (tried again on the next run).
    """
    if note_file.size > max_bytes:
        warn(Diagnostic(f"larger than the {max_bytes} byte limit; skipped", note_file.path))
        return "content"
    try:
        data = read_note(str(root), note_file.path, max_bytes)
    except NotARegularFile as exc:
        warn(Diagnostic(f"{exc}; skipped", note_file.path))
        return "access"
    except OSError as exc:
        warn(Diagnostic(f"cannot be read ({exc.strerror or exc}); skipped", note_file.path))
        return "access"
    if len(data) > max_bytes:
        warn(Diagnostic(f"larger than the {max_bytes} byte limit; skipped", note_file.path))
        return "content"
    try:
        decoded = decode(data)
    except NotesearchError as exc:
        warn(Diagnostic(f"{exc}; skipped", note_file.path))
        return "content"
    diags = [Diagnostic(decoded.warning, note_file.path)] if decoded.warning else []
    return data, decoded.text, diags


def _entry(note_file: NoteFile, hashed: str, note: Note) -> store.NoteEntry:
    all_tags = tagmod.unique(t for s in note.sections for t in s.tags)
    return store.NoteEntry(
        size=note_file.size,
        mtime_ns=note_file.mtime_ns,
        digest=hashed,
        title=note.title,
        aliases=list(note.aliases),
        tags=list(all_tags),
        note_tags=list(note.tags),
        anchors=list(note.anchors),
        sections=len(note.sections),
        links=sum(len(s.links) for s in note.sections),
    )


def _count(table: store.FileTable, stats: IndexStats) -> None:
    stats.notes = len(table.notes)
    stats.sections = sum(e.sections for e in table.notes.values())
    stats.links = sum(e.links for e in table.notes.values())
    stats.tags = len({t for e in table.notes.values() for t in e.tags})


def _documents(note: Note, note_set: NoteSet, aliases: Iterable[str]) -> Iterable[dict[str, Any]]:
    title_text = " ".join([note.title, *aliases])
    for ordinal, section in enumerate(note.sections):
        targets: list[str] = []
        for link in section.links:
            targets.append(link.raw)
            if link.kind == "external":
                continue
            # A wiki link's note depends on which notes exist, so it is
            # indexed by the name as written (plus ".md"), which stays true
            # when the target note is created later.
            path = link.path or split_anchor(link.raw.split("|", 1)[0])[0].split("^", 1)[0]
            if path:
                name = path.rsplit("/", 1)[-1]
                stem = name.rsplit(".", 1)[0] if name.lower().endswith(NOTE_SUFFIXES) else name
                targets += [path, name, stem, stem + ".md"]
                resolved = note_set.resolve(link, note.path).path
                if resolved:
                    targets.append(resolved)
        yield {
            "id": f"{note.path}\x00{ordinal}",
            "note": note.path,
            "path": note.path,
            "title": title_text,
            "heading": section.heading,
            "body": f"{title_text}\n{section.heading}\n{section.text}",
            "tag": ",".join(tagmod.expand(section.tags)),
            "link": ",".join(t.replace(",", " ") for t in targets),
            "data": _stored(section),
        }


def _stored(section: Any) -> dict[str, Any]:
    record: dict[str, Any] = section.to_dict()
    for link in record["links"]:
        del link["exists"]  # worked out when read, against the notes present then
    return record


def _generation(index_dir: Path, base: Path | None) -> tuple[Path, Any]:
    """A new unfinished generation (a copy of ``base``, or empty) and its Whoosh index."""
    tmp = store.start_generation(index_dir, base)
    storage = _safe_storage()(str(tmp))
    return tmp, storage.create_index(make_schema()) if base is None else storage.open_index()


def _write(
    index_dir: Path,
    base: Path | None,
    table: store.FileTable,
    notes: list[Note],
    drop: list[str],
    note_set: NoteSet,
    meta: dict[str, Any],
    work: _Work | None = None,
) -> None:
    """Commit the changes into a new generation and switch CURRENT to it.

    ``drop`` names the notes whose old sections go; ``notes`` are added here;
    ``work`` holds what worker processes already wrote into the generation.
    """
    try:
        tmp, ix = (work.tmp, work.ix) if work is not None else _generation(index_dir, base)
        # Plain segment files, not one compound file: Whoosh reads a compound
        # file's parts by copying them into memory at every open (about 0.1 s
        # per query at 10,000 notes); plain files are memory-mapped.
        writer = ix.writer(limitmb=128, compound=False)
        try:
            for path in drop:
                writer.delete_by_term("note", path)
            for note in notes:
                entry = table.notes[note.path]
                for doc in _documents(note, note_set, entry.aliases):
                    writer.add_document(**doc)
            if work is None:
                writer.commit(optimize=base is None)
            else:
                _commit_with(writer, work.segments)
        except BaseException:
            # A failed add or commit leaves Whoosh's writer holding its lock
            # (an flock on a file that the next generation hard-links):
            # release it, or the next run in this process could not write.
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        finally:
            ix.close()
        final = store.publish(index_dir, tmp, table, meta)
        store.clean(index_dir, keep=final)
    except OSError as exc:
        raise _write_error(index_dir, exc.strerror or str(exc)) from exc
    except Exception as exc:  # Whoosh's own errors (LockError, ...)
        raise _write_error(index_dir, f"{type(exc).__name__}: {exc}") from exc


def _write_error(index_dir: Path, reason: str) -> IndexWriteError:
    return IndexWriteError(
        f"cannot write the index at {store.display(index_dir)}: {reason}",
        hint="The previous index is unchanged.",
    )


def _commit_with(writer: Any, segments: list[Any]) -> None:
    """Commit ``writer`` together with segments that worker processes wrote.

    What Whoosh's own multi-process writer does with ``multisegment=True``
    (whoosh3 3.54.0, pinned): the workers' segments join the table of
    contents as they are, next to whatever this writer merged or added.
    """
    try:
        final = writer._merge_segments(None, None, None)
        final += segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except Exception:
        writer._cleanup_on_error()
        raise
    writer._finish()


# Worker processes: below this many notes to read, starting them costs more
# than it saves (each imports Whoosh and markdown-it: about 0.3 s).
PARALLEL_MIN = 200
MAX_WORKERS = 4


def _workers(jobs: int | None, pending: int) -> int:
    if jobs is None:
        if pending < PARALLEL_MIN:
            return 1
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
        jobs = min(cpus, MAX_WORKERS)
    return max(1, min(jobs, pending))


@dataclass(slots=True)
class _Work:
    """What worker processes wrote into an unfinished generation."""

    tmp: Path
    ix: Any
    outcomes: list[_Outcome]
    segments: list[Any]


def _in_parallel(
    index_dir: Path,
    base: Path | None,
    notes_dir: Path,
    pending: list[tuple[NoteFile, store.NoteEntry | None]],
    max_bytes: int,
    note_set: NoteSet,
    workers: int,
    on_progress: ProgressSink | None,
) -> _Work:
    """Read, parse and index ``pending`` in worker processes, one segment each.

    Each worker takes every n-th note, writes its sections into its own
    segment of a new generation (Whoosh segments are independent files), and
    sends back what it found about each note; the caller commits the
    segments together. Outcomes come back in ``pending`` order. If anything
    fails (a worker dies, Ctrl-C), the workers are stopped and the unfinished
    generation removed; the live index is never touched.
    """
    import multiprocessing
    import queue as queues

    try:
        tmp, ix = _generation(index_dir, base)
    except OSError as exc:
        raise _write_error(index_dir, exc.strerror or str(exc)) from exc
    except Exception as exc:  # Whoosh's own errors
        raise _write_error(index_dir, f"{type(exc).__name__}: {exc}") from exc
    # "spawn": a fresh interpreter per worker, safe whatever threads this
    # process runs (a progress bar, a watch); fork is not.
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    results = context.Queue()
    procs = [
        context.Process(
            target=_worker,
            args=(k, str(tmp), str(notes_dir), pending[k::workers], max_bytes, note_set),
            kwargs={"counter": counter, "results": results, "parent": os.getpid()},
            daemon=True,
        )
        for k in range(workers)
    ]
    answers: dict[int, tuple[list[_Outcome], Any]] = {}
    try:
        with _children_ignore_ctrl_c():
            for proc in procs:
                proc.start()
        while len(answers) < workers:
            if on_progress is not None:
                on_progress(counter.value, len(pending))
            try:
                k, failure, outcomes, segment = results.get(timeout=0.2)
            except queues.Empty:
                dead = [p for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    raise IndexWriteError(  # killed (out of memory?) before it could say why
                        f"cannot write the index at {store.display(index_dir)}: "
                        f"a worker process ended with exit code {dead[0].exitcode}",
                        hint="The previous index is unchanged.",
                    ) from None
                continue
            if failure:
                raise _write_error(index_dir, failure)
            answers[k] = (outcomes, segment)
        for proc in procs:
            proc.join()
    except BaseException:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            with contextlib.suppress(AssertionError):  # never started
                proc.join()
        with contextlib.suppress(Exception):
            ix.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        results.close()
    ordered: list[_Outcome] = [None] * len(pending)  # type: ignore[list-item]
    for k, (outcomes, _) in answers.items():
        ordered[k::workers] = outcomes
    segments = [segment for _, segment in answers.values() if segment is not None]
    return _Work(tmp=tmp, ix=ix, outcomes=ordered, segments=segments)


@contextlib.contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Start processes that ignore Ctrl-C, without losing a Ctrl-C meant for this one.

    A worker interrupted while it starts would print a traceback; Ctrl-C is
    the parent's to handle (it stops the workers). An ignored signal stays
    ignored in a child, and on Linux a blocked signal stays pending even
    while ignored, so a Ctrl-C in between is delivered once this ends.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _worker(
    k: int,
    tmp: str,
    root: str,
    share: list[tuple[NoteFile, store.NoteEntry | None]],
    max_bytes: int,
    note_set: NoteSet,
    *,
    counter: Any,
    results: Any,
    parent: int,
) -> None:
    """A worker process: read, parse and index ``share`` into a segment of its own.

    Puts (k, failure, outcomes, segment) on ``results``: failure is "" when
    all went well, else the one-line reason (outcomes and segment None).
    """
    try:
        from whoosh.writing import SegmentWriter

        ix = _safe_storage()(tmp).open_index()
        try:
            # No Whoosh lock: the parent holds the index lock, and each worker
            # writes only its own, randomly named segment files.
            writer = SegmentWriter(ix, _lk=False, limitmb=128, compound=False)
            outcomes = []
            for note_file, old in share:
                if os.getppid() != parent:  # the parent was killed: stop, write nothing
                    os._exit(1)
                outcome, note = _examine(Path(root), note_file, old, max_bytes)
                if note is not None:
                    for doc in _documents(note, note_set, note.aliases):
                        writer.add_document(**doc)
                outcomes.append(outcome)
                with counter.get_lock():
                    counter.value += 1
            segment = writer._finalize_segment() if writer._added else None
            if segment is None:
                writer._close_segment()
        finally:
            ix.close()
    except OSError as exc:
        results.put((k, exc.strerror or str(exc), None, None))
    except Exception as exc:
        results.put((k, f"{type(exc).__name__}: {exc}", None, None))
    else:
        results.put((k, "", outcomes, segment))
