"""The bytes of a term's postings in Whoosh's W3 codec (whoosh3 3.54.0, pinned).

What ``W3PostingsWriter`` writes for a term, posting by posting
(``start_postings``, ``add_posting``, ``_write_block``) and the term info
``W3TermInfo.to_bytes`` makes of it, made here from a term's postings as
:class:`~.segments.SegmentBuilder` holds them, a term at a time: Whoosh's
chain of calls per term and per posting cost more than the rest of writing
a segment. A block holds the documents (as gaps), the weights (the frequency
times the field's boost, as 32-bit floats; None when all are 1, one number
when all are equal) and the non-empty values, pickled and compressed past
Whoosh's threshold, after a pickled tuple of its statistics. No Whoosh
object is touched: :func:`.segments._write_terms` takes the layout from
Whoosh's writers and gives the bytes to its files (tested equal, file for
file, to what Whoosh's writer writes). :func:`kind` tells which of the
schema's formats a field is written in.
"""

from __future__ import annotations

import functools
import operator
import re
import struct
import zlib
from array import array
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int, pack_long, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..records import record

# One term's postings: (document, frequency, where its value ends) for each,
# and the values one after another.
Postings = tuple["array[int]", bytearray]

_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo's, before the extent


@record
class Layout:
    """How a field's postings are written: its format's boost and value size, the
    codec's postings per block and zlib level."""

    boost: float
    fixedsize: int | None
    limit: int
    level: int


def term(
    posts: bytearray,
    numbers: array[int],
    values: bytearray,
    lengths: array[int],
    layout: Layout,
    offset: int,
) -> bytes:
    """Add one term's postings to ``posts`` (which starts at ``offset`` of the postings
    file); its term info. ``lengths`` are the field's stored lengths by document."""
    boost, fixedsize, limit, level = layout.boost, layout.fixedsize, layout.limit, layout.level
    length_of = lengths.__getitem__
    flat = fixedsize is None or fixedsize < 0  # values kept as a tuple (else joined or none)
    whole = boost == int(boost)  # weights are whole numbers: their sums are exact
    offset += len(posts)
    count = len(numbers) // 3
    mark = len(posts)
    posts += WHOOSH3_HEADER_MAGIC
    shortest: int | None
    heaviest: float
    if count == 1:  # most terms: one block of one posting
        doc, freq, end = numbers
        top = freq * boost
        total = array("f", (top,))[0]
        known = length_of(doc) if doc < len(lengths) else 0
        shortest = known or None
        longest = known
        byte = length_to_byte(shortest)
        if flat:
            mini_values: Any = (bytes(values),) if end else ()
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = bytes(values)
        data = dumps(((doc,), None if total == 1.0 else total, mini_values), 2)
        comp = level if len(data) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            data = zlib.compress(data, comp)
        heaviest = top if top > 0 else 0
        info = dumps((1, doc, heaviest, comp, byte, byte), 2)
        posts += pack_int(-(len(info) + len(data)))
        posts += info
        posts += data
    else:
        total = 0.0
        shortest = None
        longest = 0
        heaviest = 0
        start = 0
        for first in range(0, count, limit):
            last = min(first + limit, count)
            docs = numbers[3 * first : 3 * last : 3]
            freqs = numbers[3 * first + 1 : 3 * last : 3]
            ends = numbers[3 * first + 2 : 3 * last : 3]
            n = len(docs)
            if n == 1:
                gaps: tuple[int, ...] = (docs[0],)
                top = freqs[0] * boost
                weight = array("f", (top,))[0]
                mini_weights: Any = None if weight == 1.0 else weight
                block_weight = weight
                known = length_of(docs[0]) if docs[0] < len(lengths) else 0
                block_min: int | None = known or None
                block_long = known
                end = ends[0]
                kept = [bytes(values[start:end])] if end > start else []
                start = end
            else:
                gaps = (docs[0], *map(operator.sub, docs[1:], docs))
                if whole and boost * max(freqs) < 1 << 24:
                    top = max(freqs) * boost
                    weights = array("f", freqs) if boost == 1.0 else None
                    if freqs.count(freqs[0]) == n:
                        weight = freqs[0] * boost
                        mini_weights = None if weight == 1.0 else weight
                    else:
                        if weights is None:
                            weights = array("f", [f * boost for f in freqs])
                        mini_weights = tuple(weights)
                    block_weight = sum(freqs) * boost
                else:
                    weights = array("f", [f * boost for f in freqs])
                    top = max(f * boost for f in freqs)
                    if all(x == 1.0 for x in weights):
                        mini_weights = None
                    elif weights.count(weights[0]) == n:
                        mini_weights = weights[0]
                    else:
                        mini_weights = tuple(weights)
                    block_weight = sum(weights)
                known_lengths = list(filter(None, map(length_of, docs))) if lengths else []
                block_min = min(known_lengths) if known_lengths else None
                block_long = max(known_lengths) if known_lengths else 0
                stop = ends[-1]
                if stop > start:
                    blob = bytes(values[start:stop])
                    starts = array("I", (start,))
                    starts.extend(ends[:-1])
                    pairs = zip(starts, ends, strict=True)
                    kept = [blob[a - start : b - start] for a, b in pairs if b > a]
                else:
                    kept = []
                start = stop
            block_max: float = top if top > 0 else 0
            if flat:
                mini_values = tuple(kept)
            elif fixedsize == 0:
                mini_values = None
            else:
                mini_values = b"".join(kept)
            data = dumps((gaps, mini_weights, mini_values), 2)
            comp = level if len(data) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                data = _compress(data, comp)
            info = dumps(
                (
                    n,
                    docs[-1],
                    block_max,
                    comp,
                    length_to_byte(block_min),
                    length_to_byte(block_long),
                ),
                2,
            )
            size = len(info) + len(data)
            posts += pack_int(-size if last == count else size)
            posts += info
            posts += data
            # The term's statistics, as W3TermInfo.add_block keeps them.
            total += block_weight
            shortest = block_min if shortest is None else min(shortest, block_min)  # type: ignore[type-var]
            longest = max(longest, block_long)
            heaviest = max(heaviest, block_max)
    extent = len(posts) - mark
    value: bytes = _TERM_INFO.pack(
        False,
        total,
        count,
        0 if shortest is None else length_to_byte(shortest),
        length_to_byte(longest),
        heaviest,
        numbers[0],
        numbers[3 * (count - 1)],
    )
    value += pack_long(offset) + pack_int(extent)
    return value


