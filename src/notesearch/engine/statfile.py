"""The stat table (what every query reads), and ``stat.bin``: it as packed columns.

JSON took 8-14 ms to parse at 10,000 notes; this takes about one. The file
is sealed like every file of a generation, but it is decoded as if it were
not: no ``marshal`` or ``pickle``, only lengths that are checked, UTF-8 text
and integer arrays, so damaged bytes are a ``ValueError`` and never more.

Layout (little-endian)::

    magic       8 bytes  b"NSSTAT1\\n"
    header      9 x u64  flags (bit 0: folders kept), then the counts of notes,
                         skipped, assets and folders, then the byte lengths of
                         their four path lists
    paths       four UTF-8 lists, each path ended by NUL (no path holds one)
    columns     i64 arrays: note sizes, note mtimes, skipped sizes, skipped
                mtimes, folder inodes (u64), folder mtimes, folder ctimes
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..records import field, record

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)

if TYPE_CHECKING:
    from .tables import FileTable


@record(frozen=False)
class StatTable:
    """The part of the file table a query needs: which files exist, and their stat signatures.

    A tenth of the whole table's size at 10,000 notes (no titles, tags,
    anchors or digests), packed (:func:`pack`), so a query reads it in about
    a millisecond.
    """

    # path -> (size, mtime_ns): a dict, or the columns read from stat.bin (Signatures)
    notes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)
    # folder -> (inode, mtime_ns, ctime_ns); None: find changes by a whole walk
    folders: dict[str, tuple[int, int, int]] | None = None

    @classmethod
    def of(cls, table: FileTable) -> StatTable:
        """The stat table of a file table."""
        folders = table.folders
        return cls(
            notes={p: (e.size, e.mtime_ns) for p, e in sorted(table.notes.items())},
            assets=sorted(table.assets),
            skipped={p: (s[0], s[1]) for p, s in sorted(table.skipped.items())},
            folders=None
            if folders is None
            else {k: (v[0], v[1], v[2]) for k, v in sorted(folders.items())},
        )


class Signatures(Mapping[str, tuple[int, int]]):
    """path -> (size, mtime_ns), kept as the columns it was read in.

    A dict of 10,000 tuples costs a cold process about 10 ms to build, more
    than reading the file; the freshness check walks the columns
    (:meth:`columns`) and most queries never look a path up. The first
    look-up builds an index of the paths.
    """

    __slots__ = ("_at", "mtimes", "paths", "sizes")

    def __init__(self, paths: list[str], sizes: Sequence[int], mtimes: Sequence[int]) -> None:
        if not len(paths) == len(sizes) == len(mtimes):
            raise ValueError("columns of different lengths")
        self.paths, self.sizes, self.mtimes = paths, sizes, mtimes
        self._at: dict[str, int] | None = None

    def columns(self) -> Iterator[tuple[str, int, int]]:
        """(path, size, mtime_ns) of each note, in the stored (sorted) order."""
        return zip(self.paths, self.sizes, self.mtimes, strict=True)

    def _index(self) -> dict[str, int]:
        if self._at is None:
            self._at = {path: i for i, path in enumerate(self.paths)}
        return self._at

    def __getitem__(self, path: str) -> tuple[int, int]:
        at = self._index()[path]
        return self.sizes[at], self.mtimes[at]

    def __contains__(self, path: object) -> bool:
        return path in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __repr__(self) -> str:
        return f"Signatures({len(self.paths)} notes)"


def columns(notes: Mapping[str, tuple[int, int]]) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime_ns) of each note of a stat table, from its columns when it has them."""
    if isinstance(notes, Signatures):
        return notes.columns()
    return ((path, size, mtime) for path, (size, mtime) in notes.items())


MAGIC = b"NSSTAT1\n"
_HEADER = struct.Struct("<9Q")
_FOLDERS = 1


def _paths(paths: Iterable[str]) -> bytes:
    return b"".join(p.encode("utf-8") + b"\0" for p in paths)


