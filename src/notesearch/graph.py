"""The notes as a graph of links and a web of tags, served from the index.

Everything here reads what the index stored (sections with their links, the
file table with every note's anchors and tags); no note is parsed again.
Links are resolved against the notes present when the index is read.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import tags as tagmod
from .errors import NotesearchError
from .links import NOTE_SUFFIXES, slugify, split_anchor
from .models import Link, LinkRef, Section, TagCount, TagNode
from .searcher import Index


class NoteNotFoundError(NotesearchError):
    """No note matches what the user named."""


class AmbiguousNoteError(NotesearchError):
    """Several notes match what the user named."""


class AnchorNotFoundError(NotesearchError):
    """The note has no heading or anchor of that name."""


# ----------------------------------------------------------------------------- notes


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
    bare = lowered[: -len(s)] if (s := _suffix(lowered)) else lowered
    by_path = [p for p in notes if _strip(p.lower()) in (bare, lowered)]
    by_name = [p for p in notes if _strip(posixpath.basename(p).lower()) == bare]
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
    hint = f"Closest: {', '.join(close)}." if close else "See `notesearch query -l` for paths."
    raise NoteNotFoundError(f"no note {spec!r} in the index", hint=hint)


def _suffix(name: str) -> str:
    return next((s for s in NOTE_SUFFIXES if name.endswith(s)), "")


def _strip(name: str) -> str:
    suffix = _suffix(name)
    return name[: -len(suffix)] if suffix else name


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


# ----------------------------------------------------------------------------- links


def _refs(index: Index) -> Iterator[LinkRef]:
    for section in index.sections():
        for link in section.links:
            yield LinkRef(section.path, section.heading, section.breadcrumb, link)


def outgoing_links(index: Index, path: str) -> list[LinkRef]:
    """Links written in note ``path``, in the order they are written."""
    return sorted((r for r in _refs(index) if r.source == path), key=lambda r: r.link.line)


def incoming_links(index: Index, path: str) -> list[LinkRef]:
    """Links from other notes (and sections) that resolve to note ``path``."""
    return sorted(
        (r for r in _refs(index) if r.link.path == path and r.source != path),
        key=lambda r: (r.source, r.link.line),
    )


def anchor_exists(index: Index, path: str, anchor: str) -> bool:
    """Whether ``#anchor`` names a heading, an HTML anchor or a block id of note ``path``."""
    entry = index.table.notes.get(path)
    if entry is None:
        return False
    known = set(entry.anchors)
    last = anchor.split("#")[-1].strip()  # Obsidian allows Note#H1#H2
    candidates = {last.lower(), slugify(last)}
    if last.startswith("^"):
        candidates.add(last.lower())
    return bool(candidates & known)


def _names_a_note(link: Link) -> bool:
    """Whether a link points at a note (no extension, or .md) rather than another file."""
    target = link.path or split_anchor(link.raw.split("|", 1)[0])[0].split("^", 1)[0]
    name = posixpath.basename(target.strip()).lower()
    return "." not in name or name.endswith(NOTE_SUFFIXES)


def broken_links(index: Index) -> list[LinkRef]:
    """Every link whose target note, file or heading does not exist."""
    rows = []
    for ref in _refs(index):
        link = ref.link
        if link.kind == "external":
            continue
        reason = None
        if link.outside:
            reason = "outside the notes root"
        elif not link.exists:
            reason = "missing note" if _names_a_note(link) else "missing file"
        elif (
            link.anchor
            and link.path is not None
            and link.path in index.table.notes
            and not anchor_exists(index, link.path, link.anchor)
        ):
            reason = "missing heading anchor"
        if reason is not None:
            rows.append(LinkRef(ref.source, ref.heading, ref.breadcrumb, link, reason))
    return sorted(rows, key=lambda r: (r.source, r.link.line, r.target))


def orphans(index: Index) -> list[str]:
    """Notes that no other note links to."""
    linked = {r.link.path for r in _refs(index) if r.link.path and r.link.path != r.source}
    return sorted(p for p in index.table.notes if p not in linked)


def sections_linking_to(index: Index, path: str) -> set[tuple[str, int]]:
    """(note, line) of every section with a link that resolves to note ``path``."""
    return {
        (s.path, s.line)
        for s in index.sections()
        if any(link.path == path for link in s.links) and s.path != path
    }


def sections_linked_from(index: Index, path: str) -> set[tuple[str, int]]:
    """(note, line) of every section that note ``path`` links to.

    A link with an anchor points at that section; one without points at the
    whole note, so all its sections count.
    """
    whole: set[str] = set()
    anchored: dict[str, set[str]] = {}
    for ref in outgoing_links(index, path):
        target = ref.link.path
        if target is None or target == path or target not in index.table.notes:
            continue
        if ref.link.anchor is None:
            whole.add(target)
        else:
            last = ref.link.anchor.split("#")[-1]
            anchored.setdefault(target, set()).update({last.lower(), slugify(last)})
    return {
        (s.path, s.line)
        for s in index.sections()
        if s.path in whole or s.anchor in anchored.get(s.path, ())
    }


# ----------------------------------------------------------------------------- tags


def tag_counts(index: Index, sort: str = "name") -> list[TagCount]:
    """Every tag written in the notes, with its note and section counts."""
    notes: dict[str, int] = {}
    for entry in index.table.notes.values():
        for tag in entry.tags:
            notes[tag] = notes.get(tag, 0) + 1
    sections: dict[str, int] = {}
    for section in index.sections():
        for tag in section.tags:
            sections[tag] = sections.get(tag, 0) + 1
    counts = [TagCount(t, n, sections.get(t, 0)) for t, n in notes.items()]
    if sort == "count":
        return sorted(counts, key=lambda c: (-c.notes, -c.sections, c.name))
    return sorted(counts, key=lambda c: c.name)


def tag_tree(index: Index, sort: str = "name") -> list[TagNode]:
    """Tags as a depth-first tree: ``aws`` then ``aws/iam`` and ``aws/s3``.

    A parent's counts are of the notes and sections carrying it or any tag
    below it (as Obsidian's tag pane counts them).
    """
    notes: dict[str, set[str]] = {}
    for path, entry in index.table.notes.items():
        for tag in tagmod.expand(entry.tags):
            notes.setdefault(tag, set()).add(path)
    sections: dict[str, int] = {}
    for section in index.sections():
        for tag in tagmod.expand(section.tags):
            sections[tag] = sections.get(tag, 0) + 1

    children: dict[str, list[str]] = {}
    for tag in notes:
        parent = tag.rsplit("/", 1)[0] if "/" in tag else ""
        children.setdefault(parent, []).append(tag)

    def key(tag: str) -> tuple[object, ...]:
        if sort == "count":
            return (-len(notes[tag]), -sections.get(tag, 0), tag)
        return (tag,)

    out: list[TagNode] = []

    def visit(parent: str, depth: int) -> None:
        for tag in sorted(children.get(parent, []), key=key):
            label = tag.rsplit("/", 1)[-1]
            out.append(TagNode(tag, label, depth, len(notes[tag]), sections.get(tag, 0)))
            visit(tag, depth + 1)

    visit("", 0)
    return out


def note_paths(index: Index) -> Iterable[str]:
    return sorted(index.table.notes)
