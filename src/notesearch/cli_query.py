"""What ``notesearch query`` does once its options are parsed, as one function over given streams.

:func:`run_query` chooses the printer, searches, warns, suggests and prints.
It writes only to the streams it is handed and takes its colour and layout
decisions only from the :class:`Terminal` it is handed, so the command line
(in process) and the query server of ``notesearch watch`` (for a request
forwarded by :mod:`notesearch.serving`) print the same bytes.

Nothing heavy is imported at module level: a served query's client uses
:class:`QueryArgs` and :class:`Terminal` only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from .cli_support import EXIT_FOUND, EXIT_NOTHING, CommandError, choose_printer, isatty, warn

if TYPE_CHECKING:
    from .searcher import Index

# The environment variables that the colour decision (cli_support.use_color)
# and rich's Console (size, colour system, terminal detection) read.
TERMINAL_ENV = (
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "COLUMNS",
    "LINES",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
)


@dataclass(frozen=True)
class Terminal:
    """The facts output decisions depend on, measured by the process that shows the output.

    ``isatty``: stdout is a terminal. ``screen``: (columns, lines) of the
    first of stdin, stdout and stderr that is a terminal, as rich measures
    it; None when none is. ``env``: the variables of :data:`TERMINAL_ENV`
    that are set.
    """

    isatty: bool = False
    screen: tuple[int, int] | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def current(cls, stdout: IO[str]) -> Terminal:
        """This process's terminal, with ``stdout`` the stream results go to."""
        screen = None
        for stream, default in ((sys.__stdin__, 0), (sys.__stdout__, 1), (sys.__stderr__, 2)):
            try:
                fd = stream.fileno() if stream is not None else default
            except (AttributeError, ValueError, OSError):
                fd = default
            try:
                size = os.get_terminal_size(fd)
            except (AttributeError, ValueError, OSError):
                continue
            screen = (size.columns, size.lines)
            break
        env = {key: os.environ[key] for key in TERMINAL_ENV if key in os.environ}
        return cls(isatty=isatty(stdout), screen=screen, env=env)

    def to_json(self) -> dict[str, Any]:
        return {"isatty": self.isatty, "screen": self.screen, "env": dict(self.env)}

    @classmethod
    def from_json(cls, data: Any) -> Terminal:
        """Raises ValueError when ``data`` is not what :meth:`to_json` makes."""
        if not isinstance(data, dict) or set(data) != {"isatty", "screen", "env"}:
            raise ValueError("bad terminal")
        screen, env = data["screen"], data["env"]
        if not isinstance(data["isatty"], bool):
            raise ValueError("bad isatty")
        if screen is not None and not (
            isinstance(screen, list)
            and len(screen) == 2
            and all(type(n) is int and n >= 0 for n in screen)
        ):
            raise ValueError("bad screen")
        if not (
            isinstance(env, dict)
            and all(k in TERMINAL_ENV and isinstance(v, str) for k, v in env.items())
        ):
            raise ValueError("bad env")
        return cls(isatty=data["isatty"], screen=None if screen is None else tuple(screen), env=env)


@dataclass(frozen=True)
class QueryArgs:
    """The parameters of one ``notesearch query``, as settled by the command line.

    ``notes_dir`` and ``index_dir`` are as given (relative to ``cwd``, the
    working folder of the command, when they are relative); ``cwd`` is None
    when the query runs where it was typed.
    """

    words: tuple[str, ...]
    notes_dir: str
    index_dir: str
    tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    path_glob: str | None = None
    limit: int = 10
    show_all: bool = False
    per_note: int = 3
    fmt: str | None = None
    files_only: bool = False
    null: bool = False
    color: str = "auto"
    links_to: str | None = None
    linked_from: str | None = None
    correct: bool = False
    refresh: bool = False
    cwd: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Any) -> QueryArgs:
        """Raises ValueError when ``data`` is not what :meth:`to_json` makes."""
        if not isinstance(data, dict) or set(data) != set(_KINDS):
            raise ValueError("bad query arguments")
        for name, value in data.items():
            if not _CHECKS[_KINDS[name]](value):
                raise ValueError(f"bad {name}")
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)

    def located(self, cwd: str) -> QueryArgs:
        """The same query to run elsewhere: ``cwd`` recorded and the folders joined
        to it (not normalized: ``a/../notes`` still goes through ``a``)."""
        return replace(
            self,
            notes_dir=os.path.join(cwd, self.notes_dir),
            index_dir=os.path.join(cwd, self.index_dir),
            cwd=cwd,
        )


