"""What every command shares: options, errors, the color and format decisions, completion.

Kept apart from the commands so that each command module stays small; no
heavy module is imported here.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from .errors import NotesearchError

if TYPE_CHECKING:
    from .cli_query import Terminal
    from .printers import Printer

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FOUND, EXIT_NOTHING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(click.ClickException):
    """A NotesearchError on its way out: one line on stderr, exit 2."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on ``file`` (stderr when None)."""
        from .sanitize import clean_line

        click.echo(f"notesearch: {clean_line(self.message)}", file=file, err=True)


def warn(message: str, file: IO[str] | None = None) -> None:
    """``notesearch: warning: ...`` on ``file`` (stderr when None)."""
    from .sanitize import clean_line

    click.echo(f"notesearch: warning: {clean_line(message)}", file=file, err=True)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Core errors become a CommandError (one line, exit 2), Ctrl-C exit 130, and a
    closed pipe (``| head -1``) a quiet exit 0; anything else is one line too."""
    try:
        yield
    except NotesearchError as exc:
        message = str(exc) + (f" {exc.hint}" if exc.hint else "")
        raise CommandError(message) from exc
    except KeyboardInterrupt:
        raise CommandError("interrupted", EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        quiet_stdout()
        raise SystemExit(0) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:  # a bug or a damaged index: one line, never a traceback
        if os.environ.get("NOTESEARCH_DEBUG"):
            raise
        raise CommandError(
            f"unexpected {type(exc).__name__}: {exc}. If the index is damaged, "
            "`notesearch doctor` says so; set NOTESEARCH_DEBUG=1 for the traceback."
        ) from exc


def errors(func: F) -> F:
    """Run a command under :func:`translated_errors`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translated_errors():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def exit_status(body: Callable[[], int], err: IO[str]) -> int:
    """Run a command's ``body`` away from click (for the query server): its exit code,
    with an error shown on ``err`` exactly as the command line shows it."""
    try:
        with translated_errors():
            return body()
    except click.ClickException as exc:
        exc.show(err)
        return exc.exit_code


