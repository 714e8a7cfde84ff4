"""Rows for the table-like commands (tags, links), for every format at once.

A :class:`~notesearch.models.Records` carries the rows the tables show and,
where they differ, the rows JSON prints (``json_rows``): the printer picks
its own, so no command branches on the format.
"""

from __future__ import annotations

from ..listings import LinkRef, TagCount, TagNode
from ..models import Records
from .plain import SEPARATOR

TAG_COLUMNS = ("tag", "notes", "sections")
PATHS = ("source", "resolved")  # columns that hold note paths


def tag_records(counts: list[TagCount]) -> Records:
    rows = tuple({"tag": c.name, "notes": c.notes, "sections": c.sections} for c in counts)
    return Records("Tags", TAG_COLUMNS, rows, empty="no tags in the notes")


def tag_tree_records(nodes: list[TagNode]) -> Records:
    rows = tuple(
        {
            "tag": "  " * n.depth + n.label,
            "name": n.name,
            "depth": n.depth,
            "notes": n.notes,
            "sections": n.sections,
        }
        for n in nodes
    )
    return Records("Tags", TAG_COLUMNS, rows, empty="no tags in the notes")


def _shown(refs: list[LinkRef]) -> tuple[dict[str, object], ...]:
    return tuple(
        {
            **ref.to_dict(),
            "exists": "yes" if ref.link.exists else "no",
            "resolved": ref.link.path or "",
            "section": SEPARATOR.join((*ref.breadcrumb, ref.heading)) if ref.heading else "",
        }
        for ref in refs
    )


def link_records(path: str, refs: list[LinkRef], *, backlinks: bool) -> Records:
    """A note's outgoing links, or its backlinks."""
    if backlinks:
        title, columns = f"Links to {path}", ("source", "line", "section", "kind", "target")
    else:
        title, columns = f"Links in {path}", ("line", "kind", "target", "resolved", "exists")
    json_rows = tuple(ref.to_dict() for ref in refs)
    empty = f"no links to {path}" if backlinks else f"no links in {path}"
    return Records(
        title, columns, _shown(refs), json_rows=json_rows, path_columns=PATHS, empty=empty
    )


def broken_link_records(refs: list[LinkRef]) -> Records:
    json_rows = tuple(
        {"source": r.source, "line": r.link.line, "target": r.target, "reason": r.reason}
        for r in refs
    )
    return Records(
        "Broken links",
        ("source", "line", "target", "reason"),
        _shown(refs),
        plain="{source}:{line} → {target} ({reason})",
        json_rows=json_rows,
        path_columns=PATHS,
        empty="no broken links",
    )


def orphan_records(paths: list[str]) -> Records:
    rows = tuple({"path": p} for p in paths)
    return Records(
        "Orphan notes",
        ("path",),
        rows,
        json_rows=rows,
        path_columns=("path",),
        empty="no orphan notes: every note is linked from another",
    )
