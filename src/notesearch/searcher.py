"""Querying the index: the only module that reads with Whoosh.

``search`` parses the user's query with Whoosh's query parser (plus checks
of our own, see :mod:`notesearch.querytext`), applies tag, path and link
filters, ranks with BM25F (headings and titles weigh more than bodies) with a
bonus for sections holding more of the query's words, caps the results per
note, and returns :class:`~notesearch.models.Hit` objects whose snippets
carry highlight spans.
"""

from __future__ import annotations

import difflib
import fnmatch
import itertools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from whoosh import qparser, query, scoring
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer

from . import querytext, store
from . import tags as tagmod
from .discover import discover
from .errors import IndexMissingError, NotesearchError, QuerySyntaxError
from .links import NOTE_SUFFIXES, NoteSet
from .models import (
    Diagnostic,
    Hit,
    Link,
    SearchResult,
    Section,
    Snippet,
    Span,
    Suggestion,
)
from .read import read_lines
from .snippets import make_snippet

# Whoosh's English stop words plus the question words people type in natural
# queries ("where are pasted images saved"): measured with bench/relevance.py.
STOP = frozenset(STOP_WORDS) | {
    "where", "what", "how", "why", "which", "who", "do", "does", "did",
    "i", "my", "me", "there", "so", "about", "should", "would", "could",
}  # fmt: skip


def make_analyzer() -> Any:
    """Tokens for text fields: words, lowercased, stop words dropped, Porter-stemmed."""
    return StemmingAnalyzer(stoplist=STOP)


_ANALYZER = make_analyzer()
SEARCH_FIELDS = ("heading", "title", "body")  # the text fields (title: and heading: search one)
# Words without a field search ``body`` only: it holds the title and aliases,
# the heading and the text (MRR@10 0.900 in bench/relevance.py). Searching
# heading and title again at a small extra weight (0.1) made a query of three
# common words 2.5 times slower (Whoosh scores every field's postings).
DEFAULT_FIELDS = ("body",)
# How much a section that holds only some of the query's words loses: a
# section with all of them keeps its whole score, one with half keeps 85 %.
COORDINATION = 0.3
Ranked = tuple[float, int, dict[str, Any]]  # (score, Whoosh docnum, stored record)
_LONG_TEXT = 100_000
_SUGGEST_STEMS = 8  # candidate stems looked at for one unknown word
_SURFACE_DOCS = 5  # sections read to see how the notes write a stem
_MAX_SPANS = 1000


