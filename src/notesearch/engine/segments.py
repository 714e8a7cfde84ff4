"""Writing index segments, and every writing call into Whoosh's private API (audit it on a bump).

The private calls (``SegmentWriter(_lk=False)``, its ``perdocwriter`` and
``fieldwriter``, ``_close_segment``, ``_merge_segments``,
``_finalize_segment``, ``_commit_toc``, ``_finish``) are why whoosh3 is
pinned exactly: they are what Whoosh's own multi-process writer does, and
they live here only. The reading ones (postings blocks and the length
column) are in :mod:`.postings`.

:class:`SegmentBuilder` writes new sections into segments of their own,
without Whoosh's ``add_document`` and posting pool: a section's terms and
positions come from one pass of the analyzer (:meth:`NoteAnalyzer.positions`),
its postings wait in memory grouped by field and term (Whoosh's pool pickles
every posting to a run file, sorts and merges them back), and the field
lengths are kept at hand instead of being read back per posting. What it
writes is what ``add_document`` and ``commit`` write, posting for posting
(tested). A segment is finished whenever the postings held pass a size, so
memory stays bounded however many notes there are.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import struct
import zlib
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from . import store

# Bytes of memory per posting held, besides its value bytes (three array
# slots: the document, the frequency and the value's end), and per term
# (its text, dictionary slot, tuple, array and bytearray), so that what is
# held comes close to what the process grows by: measured.
_POSTING_COST = 16
_TERM_COST = 480

# One term's postings in a segment: (document, frequency, where its value
# ends) for each, and the values one after another.
_Postings = tuple["array[int]", bytearray]


def __getattr__(name: str) -> Any:
    if name == "SafeFileStorage":
        return _safe_storage()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _safe_storage() -> Any:
    """The class ``SafeFileStorage`` (made on first use: it subclasses Whoosh's FileStorage)."""
    from whoosh.filedb.filestore import FileStorage

    class SafeFileStorage(FileStorage):  # type: ignore[misc]  # untyped base
        """A FileStorage that never writes through a hard link shared with the live index."""

        def create_file(
            self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any
        ) -> Any:
            path = self._fpath(name)
            if os.path.lexists(path):
                os.unlink(path)
            return super().create_file(name, excl=excl, mode=mode, **kwargs)

    return SafeFileStorage


def open_generation(tmp: str | Path) -> Any:
    """The Whoosh index of an unfinished generation, to add segments to."""
    return _safe_storage()(str(tmp)).open_index()


def new_generation(index_dir: Path, base: Path | None) -> tuple[Path, Any]:
    """A new unfinished generation (a copy of ``base``, or empty) and its Whoosh index."""
    tmp = store.start_generation(index_dir, base)
    from .schema import make_schema

    storage = _safe_storage()(str(tmp))
    return tmp, storage.create_index(make_schema()) if base is None else storage.open_index()


def commit_with(writer: Any, segments: list[Any]) -> None:
    """Commit ``writer`` (its deletions and merges) together with segments written
    by a :class:`SegmentBuilder`, here or in worker processes.

    What Whoosh's own multi-process writer does with ``multisegment=True``
    (whoosh3 3.54.0, pinned): the new segments join the table of contents as
    they are, next to whatever this writer merged or added.
    """
    try:
        final = writer._merge_segments(None, None, None)
        final += segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except Exception:
        writer._cleanup_on_error()
        raise
    writer._finish()


def segment_files(tmp: str | Path, written: list[Any]) -> list[str]:
    """The names of the files in ``tmp`` that make up the ``written`` segments."""
    ids = [segment.segid for segment in written]
    return sorted(name for name in os.listdir(tmp) if any(i in name for i in ids))


class SegmentBuilder:
    """Writes section documents into new segments of ``ix`` (see the module docstring).

    ``limit`` is about how many bytes of postings a segment may hold in
    memory before it is finished and the next one started. ``add`` takes a
    document as ``add_document`` would; ``finish`` writes what is held and
    returns the segments, for :func:`commit_with`. Should anything fail, the
    segments' files go with the unfinished generation they were written in.
    """

    def __init__(self, ix: Any, limit: int) -> None:
        self.ix = ix
        self.schema = ix.schema
        self.limit = limit
        self.segments: list[Any] = []
        self._kinds: dict[str, str] = {}
        self._last: dict[str, tuple[Any, list[tuple[str, int, bytes]]]] = {}  # see _terms
        self._writer: Any = None
        self._start()

    def _start(self) -> None:
        from whoosh.writing import SegmentWriter

        # No Whoosh lock: the caller holds the index lock, and each segment
        # has its own, randomly named files.
        self._writer = SegmentWriter(self.ix, _lk=False, compound=False)
        self._postings: dict[str, dict[str, _Postings]] = {}
        self._lengths: dict[str, array[int]] = {}  # by document: its stored length, 0 for None
        self._length_columns: dict[str, Any] = {}  # the length column writers, by field
        self._held = 0

    def add(self, doc: dict[str, Any]) -> None:
        """Add one document (field name to value), as ``writer.add_document(**doc)``."""
        writer = self._writer
        perdoc = writer.perdocwriter
        schema = self.schema
        docnum = writer.docnum
        held = 0
        # What the per-document writer's add_field and finish_doc do (a length
        # byte per field in its column, the field's total, the stored fields
        # pickled in theirs), without their calls per field.
        perdoc.start_doc(docnum)
        stored: dict[str, Any] = {}
        for fieldname in sorted(doc):
            value = doc[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            if field.stored:
                stored[fieldname] = value
            if field.indexed:
                length = 0
                postings = self._postings.setdefault(fieldname, {})
                for text, freq, vbytes in self._terms(fieldname, field, value):
                    length += freq
                    entry = postings.get(text)
                    if entry is None:
                        entry = postings[text] = (array("I"), bytearray())
                        held += _TERM_COST + len(text)
                    numbers, values = entry
                    values += vbytes
                    numbers.extend((docnum, freq, len(values)))
                    held += _POSTING_COST + len(vbytes)
                if field.scorable:
                    self._add_length(perdoc, fieldname, docnum, length)
            if field.column_type is not None:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        if stored:
            perdoc._colwriters["_stored"].add(docnum, stored)
        perdoc._indoc = False
        writer._added = True
        writer.docnum += 1
        self._held += held
        if self._held >= self.limit:
            self._finish_segment()
            self._start()

    def _add_length(self, perdoc: Any, fieldname: str, docnum: int, length: int) -> None:
        """Note a scorable field's length: in its column (as one byte) and total, and,
        as a posting's length will read it back, for :func:`_write_terms`."""
        to_byte, to_length = _quantized()
        byte = to_byte(length) if length else 0
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = array("I")
        if len(lengths) < docnum:
            lengths.extend(bytes(docnum - len(lengths)))  # documents without the field
        lengths.append(to_length(byte) if byte else 0)
        if length:
            column = self._length_columns.get(fieldname)
            if column is None:
                column = self._length_columns[fieldname] = _length_column(perdoc, fieldname)
            column.add(docnum, byte)
            perdoc._fieldlengths[fieldname] += length

    def _terms(self, fieldname: str, field: Any, value: Any) -> list[tuple[str, int, bytes]]:
        """(term, frequency, value bytes) of each term of ``value`` in ``field``: what
        ``field.index(value)`` yields (the term as text, the weight left out: it is
        the frequency times the field's boost), in one pass.

        The terms of the value a field had in the document before are those
        of that document: every section of a note has the note's path and
        title, most its tags.
        """
        last = self._last.get(fieldname)
        if last is not None and last[0] == value:
            return last[1]
        terms = self._analysed(fieldname, field, value)
        self._last[fieldname] = (value, terms)
        return terms

    def _analysed(self, fieldname: str, field: Any, value: Any) -> list[tuple[str, int, bytes]]:
        kind = self._kinds.get(fieldname)
        if kind is None:
            kind = self._kinds[fieldname] = _kind(fieldname, field)
        if not isinstance(value, str):
            raise TypeError(f"{fieldname}: {value!r} is not a string")
        if kind == "positions":
            encode = _encoder()
            return [
                (text, len(poses), encode(poses))
                for text, poses in field.analyzer.positions(value).items()
            ]
        if kind == "id":
            return [(value, 1, b"")]
        counts = Counter(word.strip().lower() for word in _KEYWORD.findall(value))
        return [(word, n, _packed(n)) for word, n in counts.items()]

    def finish(self) -> list[Any]:
        """Write the segment being built; all the segments written."""
        if self._writer is not None:
            self._finish_segment()
            self._writer = None
        return self.segments

    def _finish_segment(self) -> None:
        writer = self._writer
        if not writer._added:
            writer._close_segment()
            return
        writer.perdocwriter.close()
        fields = writer.fieldwriter
        schema = self.schema
        # By field name, then by term: UTF-8 bytes sort as their text does.
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue  # as Whoosh: a field without a term is not started
            fields.start_field(fieldname, schema[fieldname])
            _write_terms(fields, terms, self._lengths.get(fieldname, array("I")))
            fields.finish_field()
        fields.close()
        writer._close_segment()
        self.segments.append(writer.get_segment())
        self._postings = {}
        self._lengths = {}


def _write_terms(fields: Any, terms: dict[str, _Postings], lengths: array[int]) -> None:
    """Write one field's terms, in order, into the postings and term files of ``fields``
    (Whoosh's W3 field writer, its field started); ``lengths`` are the field's stored
    lengths by document.

    The bytes that ``start_term``, ``add_posting`` per posting and
    ``finish_term`` write (whoosh3 3.54.0: ``W3PostingsWriter._write_block``,
    ``W3TermInfo.to_bytes``, ``OrderedHashWriter.add``), made here a term at
    a time and written a buffer at a time: that chain of calls per term and
    per posting cost more than the rest of writing a segment. A block holds
    the documents (as gaps), the weights (the frequency times the field's
    boost, as 32-bit floats; None when all are 1, one number when all are
    equal) and the non-empty values, pickled and compressed once past
    Whoosh's threshold, after a pickled tuple of its statistics.
    """
    from pickle import dumps

    from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC
    from whoosh.system import pack_int, pack_long, pack_ushort
    from whoosh.util.numeric import length_to_byte

    postwriter = fields._postwriter
    if postwriter._inlinelimit > 1 or postwriter._byteids:  # not the W3 codec we pin
        raise TypeError("SegmentBuilder does not write inlined postings")
    fieldobj = fields._fieldobj
    boost = fieldobj.format.field_boost
    fixedsize = fieldobj.format.fixed_value_size()
    limit = postwriter._blocklimit
    level = postwriter._compression
    postfile = fields._postfile
    tindex = fields._tindex
    hashfn = tindex.hashfn
    buckets = tindex.buckets
    positions = tindex.index.append
    prefix = pack_ushort(fields._fieldid)
    pack_info = _TERM_INFO.pack
    pack_lengths = _KEY_VALUE_LENGTHS.pack
    posts = bytearray()
    posts_at = postfile.tell()
    table = bytearray()
    table_at = tindex.dbfile.tell()
    key = b""
    length_of = lengths.__getitem__
    flat = fixedsize is None or fixedsize < 0  # values kept as a tuple (else joined or none)
    whole = boost == int(boost)  # weights are whole numbers: their sums are exact
    for text in sorted(terms):
        numbers, values = terms[text]
        count = len(numbers) // 3
        offset = posts_at + len(posts)
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
        extent = posts_at + len(posts) - offset
        value = pack_info(
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
        key = prefix + text.encode("utf-8")
        at = table_at + len(table)
        positions(at)
        table += pack_lengths(len(key), len(value))
        table += key
        table += value
        h = hashfn(key)
        buckets[h & 255].append((h, at))
        if len(posts) > _FLUSH:
            postfile.write(bytes(posts))
            posts_at += len(posts)
            posts = bytearray()
        if len(table) > _FLUSH:
            tindex.dbfile.write(bytes(table))
            table_at += len(table)
            table = bytearray()
    postfile.write(bytes(posts))
    tindex.dbfile.write(bytes(table))
    if key:
        tindex.lastkey = key


def _compress(data: bytes, level: int) -> bytes:
    """``zlib.compress(data, level)``, as Whoosh compresses a block: the same deflate stream."""
    return zlib.compress(data, level)


_FLUSH = 1 << 20  # bytes of postings or terms gathered before they are written
_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo's, before the extent
_KEY_VALUE_LENGTHS = struct.Struct("!ii")  # HashWriter's, before each key and value


def _length_column(perdoc: Any, fieldname: str) -> Any:
    """The writer of a field's length column in ``perdoc`` (made as add_field makes it)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    name = _lenfield(fieldname)
    if not perdoc._has_column(name):
        perdoc._create_column(name, LENGTHS_COLUMN)
    return perdoc._get_column(name)


def _kind(name: str, field: Any) -> str:
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


_KEYWORD = re.compile("[^,]+")  # Whoosh's CommaSeparatedTokenizer


@functools.cache
def _packed(n: int) -> bytes:
    from whoosh.system import pack_uint

    return pack_uint(n)  # type: ignore[no-any-return]


@functools.cache
def _encoder() -> Any:
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


@functools.cache
def _quantized() -> Any:
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return length_to_byte, byte_to_length
