"""Output formats: one Printer per run, chosen once by :func:`make_printer`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Protocol

from ..models import Records, SearchResult, Section, Shown
from ..settings import Format


class Printer(Protocol):
    """Writes results to one stream; nothing downstream branches on the format."""

    def hits(self, result: SearchResult) -> None:
        """Print the hits of one query."""

    def sections(self, sections: Iterable[Section]) -> None:
        """Print sections (the export)."""

    def records(self, records: Records) -> None:
        """Print rows of a table-like command (tags, links)."""

    def markdown(self, text: str) -> None:
        """Print a note's Markdown (rendered on a terminal, raw elsewhere)."""

    def show(self, shown: Shown) -> None:
        """Print a note or section for ``show``: its Markdown, or its sections as JSON."""

    def close(self) -> None:
        """Finish the output (closing brackets, footers)."""


def make_printer(
    fmt: str,
    out: IO[str],
    err: IO[str],
    *,
    color: bool,
    null: bool = False,
    notes_root: str | None = None,
    width: int | None = None,
    screen: tuple[int, int] | None = None,
    env: Mapping[str, str] | None = None,
) -> Printer:
    """The printer for ``fmt``; rich is imported only when it is chosen.

    ``env`` (with ``screen``, the size of the terminal, if any) describes the
    terminal that will show the output, when that is not this process's own
    (a query answered by ``notesearch watch``): see :class:`~.terminal.RichPrinter`.
    """
    if fmt == Format.RICH:
        from .terminal import RichPrinter

        return RichPrinter(
            out, err, color=color, notes_root=notes_root, width=width, screen=screen, env=env
        )
    if fmt == Format.PLAIN:
        from .plain import PlainPrinter

        return PlainPrinter(out)
    if fmt in (Format.JSONL, Format.JSON):
        from .jsonl import JsonPrinter

        return JsonPrinter(out, array=fmt == Format.JSON)
    if fmt == Format.PATHS:
        from .plain import PathsPrinter

        return PathsPrinter(out, null=null)
    if fmt == Format.VIMGREP:
        from .plain import VimgrepPrinter

        return VimgrepPrinter(out)
    raise ValueError(f"unknown format {fmt!r}")