class Index:
    """An open, read-only view of one index generation.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, index_dir: Path, notes_dir: Path | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.notes_dir = Path(notes_dir) if notes_dir is not None else None
        from whoosh.filedb.filestore import FileStorage

        for attempt in range(3):
            self.generation = store.require(self.index_dir)
            try:
                self._ix = FileStorage(str(self.generation), readonly=True).open_index()
                break
            except Exception as exc:  # a writer removed it in between: look again
                if attempt == 2:
                    raise IndexMissingError(
                        f"cannot open the index at {store.display(self.index_dir)}: {exc}",
                        hint="Run `notesearch index --rebuild`.",
                    ) from exc
        # Read everything that is looked up by file name now: a writer may
        # remove this generation's folder while the Index is still in use
        # (open files stay readable, names do not).
        self.schema = self._ix.schema
        self._searcher = self._ix.searcher(weighting=scoring.BM25F())
        self._preopen()
        self.meta = store.read_meta(self.generation)
        # The stat table now; the whole file table (titles, tags, anchors)
        # when something asks for it, from a file opened now.
        self._table: store.FileTable | None = None
        try:
            self._table_file: BinaryIO | None = open(self.generation / store.TABLE, "rb")  # noqa: SIM115
        except OSError:
            self._table_file = None
        self.stat = store.read_stat(self.generation) or store.StatTable.of(self.table)
        self._note_set: NoteSet | None = None
        self._known_tags: set[str] | None = None
        self._sections: list[Section] | None = None

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
    def table(self) -> store.FileTable:
        """Every indexed note with its title, tags and anchors (read on first use)."""
        if self._table is None:
            if self._table_file is None:
                self._table = store.FileTable()
            else:
                self._table = store.parse_table(self._table_file.read())
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
        """(changed, new, removed) notes on disk since this index was written (stat only)."""
        rules = self.meta.get("discovery") or {}
        found = discover(
            notes_dir,
            exclude=[self.index_dir],
            suffixes=rules.get("extensions") or NOTE_SUFFIXES,
            ignore=rules.get("ignore") or (),
        )
        known = {**self.stat.notes, **self.stat.skipped}
        on_disk = {n.path: [n.size, n.mtime_ns] for n in found.notes}
        changed = sum(1 for p, sig in on_disk.items() if p in known and known[p] != sig)
        new = sum(1 for p in on_disk if p not in known)
        removed = sum(1 for p in known if p not in on_disk)
        return changed, new, removed


def check_index(index_dir: Path | str) -> tuple[list[str], list[str]]:
    """Verify the index: (facts found, problems found).

    Opens the live generation, reads every stored section and every posting
    list of the note field (so each segment file is read through), and
    compares the sections found with the file table. No problem means the
    index answers queries as the table says.
    """
    index_dir = Path(index_dir)
    facts: list[str] = []
    problems: list[str] = []
    leftovers = sorted(p.name for p in index_dir.glob("gen-*") if p.name.endswith(".tmp"))
    if leftovers:
        facts.append(
            f"unfinished generations (removed by the next index run): {', '.join(leftovers)}"
        )
    try:
        idx = open_index(index_dir)
    except Exception as exc:  # a damaged index raises anything at all
        return facts, [f"the index cannot be opened: {type(exc).__name__}: {exc}"]
    with idx:
        facts.append(f"generation {idx.generation.name}, schema {store.SCHEMA_VERSION}")
        try:
            counts: dict[str, int] = {}
            for fields in idx._searcher.all_stored_fields():
                path = fields["data"]["path"]
                counts[path] = counts.get(path, 0) + 1
            reader = idx._searcher.reader()
            for term in reader.lexicon("note"):
                sum(1 for _ in reader.postings("note", term).all_ids())
        except Exception as exc:
            return facts, [f"a segment cannot be read: {type(exc).__name__}: {exc}"]
        for path, entry in sorted(idx.table.notes.items()):
            if counts.get(path, 0) != entry.sections:
                problems.append(
                    f"{path}: {counts.get(path, 0)} sections in the index, "
                    f"{entry.sections} in the file table"
                )
        for path in sorted(set(counts) - set(idx.table.notes)):
            problems.append(f"{path}: in the index but not in the file table")
        if idx.stat != store.StatTable.of(idx.table):
            problems.append(f"{store.STAT} does not match {store.TABLE}")
        facts.append(f"{len(idx.table.notes)} notes, {sum(counts.values())} sections readable")
    return facts, problems


def open_index(index_dir: Path | str, notes_dir: Path | str | None = None) -> Index:
    """Open the index in ``index_dir`` for reading.

    Raises:
        IndexMissingError: there is no index there yet.
        IndexVersionError: the index was written by another schema version.
    """
    return Index(Path(index_dir), Path(notes_dir) if notes_dir is not None else None)


def _parser(schema: Any, group: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(DEFAULT_FIELDS),
        schema,
        group=group,
    )
    # '-word' excludes, but only at the start of a word: ADR-016 stays one term.
    parser.replace_plugin(
        qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, field in querytext.ALIASES.items():
        aliases.setdefault(field, []).append(alias)
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    return parser


def parse_query(index: Index, text: str) -> query.Query:
    """Parse a user's query string (raising QuerySyntaxError on nonsense).

    Words are joined with OR; the ranking then gives sections that hold more
    of the words a bonus (see :func:`search`).
    """
    querytext.check(text)
    try:
        return _hoist_not(_parser(index.schema, qparser.OrGroup).parse(text))
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from exc


def _hoist_not(q: query.Query) -> query.Query:
    """Make ``a b NOT c`` mean (a OR b) AND NOT c.

    With words joined by OR, Whoosh reads it as ``a OR b OR (NOT c)``, which
    matches nearly every section.
    """
    if not q.is_leaf():
        q = q.apply(_hoist_not)
    if isinstance(q, query.Or):
        negative = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        positive = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        if negative and positive:
            keep = positive[0] if len(positive) == 1 else query.Or(positive, boost=q.boost)
            drop = negative[0] if len(negative) == 1 else query.Or(negative)
            return query.AndNot(keep, drop)
    return q


def _tag_filter(
    index: Index,
    tags: Sequence[str],
    any_tags: Sequence[str],
    exclude_tags: Sequence[str],
    warnings: list[Diagnostic],
) -> tuple[query.Query | None, query.Query | None]:
    reader = index._searcher.reader()

    def norm(raw: str) -> str:
        name = tagmod.normalize(raw)
        if name is None:
            raise QuerySyntaxError(
                f"not a tag: {raw!r}", hint="Tags are letters, digits, _ - and /."
            )
        # The tag field holds every tag with its ancestors: a tag no section
        # has is unknown (the file table, for the closest names, is read
        # only then).
        if reader.doc_frequency("tag", name) == 0:
            known = index.known_tags()
            close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
            hint = f"; closest: {', '.join(close)}" if close else ""
            warnings.append(Diagnostic(f"unknown tag '{name}'{hint}"))
        return name

    parts: list[query.Query] = []
    if tags:
        parts.append(query.And([query.Term("tag", norm(t)) for t in tags]))
    if any_tags:
        parts.append(query.Or([query.Term("tag", norm(t)) for t in any_tags]))
    include = query.And(parts) if parts else None
    exclude = query.Or([query.Term("tag", norm(t)) for t in exclude_tags]) if exclude_tags else None
    return include, exclude


def _path_filter(index: Index, pattern: str | None) -> query.Query | None:
    if pattern is None:
        return None
    paths = [p for p in index.stat.notes if fnmatch.fnmatchcase(p, pattern)]
    if "/" not in pattern:  # like git: a bare pattern also matches in any folder
        paths += [p for p in index.stat.notes if fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pattern)]
    if not paths:
        return query.NullQuery
    return query.Or([query.Term("note", p) for p in sorted(set(paths))])


def _combine(*parts: query.Query | None) -> query.Query | None:
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else query.And(present)


def search(
    index: Index,
    text: str,
    *,
    tags: Sequence[str] = (),
    any_tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    path: str | None = None,
    limit: int | None = 10,
    per_note: int = 3,
    within: set[tuple[str, int]] | None = None,
) -> SearchResult:
    """Search the index; the best sections first.

    Args:
        text: the query, in the query language described in the README.
        tags: every one of these tags must be on the section (nested: ``aws``
            matches ``aws/s3``).
        any_tags: at least one of these must be.
        exclude_tags: none of these may be.
        path: a glob over note paths relative to the notes root.
        limit: the most hits to return; None for all.
        per_note: the most hits from one note; 0 for no cap.
        within: only these sections, as (note path, line) pairs (the link
            filters of :mod:`notesearch.graph` produce them).

    Raises:
        QuerySyntaxError: the query (or a tag) cannot be parsed.
    """
    started = time.perf_counter()
    warnings: list[Diagnostic] = []
    parsed = parse_query(index, text)
    if parsed is query.NullQuery:
        warnings.append(Diagnostic(f"query {text!r} has only words too common to be indexed"))
        return SearchResult(query=text, hits=(), total=0, warnings=tuple(warnings))
    include, exclude = _tag_filter(index, tags, any_tags, exclude_tags, warnings)
    allow = _combine(include, _path_filter(index, path))
    if within is not None:
        allowed = index.docnums(within)
        if allow is not None:
            allowed &= set(index._searcher.docs_for_query(allow))
        if not allowed:  # Whoosh would read an empty filter as "no filter"
            return SearchResult(query=text, hits=(), total=0, warnings=tuple(warnings))
        allow = allowed
    words = _text_terms(parsed.iter_all_terms())

    fetch = None if limit is None else max(limit * 5, 50)
    while True:
        # One more than needed, to see whether the cut falls inside a run of
        # equal scores: which of those Whoosh returns depends on document
        # order (and so on how the index was built).
        # optimize=False: Whoosh's block-quality skipping skipped almost no
        # block on notes (sections are alike in length), and its bookkeeping
        # made queries 10-45 % slower (10,000-note vault).
        results = index._searcher.search(
            parsed,
            limit=None if fetch is None else fetch + 1,
            filter=allow,
            mask=exclude,
            terms=True,
            optimize=False,
        )
        found = list(results)
        tied: float | None = None
        if fetch is not None and len(found) > fetch:
            if round(found[fetch].score, 6) == round(found[fetch - 1].score, 6):
                tied = round(found[fetch - 1].score, 6)
            del found[fetch:]
        batch = [
            (hit.score * _coordination(words, hit.matched_terms()), hit.docnum, hit["data"])
            for hit in found
        ]
        ranked = _cap(_order(batch), per_note)
        if fetch is None or limit is None or len(batch) < fetch:
            break
        # Sections past the cut score at most the last one fetched (the
        # coordination factor is at most 1): they matter only when they tie
        # with a section that would be shown.
        if len(ranked) >= limit and (tied is None or round(ranked[limit - 1][0], 6) > tied):
            break
        fetch *= 4

    hits_raw = ranked if limit is None else ranked[:limit]
    terms = _highlight_terms(index, parsed)
    files: dict[str, list[str] | None] = {}  # each note read once, however many hits it has
    hits = tuple(
        Hit(
            section=index.section(data),
            score=score,
            snippet=_snippet(index, data, terms, files),
            rank=rank,
        )
        for rank, (score, _, data) in enumerate(hits_raw, 1)
    )
    return SearchResult(
        query=text,
        hits=hits,
        total=len(ranked) if limit is None else None,
        elapsed=time.perf_counter() - started,
        warnings=tuple(warnings),
    )


def _text_terms(pairs: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """The term texts of the text fields among (field, term) pairs."""
    return frozenset(
        term.decode("utf-8") if isinstance(term, bytes) else str(term)
        for field, term in pairs
        if field in SEARCH_FIELDS
    )


def _coordination(words: frozenset[str], matched: Iterable[tuple[str, Any]]) -> float:
    """The bonus for holding more of the query's words: 1.0 when all are there."""
    if len(words) < 2:
        return 1.0
    share = len(_text_terms(matched) & words) / len(words)
    return 1.0 - COORDINATION + COORDINATION * share


