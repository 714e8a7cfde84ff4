"""Proximity: how close together a candidate section holds the query's words.

A section that writes ``reduce cold starts`` answers that query better than
one with ``cold`` in one paragraph and ``reduce`` three paragraphs later,
though BM25 (a bag of words) scores them alike. For every pair of distinct
query words the section holds, the nearest two of their positions in
``body`` give the pair ``1 / d**2`` (``d`` = 1 for neighbours; stop words
take no position), as BM25TP (Rasolofo and Savoy, 2003) weighs a pair; a
section's closeness is the mean over all the pairs of the query's words (a
pair it lacks counts 0), so it lies in [0, 1]. :mod:`.rank` makes it a
bounded bonus.

Measured on the training sets (MRR@10; obsidian 0.978 throughout unless
said): lambda 0.901 without, 0.909 with it (weights 0.2-0.3 alike).
``1 / d`` instead of ``1 / d**2``: 0.902; ``1 / sqrt(d)``: 0.902, obsidian 0.967.
Pairs of consecutive query words only, adjacent in order or within 8 words
(as the sequential dependence model takes them): 0.899-0.912, obsidian
0.963-0.978. Positions in the section's text alone (the title and heading
that ``body`` starts with left out): 0.902. The mean over the pairs the
section holds instead of all the query's pairs (so as not to count a missing
word twice, with coverage): 0.927 at weights 0.25-0.3 (0.934 at 0.4,
obsidian 0.967); dropped, because on the held-out sets, run after, it
lowered obsidian-holdout 0.844 -> 0.836 and lambda-holdout's success@5 0.978
-> 0.956 (MRR 0.879 -> 0.882), where this one gives 0.839 and 0.978 / 0.883.

Only the fetched candidates (about 50) are looked at: each query word's
postings are read once, skipping to the candidates in document order, and
only their positions are decoded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from .postings import kept_positions
from .schema import DEFAULT_FIELDS

POWER = 2  # a pair at distance d gives 1 / d**POWER (BM25TP's; 1 and 0.5 measured worse)


def closeness(searcher: Any, words: Iterable[str], docnums: Iterable[int]) -> dict[int, float]:
    """docnum -> the closeness of the query's words in that section (0 when apart or absent).

    Args:
        searcher: the open Whoosh searcher.
        words: the query's words, as index terms of ``body``.
        docnums: the candidates.
    """
    terms = sorted(set(words))
    if len(terms) < 2:
        return {}
    field = DEFAULT_FIELDS[0]
    reader = searcher.reader()
    wanted = sorted(set(docnums))
    found: dict[int, dict[str, Sequence[int]]] = {}
    kept = kept_positions(searcher)  # a query typed key by key asks for the same again
    for term in terms:
        if (field, term) not in reader:
            continue
        missing = [doc for doc in wanted if (term, doc) not in kept]
        if missing:
            kept.update(_positions(reader, field, term, missing))
        for doc in wanted:
            positions = kept.get((term, doc))
            if positions:
                found.setdefault(doc, {})[term] = positions
    pairs = len(terms) * (len(terms) - 1) // 2
    return {doc: _pairs(held) / pairs for doc, held in found.items() if len(held) > 1}


def _positions(
    reader: Any, field: str, term: str, docnums: list[int]
) -> dict[tuple[str, int], Sequence[int] | None]:
    """(term, docnum) -> the term's positions in that section (None: it has none), for the
    sorted ``docnums``: the postings read once, skipping to each."""
    out: dict[tuple[str, int], Sequence[int] | None] = dict.fromkeys(
        ((term, doc) for doc in docnums), None
    )
    matcher = reader.postings(field, term)
    for doc in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < doc:
            matcher.skip_to(doc)
            if not matcher.is_active():
                break
        if matcher.id() == doc:
            out[(term, doc)] = matcher.value_as("positions")
    return out


def _pairs(held: dict[str, Sequence[int]]) -> float:
    """The sum over the pairs of words a section holds of 1 / distance**POWER."""
    return sum(
        1.0 / float(nearest(held[a], held[b])) ** POWER
        for a, b in itertools.combinations(sorted(held), 2)
    )


def nearest(first: Sequence[int], second: Sequence[int]) -> int:
    """The smallest distance between a position of ``first`` and one of ``second`` (both sorted)."""
    i = j = 0
    best = None
    while i < len(first) and j < len(second):
        a, b = first[i], second[j]
        gap = abs(a - b)
        if best is None or gap < best:
            best = gap
        if a < b:
            i += 1
        else:
            j += 1
    return max(1, best or 1)
