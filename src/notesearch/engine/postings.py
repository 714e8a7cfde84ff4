"""BM25 of plain word queries straight from the postings: no Whoosh matcher per posting.

A query of one word, or of words joined by OR (what most typed queries are),
scores every section that holds one of them. Whoosh does that with a matcher
tree and a field-length column lookup per posting, about 3 µs each: 150 ms
for a word in half the sections of 10,000 notes, which ``find`` pays per
keystroke. Here each segment's length column is read once, as bytes, and
each term's postings a block (up to 128 postings) at a time, with the same
BM25F formula, idf and average length as Whoosh's, so the scores are
Whoosh's own (to the last bits of the float sums).

The block and column reading uses Whoosh's private API (``whoosh3`` is
pinned exactly): with :mod:`.workers` (writing), this is the file to audit
on a Whoosh bump; ``tests/engine/test_postings.py`` compares both ways.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .schema import DEFAULT_FIELDS

_LENGTH = [byte_to_length(i) for i in range(256)]


def plain_words(parsed: query.Query) -> list[str] | None:
    """The words of a query that is one word or an OR of words (in the default field), else None."""
    field = DEFAULT_FIELDS[0]
    leaves = parsed.subqueries if type(parsed) is query.Or else [parsed]
    if not leaves or len(DEFAULT_FIELDS) != 1:
        return None
    if not all(type(q) is query.Term and q.fieldname == field and q.boost == 1.0 for q in leaves):
        return None
    return [str(q.text) for q in leaves]


class Scores:
    """Every section's BM25 for some words, worked out once; the best on demand."""

    def __init__(
        self,
        searcher: Any,
        words: Sequence[str],
        allow: set[int] | None = None,
        exclude: set[int] | None = None,
    ) -> None:
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise TypeError("postings scoring needs BM25F")
        field = DEFAULT_FIELDS[0]
        b, k1 = weighting._field_B.get(field, weighting.B), weighting.K1
        avgfl = searcher.avg_field_length(field) or 1
        self.scores: dict[int, float] = {}
        self.holders: dict[str, set[int]] = {}  # word -> the sections that hold it
        scores = self.scores
        k1p = k1 + 1
        several = len(words) > 1
        # BM25's length normalization, k1 * ((1 - b) + b * fl / avgfl), for
        # each of the 256 length bytes: the same expression, the same bits.
        norms = [k1 * ((1 - b) + b * fl / avgfl) for fl in _LENGTH]
        for segment, base in searcher.reader().leaf_readers():
            lengths = _lengths(segment, field) or bytes(segment.doc_count_all())
            deleted = segment.deleted_docs_set
            for word in words:
                idf = searcher.idf(field, word)
                held = self.holders.setdefault(word, set())
                for ids, weights in _blocks(segment, field, word):
                    docs = [base + doc for doc in ids]
                    # Whoosh's bm25(), written out the same way (the same float bits).
                    values = [
                        idf * ((tf * k1p) / (tf + norms[lengths[doc]]))
                        for doc, tf in zip(ids, weights, strict=True)
                    ]
                    keep = (
                        [
                            i
                            for i, doc in enumerate(ids)
                            if not (
                                doc in deleted
                                or (allow is not None and docs[i] not in allow)
                                or (exclude is not None and docs[i] in exclude)
                            )
                        ]
                        if (deleted or allow is not None or exclude is not None)
                        else None
                    )
                    if keep is not None:
                        docs = [docs[i] for i in keep]
                        values = [values[i] for i in keep]
                    if several:  # which words a section holds: asked only then
                        held.update(docs)
                    get = scores.get
                    for doc, value in zip(docs, values, strict=True):
                        scores[doc] = get(doc, 0.0) + value

    def terms(self, docnum: int) -> frozenset[str]:
        """The words a section holds."""
        return frozenset(word for word, held in self.holders.items() if docnum in held)

    def best(self, count: int | None) -> list[tuple[float, int]]:
        """(score, docnum) of the ``count`` best (None: all), best first, then by docnum."""
        items = self.scores.items()
        top = items if count is None else heapq.nlargest(count, items, key=itemgetter(1))
        return sorted(((score, docnum) for docnum, score in top), key=lambda t: (-t[0], t[1]))


def _lengths(segment: Any, field: str) -> bytes | None:
    """The length byte of every document of a segment in ``field``: one read of its column."""
    column = segment._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is None:
        return None
    data: bytes = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    return data + bytes(max(0, segment.doc_count_all() - len(data)))  # trailing zeros unwritten


def _blocks(segment: Any, field: str, word: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(document ids, weights) of a term's postings in one segment, a block at a time."""
    if (field, word) not in segment:
        return
    text = segment._text_to_bytes(field, word)
    matcher = segment._terms.matcher(field, text, segment.schema[field].format)
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()
