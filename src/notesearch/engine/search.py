"""Ranking: search the index, weigh coverage of the query's words, cap per note.

``search`` ranks with BM25F (headings and titles weigh more than bodies)
with a bonus for sections holding more of the query's words, caps the
results per note, and returns :class:`~notesearch.models.Hit` objects whose
snippets carry highlight spans (:mod:`.highlight`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh import query

from ..models import Diagnostic, Hit, SearchResult
from .highlight import highlight_terms, snippet_for, text_terms
from .patterns import tag_term_warnings
from .query import combine, parse_query, path_filter, tag_filter
from .reader import Index

# How much a section that holds only some of the query's words loses: a
# section with all of them keeps its whole score, one with half keeps 85 %.
COORDINATION = 0.3


Ranked = tuple[float, int, dict[str, Any]]  # (score, Whoosh docnum, stored record)


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
    sections: set[tuple[str, int]] | None = None,
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
        sections: only these sections, as (note path, line) pairs (the link
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
    warnings += tag_term_warnings(index, parsed)
    include, exclude = tag_filter(index, tags, any_tags, exclude_tags, warnings)
    allow = combine(include, path_filter(index, path))
    if sections is not None:
        allowed = index.docnums(sections)
        if allow is not None:
            allowed &= set(index._searcher.docs_for_query(allow))
        if not allowed:  # Whoosh would read an empty filter as "no filter"
            return SearchResult(query=text, hits=(), total=0, warnings=tuple(warnings))
        allow = allowed
    words = text_terms(parsed.iter_all_terms())

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
    terms = highlight_terms(index, parsed)
    files: dict[str, list[str] | None] = {}  # each note read once, however many hits it has
    hits = tuple(
        Hit(
            section=index.section(data),
            score=score,
            snippet=snippet_for(index, data, terms, files),
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


def _coordination(words: frozenset[str], matched: Iterable[tuple[str, Any]]) -> float:
    """The bonus for holding more of the query's words: 1.0 when all are there."""
    if len(words) < 2:
        return 1.0
    share = len(text_terms(matched) & words) / len(words)
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