def _order(
    batch: list[Ranked],
) -> list[Ranked]:
    """Score order with a deterministic tie-break (path, then line)."""
    return sorted(batch, key=lambda b: (-round(b[0], 6), b[2]["path"], b[2]["line"]))


def _cap(ranked: list[Ranked], per_note: int) -> list[Ranked]:
    if per_note <= 0:
        return ranked
    counts: dict[str, int] = {}
    kept = []
    for item in ranked:
        note = item[2]["path"]
        if counts.get(note, 0) < per_note:
            counts[note] = counts.get(note, 0) + 1
            kept.append(item)
    return kept


def _highlight_terms(index: Index, parsed: query.Query) -> frozenset[str]:
    """The index terms (stems) the query matches in text fields, wildcards expanded.

    (Whoosh's own ``Query.existing_terms`` reuses its ``fieldname`` argument
    as a loop variable and so drops terms of every field after the first.)
    """
    reader = index._searcher.reader()
    found: set[tuple[str, Any]] = set()
    for leaf in parsed.leaves():
        if leaf.field() not in SEARCH_FIELDS:
            continue
        for field, term in leaf.expanded_terms(reader, phrases=True):
            if (field, term) in reader:
                found.add((field, term))
    return _text_terms(found)


def find_spans(text: str, terms: Iterable[str]) -> list[Span]:
    """Character spans of the words in ``text`` whose stems are among ``terms``."""
    wanted = frozenset(terms)
    if not wanted or not text:
        return []
    if len(text) > _LONG_TEXT:
        return _find_spans_long(text, wanted)
    spans: list[Span] = []
    for token in _ANALYZER(text, chars=True, mode="index"):
        if token.text in wanted:
            spans.append(Span(token.startchar, token.endchar))
    return sorted(set(spans), key=lambda s: s.start)


