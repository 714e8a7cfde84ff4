"""notesearch: offline full-text search for folders of Markdown notes.

The Python API the CLI is built on::

    from notesearch import build_index, open_index, search

    build_index(Path("notes"), Path("index"))
    with open_index("index", "notes") as idx:
        for hit in search(idx, "spot training", tags=["gotcha"]).hits:
            print(hit.section.path, hit.section.line, hit.snippet.text)

Everything but the errors is imported on first use (whoosh, and even the
models), so ``import notesearch`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    IndexLockedError,
    IndexMissingError,
    IndexVersionError,
    IndexWriteError,
    NotesearchError,
    NotesFolderError,
    QuerySyntaxError,
)

if TYPE_CHECKING:
    from .graph import (
        broken_links,
        find_note,
        incoming_links,
        orphans,
        outgoing_links,
        tag_counts,
        tag_tree,
    )
    from .index import build_index
    from .models import (
        Diagnostic,
        Hit,
        IndexStats,
        Link,
        LinkRef,
        SearchResult,
        Section,
        Snippet,
        Span,
        Suggestion,
        TagCount,
        TagNode,
    )
    from .parse import parse_note
    from .searcher import Index, open_index, search, suggest


__all__ = [
    "Diagnostic",
    "Hit",
    "Index",
    "IndexLockedError",
    "IndexMissingError",
    "IndexStats",
    "IndexVersionError",
    "IndexWriteError",
    "Link",
    "LinkRef",
    "NotesFolderError",
    "NotesearchError",
    "QuerySyntaxError",
    "SearchResult",
    "Section",
    "Snippet",
    "Span",
    "Suggestion",
    "TagCount",
    "TagNode",
    "__version__",
    "broken_links",
    "build_index",
    "find_note",
    "incoming_links",
    "open_index",
    "orphans",
    "outgoing_links",
    "parse_note",
    "search",
    "suggest",
    "tag_counts",
    "tag_tree",
]

# Imported on first use: even the models (a dozen dataclasses, ~10 ms) are
# not needed by every command, and a query answered by `notesearch watch`
# needs none of them.
_LAZY = {
    **dict.fromkeys(
        (
            "Diagnostic",
            "Hit",
            "IndexStats",
            "Link",
            "LinkRef",
            "SearchResult",
            "Section",
            "Snippet",
            "Span",
            "Suggestion",
            "TagCount",
            "TagNode",
        ),
        "models",
    ),
    "broken_links": "graph",
    "find_note": "graph",
    "incoming_links": "graph",
    "orphans": "graph",
    "outgoing_links": "graph",
    "tag_counts": "graph",
    "tag_tree": "graph",
    "build_index": "index",
    "parse_note": "parse",
    "Index": "searcher",
    "open_index": "searcher",
    "search": "searcher",
    "suggest": "searcher",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata costs ~25 ms: only when asked
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("notesearch")
        except PackageNotFoundError:  # running from a source tree
            return "0.0.0"
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
