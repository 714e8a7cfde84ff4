"""Plain-text printers for pipes: one result per line, no escape codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from ..models import SearchResult, Section
from ..sanitize import clean, clean_line

SEPARATOR = " › "


def trail(section: Section) -> str:
    """``Amazon SageMaker › Gotchas`` (the note title when the section has no heading)."""
    parts = section.trail or (section.title,)
    return SEPARATOR.join(parts)


class PlainPrinter:
    """``path:line: Breadcrumb › Heading: snippet``."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            s = hit.section
            self.out.write(
                f"{clean_line(s.path)}:{s.line}: {clean_line(trail(s))}: "
                f"{clean_line(hit.snippet.text)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{clean_line(s.path)}:{s.line}: {clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()


class PathsPrinter:
    """Unique note paths in rank order, one per line (or NUL-separated)."""

    def __init__(self, out: IO[str], *, null: bool = False) -> None:
        self.out = out
        self.end = "\0" if null else "\n"
        self.seen: set[str] = set()

    def _path(self, path: str) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        # With -0 the consumer splits on NUL, so any byte is fine but NUL, which
        # a path cannot hold; on lines, control characters are made visible.
        self.out.write((path if self.end == "\0" else clean(path)) + self.end)

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            self._path(hit.section.path)

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self._path(s.path)

    def close(self) -> None:
        self.out.flush()


class VimgrepPrinter:
    """``path:line:col:text``, for an editor's quickfix list."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            snip = hit.snippet
            line = snip.line or hit.section.line
            col = snip.column or 1
            self.out.write(
                f"{clean_line(hit.section.path)}:{line}:{col}:"
                f"{clean_line(trail(hit.section))}: {clean_line(snip.text)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{clean_line(s.path)}:{s.line}:1:{clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()
