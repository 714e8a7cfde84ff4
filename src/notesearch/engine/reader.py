"""An open, read-only view of one index generation: :class:`Index` and :func:`open_index`."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from whoosh import scoring

from ..errors import IndexDamagedError, NotesearchError
from ..models import Link, Section
from ..notes import tags as tagmod
from ..notes.links import NoteSet
from ..paths import display
from . import fresh, seal, statfile, store, tables
from .kept import Kept
from .notelines import NoteLines
from .schema import SEARCH_FIELDS

_RECORDS = 2048  # stored records kept while open (a record is about 1-5 KB)
_OPEN_TRIES = 5  # times a reader starts over when a writer switches generations under it


def _json(path: Path) -> Any:
    """A JSON file of a generation; OSError when it is gone (the caller starts over)."""
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path.name} is damaged: {exc}") from None


class Index:
    """An open, read-only view of one index generation.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        index_dir: Path,
        notes_dir: Path | None = None,
        key: bytes | None = None,
        *,
        checked: Path | None = None,
    ) -> None:
        """``checked``: a generation whose seal the caller has just verified (``doctor``)."""
        self.index_dir = Path(index_dir)
        self.notes_dir = Path(notes_dir) if notes_dir is not None else None
        key = seal.load_key() if key is None else key
        # One generation is opened as a unit: its seal, Whoosh's files, the
        # meta, stat and file tables, everything looked up by name. A writer
        # removes a generation only after the next switch (store.clean), but
        # a reader may still lose the race (a slow open, two quick updates):
        # when any part vanishes while opening, it starts over on the
        # current pointer. Once open, nothing is read by name again (open
        # files stay readable after their folder is removed).
        for attempt in range(_OPEN_TRIES):
            seen = store.current(self.index_dir)
            try:
                self._open(key, checked)
                break
            except Exception as exc:  # a damaged index raises anything at all
                self._close_partial()
                moved = store.current(self.index_dir) != seen
                if moved and attempt < _OPEN_TRIES - 1:
                    continue  # a writer switched generations meanwhile: look again
                if isinstance(exc, NotesearchError):  # missing, another version, untrusted
                    raise
                raise IndexDamagedError(
                    f"the index at {display(self.index_dir)} is damaged: it cannot be opened "
                    f"({type(exc).__name__}: {exc})",
                    hint="Run `notesearch doctor`.",
                ) from exc
        self._note_set: NoteSet | None = None
        self._known_tags: set[str] | None = None
        self._sections: list[Section] | None = None
        # The notes read for snippets and previews, kept while the index is open.
        self.lines = NoteLines(str(self.notes_dir)) if self.notes_dir is not None else None
        # Stored records read for ranking, kept while the index is open (a search
        # as the user types ranks mostly the same candidates again).
        self._records: Kept[int, dict[str, Any]] = Kept(_RECORDS)

    def _open(self, key: bytes, checked: Path | None) -> None:
        """Open the live generation, all of it (see ``__init__``)."""
        from whoosh.filedb.filestore import FileStorage

        self._ix: Any = None
        self._searcher: Any = None
        self._table_file: BinaryIO | None = None
        # The seal is checked before Whoosh opens (and unpickles) anything.
        self.generation = store.require(self.index_dir, key, checked)
        self._ix = FileStorage(str(self.generation), readonly=True).open_index()
        self.schema = self._ix.schema
        self._searcher = self._ix.searcher(weighting=scoring.BM25F())
        self._preopen()
        self.meta = _json(self.generation / tables.META)
        # The stat table now; the whole file table (titles, tags, anchors)
        # when something asks for it, from a file opened now.
        self._table: tables.FileTable | None = None
        self._table_file = open(self.generation / tables.TABLE, "rb")  # noqa: SIM115
        try:
            self.stat = statfile.unpack((self.generation / tables.STAT).read_bytes())
        except FileNotFoundError:  # a generation sealed without one: the file table's
            self.stat = tables.StatTable.of(self.table)

    def _close_partial(self) -> None:
        for part in (getattr(self, "_searcher", None), getattr(self, "_ix", None)):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()
        if getattr(self, "_table_file", None) is not None:
            with contextlib.suppress(OSError):
                self._table_file.close()  # type: ignore[union-attr]
        self._searcher = self._ix = self._table_file = None

    def _preopen(self) -> None:
        """Open every segment's column files now (Whoosh opens them on first use).

        Segments are plain files (see index.py), opened lazily by name; a
        writer may remove this generation's folder while this Index is in
        use, and files already open (memory-mapped) stay readable.
        """
        scored = [name for name in (*SEARCH_FIELDS, "path") if name in self.schema]
        for leaf, _ in self._searcher.reader().leaf_readers():
            if leaf.doc_count_all():
                leaf.stored_fields(0)
                for name in scored:
                    leaf.doc_field_length(0, name)

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()
        if self._table_file is not None:
            self._table_file.close()
            self._table_file = None

    @property
    def table(self) -> tables.FileTable:
        """Every indexed note with its title, tags and anchors (read on first use)."""
        if self._table is None:
            if self._table_file is None:
                self._table = tables.FileTable()
            else:
                self._table = tables.parse_table(self._table_file.read())
                self._table_file.close()
                self._table_file = None
        return self._table

    @property
    def note_set(self) -> NoteSet:
        if self._note_set is None:
            self._note_set = NoteSet(self.stat.notes, self.stat.assets)
        return self._note_set

    def known_tags(self) -> set[str]:
        """Every tag used, with its ancestors (worked out once)."""
        if self._known_tags is None:
            notes = self.table.notes.values()
            self._known_tags = {t for entry in notes for t in tagmod.expand(entry.tags)}
        return self._known_tags

    def section(self, stored: dict[str, Any]) -> Section:
        """Rebuild a Section from its stored record, resolving its links now."""
        path = stored["path"]
        links = tuple(
            self.note_set.resolve(Link(**{**link, "exists": False}), path)
            for link in stored["links"]
        )
        return Section(
            path=path,
            title=stored["title"],
            heading=stored["heading"],
            level=stored["level"],
            breadcrumb=tuple(stored["breadcrumb"]),
            anchor=stored["anchor"],
            line=stored["line"],
            end_line=stored["end_line"],
            tags=tuple(stored["tags"]),
            links=links,
            text=stored["text"],
        )

    def record(self, docnum: int) -> dict[str, Any]:
        """The stored record of section ``docnum`` (shared: do not change it)."""
        kept = self._records.get(docnum)
        if kept is not None:
            return kept
        data: dict[str, Any] = self._searcher.stored_fields(docnum)["data"]
        self._records.put(docnum, data)
        return data

    def sections(self) -> list[Section]:
        """Every indexed section, by note path and then line (read once, then kept)."""
        if self._sections is None:
            records = [fields["data"] for fields in self._searcher.all_stored_fields()]
            records.sort(key=lambda r: (r["path"], r["line"]))
            self._sections = [self.section(record) for record in records]
        return self._sections

    def docnums(self, keys: set[tuple[str, int]]) -> set[int]:
        """Whoosh document numbers of the sections named by (note path, line)."""
        return {
            docnum
            for docnum, fields in self._searcher.reader().iter_docs()
            if (fields["data"]["path"], fields["data"]["line"]) in keys
        }

    def changes(self, notes_dir: Path) -> tuple[int, int, int]:
        """(changed, new, removed) notes on disk since this index was written (stat only:
        see :mod:`.fresh`)."""
        return fresh.changes(notes_dir, self.index_dir, self.stat, self.meta)


def open_index(
    index_dir: Path | str, notes_dir: Path | str | None = None, key: bytes | None = None
) -> Index:
    """Open the index in ``index_dir`` for reading.

    ``key`` is the user's secret key that the index must be sealed with
    (None: the one at :func:`~notesearch.settings.key_file`, made on first use).

    Raises:
        IndexMissingError: there is no index there yet.
        IndexUntrustedError: this user's notesearch did not write it.
        IndexVersionError: the index was written by another schema version.
    """
    return Index(Path(index_dir), Path(notes_dir) if notes_dir is not None else None, key)
