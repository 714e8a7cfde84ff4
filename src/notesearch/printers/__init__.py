"""Output formats: one Printer per run, chosen once by :func:`make_printer`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Protocol

from ..settings import Format

if TYPE_CHECKING:
    from ..models import Records, SearchResult, Section, Shown
    from ..paths import PathDisplay


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
    paths: PathDisplay | None = None,
) -> Printer:
    """The printer for ``fmt``; rich is imported only when it is chosen.

    ``paths`` is how note paths are printed (see :class:`~notesearch.paths.PathDisplay`);
    None prints them relative to the notes folder (``notes_root``, when given,
    is then where they are).

    ``env`` (with ``screen``, the size of the terminal, if any) describes the
    terminal that will show the output, when that is not this process's own
    (a query answered by ``notesearch watch``): see :class:`~.terminal.RichPrinter`.
    """
    if paths is None and notes_root is not None:
        from ..paths import PathDisplay

        paths = PathDisplay(notes_root, notes_root, absolute=False)
    if fmt == Format.RICH:
        from .terminal import RichPrinter

        return RichPrinter(out, err, color=color, paths=paths, width=width, screen=screen, env=env)
    if fmt in (Format.JSONL, Format.JSON):
        from .jsonl import JsonPrinter

        return JsonPrinter(out, paths, array=fmt == Format.JSON)
    from .plain import PathsPrinter, PlainPrinter, VimgrepPrinter

    printer: PlainPrinter | PathsPrinter | VimgrepPrinter
    if fmt == Format.PLAIN:
        printer = PlainPrinter(out, paths)
    elif fmt == Format.PATHS:
        printer = PathsPrinter(out, paths, null=null)
    elif fmt == Format.VIMGREP:
        printer = VimgrepPrinter(out, paths)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    printer.err = err  # an empty report, --explain
    return printer
