"""Finding what the user named: a note by path, file name, title or alias; a section in it."""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from pathlib import Path

from ..engine.reader import Index
from ..errors import AmbiguousNoteError, AnchorNotFoundError, NoteNotFoundError
from ..models import Section
from ..notes.links import slugify
from ..notes.names import strip_suffix


def find_note(
    index: Index, spec: str, notes_dir: Path | None = None, *, cwd: str | None = None
) -> str:
    """The path of the note the user named.

    ``spec`` may be a path relative to the notes root, a path from the
    current folder (``cwd``, this process's when None), a file name (with or
    without ``.md``), a note title or an alias. Raises NoteNotFoundError
    (with the closest names) or AmbiguousNoteError (listing the candidates).
    """
    notes = index.table.notes
    spec = spec.strip()
    if spec in notes:
        return spec
    if notes_dir is not None:  # a path from the current folder
        here = os.path.join(cwd, spec) if cwd is not None else spec
        there = os.path.join(cwd, notes_dir) if cwd is not None else notes_dir
        try:
            rel = Path(os.path.abspath(here)).relative_to(Path(os.path.abspath(there)))
        except ValueError:
            rel = None
        if rel is not None and rel.as_posix() in notes:
            return rel.as_posix()
    lowered = spec.lower()
    bare = strip_suffix(lowered)
    by_path = [p for p in notes if strip_suffix(p.lower()) in (bare, lowered)]
    by_name = [p for p in notes if strip_suffix(posixpath.basename(p).lower()) == bare]
    by_title = [
        p
        for p, entry in notes.items()
        if entry.title.lower() == lowered or lowered in (a.lower() for a in entry.aliases)
    ]
    for candidates in (by_path, by_name, by_title):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise AmbiguousNoteError(
                f"{spec!r} matches {len(candidates)} notes: {', '.join(sorted(candidates))}",
                hint="Give the path relative to the notes folder.",
            )
    names = list(notes) + [e.title for e in notes.values()]
    close = difflib.get_close_matches(spec, names, n=3, cutoff=0.5)
    listing = "List the notes with `notesearch query 'path:*' --all -l`."
    hint = f"Closest: {', '.join(close)}." if close else listing
    raise NoteNotFoundError(f"no note {spec!r} in the index", hint=hint)


def note_sections(index: Index, path: str) -> list[Section]:
    return [s for s in index.sections() if s.path == path]


def find_section(index: Index, path: str, anchor: str | None, line: int | None) -> list[Section]:
    """The sections to show: the whole note, the one at ``anchor``, or the one holding ``line``."""
    sections = note_sections(index, path)
    if anchor:
        wanted = {anchor.lower(), slugify(anchor)}
        found = [s for s in sections if s.anchor in wanted]
        if not found:
            close = difflib.get_close_matches(
                slugify(anchor), [s.anchor for s in sections if s.anchor], n=3, cutoff=0.4
            )
            hint = f"Closest: {', '.join('#' + c for c in close)}." if close else None
            raise AnchorNotFoundError(f"{path} has no heading #{anchor}", hint=hint)
        return found
    if line is not None:
        found = [s for s in sections if s.line <= line <= s.end_line]
        if not found:
            raise AnchorNotFoundError(f"{path} has no line {line}")
        return found
    return sections


def extent(index: Index, sections: list[Section]) -> tuple[int, int]:
    """First and last line of ``sections`` together with their subsections."""
    first, last = sections[0].line, sections[-1].end_line
    level = sections[0].level
    if level > 0:
        for s in note_sections(index, sections[0].path):
            if s.line <= first:
                continue
            if s.level <= level:
                break
            last = max(last, s.end_line)
    return first, last


def anchor_line(lines: list[str], anchor: str) -> int | None:
    """The 1-based line of an HTML anchor (``<a name="x">``, ``id="x"``) or a block id
    (``^x`` at a line's end) among a note's ``lines``; None when none is there."""
    name = anchor.split("#")[-1].strip()
    if name.startswith("^"):
        pattern = re.compile(rf"(?:^|\s){re.escape(name)}\s*$", re.IGNORECASE)
    else:
        pattern = re.compile(
            rf"""<[^<>]*?\b(?:name|id)\s*=\s*["']?{re.escape(name)}(?=["'\s>])""", re.IGNORECASE
        )
    for number, text in enumerate(lines, 1):
        if pattern.search(text):
            return number
    return None
