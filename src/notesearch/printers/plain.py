"""Plain-text printers for pipes: one result per line, no escape codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from ..models import Records, SearchResult, Section, Shown
from ..sanitize import clean, clean_block, clean_line

SEPARATOR = " › "


def trail(section: Section) -> str:
    """``Amazon SageMaker › Gotchas`` (the note title when the section has no heading)."""
    parts = section.trail or (section.title,)
    return SEPARATOR.join(parts)


def record_lines(records: Records) -> list[str]:
    """One line per row: the ``plain`` template, or the columns joined by tabs."""
    lines = []
    for row in records.rows:
        values = {k: clean_line(str(v)) if v is not None else "" for k, v in row.items()}
        if records.plain is not None:
            lines.append(records.plain.format(**values))
        else:
            lines.append("\t".join(values[c] for c in records.columns))
    return lines


class _Lines:
    """What every line printer shares: rows and raw Markdown as plain lines."""

    out: IO[str]

    def records(self, records: Records) -> None:
        for line in record_lines(records):
            self.out.write(line + "\n")

    def markdown(self, text: str) -> None:
        self.out.write(clean_block(text) + ("" if text.endswith("\n") else "\n"))

    def show(self, shown: Shown) -> None:
        self.markdown(shown.text.rstrip("\n") + "\n")


class PlainPrinter(_Lines):
    """``path:line: Breadcrumb › Heading: snippet``."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            s = hit.section
            self.out.write(
                f"{clean(s.path)}:{s.line}: {clean_line(trail(s))}: "
                f"{clean_line(hit.snippet.text)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{clean(s.path)}:{s.line}: {clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()


class PathsPrinter(_Lines):
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


class VimgrepPrinter(_Lines):
    """``path:line:col:text``, for an editor's quickfix list."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            snip = hit.snippet
            line = snip.line or hit.section.line
            col = snip.column or 1
            self.out.write(
                f"{clean(hit.section.path)}:{line}:{col}:"
                f"{clean_line(trail(hit.section))}: {clean_line(snip.text)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{clean(s.path)}:{s.line}:1:{clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()
