"""The command line: parse options, call one core function, hand results to one printer.

Heavy modules (whoosh, rich, the parser) are imported inside the commands, so
``notesearch --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_graph import links_command, show_command, tags_command
from .cli_query import QueryArgs, Terminal, run_query
from .cli_support import (
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    CommandError,
    choose_printer,
    color_option,
    complete_notes,
    errors,
    filter_options,
    format_option,
    location_options,
    quiet_stdout,
    settings,
    warn,
)
from .cli_tools import completion_command, open_command, watch_command

if TYPE_CHECKING:
    from .serving import Output


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from .printers.terminal import progress_bar

    with progress_bar(sys.stderr, "indexing") as update:
        yield update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="notesearch", prog_name="notesearch")
def cli() -> None:
    """Search folders of Markdown notes by section, from the terminal.

    \b
    Quick start:
      notesearch index                               # index ./notes into ./index
      notesearch query "spot training" --tag gotcha  # ranked sections
      notesearch query "feature store" --format jsonl | jq -r .path

    Exit codes: 0 found, 1 nothing found, 2 error, 130 interrupted.
    """


@cli.command("index")
@location_options
@click.option("--rebuild", is_flag=True, help="Start from scratch instead of updating.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for reading and parsing [default: one per CPU, at most 4, "
    "when 200 or more notes changed].",
)
@errors
def index_command(
    notes_dir: Path, index_dir: Path, rebuild: bool, quiet: bool, jobs: int | None
) -> None:
    """Build or update the index of the notes folder.

    Only notes whose size or modification time changed are read again (and
    only re-indexed when their content changed); deleted and renamed notes
    are handled. The previous index stays usable until the new one is
    complete, so an interrupted run never damages it.

    \b
    Examples:
      notesearch index
      notesearch index --notes ~/vault --index ~/.cache/vault-index
      notesearch index --rebuild
      notesearch index --jobs 1            # no worker processes
    """
    from .index import build_index

    show_progress = not quiet and sys.stderr.isatty()
    with _progress(show_progress) as update:
        stats = build_index(
            notes_dir,
            index_dir,
            rebuild=rebuild,
            on_warning=lambda diag: warn(str(diag)),
            on_progress=update,
            jobs=jobs,
        )
    if not quiet:
        click.echo(f"notesearch: {stats.summary()}", err=True)


@cli.command("query")
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
@format_option(("rich", "plain", "jsonl", "json", "paths", "vimgrep"))
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
@click.option(
    "--correct",
    is_flag=True,
    help="When nothing matches and a spelling correction exists, run the corrected query.",
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
    color: str,
    links_to: str | None,
    linked_from: str | None,
    correct: bool,
    refresh: bool,
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
        color=color,
        links_to=links_to,
        linked_from=linked_from,
        correct=correct,
        refresh=refresh,
    )
    terminal = Terminal.current(sys.stdout)
    served = None if refresh else _ask_server(args, terminal)
    if served is not None:
        from .serving import replay

        code, output = served
        replay(output, sys.stdout, sys.stderr)
    else:
        code = run_query(args, terminal, sys.stdout, sys.stderr)
    if code != EXIT_FOUND:
        raise SystemExit(code)


def _ask_server(args: QueryArgs, terminal: Terminal) -> tuple[int, Output] | None:
    """The answer of the `notesearch watch` serving this index, or None (run in process).

    Not asked when NOTESEARCH_NO_SERVER is set (or NOTESEARCH_DEBUG, which
    wants a traceback from this process).
    """
    if os.environ.get("NOTESEARCH_NO_SERVER") or os.environ.get("NOTESEARCH_DEBUG"):
        return None
    try:
        cwd = os.getcwd()
    except OSError:  # the working folder was removed
        return None
    from . import serving

    here = args.located(cwd)
    return serving.ask(here.index_dir, here.notes_dir, here.to_json(), terminal.to_json())


@cli.command("export")
@location_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one section per line) or one JSON array.",
)
@errors
def export_command(notes_dir: Path, index_dir: Path, fmt: str) -> None:
    """Print every indexed section as JSON (schema in the README).

    \b
    Examples:
      notesearch export | jq .heading
      notesearch export --format json > sections.json
    """
    from .searcher import open_index

    _, printer = choose_printer(fmt, "never")
    with open_index(index_dir, notes_dir) as idx:
        printer.sections(idx.sections())
    printer.close()


@cli.command("config")
@location_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["toml", "json"]),
    default="toml",
    show_default=True,
    help="TOML with the source of each value as a comment, or JSON.",
)
@errors
def config_command(notes_dir: Path, index_dir: Path, fmt: str) -> None:
    """Print the effective configuration and where each value came from.

    Settings come from, highest first: the command line, the environment
    (NOTESEARCH_NOTES, NOTESEARCH_INDEX), .notesearch.toml in the notes
    folder, $XDG_CONFIG_HOME/notesearch/config.toml, and the defaults.

    \b
    Examples:
      notesearch config
      notesearch config --notes ~/vault --format json | jq .limit
    """
    import json

    from .config import DESCRIPTIONS
    from .sanitize import clean_line

    current = settings()
    if fmt == "json":
        record = {
            key: {"value": value, "source": current.sources[key]}
            for key, value in current.values.items()
        }
        click.echo(json.dumps(record, ensure_ascii=True, indent=2))
        return
    for key, value in current.values.items():
        shown = (
            "# not set: rich on a terminal, plain otherwise" if value is None else json.dumps(value)
        )
        click.echo(clean_line(f"{key} = {shown}  # {current.sources[key]}; {DESCRIPTIONS[key]}"))


@cli.command("doctor")
@location_options
@errors
def doctor_command(notes_dir: Path, index_dir: Path) -> None:
    """Check that the index opens, every segment reads, and it matches its file table.

    Exit 0 when the index is sound, 2 when it is not (with what to do).

    \b
    Examples:
      notesearch doctor
      notesearch doctor --index ~/.cache/vault-index
    """
    from .sanitize import clean_line
    from .searcher import check_index

    facts, problems = check_index(index_dir)
    for fact in facts:
        click.echo(clean_line(f"notesearch: {fact}"), err=True)
    for problem in problems:
        click.echo(clean_line(f"notesearch: problem: {problem}"), err=True)
    if problems:
        raise CommandError(
            "the index is damaged; run `notesearch index --rebuild` (your notes are not affected)"
        )
    click.echo("notesearch: the index is sound", err=True)


cli.add_command(tags_command)
cli.add_command(links_command)
cli.add_command(show_command)
cli.add_command(watch_command)
cli.add_command(open_command)
cli.add_command(completion_command)


def _quiet_unraisable(unraisable: Any) -> None:
    """Whoosh's generators can fail again while being collected after an error
    that was already reported in one line; do not print their tracebacks."""
    if os.environ.get("NOTESEARCH_DEBUG"):
        sys.__unraisablehook__(unraisable)


def main() -> None:
    """Console entry point: ends quietly on a closed pipe and on Ctrl-C."""
    sys.unraisablehook = _quiet_unraisable
    try:
        try:
            cli.main(prog_name="notesearch")
        finally:
            # Flush here, not at interpreter exit, so a closed pipe is seen below.
            sys.stdout.flush()
    except BrokenPipeError:
        # `| head -1` or `| grep -q` closed our stdout: stop quietly, as grep and rg do.
        quiet_stdout()
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("notesearch: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