def _find_spans_long(text: str, wanted: frozenset[str]) -> list[Span]:
    """find_spans for huge texts: stem only the words that start like a wanted stem.

    Analysing a megabyte with Whoosh takes seconds; a regular expression finds
    the candidate words anywhere in the text in milliseconds, and each
    distinct word is stemmed once.
    """
    prefixes = sorted({re.escape(t[: max(3, len(t) - 1)]) for t in wanted}, key=len)
    pattern = re.compile(r"\b(?:" + "|".join(prefixes) + r")\w*", re.IGNORECASE)
    stems: dict[str, bool] = {}
    spans: list[Span] = []
    for match in pattern.finditer(text):
        word = match.group(0).lower()
        hit = stems.get(word)
        if hit is None:
            hit = stems[word] = any(t.text in wanted for t in _ANALYZER(word))
        if hit:
            spans.append(Span(match.start(), match.end()))
            if len(spans) >= _MAX_SPANS:
                break
    return spans


def _snippet(
    index: Index, data: dict[str, Any], terms: frozenset[str], files: dict[str, list[str] | None]
) -> Snippet:
    text = data["text"]
    spans = find_spans(text, terms)
    snippet = make_snippet(text, spans)
    word = text[spans[0].start : spans[0].end] if spans else ""
    if not spans:  # the match is in the heading (or the title) only
        heading = data["heading"]
        heading_spans = find_spans(heading, terms)
        if heading_spans:
            word = heading[heading_spans[0].start : heading_spans[0].end]
            if not text:
                snippet = Snippet(text=heading, spans=tuple(heading_spans))
    line, column = _locate(index, data, word, files)
    return replace(snippet, line=line, column=column)


