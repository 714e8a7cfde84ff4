"""Building and updating the index: the only module that writes with Whoosh.

``build_index`` compares the notes on disk with the file table of the live
generation (size and mtime first, a content hash to confirm), parses only
what changed, and commits the change into a new generation (see
:mod:`notesearch.store` for why that is crash-safe).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from whoosh import fields
from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.filedb.filestore import FileStorage

from . import config, store
from . import tags as tagmod
from .discover import NoteFile, discover
from .errors import IndexVersionError, IndexWriteError, NotesearchError, NotesFolderError
from .links import NOTE_SUFFIXES, NoteSet, split_anchor
from .models import Diagnostic, IndexStats, Note
from .parse import parse_note
from .read import NotARegularFile, decode, read_note

WarningSink = Callable[[Diagnostic], None]
ProgressSink = Callable[[int, int], None]

# Field weights for BM25F: a word in a heading says more than one in a body.
HEADING_BOOST = 3.0
TITLE_BOOST = 2.0
# Whoosh's English stop words plus the question words people type in natural
# queries ("where are pasted images saved"): measured with bench/relevance.py.
STOP = frozenset(STOP_WORDS) | {
    "where", "what", "how", "why", "which", "who", "do", "does", "did",
    "i", "my", "me", "there", "so", "about", "should", "would", "could",
}  # fmt: skip


def make_analyzer() -> Any:
    """Tokens for text fields: words, lowercased, stop words dropped, Porter-stemmed."""
    return StemmingAnalyzer(stoplist=STOP)


def make_schema() -> fields.Schema:
    """The Whoosh schema of a section document (versioned by store.SCHEMA_VERSION).

    ``body`` holds the note title, the heading and the section text together,
    so BM25 sees one document with one length; ``heading`` and ``title`` are
    indexed again on their own so that matches there weigh more.
    """
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


class SafeFileStorage(FileStorage):  # type: ignore[misc]  # untyped base
    """A FileStorage that never writes through a hard link shared with the live index."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        path = self._fpath(name)
        if os.path.lexists(path):
            os.unlink(path)
        return super().create_file(name, excl=excl, mode=mode, **kwargs)


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
) -> IndexStats:
    """Index (or update the index of) the notes under ``notes_dir`` into ``index_dir``.

    Only notes whose size or mtime changed are read, and only those whose
    content hash changed are parsed again. The previous index stays live and
    intact until the new one is complete.

    ``max_bytes``, ``extensions`` and ``ignore`` default to what the notes
    folder's ``.notesearch.toml`` (or the user's config file) says.

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
        changed: list[tuple[NoteFile, Note, str]] = []
        for position, note_file in enumerate(found.notes):
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
            loaded = _load(notes_dir, note_file, max_bytes, warn)
            if isinstance(loaded, str):
                if loaded == "content":  # an I/O failure is tried again next time
                    table.skipped[note_file.path] = signature
                stats.skipped += 1
                continue
            data, text, diags = loaded
            hashed = digest(data)
            if entry is not None and entry.digest == hashed:  # touched, not changed
                table.notes[note_file.path] = replace(
                    entry, size=note_file.size, mtime_ns=note_file.mtime_ns
                )
                continue
            try:
                note, parse_diags = parse_note(note_file.path, text)
            except Exception as exc:  # a parser bug must not stop the other notes
                warn(
                    Diagnostic(
                        f"could not be parsed ({type(exc).__name__}: {exc}); skipped",
                        note_file.path,
                    )
                )
                table.skipped[note_file.path] = signature
                stats.skipped += 1
                continue
            for diag in [*diags, *parse_diags]:
                warn(diag)
            table.notes[note_file.path] = _entry(note_file, hashed, note)
            changed.append((note_file, note, hashed))
            if on_progress is not None:
                on_progress(position + 1, len(found.notes))

        removed = [path for path in old.notes if path not in table.notes]
        # A new path whose content is that of a removed path is a rename.
        gone = {old.notes[p].digest for p in removed}
        for note_file, _, hashed in changed:
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
            _write(index_dir, None if rebuild else live, table, changed, removed, note_set, meta)
            stats.written = True

        _count(table, stats)
        stats.seconds = time.perf_counter() - started
        return stats


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
            "body": f"{note.title}\n{section.heading}\n{section.text}",
            "tag": ",".join(tagmod.expand(section.tags)),
            "link": ",".join(t.replace(",", " ") for t in targets),
            "data": _stored(section),
        }


def _stored(section: Any) -> dict[str, Any]:
    record: dict[str, Any] = section.to_dict()
    for link in record["links"]:
        del link["exists"]  # worked out when read, against the notes present then
    return record


def _write(
    index_dir: Path,
    base: Path | None,
    table: store.FileTable,
    changed: list[tuple[NoteFile, Note, str]],
    removed: list[str],
    note_set: NoteSet,
    meta: dict[str, Any],
) -> None:
    """Commit the changes into a new generation and switch CURRENT to it."""
    try:
        tmp = store.start_generation(index_dir, base)
        storage = SafeFileStorage(str(tmp))
        ix = storage.create_index(make_schema()) if base is None else storage.open_index()
        # Plain segment files, not one compound file: Whoosh reads a compound
        # file's parts by copying them into memory at every open (about 0.1 s
        # per query at 10,000 notes); plain files are memory-mapped.
        writer = ix.writer(limitmb=128, compound=False)
        try:
            if base is not None:
                for path in [*removed, *(nf.path for nf, _, _ in changed)]:
                    writer.delete_by_term("note", path)
            for _, note, _ in changed:
                entry = table.notes[note.path]
                for doc in _documents(note, note_set, entry.aliases):
                    writer.add_document(**doc)
            writer.commit(optimize=base is None)
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
        raise IndexWriteError(
            f"cannot write the index at {store.display(index_dir)}: {exc.strerror or exc}",
            hint="The previous index is unchanged.",
        ) from exc
    except Exception as exc:  # Whoosh's own errors (LockError, ...)
        raise IndexWriteError(
            f"cannot write the index at {store.display(index_dir)}: {type(exc).__name__}: {exc}",
            hint="The previous index is unchanged.",
        ) from exc