def quiet_stdout() -> None:
    """Point stdout at /dev/null after the reader went away, so exit flushes cleanly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests)
        pass


# Command parameters that configuration files can set, by setting name.
CONFIGURABLE = {
    "notes": "notes_dir",
    "index": "index_dir",
    "format": "fmt",
    "limit": "limit",
    "color": "color",
}


def location_options(func: F) -> F:
    """Add --notes and --index, and settle every configurable parameter.

    Before the command runs, each parameter that configuration can set
    (notes, index, format, limit, color) gets its effective value: the
    command line, then the environment, then ``.notesearch.toml`` in the
    notes folder, then the user's config file, then the default. The
    settings are kept in ``ctx.meta["notesearch.settings"]``.
    """

    @functools.wraps(func)
    def settled(**kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            settings = resolve(ctx, kwargs)
        except NotesearchError as exc:
            raise CommandError(str(exc)) from exc
        ctx.meta["notesearch.settings"] = settings
        for key, param in CONFIGURABLE.items():
            if param not in kwargs or settings.sources[key] == "default":
                continue  # the command's own default stands
            value = settings[key]
            if key in ("notes", "index"):
                value = Path(value)
            elif key == "format" and value is not None:
                choices = _choices(ctx, param)
                value = value if value in choices else kwargs[param]
            kwargs[param] = value
        return func(**kwargs)

    settled = click.option(
        "--index",
        "index_dir",
        type=click.Path(path_type=Path),
        default="index",
        show_default=True,
        envvar="NOTESEARCH_INDEX",
        show_envvar=True,
        help="Folder of the index.",
    )(settled)
    settled = click.option(
        "--notes",
        "notes_dir",
        type=click.Path(path_type=Path),
        default="notes",
        show_default=True,
        envvar="NOTESEARCH_NOTES",
        show_envvar=True,
        help="Folder of Markdown notes.",
    )(settled)
    return settled  # type: ignore[return-value]


def _choices(ctx: click.Context, name: str) -> tuple[str, ...]:
    for param in ctx.command.params:
        if param.name == name and isinstance(param.type, click.Choice):
            return tuple(str(c) for c in param.type.choices)
    return ()


def resolve(ctx: click.Context, kwargs: dict[str, Any]) -> Any:
    """Settings for this run: what the user typed or set in the environment wins."""
    from click.core import ParameterSource

    from . import config

    explicit: dict[str, tuple[Any, str]] = {}
    for key, param in CONFIGURABLE.items():
        if param not in kwargs:
            continue
        source = ctx.get_parameter_source(param)
        if source == ParameterSource.COMMANDLINE and kwargs[param] is not None:
            explicit[key] = (str(kwargs[param]) if key in ("notes", "index") else kwargs[param],
                             "command line")  # fmt: skip
        elif source == ParameterSource.ENVIRONMENT:
            explicit[key] = (str(kwargs[param]), "environment")
    return config.load(explicit)


def settings() -> Any:
    """The settings of the running command (see :func:`location_options`)."""
    return click.get_current_context().meta["notesearch.settings"]


def use_color(choice: str, stream: IO[str]) -> bool:
    """The one color decision: --color, then NO_COLOR and TERM=dumb, then is it a terminal."""
    return color_wanted(choice, isatty(stream), os.environ)


def color_wanted(choice: str, tty: bool, env: Mapping[str, str]) -> bool:
    """:func:`use_color` over given facts: is stdout a terminal, and the environment."""
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return tty


def isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def choose_printer(
    fmt: str | None,
    color: str,
    *,
    null: bool = False,
    notes_root: str | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    terminal: Terminal | None = None,
) -> tuple[str, Printer]:
    """The one format and color decision of a run, and the printer it gives.

    The default format is ``rich`` when stdout is a terminal (or colour is
    forced) and ``plain`` otherwise. The printer writes to ``out`` and
    ``err`` (stdout and stderr by default); ``terminal`` holds the facts of
    the terminal that shows them, when that is not this process's own
    stdout (a query answered by ``notesearch watch``).
    """
    from .printers import make_printer

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    tty = isatty(out) if terminal is None else terminal.isatty
    env = os.environ if terminal is None else terminal.env
    colored = color_wanted(color, tty, env)
    if fmt is None:
        fmt = "rich" if colored or color_wanted("auto", tty, env) else "plain"
    printer = make_printer(
        fmt,
        out,
        err,
        color=colored,
        null=null,
        notes_root=notes_root,
        screen=None if terminal is None else terminal.screen,
        env=None if terminal is None else terminal.env,
    )
    return fmt, printer


def _locations(ctx: click.Context) -> tuple[Path, Path]:
    params = ctx.params
    notes = params.get("notes_dir") or os.environ.get("NOTESEARCH_NOTES") or "notes"
    index = params.get("index_dir") or os.environ.get("NOTESEARCH_INDEX") or "index"
    return Path(notes), Path(index)


def complete_tags(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for --tag: the tags in the index."""
    try:
        from .graph import tag_counts
        from .searcher import open_index

        notes, index = _locations(ctx)
        with open_index(index, notes) as idx:
            names = [c.name for c in tag_counts(idx)]
    except Exception:  # completion must never print a traceback into the shell
        return []
    prefix = incomplete.lstrip("#").lower()
    return [n for n in names if n.startswith(prefix)]


def complete_notes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for NOTE arguments: note paths in the index."""
    try:
        from .searcher import open_index

        notes, index = _locations(ctx)
        with open_index(index, notes) as idx:
            paths = sorted(idx.table.notes)
    except Exception:
        return []
    return [p for p in paths if p.startswith(incomplete)]


def filter_options(func: F) -> F:
    """--tag, --any-tag, --exclude-tag and --path, as query and open take them."""
    for decorator in reversed(
        [
            click.option(
                "--tag",
                "tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Sections must have this tag (repeatable: all).",
            ),
            click.option(
                "--any-tag",
                "any_tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Sections must have one of these tags (repeatable).",
            ),
            click.option(
                "--exclude-tag",
                "exclude_tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Leave out sections with this tag (repeatable).",
            ),
            click.option(
                "--path",
                "path_glob",
                metavar="GLOB",
                help="Only notes whose path (relative to the notes folder) matches.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def format_option(choices: tuple[str, ...]) -> Callable[[F], F]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        help="Output format [default: rich on a terminal, plain otherwise].",
    )


def color_option(func: F) -> F:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Color (NO_COLOR is honoured).",
    )(func)
