"""Plain data the index keeps beside Whoosh's files: the file table and the stat table.

``files.json`` remembers every indexed note (size, mtime, content hash,
title, aliases, tags, anchors) and every folder walked (its stat signature);
``stat.bin`` holds only the paths and stat signatures, which is what every
query reads (:class:`~.statfile.StatTable`, packed columns); ``meta.json`` the schema
version, the discovery rules and when the walk began.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..records import field, names, record
from .statfile import StatTable as StatTable  # where it was before statfile.py
from .statfile import unpack

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any

TABLE = "files.json"
STAT = "stat.bin"  # paths and stat signatures only: what every query reads
META = "meta.json"


@record(frozen=False)
class NoteEntry:
    """What the index remembers of one note file (for incremental updates and links)."""

    size: int
    mtime_ns: int
    digest: str
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # every tag used in the note
    note_tags: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    sections: int = 0
    links: int = 0


ENTRY_FIELDS = names(NoteEntry)
RELIST = (0, 0, 0)  # a folder signature no folder has: the freshness check lists it again


@record(frozen=False)
class FileTable:
    """Every indexed note, plus the other files (link targets) seen under the root."""

    notes: dict[str, NoteEntry] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    # Notes that were skipped (binary, too large, unreadable) -> [size, mtime_ns],
    # so that an unchanged skipped file is neither re-read nor reported as new.
    skipped: dict[str, list[int]] = field(default_factory=dict)
    # Every folder the walk entered -> [inode, mtime_ns, ctime_ns]; None when
    # only a whole walk finds what changed (symlinks, unreadable folders; or
    # written before folders were kept).
    folders: dict[str, list[int]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The notes, assets and skipped files, as an update compares them: whether
        folders are kept, not their signatures (alone no reason to write a generation)."""
        # Each entry is a list in FIELDS order, not an object (decodes twice as fast).
        return {
            "fields": list(ENTRY_FIELDS),
            "notes": {
                path: [getattr(e, k) for k in ENTRY_FIELDS]
                for path, e in sorted(self.notes.items())
            },
            "assets": sorted(self.assets),
            "skipped": dict(sorted(self.skipped.items())),
            "folders": self.folders is not None,
        }

    def same_as(self, other: FileTable) -> bool:
        """Whether ``other`` holds what this table holds, as :meth:`to_json` says it
        (without writing either out: an update of 10,000 unchanged notes asks twice)."""
        return (
            self.notes == other.notes
            and self.skipped == other.skipped
            and (self.folders is None) == (other.folders is None)
            and sorted(self.assets) == sorted(other.assets)
        )

    def saved(self) -> dict[str, Any]:
        """What ``files.json`` holds: :meth:`to_json` and the folders."""
        folders = self.folders
        kept = None if folders is None else {k: list(folders[k]) for k in sorted(folders)}
        return {**self.to_json(), "folders": kept}

    def settle_folders(self, discovered: Iterable[str]) -> None:
        """Mark the folders holding a note that was found but is neither indexed nor
        skipped (it could not be read: tried again next time) as always to be listed
        again, or the freshness check would never count it as new."""
        folders = self.folders
        if folders is None:
            return
        for path in discovered:
            if path not in self.notes and path not in self.skipped:
                folder = path.rpartition("/")[0]
                if folder in folders:
                    folders[folder] = list(RELIST)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileTable:
        fields = data.get("fields")
        if fields == list(ENTRY_FIELDS):
            notes = {path: NoteEntry(*entry) for path, entry in data.get("notes", {}).items()}
        else:  # objects, as written before
            notes = {path: NoteEntry(**entry) for path, entry in data.get("notes", {}).items()}
        folders = data.get("folders")
        folders = folders if isinstance(folders, dict) else None
        return cls(
            notes=notes,
            assets=list(data.get("assets", [])),
            skipped={k: list(v) for k, v in data.get("skipped", {}).items()},
            folders=None if folders is None else {k: list(v) for k, v in folders.items()},
        )


def read_meta(gen: Path, *, strict: bool = False) -> dict[str, Any]:
    """``gen``'s meta table; ``{}`` when it is missing or damaged (``strict``: raises
    OSError or ValueError then)."""
    try:
        data = json.loads((gen / META).read_bytes())
        if not isinstance(data, dict):
            raise ValueError(f"{META} does not hold an object")
    except (OSError, ValueError):
        if strict:
            raise
        return {}
    return data


def read_table(gen: Path, *, strict: bool = False) -> FileTable:
    """``gen``'s file table; empty when it is missing or damaged (``strict``: raises
    OSError or ValueError then)."""
    try:
        return parse_table((gen / TABLE).read_bytes(), strict=strict)
    except OSError:
        if strict:
            raise
        return FileTable()


def parse_table(raw: bytes, *, strict: bool = False) -> FileTable:
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError(f"{TABLE} does not hold an object")
        return FileTable.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if strict:
            raise ValueError(f"{TABLE} is damaged: {exc}") from None
        return FileTable()


def read_stat(gen: Path, *, strict: bool = False) -> StatTable | None:
    """The generation's stat table (``stat.bin``), or None when it has none.

    A damaged one is None too (``strict``: raises ValueError then).
    """
    try:
        return unpack((gen / STAT).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if strict:
            raise ValueError(f"the stat table is damaged: {exc}") from None
        return None


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (never through a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o644), "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` (never through a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=True, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