# Field annotations (strings, with postponed evaluation) -> a check of a JSON value.
_KINDS = {f.name: str(f.type) for f in fields(QueryArgs)}
_CHECKS: dict[str, Callable[[Any], bool]] = {
    "tuple[str, ...]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "str": lambda v: isinstance(v, str),
    "str | None": lambda v: v is None or isinstance(v, str),
    "int": lambda v: type(v) is int,
    "bool": lambda v: type(v) is bool,
}


def run_query(
    args: QueryArgs,
    terminal: Terminal,
    out: IO[str],
    err: IO[str],
    *,
    served: Index | None = None,
) -> int:
    """Run one query and print it: the exit code (0 found, 1 nothing).

    ``served`` is an index a query server keeps open (kept fresh by its
    watch, so the stat walk of the notes folder is skipped); None opens the
    index at ``args.index_dir`` and warns when the notes changed since it
    was written (or updates it first, with ``args.refresh``).

    Raises what the core raises (NotesearchError) and CommandError, for the
    caller to show as the command line does (:func:`cli_support.errors`).
    """
    import shlex

    from .sanitize import clean_line
    from .searcher import open_index, search, suggest

    notes_dir, index_dir = Path(args.notes_dir), Path(args.index_dir)
    text = " ".join(args.words)
    fmt, printer = choose_printer(
        "paths" if args.files_only else args.fmt,
        args.color,
        null=args.null,
        notes_root=str(notes_dir),
        out=out,
        err=err,
        terminal=terminal,
    )
    if args.null and fmt != "paths":
        raise CommandError("-0/--null goes with --format paths (or -l)")

    def warning(message: str) -> None:
        warn(message, err)

    if args.refresh and served is None:
        from .index import build_index

        build_index(notes_dir, index_dir, on_warning=lambda diag: warning(str(diag)))

    with nullcontext(served) if served is not None else open_index(index_dir, notes_dir) as idx:
        if served is None and not args.refresh and notes_dir.is_dir():
            changed, new, removed = idx.changes(notes_dir)
            if changed or new or removed:
                warning(
                    f"the index is out of date ({changed} changed, {new} new, {removed} removed "
                    "notes); run `notesearch index` or pass --refresh"
                )
        options: dict[str, Any] = {
            "tags": args.tags,
            "any_tags": args.any_tags,
            "exclude_tags": args.exclude_tags,
            "path": args.path_glob,
            "limit": None if args.show_all else args.limit,
            "per_note": args.per_note,
            "within": _link_filter(idx, notes_dir, args.links_to, args.linked_from, args.cwd),
        }
        result = search(idx, text, **options)
        for diag in result.warnings:
            warning(str(diag))
        if not result.hits:
            fix = suggest(idx, text)
            if fix is not None and args.correct:
                warning(f"no results for {fix.query!r}; showing results for {fix.corrected!r}")
                result = search(idx, fix.corrected, **options)
            elif fix is not None:
                command = shlex.join(["notesearch", "query", fix.corrected])
                click.echo(
                    clean_line(
                        f"Did you mean: {fix.corrected}  (run: {command}, or add --correct)"
                    ),
                    file=err,
                )
        printer.hits(result)
        printer.close()
    return EXIT_FOUND if result.hits else EXIT_NOTHING


def _link_filter(
    idx: Index,
    notes_dir: Path,
    links_to: str | None,
    linked_from: str | None,
    cwd: str | None,
) -> set[tuple[str, int]] | None:
    """The sections allowed by --links-to / --linked-from, or None for all."""
    from . import graph

    allowed: set[tuple[str, int]] | None = None
    if links_to is not None:
        target = graph.find_note(idx, links_to, notes_dir, cwd=cwd)
        allowed = graph.sections_linking_to(idx, target)
    if linked_from is not None:
        source = graph.find_note(idx, linked_from, notes_dir, cwd=cwd)
        found = graph.sections_linked_from(idx, source)
        allowed = found if allowed is None else allowed & found
    return allowed
