"""The web of tags, served from the index: counts and the nested tree."""

from __future__ import annotations

from ..engine.reader import Index
from ..listings import TagCount, TagNode
from ..notes import tags as tagmod


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
