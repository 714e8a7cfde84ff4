"""The rich terminal printer: the only module that imports rich.

Note text is data, never markup: every string from a note or a file name is
sanitized (rich passes raw ESC through even inside ``Text``) and put into
``Text`` objects, which rich does not parse for ``[markup]`` or ``:emoji:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from rich.console import Console
from rich.style import Style
from rich.text import Text

from ..models import Records, SearchResult, Section, Shown, counted
from ..paths import PathDisplay
from ..sanitize import clean, clean_block, clean_line, clean_with_spans
from .plain import shown_path, shown_rows, trail

PATH_STYLE = Style(color="magenta", bold=True)
LINE_STYLE = Style(color="green")
CRUMB_STYLE = Style(color="cyan")
TAG_STYLE = Style(color="yellow")
MATCH_STYLE = Style(color="red", bold=True)
DIM = Style(dim=True)


class _Console(Console):
    """rich's Console, but a closed pipe is left to the CLI (quiet exit 0).

    rich's own handler exits with 1, which to a pipeline means "nothing found".
    """

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def _console(
    stream: IO[str],
    color: bool,
    width: int | None,
    screen: tuple[int, int] | None = None,
    env: Mapping[str, str] | None = None,
) -> Console:
    facts: dict[str, Any] = {}
    if env is not None:
        # The terminal described by screen and env, not this process's own:
        # rich reads COLORTERM and TERM from _environ (for the colour system)
        # and is given the size it would have measured there.
        columns, lines = console_size(screen, env, color)
        facts = {"_environ": env, "width": columns if width is None else width, "height": lines}
    else:
        facts = {"width": width}
    return _Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        **facts,
    )


def console_size(
    screen: tuple[int, int] | None, env: Mapping[str, str], terminal: bool
) -> tuple[int, int]:
    """The size rich's Console measures in a process whose standard streams have
    the terminal size ``screen`` (None: none is a terminal) and whose
    environment is ``env``; ``terminal`` is the Console's ``force_terminal``.

    The same steps as ``Console.__init__`` and ``Console.size`` (rich 13-15,
    not Windows): COLUMNS and LINES win, a dumb terminal is 80x25, a size of 0
    counts as unknown, and unknown is 80x25.
    """
    columns = env.get("COLUMNS")
    lines = env.get("LINES")
    width = int(columns) if columns is not None and columns.isdigit() else None
    height = int(lines) if lines is not None and lines.isdigit() else None
    if width is not None and height is not None:
        return width, height
    if terminal and env.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80, 25
    measured_width, measured_height = screen or (0, 0)
    return (
        width if width is not None else measured_width or 80,
        height if height is not None else measured_height or 25,
    )


class RichPrinter:
    """Per hit: ``path:line`` (a hyperlink), the breadcrumb, tags, a highlighted snippet."""

    def __init__(
        self,
        out: IO[str],
        err: IO[str],
        *,
        color: bool,
        paths: PathDisplay | None = None,
        width: int | None = None,
        screen: tuple[int, int] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """``env`` and ``screen`` (see :func:`console_size`) describe the terminal
        that shows the output, when it is not this process's own; None: measure here."""
        self.console = _console(out, color, width, screen, env)
        self.err = _console(err, color, width, screen, env)
        self.color = color
        self.paths = paths
        self.shown = 0
        self.elapsed = 0.0

    def _location(self, section: Section, line: int, *, link: bool = True) -> Text:
        text = Text()
        style = PATH_STYLE
        if link and self.color and self.paths is not None:
            absolute = Path(self.paths.file(section.path)).resolve()
            style = style + Style(link="file://" + quote(str(absolute)))
        text.append(clean(shown_path(self.paths, section.path)), style=style)
        text.append(":", style=DIM)
        text.append(str(line), style=LINE_STYLE)
        return text

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            s = hit.section
            header = self._location(s, s.line)
            header.append("  ")
            header.append(clean_line(trail(s)), style=CRUMB_STYLE)
            self._print_with_tags(header, s.tags)
            snippet_text, spans = clean_with_spans(
                hit.snippet.text.replace("\n", " "),
                [(sp.start, sp.end) for sp in hit.snippet.spans],
            )
            body = Text("  " + snippet_text)
            for start, end in spans:
                body.stylize(MATCH_STYLE, start + 2, end + 2)
            if hit.similar:
                body.append(f"  +{len(hit.similar)} similar", style=DIM)
            self.console.print(body)
            if hit.explain:
                from .messages import explanation

                where = f"{shown_path(self.paths, s.path)}:{s.line}"
                self.err.print(Text("notesearch: " + explanation(hit, where)), soft_wrap=True)
            self.console.print()
        self.shown += len(result.hits)
        self.elapsed += result.elapsed

    def _print_with_tags(self, header: Text, tags: tuple[str, ...]) -> None:
        """``header``, then the tags: whole tags only, as many as fit, the rest as ``+N``.

        When not even one tag fits after the header, the tags get a line of their own.
        """
        if not tags:
            self.console.print(header)
            return
        width = self.console.width
        line = header.cell_len % width if header.cell_len > width else header.cell_len
        shown = fit_tags(tags, width - line - 2)
        if shown is None:
            self.console.print(header)
            shown = fit_tags(tags, width - 2) or ""
            self.console.print(Text("  " + shown, style=TAG_STYLE))
            return
        header.append("  ")
        header.append(shown, style=TAG_STYLE)
        self.console.print(header)

    def sections(self, sections: Iterable[Section]) -> None:
        for s in sections:
            header = self._location(s, s.line)
            header.append("  ")
            header.append(clean_line(trail(s)), style=CRUMB_STYLE)
            self.console.print(header)

    def records(self, records: Records) -> None:
        from rich.table import Table

        if not records.rows:
            if records.empty:
                self.err.print(Text(f"notesearch: {records.empty}"))
            return
        table = Table(title=records.title, title_justify="left", show_edge=False, box=None)
        for column in records.columns:
            # Paths and other short keys stay whole; prose (a breadcrumb) wraps.
            whole = column in ("source", "path", "target", "resolved", "line", "kind", "tag")
            table.add_column(column, no_wrap=whole, overflow="fold")
        for row in shown_rows(records, self.paths):
            table.add_row(
                *(
                    Text(clean_line(str(row[c])) if row[c] is not None else "")
                    for c in records.columns
                )
            )
        self.console.print(table)

    def markdown(self, text: str) -> None:
        from rich.markdown import Markdown

        # Sanitized first (escape bytes never reach the terminal); links are
        # shown, not made clickable, so a note cannot plant a hyperlink.
        self.console.print(Markdown(clean_block(text), hyperlinks=False))

    def show(self, shown: Shown) -> None:
        if shown.sections:  # where it is: path:line and the breadcrumb
            first = shown.sections[0]
            # No hyperlink here: the Markdown below is the note's, and none of
            # its text may be (or sit next to) a clickable link.
            header = self._location(first, first.line, link=False)
            header.append("  ")
            header.append(clean_line(trail(first)), style=CRUMB_STYLE)
            self.console.print(header)
            self.console.print()
        self.markdown(shown.text.rstrip("\n") + "\n")

    def close(self) -> None:
        if self.shown:
            footer = f"{counted(self.shown, 'section')} in {self.elapsed * 1000:.0f} ms"
            self.err.print(Text(footer, style=DIM))


def fit_tags(tags: tuple[str, ...], room: int) -> str | None:
    """``#a #b +3``: whole tags that fit in ``room`` cells, then how many were left
    out; None when not even the first tag (with its ``+N``) fits."""
    names = ["#" + clean(t) for t in tags]
    for count in range(len(names), 0, -1):
        rest = len(names) - count
        text = " ".join(names[:count]) + (f" +{rest}" if rest else "")
        if Text(text).cell_len <= room:
            return text
    return None


@contextmanager
def progress_bar(stream: IO[str], label: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar; yields the callback ``(done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=stream)
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
