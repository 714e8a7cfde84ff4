"""notesearch: offline full-text search for folders of Markdown notes.

The Python API every front end is built on::

    from notesearch import QueryRequest, Vault

    vault = Vault(Path("notes"), Path("index"))
    vault.refresh()
    outcome = vault.query(QueryRequest("spot training", tags=("gotcha",)))
    for hit in outcome.result.hits:
        print(hit.section.path, hit.section.line, hit.snippet.text)

The lower layers stay importable too (``build_index``, ``open_index``,
``search``), and every error the library raises is exported here.

Everything but the errors is imported on first use (whoosh, and even the
models), so ``import notesearch`` is cheap.
"""

from __future__ import annotations

from .errors import (
    AmbiguousNoteError,
    AnchorNotFoundError,
    ConfigError,
    EditorError,
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexUntrustedError,
    IndexVersionError,
    IndexWriteError,
    NotARegularFile,
    NoteNotFoundError,
    NotesearchError,
    NotesFolderError,
    NothingFoundError,
    QuerySyntaxError,
    UnreadableNoteError,
    UsageError,
    WatchError,
)

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)

if TYPE_CHECKING:
    from typing import Any

    from .engine.build import build_index
    from .engine.reader import Index, open_index
    from .engine.search import search
    from .engine.spelling import suggest
    from .graph.links import (
        broken_links,
        incoming_links,
        orphans,
        outgoing_links,
    )
    from .graph.lookup import find_note
    from .graph.tags import tag_counts, tag_tree
    from .listings import LinkRef, TagCount, TagNode
    from .models import (
        Diagnostic,
        Hit,
        IndexStats,
        Link,
        Pick,
        QueryOutcome,
        QueryRequest,
        SearchResult,
        Section,
        Shown,
        Snippet,
        Span,
        Staleness,
        Suggestion,
    )
    from .notes.parse import parse_note
    from .settings import Color, Format, Settings
    from .vault import Vault

# Imported on first use: even the models (a dozen records) are
# not needed by every command, and a query answered by `notesearch watch`
# needs none of them.
_LAZY = {
    **dict.fromkeys(
        (
            "Diagnostic",
            "Hit",
            "IndexStats",
            "Link",
            "Pick",
            "QueryOutcome",
            "QueryRequest",
            "SearchResult",
            "Section",
            "Shown",
            "Snippet",
            "Span",
            "Staleness",
            "Suggestion",
        ),
        "models",
    ),
    **dict.fromkeys(("LinkRef", "TagCount", "TagNode"), "listings"),
    **dict.fromkeys(("Color", "Format", "Settings"), "settings"),
    "Vault": "vault",
    "broken_links": "graph.links",
    "incoming_links": "graph.links",
    "orphans": "graph.links",
    "outgoing_links": "graph.links",
    "find_note": "graph.lookup",
    "tag_counts": "graph.tags",
    "tag_tree": "graph.tags",
    "build_index": "engine.build",
    "parse_note": "notes.parse",
    "Index": "engine.reader",
    "open_index": "engine.reader",
    "search": "engine.search",
    "suggest": "engine.spelling",
}
__all__ = [
    "AmbiguousNoteError",
    "AnchorNotFoundError",
    "Color",
    "ConfigError",
    "Diagnostic",
    "EditorError",
    "Format",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexMissingError",
    "IndexStats",
    "IndexUntrustedError",
    "IndexVersionError",
    "IndexWriteError",
    "Link",
    "LinkRef",
    "NotARegularFile",
    "NoteNotFoundError",
    "NotesFolderError",
    "NotesearchError",
    "NothingFoundError",
    "Pick",
    "QueryOutcome",
    "QueryRequest",
    "QuerySyntaxError",
    "SearchResult",
    "Section",
    "Settings",
    "Shown",
    "Snippet",
    "Span",
    "Staleness",
    "Suggestion",
    "TagCount",
    "TagNode",
    "UnreadableNoteError",
    "UsageError",
    "Vault",
    "WatchError",
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