def _column(kind: str, values: Iterable[int]) -> bytes:
    column = array(kind, values)
    if sys.byteorder == "big":
        column.byteswap()
    return column.tobytes()


def pack(table: StatTable) -> bytes:
    """The bytes of ``stat.bin`` for ``table``."""
    folders = table.folders or {}
    lists = [
        _paths(table.notes),
        _paths(table.skipped),
        _paths(table.assets),
        _paths(folders),
    ]
    flags = 0 if table.folders is None else _FOLDERS
    counts = (len(table.notes), len(table.skipped), len(table.assets), len(folders))
    header = _HEADER.pack(flags, *counts, *(len(b) for b in lists))
    notes, skipped, signatures = table.notes.values(), table.skipped.values(), folders.values()
    columns = [
        _column("q", (s[0] for s in notes)),
        _column("q", (s[1] for s in notes)),
        _column("q", (s[0] for s in skipped)),
        _column("q", (s[1] for s in skipped)),
        _column("Q", (s[0] for s in signatures)),
        _column("q", (s[1] for s in signatures)),
        _column("q", (s[2] for s in signatures)),
    ]
    return b"".join([MAGIC, header, *lists, *columns])


class _Reader:
    """Cuts ``raw`` into its parts, front to back, checking every length."""

    def __init__(self, raw: bytes) -> None:
        self.raw = memoryview(raw)
        self.at = 0

    def take(self, size: int) -> memoryview:
        end = self.at + size
        if size < 0 or end > len(self.raw):
            raise ValueError("stat.bin is truncated")
        part, self.at = self.raw[self.at : end], end
        return part

    def paths(self, size: int, count: int) -> list[str]:
        text = bytes(self.take(size)).decode("utf-8")  # UnicodeDecodeError is a ValueError
        if not count and not text:
            return []
        paths = text[:-1].split("\0") if text.endswith("\0") else []
        if len(paths) != count:
            raise ValueError("stat.bin has a path list of another length")
        return paths

    def column(self, kind: str, count: int) -> Sequence[int]:
        column = array(kind)
        column.frombytes(self.take(count * column.itemsize))
        if sys.byteorder == "big":
            column.byteswap()
        return column


def unpack(raw: bytes) -> StatTable:
    """The stat table in ``raw``; ValueError when it is not what :func:`pack` writes."""
    if raw[: len(MAGIC)] != MAGIC:
        raise ValueError("stat.bin does not start as one")
    reader = _Reader(raw)
    reader.take(len(MAGIC))
    flags, *counts_and_sizes = _HEADER.unpack(reader.take(_HEADER.size))
    counts, sizes = counts_and_sizes[:4], counts_and_sizes[4:]
    if flags & ~_FOLDERS:
        raise ValueError("stat.bin has unknown flags")
    note_paths, skipped_paths, assets, folder_paths = (
        reader.paths(size, count) for size, count in zip(sizes, counts, strict=True)
    )
    n_notes, n_skipped, _, n_folders = counts
    note_sizes, note_mtimes = reader.column("q", n_notes), reader.column("q", n_notes)
    skip_sizes, skip_mtimes = reader.column("q", n_skipped), reader.column("q", n_skipped)
    inodes = reader.column("Q", n_folders)
    mtimes, ctimes = reader.column("q", n_folders), reader.column("q", n_folders)
    if reader.at != len(raw):
        raise ValueError("stat.bin has bytes after its columns")
    folders = None
    if flags & _FOLDERS:
        folders = dict(zip(folder_paths, zip(inodes, mtimes, ctimes, strict=True), strict=True))
    elif n_folders:
        raise ValueError("stat.bin has folders without its flag")
    return StatTable(
        notes=Signatures(note_paths, note_sizes, note_mtimes),
        assets=assets,
        skipped=dict(zip(skipped_paths, zip(skip_sizes, skip_mtimes, strict=True), strict=True)),
        folders=folders,
    )
