"""The one rule for what is a note, and for the note a link's target names.

Every place that asks "is this file a note?" (discovery, the watch's event
filter, link resolution, the index's link terms) asks here, with the
configured suffixes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from ..settings import NOTE_SUFFIXES


def is_note_name(name: str, suffixes: Iterable[str] = NOTE_SUFFIXES) -> bool:
    """Whether a file name ends in one of ``suffixes`` (case-insensitive)."""
    return name.lower().endswith(tuple(suffixes))


def note_suffix(name: str, suffixes: Iterable[str] = NOTE_SUFFIXES) -> str:
    """The note suffix ``name`` ends with (as given, lowercase), or ``""``."""
    lowered = name.lower()
    return next((s for s in suffixes if lowered.endswith(s)), "")


def strip_suffix(name: str, suffixes: Iterable[str] = NOTE_SUFFIXES) -> str:
    """``name`` without its note suffix."""
    suffix = note_suffix(name, suffixes)
    return name[: -len(suffix)] if suffix else name


def split_anchor(target: str) -> tuple[str, str | None]:
    """``a.md#b`` -> (``a.md``, ``b``); the anchor is ``None`` when absent."""
    if "#" in target:
        path, anchor = target.split("#", 1)
        return path, anchor
    return target, None


def wiki_name(raw: str) -> str:
    """The note a wiki link names: ``Note#Heading|alias`` and ``Note^block`` -> ``Note``."""
    return split_anchor(raw.split("|", 1)[0])[0].split("^", 1)[0]


def names_a_note(target: str, suffixes: Iterable[str] = NOTE_SUFFIXES) -> bool:
    """Whether a link target names a note (no extension, or a note suffix), not another file."""
    name = posixpath.basename(target.strip()).lower()
    return "." not in name or is_note_name(name, suffixes)
