"""Writing index segments, and every writing call into Whoosh's private API (audit it on a bump).

The private calls (``SegmentWriter(_lk=False)``, its ``perdocwriter`` and
``fieldwriter``, ``_close_segment``, ``_merge_segments``,
``_finalize_segment``, ``_commit_toc``, ``_finish``) are why whoosh3 is
pinned exactly: they are what Whoosh's own multi-process writer does, and
they live here only, with the writers' private state that
:func:`_write_terms` and :meth:`SegmentBuilder.add` write through. The
bytes of a term's postings are made in :mod:`.blocks`, from plain values;
the reading calls (postings blocks and the length column) are in
:mod:`.postings`.

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
import struct
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from . import blocks, store
from .blocks import Postings

# Bytes of memory per posting held, besides its value bytes (three array
# slots: the document, the frequency and the value's end), and per term
# (its text, dictionary slot, tuple, array and bytearray), so that what is
# held comes close to what the process grows by: measured.
_POSTING_COST = 16
_TERM_COST = 480


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
        self._postings: dict[str, dict[str, Postings]] = {}
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
        to_byte, to_length = blocks.quantized()
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
            kind = self._kinds[fieldname] = blocks.kind(fieldname, field)
        if not isinstance(value, str):
            raise TypeError(f"{fieldname}: {value!r} is not a string")
        if kind == "positions":
            encode = blocks.encoder()
            return [
                (text, len(poses), encode(poses))
                for text, poses in field.analyzer.positions(value).items()
            ]
        if kind == "id":
            return [(value, 1, b"")]
        counts = Counter(word.strip().lower() for word in blocks.KEYWORD.findall(value))
        return [(word, n, blocks.packed(n)) for word, n in counts.items()]

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


def _write_terms(fields: Any, terms: dict[str, Postings], lengths: array[int]) -> None:
    """Write one field's terms, in order, into the postings and term files of ``fields``
    (Whoosh's W3 field writer, its field started); ``lengths`` are the field's stored
    lengths by document.

    What ``start_term``, ``add_posting`` per posting and ``finish_term`` write
    (the postings and term info from :func:`.blocks.term`, the term table's
    entry as ``OrderedHashWriter.add`` writes it), a buffer at a time.
    """
    from whoosh.system import pack_ushort

    postwriter = fields._postwriter
    if postwriter._inlinelimit > 1 or postwriter._byteids:  # not the W3 codec we pin
        raise TypeError("SegmentBuilder does not write inlined postings")
    fmt = fields._fieldobj.format
    layout = blocks.Layout(
        fmt.field_boost, fmt.fixed_value_size(), postwriter._blocklimit, postwriter._compression
    )
    postfile = fields._postfile
    tindex = fields._tindex
    hashfn = tindex.hashfn
    buckets = tindex.buckets
    positions = tindex.index.append
    prefix = pack_ushort(fields._fieldid)
    pack_lengths = _KEY_VALUE_LENGTHS.pack
    posts = bytearray()
    posts_at = postfile.tell()
    table = bytearray()
    table_at = tindex.dbfile.tell()
    key = b""
    for text in sorted(terms):
        value = blocks.term(posts, *terms[text], lengths, layout, posts_at)
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


_FLUSH = 1 << 20  # bytes of postings or terms gathered before they are written
_KEY_VALUE_LENGTHS = struct.Struct("!ii")  # HashWriter's, before each key and value


def _length_column(perdoc: Any, fieldname: str) -> Any:
    """The writer of a field's length column in ``perdoc`` (made as add_field makes it)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    name = _lenfield(fieldname)
    if not perdoc._has_column(name):
        perdoc._create_column(name, LENGTHS_COLUMN)
    return perdoc._get_column(name)
