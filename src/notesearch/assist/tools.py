"""What each MCP tool answers: JSON-ready records built from :class:`~notesearch.vault.Vault`.

No MCP here: :mod:`notesearch.assist.server` registers these functions as
tools. A search hit is the record ``notesearch query --format jsonl`` prints
(``Hit.to_dict()`` plus ``rank``, ``file`` and ``schema_version``), with every
string from notes passed through :mod:`notesearch.sanitize` (a model reads
these: bidi overrides and invisible tag characters become visible escapes)
and the section text bounded. Every list and text is bounded (``MAX_*``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..listings import LinkRef, TagCount, TagNode
from ..models import QueryRequest, Section
from ..paths import PathDisplay
from ..printers.jsonl import SCHEMA_VERSION
from ..sanitize import clean, clean_block, clean_with_spans
from ..vault import Vault

MAX_RESULTS = 50  # hits of one search
TEXT_CHARS = 1_500  # of a hit's section text
MAX_LINKS = 25  # of a hit's links
SHOW_CHARS = 8_000  # default of show's max_chars
MAX_SHOW_CHARS = 100_000  # the most show returns, whatever max_chars asks
MAX_OUTLINE = 200  # headings listed by show
MAX_TAGS = 500  # tags, and nodes of the tag tree
MAX_LINKS_LISTED = 100  # a note's links or backlinks, broken links


def _clean(value: Any) -> Any:
    """Every string in ``value`` (dicts, lists) sanitized, one line each."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _bounded(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters (at a line's end when one is near), and whether cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    newline = cut.rfind("\n")
    if newline >= limit // 2:
        cut = cut[:newline]
    return cut, True


