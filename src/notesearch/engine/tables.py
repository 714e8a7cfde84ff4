"""Plain data the index keeps beside Whoosh's files: the file table and the stat table.

``files.json`` remembers every indexed note (size, mtime, content hash,
title, aliases, tags, anchors); ``stat.json`` holds only the paths and stat
signatures, which is what every query reads; ``meta.json`` the schema version
and the discovery rules.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLE = "files.json"
STAT = "stat.json"  # paths and stat signatures only: what every query reads
META = "meta.json"


@dataclass(slots=True)
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


ENTRY_FIELDS = tuple(NoteEntry.__dataclass_fields__)


@dataclass(slots=True)
class FileTable:
    """Every indexed note, plus the other files (link targets) seen under the root."""

    notes: dict[str, NoteEntry] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    # Notes that were skipped (binary, too large, unreadable) -> [size, mtime_ns],
    # so that an unchanged skipped file is neither re-read nor reported as new.
    skipped: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # Each entry is a list in FIELDS order, not an object: every query
        # reads this table, and lists decode twice as fast (10,000 notes).
        return {
            "fields": list(ENTRY_FIELDS),
            "notes": {
                path: [getattr(e, k) for k in ENTRY_FIELDS]
                for path, e in sorted(self.notes.items())
            },
            "assets": sorted(self.assets),
            "skipped": dict(sorted(self.skipped.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileTable:
        fields = data.get("fields")
        if fields == list(ENTRY_FIELDS):
            notes = {path: NoteEntry(*entry) for path, entry in data.get("notes", {}).items()}
        else:  # objects, as written before
            notes = {path: NoteEntry(**entry) for path, entry in data.get("notes", {}).items()}
        return cls(
            notes=notes,
            assets=list(data.get("assets", [])),
            skipped={k: list(v) for k, v in data.get("skipped", {}).items()},
        )


@dataclass(slots=True)
class StatTable:
    """The part of the file table a query needs: which files exist, and their stat signatures.

    A tenth of the whole table's size at 10,000 notes (no titles, tags,
    anchors or digests), so a query reads it in a few milliseconds.
    """

    notes: dict[str, list[int]] = field(default_factory=dict)  # path -> [size, mtime_ns]
    assets: list[str] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, table: FileTable) -> StatTable:
        return cls(
            notes={p: [e.size, e.mtime_ns] for p, e in sorted(table.notes.items())},
            assets=sorted(table.assets),
            skipped=dict(sorted(table.skipped.items())),
        )

    def to_json(self) -> dict[str, Any]:
        return {"notes": self.notes, "assets": self.assets, "skipped": self.skipped}

    @classmethod
    def from_json(cls, data: Any) -> StatTable:
        """Raises KeyError or TypeError when ``data`` is not what :meth:`to_json` makes."""
        return cls(notes=data["notes"], assets=data["assets"], skipped=data["skipped"])


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


def read_stat(gen: Path) -> StatTable | None:
    """The generation's stat table, or None when it has none (written before it existed)."""
    try:
        return StatTable.from_json(json.loads((gen / STAT).read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` (never through a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=True, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