def _compress(data: bytes, level: int) -> bytes:
    """``zlib.compress(data, level)``, as Whoosh compresses a block."""
    return zlib.compress(data, level)


@functools.cache
def packed(n: int) -> bytes:
    """``pack_uint(n)``: a frequency's value."""
    return pack_uint(n)  # type: ignore[no-any-return]


@functools.cache
def encoder() -> Any:
    """Whoosh's encoding of a posting's positions (``Positions.encode``), remembered
    for a single position: most terms occur once in a section."""
    from whoosh.formats import Positions

    encode = Positions().encode
    single: dict[int, bytes] = {}

    def encoded(poses: list[int]) -> bytes:
        if len(poses) == 1 and poses[0] < 65536:
            pos = poses[0]
            value = single.get(pos)
            if value is None:
                value = single[pos] = encode(poses)
            return value
        return encode(poses)  # type: ignore[no-any-return]

    return encoded


def quantized() -> tuple[Any, Any]:
    """(length to byte, byte to length): how the length column stores a field's length."""
    return length_to_byte, byte_to_length


def kind(name: str, field: Any) -> str:
    """How :meth:`SegmentBuilder._terms` indexes ``field``: "positions", "id" or
    "keywords" (the fields of notesearch's schema)."""
    from whoosh.analysis import IDTokenizer, KeywordAnalyzer
    from whoosh.formats import Existence, Frequency, Positions

    from .analysis import NoteAnalyzer

    if type(field.format) is Positions and isinstance(field.analyzer, NoteAnalyzer):
        return "positions"
    if type(field.format) is Existence and type(field.analyzer) is IDTokenizer:
        return "id"
    if type(field.format) is Frequency and field.analyzer == KeywordAnalyzer(
        lowercase=True, commas=True
    ):
        return "keywords"  # comma-separated, stripped, lowercased
    raise TypeError(f"field {name!r}: SegmentBuilder does not write {field!r}")


KEYWORD = re.compile("[^,]+")  # Whoosh's CommaSeparatedTokenizer