class Tools:
    """The answers of the MCP tools over one vault (paths shown from ``cwd``)."""

    def __init__(self, vault: Vault, cwd: str | None = None) -> None:
        self.vault = vault
        self.paths = PathDisplay(str(vault.notes_dir), cwd or os.getcwd())
        self._kept: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}

    # ------------------------------------------------------------------ search

    def search(
        self,
        query: str,
        tags: list[str] | None = None,
        any_tags: list[str] | None = None,
        exclude_tags: list[str] | None = None,
        path: str | None = None,
        limit: int = 10,
    ) -> dict[str, Any]:
        """Ranked sections (QuerySyntaxError and friends propagate)."""
        request = QueryRequest(
            query,
            tags=tuple(tags or ()),
            any_tags=tuple(any_tags or ()),
            exclude_tags=tuple(exclude_tags or ()),
            path=path or None,
            limit=max(1, min(limit, MAX_RESULTS)),
        )
        outcome = self.vault.query(request)
        answer: dict[str, Any] = {
            "query": clean(query),
            "results": [self.hit_record(hit) for hit in outcome.result.hits],
            "warnings": [clean(w) for w in outcome.warnings],
        }
        if outcome.suggestion is not None:
            answer["suggestion"] = clean(outcome.suggestion.corrected)
        return answer

    def hit_record(self, hit: Any) -> dict[str, Any]:
        """The jsonl record of ``hit``, sanitized, with its text and links bounded."""
        record = hit.to_dict()
        snippet, spans = clean_with_spans(
            record.pop("snippet"), [(h["start"], h["end"]) for h in record.pop("highlights")]
        )
        text, cut = _bounded(clean_block(record.pop("text")), TEXT_CHARS)
        links = record.pop("links")
        record = {key: _clean(value) for key, value in record.items()}
        record.update(
            rank=hit.rank,
            file=clean(self.paths.file(hit.section.path)),
            snippet=snippet,
            highlights=[{"start": s, "end": e} for s, e in spans],
            text=text,
            text_truncated=cut,
            links=_clean(links[:MAX_LINKS]),
            links_truncated=len(links) > MAX_LINKS,
            schema_version=SCHEMA_VERSION,
        )
        return record

    # ------------------------------------------------------------------ show

    def show(
        self,
        note: str,
        anchor: str | None = None,
        line: int | None = None,
        max_chars: int = SHOW_CHARS,
    ) -> dict[str, Any]:
        """One section's Markdown (by anchor or line), or the whole note."""
        target = note
        if anchor:
            target = f"{note.partition('#')[0]}#{anchor.lstrip('#')}"
        whole = "#" not in target and line is None
        shown = self.vault.show(target, line)
        first = 1 if whole else shown.sections[0].line
        text = clean_block(shown.text)
        end_line = first + shown.text.count("\n")
        if whole and shown.text.endswith("\n"):
            end_line -= 1  # the file's last newline ends its last line, it starts none
        markdown, cut = _bounded(text, max(200, min(max_chars, MAX_SHOW_CHARS)))
        head: Section = shown.sections[0]
        answer: dict[str, Any] = {
            "path": clean(shown.path),
            "file": clean(self.paths.file(shown.path)),
            "title": clean(head.title),
            "heading": "" if whole else clean(head.heading),
            "breadcrumb": [] if whole else [clean(b) for b in head.breadcrumb],
            "anchor": "" if whole else clean(head.anchor),
            "line": first,
            "end_line": end_line,
            "markdown": markdown,
            "truncated": cut,
            "shown_end_line": first + markdown.count("\n") if cut else end_line,
            "total_chars": len(text),
            "sections": [_outline(s) for s in shown.sections[:MAX_OUTLINE]],
            "warnings": [clean(w) for w in shown.warnings],
        }
        return answer

    # ------------------------------------------------------------------ tags and links

    def _per_generation(self, name: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``compute()``, kept until the index has a new generation.

        Tags and broken links read every section (seconds at 10,000 notes); an
        assistant asks for them again and again between two updates.
        """
        with self.vault.open() as idx:
            stamp = (str(idx.generation), str(idx.meta.get("written")))
        kept = self._kept.get(name)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        answer = compute()  # a newer generation than ``stamp`` at worst: redone next time
        self._kept[name] = (stamp, answer)
        return answer

    def tags(self) -> dict[str, Any]:
        return self._per_generation("tags", self._tags)

    def _tags(self) -> dict[str, Any]:
        counts: list[TagCount] = self.vault.tag_counts()
        tree: list[TagNode] = self.vault.tag_tree()
        return {
            "tags": [
                {"name": clean(c.name), "notes": c.notes, "sections": c.sections}
                for c in counts[:MAX_TAGS]
            ],
            "tree": [
                {
                    "name": clean(n.name),
                    "label": clean(n.label),
                    "depth": n.depth,
                    "notes": n.notes,
                    "sections": n.sections,
                }
                for n in tree[:MAX_TAGS]
            ],
            "count": len(counts),
            "truncated": len(counts) > MAX_TAGS or len(tree) > MAX_TAGS,
        }

    def links(self, note: str, direction: str = "out") -> dict[str, Any]:
        path, refs = self.vault.links(note, backlinks=direction == "in")
        return {
            "note": clean(path),
            "direction": direction,
            **self._link_rows(refs),
        }

    def broken_links(self) -> dict[str, Any]:
        return self._per_generation(
            "broken_links", lambda: self._link_rows(self.vault.broken_links())
        )

    def _link_rows(self, refs: list[LinkRef]) -> dict[str, Any]:
        return {
            "links": [_clean(ref.to_dict()) for ref in refs[:MAX_LINKS_LISTED]],
            "count": len(refs),
            "truncated": len(refs) > MAX_LINKS_LISTED,
        }

    # ------------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        with self.vault.open() as idx:
            notes = idx.table.notes
            stale = self.vault.staleness(idx)
            written = idx.meta.get("written") if isinstance(idx.meta, dict) else None
            generation = os.path.basename(str(idx.generation))
        when = (
            datetime.fromtimestamp(written, timezone.utc).isoformat(timespec="seconds")
            if isinstance(written, int | float)
            else None
        )
        return {
            "notes_dir": clean(self.paths.notes_root),
            "notes": len(notes),
            "sections": sum(entry.sections for entry in notes.values()),
            "generation": clean(generation),
            "indexed_at": when,
            "stale": bool(stale),
            "changed": stale.changed,
            "new": stale.new,
            "removed": stale.removed,
        }


def _outline(section: Section) -> dict[str, Any]:
    return {
        "heading": clean(section.heading),
        "anchor": clean(section.anchor),
        "level": section.level,
        "line": section.line,
        "end_line": section.end_line,
    }
