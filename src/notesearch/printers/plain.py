"""Plain-text printers for pipes: one result per line, no escape codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from ..models import Hit, Records, SearchResult, Section, Shown
from ..paths import PathDisplay
from ..sanitize import clean, clean_block, clean_line

SEPARATOR = " › "


def trail(section: Section) -> str:
    """``Amazon SageMaker › Gotchas`` (the note title when the section has no heading)."""
    parts = section.trail or (section.title,)
    return SEPARATOR.join(parts)


def shown_path(paths: PathDisplay | None, path: str) -> str:
    """A note path as printed (see :class:`~notesearch.paths.PathDisplay`), unescaped."""
    return path if paths is None else paths.shown(path)


def similar(hit: Hit) -> str:
    """``  [+2 similar]`` after a hit that has near-identical sections folded into it."""
    return f"  [+{len(hit.similar)} similar]" if hit.similar else ""


def record_lines(records: Records, paths: PathDisplay | None = None) -> list[str]:
    """One line per row: the ``plain`` template, or the columns joined by tabs."""
    lines = []
    for row in shown_rows(records, paths):
        values = {k: clean_line(str(v)) if v is not None else "" for k, v in row.items()}
        if records.plain is not None:
            lines.append(records.plain.format(**values))
        else:
            lines.append("\t".join(values[c] for c in records.columns))
    return lines


def shown_rows(records: Records, paths: PathDisplay | None) -> tuple[dict[str, object], ...]:
    """The rows with their note paths (``records.path_columns``) as printed."""
    if paths is None or not records.path_columns:
        return records.rows
    return tuple(
        {
            k: shown_path(paths, v) if k in records.path_columns and isinstance(v, str) and v else v
            for k, v in row.items()
        }
        for row in records.rows
    )


class _Lines:
    """What every line printer shares: rows and raw Markdown as plain lines."""

    out: IO[str]
    paths: PathDisplay | None = None
    err: IO[str] | None = None  # where an empty report says so

    def _explain(self, result: SearchResult) -> None:
        """Each hit's score parts on stderr (``--explain``; JSON carries them in the record)."""
        from .messages import explanation, say

        if self.err is None:
            return
        for hit in result.hits:
            if hit.explain:
                say(
                    explanation(hit, f"{self._path(hit.section.path)}:{hit.section.line}"), self.err
                )

    def _path(self, path: str) -> str:
        return clean(shown_path(self.paths, path))

    def records(self, records: Records) -> None:
        if not records.rows and records.empty and self.err is not None:
            self.err.write(f"notesearch: {records.empty}\n")
        for line in record_lines(records, self.paths):
            self.out.write(line + "\n")

    def markdown(self, text: str) -> None:
        self.out.write(clean_block(text) + ("" if text.endswith("\n") else "\n"))

    def show(self, shown: Shown) -> None:
        self.markdown(shown.text.rstrip("\n") + "\n")


class PlainPrinter(_Lines):
    """``path:line: Breadcrumb › Heading: snippet``."""

    def __init__(self, out: IO[str], paths: PathDisplay | None = None) -> None:
        self.out = out
        self.paths = paths

    def hits(self, result: SearchResult) -> None:
        self._explain(result)
        for hit in result.hits:
            s = hit.section
            self.out.write(
                f"{self._path(s.path)}:{s.line}: {clean_line(trail(s))}: "
                f"{clean_line(hit.snippet.text)}{similar(hit)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{self._path(s.path)}:{s.line}: {clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()


class PathsPrinter(_Lines):
    """Unique note paths in rank order, one per line (or NUL-separated)."""

    def __init__(
        self, out: IO[str], paths: PathDisplay | None = None, *, null: bool = False
    ) -> None:
        self.out = out
        self.paths = paths
        self.end = "\0" if null else "\n"
        self.seen: set[str] = set()

    def _once(self, path: str) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        # With -0 the consumer splits on NUL, so any byte is fine but NUL, which
        # a path cannot hold; on lines, control characters are made visible.
        shown = shown_path(self.paths, path)
        self.out.write((shown if self.end == "\0" else clean(shown)) + self.end)

    def hits(self, result: SearchResult) -> None:
        self._explain(result)
        for hit in result.hits:
            self._once(hit.section.path)

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self._once(s.path)

    def close(self) -> None:
        self.out.flush()


class VimgrepPrinter(_Lines):
    """``path:line:col:text``, for an editor's quickfix list."""

    def __init__(self, out: IO[str], paths: PathDisplay | None = None) -> None:
        self.out = out
        self.paths = paths

    def hits(self, result: SearchResult) -> None:
        self._explain(result)
        for hit in result.hits:
            snip = hit.snippet
            line = snip.line or hit.section.line
            col = snip.column or 1
            self.out.write(
                f"{self._path(hit.section.path)}:{line}:{col}:"
                f"{clean_line(trail(hit.section))}: {clean_line(snip.text)}\n"
            )

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            self.out.write(f"{self._path(s.path)}:{s.line}:1:{clean_line(trail(s))}\n")

    def close(self) -> None:
        self.out.flush()
