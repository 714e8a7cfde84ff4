"""Ranking: search the index, weigh coverage of the query's words, cap per note.

``search`` ranks with BM25F (headings and titles weigh more than bodies)
with a bonus for sections holding more of the query's words, caps the
results per note, and returns :class:`~notesearch.models.Hit` objects whose
snippets carry highlight spans (:mod:`.highlight`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from whoosh import query

from ..models import Diagnostic, Hit, SearchResult
from . import querytext
from . import rank as ranking
from .expand import expand_unknown, split_compounds
from .fold import Folded
from .fold import fold as folding
from .highlight import highlight_terms, snippet_for, text_terms
from .patterns import tag_term_warnings
from .postings import Scores, link_counts, plain_words
from .proximity import closeness
from .query import combine, parse_query, path_filter, tag_filter
from .rank import rescore
from .reader import Index


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
    fold: bool = True,
    explain: bool = False,
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
        fold: fold near-identical sections into the higher one (:mod:`.fold`).
        explain: give each hit the parts of its score (:mod:`.rank`).

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
    reader = index._searcher.reader()
    parsed = split_compounds(reader, parsed)  # an unknown word written of two known ones
    parsed = expand_unknown(reader, parsed)  # a misspelt word among known ones
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
    identifiers = querytext.identifiers(text) if ranking.IDENTIFIER_WEIGHT else []

    links = link_counts(index._searcher)  # kept while the index is open

    def links_to(note: str) -> int:
        if note not in links:
            links[note] = reader.doc_frequency("link", note.lower())
        return links[note]

    several = len(words) > 1
    matched: dict[int, frozenset[str]] = {}  # docnum -> the query's words it holds

    fast = _postings_scores(index, parsed, allow, exclude)

    def matched_terms(docnum: int) -> frozenset[str]:
        if fast is not None:
            return fast.terms(docnum)
        return matched.get(docnum, frozenset())

    fetch = None if limit is None else max(limit * 5, 50)
    while True:
        # One more than needed, to see whether the cut falls inside a run of
        # equal scores: which of those Whoosh returns depends on document
        # order (and so on how the index was built).
        if fast is not None:
            found = fast.best(None if fetch is None else fetch + 1)
        else:
            # optimize=False: Whoosh's block-quality skipping skipped almost no
            # block on notes (sections are alike in length), and its bookkeeping
            # made queries 10-45 % slower (10,000-note vault).
            results = index._searcher.search(
                parsed,
                limit=None if fetch is None else fetch + 1,
                filter=allow,
                mask=exclude,
                terms=several,  # the matched words, for the coverage of a query of several
                optimize=False,
            )
            found = [(hit.score, hit.docnum) for hit in results]
            if several:
                matched.update((hit.docnum, text_terms(hit.matched_terms())) for hit in results)
        complete = fetch is None or len(found) <= fetch
        if fetch is not None and not complete:
            cut, beyond = round(found[fetch - 1][0], 6), round(found[fetch][0], 6)
            del found[fetch:]
            if beyond == cut:
                # The cut falls inside a run of equal scores, and which of
                # them Whoosh returned depends on the order of the documents
                # (on how the index was built): leave the whole run out.
                found = [(score, doc) for score, doc in found if round(score, 6) > cut]
        near = None
        if several and ranking.PROXIMITY_WEIGHT:  # positions of the candidates only
            near = closeness(index._searcher, words, (doc for _, doc in found))
        scored = rescore(
            ((score, doc, index.record(doc)) for score, doc in found),
            words,
            matched_terms,
            links_to,
            near,
            identifiers,
        )
        ranked = folding(scored, limit, per_note, similar=fold)
        # The candidates are the best `fetch` sections by BM25; the rescoring
        # reorders them (rank.py) and does not look further. Fetch more only
        # when folding, the per-note cap or a run of equal scores left too few.
        if complete or limit is None or len(ranked) >= limit:
            break
        fetch = 4 * (fetch or 0)

    hits_raw = ranked if limit is None else ranked[:limit]
    terms = highlight_terms(index, parsed)
    hits = tuple(
        Hit(
            section=index.section(group.item.data),
            score=group.item.score,
            snippet=snippet_for(index, group.item.data, terms),
            rank=rank,
            similar=tuple(other.data["path"] for other in group.similar),
            explain=_explain(group) if explain else (),
        )
        for rank, group in enumerate(hits_raw, 1)
    )
    return SearchResult(
        query=text,
        hits=hits,
        total=len(ranked) if limit is None else None,
        elapsed=time.perf_counter() - started,
        warnings=tuple(warnings),
        terms=terms,
    )


def _postings_scores(
    index: Index, parsed: query.Query, allow: Any, exclude: query.Query | None
) -> Scores | None:
    """The scores of a plain word query from the postings (:mod:`.postings`), else None."""
    words = plain_words(parsed)
    if words is None:
        return None
    searcher = index._searcher
    if allow is not None and not isinstance(allow, set):
        allow = set(searcher.docs_for_query(allow))
    masked = None if exclude is None else set(searcher.docs_for_query(exclude))
    return Scores(searcher, words, allow, masked)


def _explain(group: Folded) -> tuple[tuple[str, float], ...]:
    parts = [*group.item.parts.items(), ("score", group.item.score)]
    return (*parts, ("folded", float(len(group.similar))))
