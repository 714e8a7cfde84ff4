"""The notes as a graph of links, served from the index.

Everything here reads what the index stored (sections with their links, the
file table with every note's anchors); no note is parsed again. Links are
resolved against the notes present when the index is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..engine.reader import Index
from ..listings import LinkRef
from ..notes.links import slugify
from ..notes.names import names_a_note, wiki_name


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
            reason = (
                "missing note" if names_a_note(link.path or wiki_name(link.raw)) else "missing file"
            )
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


def link_filter(
    index: Index,
    notes_dir: Path,
    links_to: str | None,
    linked_from: str | None,
    cwd: str | None = None,
) -> set[tuple[str, int]] | None:
    """The sections allowed by a query's ``links_to`` / ``linked_from`` notes, or None for all.

    The notes are named as a user would (see :func:`.lookup.find_note`).
    """
    from . import lookup

    allowed: set[tuple[str, int]] | None = None
    if links_to is not None:
        target = lookup.find_note(index, links_to, notes_dir, cwd=cwd)
        allowed = sections_linking_to(index, target)
    if linked_from is not None:
        source = lookup.find_note(index, linked_from, notes_dir, cwd=cwd)
        found = sections_linked_from(index, source)
        allowed = found if allowed is None else allowed & found
    return allowed
