"""Plain data passed between the core and the printers.

Frozen, slotted records (:mod:`.records`, made as dataclasses are, without
compiling code at import) with no third-party imports, so that every layer
(parser, index, search, printers, tests) can share them cheaply.
"""

from __future__ import annotations

from .records import field, record

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any, Literal

    LinkKind = Literal["markdown", "wiki", "embed", "external"]


def counted(number: int, noun: str) -> str:
    """``1 note``, ``2 notes``, ``0 notes``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@record
class Link:
    """A link found in a note.

    ``path`` is the resolved note path relative to the notes root (``/``
    separators) or ``None`` for external links and unresolved wiki links.
    ``exists`` is filled in when the link is read back from the index, against
    the notes present at that time.
    """

    kind: LinkKind
    raw: str
    line: int
    path: str | None = None
    anchor: str | None = None
    outside: bool = False
    exists: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "raw": self.raw,
            "line": self.line,
            "path": self.path,
            "anchor": self.anchor,
            "exists": self.exists,
            "outside": self.outside,
        }


@record
class Section:
    """A heading and its content up to the next heading of any level.

    The preamble (text before the first heading) is a section of level 0 with
    an empty heading. ``line`` and ``end_line`` are 1-based and inclusive.
    """

    path: str
    title: str
    heading: str
    level: int
    breadcrumb: tuple[str, ...]
    anchor: str
    line: int
    end_line: int
    tags: tuple[str, ...]
    links: tuple[Link, ...]
    text: str

    @property
    def trail(self) -> tuple[str, ...]:
        """Breadcrumb plus this section's own heading (empty headings omitted)."""
        return (*self.breadcrumb, self.heading) if self.heading else self.breadcrumb

    def to_dict(self) -> dict[str, Any]:
        """The export record (keys documented in the README)."""
        return {
            "path": self.path,
            "title": self.title,
            "heading": self.heading,
            "level": self.level,
            "breadcrumb": list(self.breadcrumb),
            "anchor": self.anchor,
            "line": self.line,
            "end_line": self.end_line,
            "tags": list(self.tags),
            "links": [link.to_dict() for link in self.links],
            "text": self.text,
        }


@record
class Note:
    """Everything parsed from one note file."""

    path: str
    title: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    anchors: tuple[str, ...]
    sections: tuple[Section, ...]


@record
class Diagnostic:
    """A warning about one input file (or argument), for stderr."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return where + self.message


@record
class Span:
    """A highlighted range ``[start, end)`` of character offsets into a text."""

    start: int
    end: int


@record
class Snippet:
    """A short piece of a section's text with the matched words as spans."""

    text: str
    spans: tuple[Span, ...] = ()
    line: int | None = None
    column: int | None = None


@record
class Hit:
    """One ranked search result: a section, its score and its snippet."""

    section: Section
    score: float
    snippet: Snippet
    rank: int
    similar: tuple[str, ...] = ()  # notes of the near-identical sections folded into this one
    explain: tuple[tuple[str, float], ...] = ()  # the parts of the score, with --explain

    def to_dict(self) -> dict[str, Any]:
        record = self.section.to_dict()
        record["score"] = round(self.score, 4)
        record["snippet"] = self.snippet.text
        record["highlights"] = [{"start": s.start, "end": s.end} for s in self.snippet.spans]
        record["similar"] = list(self.similar)
        if self.explain:
            record["explain"] = {name: round(value, 4) for name, value in self.explain}
        return record


@record
class SearchResult:
    """The hits of one query plus what the printers say about them."""

    query: str
    hits: tuple[Hit, ...]
    total: int | None = None
    elapsed: float = 0.0
    warnings: tuple[Diagnostic, ...] = ()
    # The index terms (stems) the query matched, to highlight other text with.
    terms: frozenset[str] = frozenset()


@record
class Suggestion:
    """A spelling correction for a query that found nothing."""

    query: str
    corrected: str


@record
class QueryRequest:
    """One search, as a front end asks the vault for it.

    ``limit`` None means every match. ``links_to`` / ``linked_from`` name
    notes as a user would (see :meth:`notesearch.vault.Vault.find_note`);
    ``cwd`` is the folder a relative note path is taken from (None: this
    process's). ``correct`` runs the spelling correction when nothing
    matches; ``refresh`` updates the index first.
    """

    text: str
    tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    path: str | None = None
    limit: int | None = 10
    per_note: int = 3
    links_to: str | None = None
    linked_from: str | None = None
    correct: bool = False
    fold: bool = True  # near-identical sections shown once (engine.fold)
    explain: bool = False  # each hit carries the parts of its score
    refresh: bool = False
    cwd: str | None = None


@record
class QueryOutcome:
    """What a query found, and what to tell the user about it.

    ``warnings`` (in order: refresh, staleness, the search's own) are one
    line each; ``suggestion`` is a correction that was offered, not run;
    ``corrected`` one that was run (``--correct``).
    """

    result: SearchResult
    warnings: tuple[str, ...] = ()
    suggestion: Suggestion | None = None
    corrected: Suggestion | None = None


@record
class Staleness:
    """How many notes changed on disk since the index was written (stat only)."""

    changed: int
    new: int
    removed: int

    def __bool__(self) -> bool:
        return bool(self.changed or self.new or self.removed)

    def describe(self) -> str:
        return (
            f"the index is out of date ({self.changed} changed, {self.new} new, "
            f"{self.removed} removed notes)"
        )


@record
class Shown:
    """A note, or a section of it, to show: its sections and its Markdown lines."""

    path: str
    sections: tuple[Section, ...]
    text: str
    warnings: tuple[str, ...] = ()


@record
class Pick:
    """The result a user chose to open: the hit, its file's absolute path, line, column."""

    hit: Hit
    file: str
    line: int
    column: int | None
    warnings: tuple[str, ...] = ()
    suggestion: Suggestion | None = None  # a spelling correction offered, not run


@record
class Records:
    """Rows for the table-like commands (tags, links), in any output format.

    ``columns`` are the keys shown by the terminal and plain printers (plain
    joins them with tabs unless ``plain`` gives a ``str.format`` template);
    the JSON printers print every key of every row (of ``json_rows`` when
    given).
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    plain: str | None = None
    json_rows: tuple[dict[Any, Any], ...] | None = None  # what JSON prints, when not ``rows``
    path_columns: tuple[str, ...] = ()  # note paths, printed from the working folder
    empty: str = ""  # what to say (one line on stderr) when there are no rows


@record(frozen=False)
class IndexStats:
    """What one ``notesearch index`` run did."""

    notes: int = 0
    sections: int = 0
    tags: int = 0
    links: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    renamed: int = 0
    unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0
    written: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{counted(self.notes, 'note')}, {counted(self.sections, 'section')}, "
            f"{counted(self.tags, 'tag')}, {counted(self.links, 'link')}; "
            f"{self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.renamed} renamed, {self.unchanged} unchanged, "
            f"{self.skipped} skipped in {self.seconds:.2f}s"
        )
