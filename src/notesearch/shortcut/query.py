"""A plain ``notesearch query``, answered without the command line.

Only this form is taken: ``notesearch [--notes D] [--index D] [--color C]
query WORDS... [--notes D] [--index D] [--color C] [--tag T]... [-n N |
--limit N] [-f F | --format F] [-l | --files]``, with valid values. It is
answered as the ``query`` command answers it: the same settings (command
line, environment, ``.notesearch.toml``, the user's config file), the same
answer from a running ``notesearch watch`` or from the index
(:func:`~notesearch.answers.run_query`), the same one-line errors and exit
codes (:func:`~notesearch.printers.messages.exit_status`), a closed pipe a
quiet 0. What it saves is click: about 15 ms of a 115-130 ms query at
10,000 notes.
"""

from __future__ import annotations

import sys

from ..errors import NotesearchError
from . import LOCATIONS, last, located, read

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from ..answers import QueryArgs
    from ..settings import Settings

COMMAND = "query"
BEFORE = {**LOCATIONS, "--color": "color"}  # the options the group takes before the name
AFTER = {
    **BEFORE,
    "--tag": "tags",
    "-n": "limit",
    "--limit": "limit",
    "-f": "format",
    "--format": "format",
}
FILES = {"-l": "files", "--files": "files"}
DEFAULT_LIMIT = 10  # the query command's


def parse(argv: Sequence[str]) -> tuple[dict[str, str], tuple[str, ...], bool, list[str]] | None:
    """(the settings given on the command line, by name: notes, index, color, format,
    limit; the tags, in order; -l; the words) of a plain ``query`` command line, or None
    for any other command line (or a value the command line would refuse)."""
    line = read(argv, COMMAND, before=BEFORE, after=AFTER, flags=FILES, words=True)
    if line is None:
        return None
    early, late, flags, words = line
    if not words:
        return None  # "Missing argument": the command line says it
    given = last(early, late, ("notes", "index", "color", "format", "limit"))
    from ..settings import COLORS, QUERY_FORMATS

    limit = given.get("limit", str(DEFAULT_LIMIT))
    if not (limit.isascii() and limit.isdigit() and int(limit) >= 1):
        return None
    if given.get("format", QUERY_FORMATS[0]) not in QUERY_FORMATS:
        return None
    if given.get("color", COLORS[0]) not in COLORS:
        return None
    return given, tuple(late.get("tags", ())), "files" in flags, words


def answer(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """The exit code of ``argv`` (without the program name) when it is a plain
    ``notesearch query``, its answer printed; None leaves it to the command line
    (nothing was printed)."""
    parsed = parse(argv)
    if parsed is None or sys.stdout is None or sys.stderr is None:
        return None  # not this form, or no stdout or stderr: the command line's affair
    given, tags, files_only, words = parsed
    from .. import settings as config

    explicit: dict[str, tuple[Any, str]] = dict(located(given, env))
    for key in ("color", "format"):
        if key in given:
            explicit[key] = (given[key], "command line")
    if "limit" in given:
        explicit["limit"] = (int(given["limit"]), "command line")
    try:
        settings = config.load(explicit, env)
        args = _args(settings, words, tags, files_only)
    except (NotesearchError, OSError, ValueError):
        return None  # the command line says what is wrong
    return _run(args, settings)


def _args(
    settings: Settings, words: list[str], tags: tuple[str, ...], files_only: bool
) -> QueryArgs:
    """The query's arguments as the command line settles them (``location_options``
    in :mod:`notesearch.cli.options`, by :meth:`~notesearch.settings.Settings.effective`):
    a configured format, limit or colour replaces the command's default."""
    from ..answers import QueryArgs
    from ..settings import QUERY_FORMATS

    fmt = settings.effective("format", None, QUERY_FORMATS)
    limit = settings.effective("limit", DEFAULT_LIMIT)
    color = settings.effective("color", "auto")
    return QueryArgs(
        words=tuple(words),
        notes_dir=str(settings.path("notes")),
        index_dir=str(settings.path("index")),
        tags=tags,
        limit=limit,  # as the settings hold it (validated there)
        fmt=fmt,
        files_only=files_only,
        color=color,
    )


def _run(args: QueryArgs, settings: Settings) -> int:
    """What the ``query`` command does once parsed: the watch's answer or the index's,
    printed; its exit code."""
    from ..answers import run_query
    from ..printers.context import Terminal, closed_pipe
    from ..printers.messages import exit_status
    from ..serve.served import served_answer

    out, err = sys.stdout, sys.stderr

    def body() -> int:
        terminal = Terminal.current(out)
        served = served_answer(args, terminal)
        if served is not None:
            from ..serve.client import replay

            code, output = served
            replay(output, out, err)
        else:
            code = run_query(args, terminal, out, err, settings=settings)
        out.flush()
        return code

    try:
        return exit_status(body, err)  # any error as one line, as the command line says it
    except BrokenPipeError:
        return closed_pipe()
