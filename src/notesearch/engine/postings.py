"""BM25 of plain word queries straight from the postings: no Whoosh matcher per posting.

A query of one word, or of words joined by OR (what most typed queries are),
scores every section that holds one of them. Whoosh does that with a matcher
tree and a field-length column lookup per posting, about 3 µs each: 150 ms
for a word in half the sections of 10,000 notes, which ``find`` pays per
keystroke. Here each segment's length column is read once, as bytes, and
each term's postings a block (up to 128 postings) at a time, with the same
BM25F formula, idf and average length as Whoosh's, so the scores are
Whoosh's own (to the last bits of the float sums). A word's scored postings
are kept for the next queries over the same open index (:class:`Decoded`):
``find`` asks for the same words at every key typed after them.

A block is a pickled tuple (ids, weights, values), and the values (each
posting's positions, as bytes) cost most of its unpickling: a bytes object
in Whoosh's pickles (protocol 2) is a call of ``_codecs.encode`` each. A
score needs only the ids and the weights, the first two items: so only as
much of the block as holds them is inflated, and only they are unpickled
(:func:`_head`; Whoosh's own reading when the block is not as expected).

The block and column reading uses Whoosh's private API (``whoosh3`` is
pinned exactly): with :mod:`.workers` (writing), this is the file to audit
on a Whoosh bump; ``tests/engine/test_postings.py`` compares both ways.
"""

from __future__ import annotations

import heapq
import pickle
import threading
import weakref
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from itertools import accumulate, repeat
from operator import add
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
    """Every section's BM25 for some words, worked out once; the best on demand.

    For one word, the scores are its postings' own, kept as they come (docnums and
    values in postings order, segment after segment): no look-up per posting, and
    :attr:`scores` is made only when asked for. Words after the first add theirs.
    """

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
        self.holders: dict[str, set[int]] = {}  # word -> the sections that hold it
        several = len(words) > 1
        self._scores: dict[int, float] | None = {} if several else None
        self._docs, self._values = array("q"), array("d")  # one word's, in order
        scores = self._scores
        decoded = _decoded(searcher)
        for number, (segment, base) in enumerate(searcher.reader().leaf_readers()):
            for nth, word in enumerate(words):
                docs, values = decoded.postings(number, segment, base, word)
                held = self.holders.setdefault(word, set())
                if allow is not None or exclude is not None:
                    keep = [
                        i
                        for i, doc in enumerate(docs)
                        if not (
                            (allow is not None and doc not in allow)
                            or (exclude is not None and doc in exclude)
                        )
                    ]
                    docs = [docs[i] for i in keep]
                    values = [values[i] for i in keep]
                if scores is None:
                    self._docs.extend(docs)
                    self._values.extend(values)
                    continue
                held.update(docs)  # which words a section holds: asked only for several
                if nth == 0:
                    # No score yet for a document of this segment (the segments'
                    # docnums do not overlap), and 0.0 + v is v: BM25 values are > 0.
                    scores.update(zip(docs, values, strict=True))
                    continue
                get = scores.get
                for doc, value in zip(docs, values, strict=True):
                    scores[doc] = get(doc, 0.0) + value

    @property
    def scores(self) -> dict[int, float]:
        """docnum -> BM25, of every section that holds one of the words (in scoring order)."""
        if self._scores is None:
            self._scores = dict(zip(self._docs, self._values, strict=True))
        return self._scores

    def terms(self, docnum: int) -> frozenset[str]:
        """The words a section holds."""
        return frozenset(word for word, held in self.holders.items() if docnum in held)

    def best(self, count: int | None) -> list[tuple[float, int]]:
        """(score, docnum) of the ``count`` best (None: all), best first, then by docnum.

        The same as ``heapq.nlargest`` over the (docnum, score) items in scoring order:
        of equal scores at the cut, the first scored are kept.
        """
        if self._scores is None:  # one word: its postings, in order, are the items
            docs, values = self._docs, self._values
            at = range(len(values))
            top = at if count is None else heapq.nlargest(count, at, key=values.__getitem__)
            found = [(values[i], docs[i]) for i in top]
        else:
            scores = self._scores
            keys = (
                scores if count is None else heapq.nlargest(count, scores, key=scores.__getitem__)
            )
            found = [(scores[docnum], docnum) for docnum in keys]
        return sorted(found, key=lambda t: (-t[0], t[1]))


Postings = tuple[Sequence[int], Sequence[float]]  # (docnums, BM25 values), in postings order


