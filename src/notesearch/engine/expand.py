"""Query expansion before ranking: unknown words searched as the known words they stand for.

**Compounds.** A word the index does not hold that is two indexed words
written as one (``slideshow``: slide, show; ``keyboardshortcut``) is
searched as its two parts (:func:`split_compounds`), as Lucene's dictionary
compound-word filter does at index time, but only for an unknown word, so
a word the notes write is never split. Measured on the training sets:
obsidian 0.978 / 0.956 -> 1.000 / 0.978 (success@5 / MRR@10; one query,
``slideshow``), lambda unchanged.

**Misspelt words.** A word the index does not hold (``concurency``) matches
nothing, so a query of one misspelt word and one good one was ranked by the
good word alone: every section about limits came before the one about
concurrency limits. Such a word is replaced by the indexed term nearest to
it (:func:`expand_unknown`: Levenshtein, at most :func:`max_edits` edits,
the same first :data:`PREFIX` letters; of the nearest, the one in the most
sections), as Lucene's ``fuzziness: AUTO`` does, but only for a word that
matches nothing, and only when another word of the query is known: a query
of unknown words alone still finds nothing (exit 1) and gets its ``Did you
mean`` suggestion. The suggestion and ``--correct`` are
unchanged (``--correct`` writes the word as the notes do, not its stem).

Only plain words of the default field are replaced (not phrases, prefixes,
fuzzy words, fields or excluded words), never CJK ones (their terms are
bigrams) nor words shorter than :data:`MIN_LENGTH`.

Measured on the training sets (bench/relevance.py): lambda 0.922 / 0.860 ->
0.938 / 0.876 (success@5 / MRR@10), obsidian unchanged (no misspelt query).
"""

from __future__ import annotations

from typing import Any

from whoosh import query
from whoosh.support.levenshtein import distance as damerau

from . import querytext
from .analysis import has_cjk
from .highlight import ANALYZER
from .schema import DEFAULT_FIELDS

EXPAND = True  # nearest words for misspelt ones (bench/ablation.py turns it off)
COMPOUNDS = True  # parts for compound words (bench/ablation.py turns it off)
MIN_LENGTH = 4  # shorter unknown words are left alone: too many terms are near them
MIN_PART = 3  # the shortest part of a compound word
# The letters a nearest word shares with the unknown one: looking through the
# 240,000 terms of 10,000 notes takes 1-150 ms with 3, 0.2-0.8 s with 1.
PREFIX = 3


def max_edits(term: str) -> int:
    """Edits allowed for a term of this length: 1 up to 5 characters, else 2."""
    return 1 if len(term) <= 5 else 2


def nearest(reader: Any, field: str, term: str) -> str | None:
    """The indexed term of ``field`` nearest to ``term`` (None when none is near)."""
    if len(term) < MIN_LENGTH or has_cjk(term):
        return None
    found = within(reader, field, term, max_edits(term))
    if not found:
        return None
    return str(
        min(found, key=lambda t: (querytext.distance(term, t), -reader.doc_frequency(field, t), t))
    )


def within(reader: Any, field: str, term: str, edits: int) -> list[str]:
    """The indexed terms of ``field`` within ``edits`` Damerau-Levenshtein edits of ``term``
    that share its first :data:`PREFIX` letters (Whoosh's ``terms_within``, with the
    terms whose length alone puts them too far skipped before any distance is computed)."""
    found = []
    size = len(term)
    for raw in reader.expand_prefix(field, term[:PREFIX]):
        word = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        if abs(len(word) - size) <= edits and _edits(word, term, edits) <= edits:
            found.append(word)
    return found


def _edits(word: str, term: str, limit: int) -> int:
    """Whoosh's Damerau-Levenshtein distance (at most ``limit + 1``), on what follows the
    words' common prefix: the same distance (an edit inside a common prefix never
    helps), computed on a smaller table (the prefix is at least :data:`PREFIX` letters)."""
    start, end = 0, min(len(word), len(term))
    while start < end and word[start] == term[start]:
        start += 1
    return int(damerau(word[start:], term[start:], limit=limit))


def compound_parts(reader: Any, field: str, term: str) -> tuple[str, str] | None:
    """Two indexed terms that an unknown word is written of (``slideshow``: slide, show).

    Of the ways to cut the word in two parts of :data:`MIN_PART` letters or
    more whose index terms (stemmed, not stop words) are both known, the one
    whose rarer part is in the most sections; None when there is none.
    """
    if has_cjk(term) or len(term) < 2 * MIN_PART:
        return None
    best: tuple[int, str, str] | None = None
    for cut in range(MIN_PART, len(term) - MIN_PART + 1):
        parts = [[t.text for t in ANALYZER(half)] for half in (term[:cut], term[cut:])]
        if not all(len(p) == 1 for p in parts):
            continue
        left, right = parts[0][0], parts[1][0]
        frequency = min(reader.doc_frequency(field, left), reader.doc_frequency(field, right))
        if frequency > 0 and (best is None or frequency > best[0]):
            best = (frequency, left, right)
    return None if best is None else (best[1], best[2])


def split_compounds(reader: Any, parsed: query.Query) -> query.Query:
    """``parsed`` with each unknown plain word that is two known ones written as one split.

    A query of that one word becomes an OR of its parts; in an OR or an AND
    of words, the parts take its place.
    """
    if not COMPOUNDS:
        return parsed
    single = type(parsed) is query.Term
    leaves = (
        [parsed] if single else parsed.subqueries if type(parsed) in (query.Or, query.And) else []
    )
    changed = False
    out: list[query.Query] = []
    for leaf in leaves:
        parts = None
        plain = type(leaf) is query.Term and leaf.fieldname in DEFAULT_FIELDS
        if plain and (leaf.fieldname, leaf.text) not in reader:
            parts = compound_parts(reader, leaf.fieldname, str(leaf.text))
        if parts is None:
            out.append(leaf)
        else:
            out += [query.Term(leaf.fieldname, part, boost=leaf.boost) for part in parts]
            changed = True
    if not changed:
        return parsed
    if single:
        return query.Or(out)
    joined = parsed.copy()
    joined.subqueries = out
    return joined


def expand_unknown(reader: Any, parsed: query.Query) -> query.Query:
    """``parsed`` with each unknown plain word replaced by its nearest indexed term.

    Only the words of a plain OR (or AND) of words are looked at, and only
    when at least one of those words is known to the index.
    """
    if not EXPAND:
        return parsed
    leaves = parsed.subqueries if type(parsed) in (query.Or, query.And) else []
    plain = [q for q in leaves if type(q) is query.Term and q.fieldname in DEFAULT_FIELDS]
    unknown = {id(q) for q in plain if (q.fieldname, q.text) not in reader}
    if not unknown or len(unknown) == len(plain):
        return parsed
    nearer: dict[int, query.Query] = {}
    for leaf in plain:
        near = nearest(reader, leaf.fieldname, str(leaf.text)) if id(leaf) in unknown else None
        if near is not None:
            nearer[id(leaf)] = query.Term(leaf.fieldname, near, boost=leaf.boost)
    if not nearer:
        return parsed
    return parsed.apply(lambda leaf: nearer.get(id(leaf), leaf))
