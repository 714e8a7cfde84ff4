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
import os
import re
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
        self._writer: Any = None
        self._start()

    def _start(self) -> None:
        from whoosh.writing import SegmentWriter

        # No Whoosh lock: the caller holds the index lock, and each segment
        # has its own, randomly named files.
        self._writer = SegmentWriter(self.ix, _lk=False, compound=False)
        self._postings: dict[str, dict[str, _Postings]] = {}
        self._lengths: dict[str, dict[int, int | None]] = {}
        self._held = 0

    def add(self, doc: dict[str, Any]) -> None:
        """Add one document (field name to value), as ``writer.add_document(**doc)``."""
        writer = self._writer
        perdoc = writer.perdocwriter
        schema = self.schema
        docnum = writer.docnum
        held = 0
        perdoc.start_doc(docnum)
        for fieldname in sorted(doc):
            value = doc[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
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
                if not field.scorable:
                    length = 0
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            if field.scorable:
                self._lengths.setdefault(fieldname, {})[docnum] = _stored_length(length)
            if field.column_type is not None:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1
        self._held += held
        if self._held >= self.limit:
            self._finish_segment()
            self._start()

    def _terms(self, fieldname: str, field: Any, value: Any) -> list[tuple[str, int, bytes]]:
        """(term, frequency, value bytes) of each term of ``value`` in ``field``: what
        ``field.index(value)`` yields (the term as text, the weight left out: it is
        the frequency times the field's boost), in one pass."""
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
            lengths = self._lengths.get(fieldname, {})
            fields.start_field(fieldname, schema[fieldname])
            boost = schema[fieldname].format.field_boost
            for text in sorted(terms):
                fields.start_term(text.encode("utf-8"))
                _write_postings(fields._postwriter, *terms[text], boost, lengths)
                fields.finish_term()
            fields.finish_field()
        fields.close()
        writer._close_segment()
        self.segments.append(writer.get_segment())
        self._postings = {}
        self._lengths = {}


def _write_postings(
    writer: Any,
    numbers: array[int],
    values: bytearray,
    boost: float,
    lengths: dict[int, int | None],
) -> None:
    """Give a term's postings to Whoosh's postings writer a block at a time.

    ``numbers`` holds (document, frequency, end of its value in ``values``)
    for each posting. What ``add_posting`` would do posting by posting
    (whoosh3 3.54.0): fill the block's documents, weights (the frequency
    times the field's boost, stored as 32-bit floats), non-empty values and
    its statistics, and write a block whenever a full one is followed by more.
    """
    limit = writer._blocklimit
    count = len(numbers) // 3
    start = 0
    for first in range(0, count, limit):
        if first:
            writer._write_block()
        last = min(first + limit, count)
        docs = numbers[3 * first : 3 * last : 3]
        weights = [freq * boost for freq in numbers[3 * first + 1 : 3 * last : 3]]
        writer._ids = docs
        writer._weights = array("f", weights)
        kept = []
        for end in numbers[3 * first + 2 : 3 * last : 3]:
            if end > start:
                kept.append(bytes(values[start:end]))
            start = end
        writer._values = kept
        heaviest = max(weights)
        writer._maxweight = heaviest if heaviest > 0 else 0
        known = [n for n in map(lengths.get, docs) if n]
        writer._minlength = min(known) if known else None
        writer._maxlength = max(known) if known else 0


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


def _stored_length(length: int) -> int | None:
    """The length a posting is written with: the field's length as the length column
    stores it (one byte), as Whoosh's commit reads it back (None for a byte of 0)."""
    to_byte, to_length = _quantized()
    if not length:
        return None
    byte = to_byte(length)
    return int(to_length(byte)) if byte else None