class Decoded:
    """One open index's postings, decoded and scored, the most recently used kept.

    A word's postings (a zlib-compressed pickle per block of 128) cost more to
    decode than to score, and a query typed key by key asks for the same words
    again: the words before the one being typed, a word's stem again
    (``setting``, ``settings``). What is kept is what the first decoding gave:
    the same docnums and the same floats, in the same order, so the sums do not
    change by a bit. At most :attr:`limit` postings are kept (16 bytes each);
    an index's entries go with its searcher (a new generation is a new one).
    """

    limit = 1_000_000

    def __init__(self, searcher: Any) -> None:
        weighting = searcher.weighting
        field = DEFAULT_FIELDS[0]
        self._searcher = weakref.ref(searcher)
        self._b, self._k1 = weighting._field_B.get(field, weighting.B), weighting.K1
        self._avgfl = searcher.avg_field_length(field) or 1
        # BM25's length normalization, k1 * ((1 - b) + b * fl / avgfl), for
        # each of the 256 length bytes: the same expression, the same bits.
        self._norms = [self._k1 * ((1 - self._b) + self._b * fl / self._avgfl) for fl in _LENGTH]
        self._kept: OrderedDict[tuple[int, str], Postings] = OrderedDict()
        self.size = 0  # postings kept
        self._lock = threading.Lock()
        # note path -> how many sections link to it (the link field's document frequency,
        # asked for every candidate's note by the ranking's prior): one entry per note.
        self.links: dict[str, int] = {}
        self.positions: dict[tuple[str, int], Sequence[int] | None] = {}  # see kept_positions

    def postings(self, number: int, segment: Any, base: int, word: str) -> Postings:
        """The scored postings of ``word`` in segment ``number`` (docnums offset by ``base``),
        deleted documents left out."""
        key = (number, word)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        found = self._decode(segment, base, word)
        count = len(found[0])
        if count > self.limit:
            return found
        with self._lock:
            if key not in self._kept:
                self._kept[key] = found
                self.size += count
            while self.size > self.limit:
                _, (docs, _values) = self._kept.popitem(last=False)
                self.size -= len(docs)
        return found

    def _decode(self, segment: Any, base: int, word: str) -> Postings:
        field = DEFAULT_FIELDS[0]
        searcher = self._searcher()
        if searcher is None or (field, word) not in segment:
            return array("q"), array("d")
        idf = searcher.idf(field, word)
        k1p = self._k1 + 1
        norms = self._norms
        lengths = _lengths(segment, field) or bytes(segment.doc_count_all())
        deleted = segment.deleted_docs_set
        docs, values = array("q"), array("d")
        for ids, weights in _blocks(segment, field, word):
            if deleted:
                kept = [i for i, doc in enumerate(ids) if doc not in deleted]
                ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
            # Whoosh's bm25(), written out the same way (the same float bits).
            values.extend(
                [
                    idf * ((tf * k1p) / (tf + norms[lengths[doc]]))
                    for doc, tf in zip(ids, weights, strict=True)
                ]
            )
            docs.extend(map(add, ids, repeat(base)) if base else ids)
        return docs, values


POSITIONS_KEPT = 200_000  # (term, section) positions kept per open index
_DECODED: weakref.WeakKeyDictionary[Any, Decoded] = weakref.WeakKeyDictionary()
_DECODED_LOCK = threading.Lock()


def kept_positions(searcher: Any) -> dict[tuple[str, int], Sequence[int] | None]:
    """(term, docnum) -> its positions in ``body`` (None: not there), as read so far for
    this open index (:mod:`.proximity` adds what it reads; at most :data:`POSITIONS_KEPT`,
    then it starts again)."""
    kept = _decoded(searcher).positions
    if len(kept) > POSITIONS_KEPT:
        kept.clear()
    return kept


def link_counts(searcher: Any) -> dict[str, int]:
    """note path -> how many sections link to it, as worked out so far for this open index
    (the caller adds what it works out: the counts do not change while it is open)."""
    return _decoded(searcher).links


def _decoded(searcher: Any) -> Decoded:
    """The searcher's :class:`Decoded` (made on its first query)."""
    with _DECODED_LOCK:
        found = _DECODED.get(searcher)
        if found is None:
            found = _DECODED[searcher] = Decoded(searcher)
        return found


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
        head = _head(matcher)
        if head is None:  # not as expected: Whoosh reads all of it
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
        else:
            yield head
        matcher._next_block()


_VALUE = b"c_codecs\nencode\n"  # the first value's first opcode: GLOBAL _codecs.encode
_INFLATE = 2048  # bytes inflated at a time, until the values begin (most blocks: once)


def _head(matcher: Any) -> tuple[Sequence[int], Sequence[float]] | None:
    """(document ids, weights) of the matcher's block, as its ``_read_ids`` and
    ``_read_weights`` make them, read without the values; None when the block is
    not a pickle of (ids, weights, values of bytes) as Whoosh 3 writes them."""
    raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
    if matcher._compression:
        inflate = zlib.decompressobj()
        data = inflate.decompress(raw, _INFLATE)
        while _VALUE not in data[-_INFLATE - len(_VALUE) :] and not inflate.eof:
            more = inflate.decompress(inflate.unconsumed_tail, _INFLATE)
            if not more:
                break
            data += more
    else:
        data = raw
    start = data.find(_VALUE)
    if start < 0:
        return None
    head = None
    # The values start at the GLOBAL, or at the MARK before it (more than 3 values).
    for cut in (start - 1, start) if data[start - 1 : start] == b"(" else (start,):
        try:
            head = pickle.loads(data[:cut] + b"\x86.")  # TUPLE2, STOP
        except Exception:
            continue
        if type(head) is tuple and len(head) == 2:
            break
        head = None
    if head is None:
        return None
    ids, weights = head
    count = matcher._blocklength
    if type(ids) is not tuple or len(ids) != count:
        return None
    if not matcher._byteids:
        ids = tuple(accumulate(ids))  # Whoosh's delta_decode
    if weights is None:
        weights = array("f", [1.0]) * count
    elif isinstance(weights, float):
        weights = array("f", [weights]) * count
    elif type(weights) is not tuple or len(weights) != count:
        return None
    return ids, weights
