"""The shapes of the tools' answers, published to clients as each tool's output schema.

A search result is the record of ``notesearch query --format jsonl`` (see the
README's "JSON records") plus ``text_truncated`` and ``links_truncated``.
``typing_extensions.TypedDict``: pydantic (which turns them into JSON Schema)
needs it below Python 3.12; it comes with the ``mcp`` extra.
"""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Highlight(TypedDict):
    start: int
    end: int


class LinkRecord(TypedDict):
    kind: str
    raw: str
    line: int
    path: str | None
    anchor: str | None
    exists: bool
    outside: bool


class HitRecord(TypedDict):
    path: str
    file: str
    title: str
    heading: str
    level: int
    breadcrumb: list[str]
    anchor: str
    line: int
    end_line: int
    tags: list[str]
    links: list[LinkRecord]
    links_truncated: bool
    text: str
    text_truncated: bool
    score: float
    snippet: str
    highlights: list[Highlight]
    similar: list[str]  # notes of near-identical sections folded into this one
    rank: int
    schema_version: int


class SearchAnswer(TypedDict):
    query: str
    results: list[HitRecord]
    warnings: list[str]
    suggestion: NotRequired[str]


class OutlineEntry(TypedDict):
    heading: str
    anchor: str
    level: int
    line: int
    end_line: int


class ShowAnswer(TypedDict):
    path: str
    file: str
    title: str
    heading: str
    breadcrumb: list[str]
    anchor: str
    line: int
    end_line: int
    markdown: str
    truncated: bool
    shown_end_line: int
    total_chars: int
    sections: list[OutlineEntry]
    warnings: list[str]


class TagRecord(TypedDict):
    name: str
    notes: int
    sections: int


class TagTreeRecord(TypedDict):
    name: str
    label: str
    depth: int
    notes: int
    sections: int


class TagsAnswer(TypedDict):
    tags: list[TagRecord]
    tree: list[TagTreeRecord]
    count: int
    truncated: bool


class LinkRefRecord(TypedDict):
    source: str
    line: int
    target: str
    kind: str
    path: str | None
    anchor: str | None
    exists: bool
    outside: bool
    heading: str
    breadcrumb: list[str]
    reason: NotRequired[str]


class BrokenLinksAnswer(TypedDict):
    links: list[LinkRefRecord]
    count: int
    truncated: bool


class LinksAnswer(BrokenLinksAnswer):
    note: str
    direction: str


class StatusAnswer(TypedDict):
    notes_dir: str
    notes: int
    sections: int
    generation: str
    indexed_at: str | None
    stale: bool
    changed: int
    new: int
    removed: int
    watching: bool
    watch_problem: NotRequired[str]
