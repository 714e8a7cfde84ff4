"""``notesearch query``: the best sections, answered by a running watch when one runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..answers import QueryArgs, run_query
from ..printers.context import Terminal
from ..printers.messages import EXIT_FOUND
from ..serve.served import served_answer
from ..settings import QUERY_FORMATS, Settings
from .failures import errors, finished
from .options import (
    color_option,
    complete_notes,
    correct_option,
    filter_options,
    format_option,
    location_options,
)


@click.command("query")
@click.argument("words", nargs=-1, required=True)
@location_options
@filter_options
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Most results to show.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every match (no --limit).")
@click.option(
    "--per-note",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Most sections from one note; 0 for no cap.",
)
@format_option(QUERY_FORMATS)
@click.option(
    "-l",
    "--files",
    "files_only",
    is_flag=True,
    help="Print only note paths (same as --format paths).",
)
@click.option(
    "-0", "--null", is_flag=True, help="With paths: end each path with NUL, for xargs -0."
)
@click.option(
    "--absolute",
    is_flag=True,
    help="Print absolute paths [default: from here when the note is below this folder].",
)
@color_option
@click.option(
    "--links-to",
    metavar="NOTE",
    shell_complete=complete_notes,
    help="Only sections with a link to this note.",
)
@click.option(
    "--linked-from",
    metavar="NOTE",
    shell_complete=complete_notes,
    help="Only sections this note links to (all of a note it links to without #anchor).",
)
@correct_option
@click.option(
    "--no-fold",
    "no_fold",
    is_flag=True,
    help="Show near-identical sections (templated pages) each on its own "
    "[default: folded into the best one, +N similar].",
)
@click.option(
    "--explain",
    is_flag=True,
    help='Show the parts of each result\'s score (on stderr; in JSON as "explain").',
)
@click.option("--refresh", is_flag=True, help="Update the index before searching.")
@errors
def query_command(
    words: tuple[str, ...],
    notes_dir: Path,
    index_dir: Path,
    tags: tuple[str, ...],
    any_tags: tuple[str, ...],
    exclude_tags: tuple[str, ...],
    path_glob: str | None,
    limit: int,
    show_all: bool,
    per_note: int,
    fmt: str | None,
    files_only: bool,
    null: bool,
    absolute: bool,
    color: str,
    links_to: str | None,
    linked_from: str | None,
    correct: bool,
    no_fold: bool,
    explain: bool,
    refresh: bool,
    settings: Settings,
) -> None:
    """Search the index; print the best-matching sections.

    Words, "phrases", AND / OR / NOT (or -word), (parentheses), prefix*,
    fuzzy~ and fields title: heading: tag: path: link: are understood.
    Sections with all the words rank first; sections with most of them follow.

    \b
    Examples:
      notesearch query "spot training" --tag gotcha
      notesearch query 'checkpoint* NOT distributed' --tag exam-tip --limit 5
      notesearch query "feature store" --format jsonl | jq -r '"\\(.path):\\(.line)"'
      notesearch query deepar -l | xargs -d '\\n' $EDITOR
      vim -q <(notesearch query "serverless inference" --format vimgrep)
    """
    args = QueryArgs(
        words=words,
        notes_dir=str(notes_dir),
        index_dir=str(index_dir),
        tags=tags,
        any_tags=any_tags,
        exclude_tags=exclude_tags,
        path_glob=path_glob,
        limit=limit,
        show_all=show_all,
        per_note=per_note,
        fmt=fmt,
        files_only=files_only,
        null=null,
        absolute=absolute,
        color=color,
        links_to=links_to,
        linked_from=linked_from,
        correct=correct,
        fold=not no_fold,
        explain=explain,
        refresh=refresh,
    )
    terminal = Terminal.current(sys.stdout)
    served = None if refresh else served_answer(args, terminal)
    if served is not None:
        from ..serve.client import replay

        code, output = served
        replay(output, sys.stdout, sys.stderr)
    else:
        code = run_query(args, terminal, sys.stdout, sys.stderr, settings=settings)
    finished()
    if code != EXIT_FOUND:
        raise SystemExit(code)