def _locate(
    index: Index, data: dict[str, Any], word: str, files: dict[str, list[str] | None]
) -> tuple[int, int]:
    """Line and column of ``word`` in the note file, within the section's lines.

    ``files`` caches each note's lines for the hits of one search.
    """
    line = int(data["line"])
    if not word or index.notes_dir is None:
        return line, 1
    path = data["path"]
    if path not in files:
        try:  # safely: the file may have become a FIFO or a link out of the folder
            files[path] = read_lines(str(index.notes_dir), path)
        except (OSError, NotesearchError):
            files[path] = None
    lines = files[path]
    if lines is None:
        return line, 1
    lowered = word.lower()
    for number in range(line, min(int(data["end_line"]), len(lines)) + 1):
        col = lines[number - 1].lower().find(lowered)
        if col >= 0:
            return number, col + 1
    return line, 1


def suggest(index: Index, text: str) -> Suggestion | None:
    """A spelling correction of ``text`` built from the index's own words.

    Only words the index does not know are replaced, each by the closest
    word as written in the notes (not a stem). Candidates are the indexed
    stems within two edits of the word's stem; each is turned back into the
    words the notes write for it by reading a few sections that hold it.
    Returns None when nothing needs correcting or no correction is found.
    """
    reader = index._searcher.reader()
    corrected = text
    changed = False
    for word in reversed(querytext.words(text)):
        lowered = word.text.lower()
        stems = [t.text for t in _ANALYZER(lowered)]
        if not stems:
            continue
        if all(any(reader.doc_frequency(f, s) > 0 for f in SEARCH_FIELDS) for s in stems):
            continue
        best = _closest_word(index, lowered, stems[0])
        if best is not None and best != lowered:
            corrected = corrected[: word.start] + best + corrected[word.end :]
            changed = True
    if not changed:
        return None
    return Suggestion(query=text, corrected=corrected)


def _closest_word(index: Index, word: str, stem: str) -> str | None:
    """The word written in the notes that is closest to ``word`` (None if none is near)."""
    reader = index._searcher.reader()
    stems = sorted(
        reader.terms_within("body", stem, 2, prefix=1),
        key=lambda s: (querytext.distance(stem, s), -reader.doc_frequency("body", s)),
    )[:_SUGGEST_STEMS]
    options: list[tuple[int, int, str]] = []
    for candidate in stems:
        frequency = reader.doc_frequency("body", candidate)
        for surface in _surface_words(index, candidate):
            options.append((querytext.distance(word, surface), -frequency, surface))
    return min(options)[2] if options else None


def _surface_words(index: Index, stem: str) -> set[str]:
    """Words (lowercased, as written) that the analyzer turns into ``stem``, from a few sections."""
    reader = index._searcher.reader()
    found: set[str] = set()
    try:
        docnums = list(itertools.islice(reader.postings("body", stem).all_ids(), _SURFACE_DOCS))
    except Exception:  # the term vanished: no words to offer
        return found
    for docnum in docnums:
        data = reader.stored_fields(docnum)["data"]
        text = f"{data['title']}\n{data['heading']}\n{data['text']}"
        for span in find_spans(text, {stem}):
            found.add(text[span.start : span.end].lower())
    return found
