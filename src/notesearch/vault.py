"""The use cases: what a user does with a folder of notes and its index.

Every front end (the command line, the watch's query server, Python users)
calls a :class:`Vault` method and gets data back: no printing, no exit
codes, no reading of the user's config file or environment (the caller
passes :class:`~notesearch.settings.Settings`). Heavy modules (Whoosh, the
parser) are imported by the methods that need them.

    vault = Vault(Path("notes"), Path("index"))
    vault.refresh()
    outcome = vault.query(QueryRequest("spot training", tags=("gotcha",)))
    for hit in outcome.result.hits:
        print(hit.section.path, hit.section.line, hit.snippet.text)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import NotARegularFile, NothingFoundError, UnreadableNoteError
from .models import (
    Diagnostic,
    IndexStats,
    Pick,
    QueryOutcome,
    QueryRequest,
    SearchResult,
    Section,
    Shown,
    Staleness,
)
from .records import replace
from .settings import Settings, for_notes

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from .engine.reader import Index
    from .listings import LinkRef, TagCount, TagNode

    T = TypeVar("T")

WarningSink = Callable[[Diagnostic], None]
ProgressSink = Callable[[int, int], None]


class Vault:
    """A notes folder and its index.

    ``settings`` supply the discovery rules (extensions, ignore, max_bytes);
    None reads the notes folder's own ``.notesearch.toml`` (never the
    user's config file) when they are first needed. ``key`` is the user's
    secret key that seals the index (None: the file ``settings.key_file``
    names, else the default place; see :mod:`notesearch.engine.seal`).
    """

    def __init__(
        self,
        notes_dir: Path,
        index_dir: Path,
        settings: Settings | None = None,
        *,
        key: bytes | None = None,
    ) -> None:
        self.notes_dir = Path(notes_dir)
        self.index_dir = Path(index_dir)
        self._settings = settings
        self._key = key

    @property
    def key(self) -> bytes:
        """The user's secret key (read, or made, on first use)."""
        if self._key is None:
            from .engine.seal import load_key

            self._key = load_key(self._settings.key_file if self._settings else None)
        return self._key

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = for_notes(self.notes_dir)
        return self._settings

    def refresh(
        self,
        *,
        rebuild: bool = False,
        on_warning: WarningSink | None = None,
        on_progress: ProgressSink | None = None,
        jobs: int | None = None,
        lock_timeout: float = 10.0,
    ) -> IndexStats:
        """Build or update the index (see :func:`~notesearch.engine.build.build_index`)."""
        from .engine.build import build_index

        return build_index(
            self.notes_dir,
            self.index_dir,
            rebuild=rebuild,
            on_warning=on_warning,
            on_progress=on_progress,
            lock_timeout=lock_timeout,
            jobs=jobs,
            key=self.key,
            **self._rules(),
        )

    def unchanged(self, *, lock_timeout: float = 10.0) -> IndexStats | None:
        """The stats of a :meth:`refresh` that would change nothing, by a stat of each
        folder and note (no generation written); None when it might. Raises as it does."""
        from .engine.unchanged import without_update

        index, rules = self.index_dir, self._rules()
        return without_update(self.notes_dir, index, self.key, lock_timeout=lock_timeout, **rules)

    def _rules(self) -> dict[str, Any]:
        settings = self.settings
        return {key: settings[key] for key in ("extensions", "ignore", "max_bytes")}

    def require_notes(self) -> None:
        """Raise NotesFolderError unless the notes folder is a folder."""
        from .notes.folders import require_folder

        require_folder(self.notes_dir)

    def open(self) -> Index:
        """The index, open for reading (a context manager).

        Raises:
            IndexMissingError: there is no index yet.
            IndexVersionError: it was written by another schema version.
        """
        from .engine.reader import open_index

        return open_index(self.index_dir, self.notes_dir, self.key)

    def staleness(self, index: Index) -> Staleness:
        """How many notes changed since ``index`` was written (none when the folder is gone)."""
        if not self.notes_dir.is_dir():
            return Staleness(0, 0, 0)
        return Staleness(*index.changes(self.notes_dir))

    def doctor(self) -> tuple[list[str], list[str]]:
        """Check the index: (facts, problems). No problem means it is sound."""
        from .engine.doctor import check_index

        return check_index(self.index_dir, self.key)

    def watch(self, **options: object) -> None:
        """Keep the index fresh until stopped (see :func:`notesearch.watch.watch`)."""
        from .watch import watch

        watch(self.notes_dir, self.index_dir, **options, key=self.key, **self._rules())  # type: ignore[arg-type]

    def query(
        self, request: QueryRequest, *, index: Index | None = None, spell: bool = True
    ) -> QueryOutcome:
        """Search: the ranked sections and what to tell the user about them.

        ``index`` is an index the caller keeps open and fresh (a watch's query
        server): then neither ``refresh`` nor the staleness check runs. ``spell``
        False skips the spelling suggestion (``find`` asks for it once typing pauses).

        Raises:
            QuerySyntaxError: the query (or a tag) cannot be parsed.
            NoteNotFoundError, AmbiguousNoteError: a link filter's note.
        """
        warnings: list[str] = []
        if request.refresh and index is None:
            stats = self.refresh()
            warnings += [str(diag) for diag in stats.warnings]
        if index is not None:
            self.require_notes()
            return self._query(index, request, warnings, spell)
        with self.open() as idx:
            self.require_notes()  # after the index: "no index" is the first thing to say
            if not request.refresh:
                stale = self.staleness(idx)
                if stale:
                    warnings.append(f"{stale.describe()}; run `notesearch index` or pass --refresh")
            return self._query(idx, request, warnings)

    def _query(
        self, idx: Index, request: QueryRequest, warnings: list[str], spell: bool = True
    ) -> QueryOutcome:
        from .engine.search import search
        from .engine.spelling import suggest

        links_to, linked_from = request.links_to, request.linked_from
        sections = None
        if links_to is not None or linked_from is not None:  # the link graph only then
            from .graph.links import link_filter

            sections = link_filter(idx, self.notes_dir, links_to, linked_from, request.cwd)

        def run(text: str) -> SearchResult:
            return search(
                idx,
                text,
                tags=request.tags,
                any_tags=request.any_tags,
                exclude_tags=request.exclude_tags,
                path=request.path,
                limit=request.limit,
                per_note=request.per_note,
                sections=sections,
                fold=request.fold,
                explain=request.explain,
            )

        result = run(request.text)
        warnings += [str(diag) for diag in result.warnings]
        suggestion = corrected = None
        # A word the index does not know gets a suggestion even when the
        # other words matched (it would be dropped silently otherwise).
        fix = suggest(idx, request.text) if spell else None
        if fix is not None and request.correct:
            found = "no results" if not result.hits else "unknown words"
            warnings.append(f"{found} in {fix.query!r}; showing results for {fix.corrected!r}")
            result = run(fix.corrected)
            corrected = fix
        else:
            suggestion = fix
        return QueryOutcome(result, tuple(warnings), suggestion, corrected)

    def pick(self, request: QueryRequest, number: int) -> Pick:
        """The ``number``-th result (1-based, as ``query`` numbers them), to open in an editor.

        Raises:
            NothingFoundError: nothing matched, or fewer than ``number`` results.
            UnreadableNoteError: the note's file is gone.
        """
        self.require_notes()
        # The same ranking as `query`'s default page.
        request = replace(request, limit=max(number, request.limit or 10))
        with self.open() as idx:
            stale = self.staleness(idx)
            warnings = [f"{stale.describe()}; run `notesearch index`"] if stale else []
            outcome = self._query(idx, request, warnings)
        hits = outcome.result.hits
        warnings = list(outcome.warnings)
        text = request.text
        if not hits:
            raise NothingFoundError(f"nothing matched {text!r}", warnings=warnings)
        if number > len(hits):
            count = len(hits)
            raise NothingFoundError(
                f"--pick {number}: only {count} result{'s' if count > 1 else ''} matched {text!r}",
                warnings=warnings,
            )
        hit = hits[number - 1]
        file = os.path.abspath(self.notes_dir / hit.section.path)
        from .notes.read import check_for_editor

        check_for_editor(str(self.notes_dir), hit.section.path)  # never a FIFO or a link out
        line = hit.snippet.line or hit.section.line
        column = hit.snippet.column if hit.snippet.line else None
        return Pick(hit, file, line, column, tuple(warnings), outcome.suggestion)

    def find_note(self, spec: str, *, cwd: str | None = None) -> str:
        """The path of the note a user named (path, file name, title or alias)."""
        from .graph.lookup import find_note

        with self.open() as idx:
            return find_note(idx, spec, self.notes_dir, cwd=cwd)

    def note_paths(self) -> list[str]:
        """Every indexed note's path, sorted."""
        return self._reading(lambda idx: sorted(idx.table.notes))

    def export(self) -> list[Section]:
        """Every indexed section, by note path and then line."""
        return self._reading(lambda idx: idx.sections())

    def show(self, target: str, line: int | None = None) -> Shown:
        """A note (``NOTE``), one section (``NOTE#anchor``, or the one holding ``line``).

        Raises:
            NoteNotFoundError, AmbiguousNoteError, AnchorNotFoundError: nothing to show.
            UnreadableNoteError: the note's file cannot be read.
        """
        from .graph.links import anchor_exists
        from .graph.lookup import anchor_line, extent, find_note, find_section
        from .notes.read import read_lines

        self.require_notes()
        spec, _, anchor = target.partition("#")
        with self.open() as idx:
            path = find_note(idx, spec or target, self.notes_dir)
            entry = idx.table.notes[path]
            try:
                stat = os.stat(self.notes_dir / path)
                lines = read_lines(str(self.notes_dir), path)
            except (OSError, NotARegularFile) as exc:
                reason = getattr(exc, "strerror", None) or exc
                raise UnreadableNoteError(f"cannot read {path}: {reason}") from exc
            if anchor and line is None and anchor_exists(idx, path, anchor):
                # An HTML anchor or block id (`links --broken` accepts) of no heading.
                line = anchor_line(lines, anchor)
                anchor = "" if line is not None else anchor
            sections = find_section(idx, path, anchor or None, line)
            first, last = extent(idx, sections)
        warnings = []
        if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
            warnings.append(f"{path} changed since it was indexed; run `notesearch index`")
        whole = not anchor and line is None
        text = "\n".join(lines if whole else lines[first - 1 : last])
        return Shown(path, tuple(sections), text, tuple(warnings))

    def tag_counts(self, sort: str = "name") -> list[TagCount]:
        """Every tag with its note and section counts."""
        from .graph import tags

        return self._reading(lambda idx: tags.tag_counts(idx, sort))

    def tag_tree(self, sort: str = "name") -> list[TagNode]:
        """The nested tags, depth first."""
        from .graph import tags

        return self._reading(lambda idx: tags.tag_tree(idx, sort))

    def links(self, note: str, *, backlinks: bool = False) -> tuple[str, list[LinkRef]]:
        """(the note's path, its outgoing links or its backlinks)."""
        from .graph import links, lookup

        with self.open() as idx:
            path = lookup.find_note(idx, note, self.notes_dir)
            refs = links.incoming_links(idx, path) if backlinks else links.outgoing_links(idx, path)
        return path, refs

    def broken_links(self) -> list[LinkRef]:
        """Every link whose note, file or heading is missing."""
        from .graph import links

        return self._reading(links.broken_links)

    def orphans(self) -> list[str]:
        """Notes no other note links to."""
        from .graph import links

        return self._reading(links.orphans)

    def _reading(self, read: Callable[[Index], T]) -> T:
        """``read`` over the index, opened for it and closed after."""
        with self.open() as idx:
            return read(idx)
