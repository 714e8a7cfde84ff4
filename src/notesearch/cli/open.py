"""``notesearch open``: search, then open a result in the editor at its line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..settings import Settings
from .failures import CommandError, errors, warn
from .options import correct_option, filter_options, location_options


@click.command("open")
@click.argument("words", nargs=-1, required=True)
@location_options
@click.option(
    "-p",
    "--pick",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Open the Nth result, numbered as `notesearch query` numbers them.",
)
@filter_options
@correct_option
@errors
def open_command(
    words: tuple[str, ...],
    notes_dir: Path,
    index_dir: Path,
    pick: int,
    tags: tuple[str, ...],
    any_tags: tuple[str, ...],
    exclude_tags: tuple[str, ...],
    path_glob: str | None,
    correct: bool,
    settings: Settings,
) -> None:
    """Search, then open a result in $VISUAL or $EDITOR at its line.

    The query language and filters are those of `notesearch query`. The
    editor gets the file and line the way it expects them (vim, emacs,
    nano, micro, kak, helix, VS Code, Sublime Text; other editors get just
    the file). Exit 0 when the editor succeeded, 1 when nothing matched.

    \b
    Examples:
      notesearch open spot training
      notesearch open checkpoint --tag exam-tip --pick 2
      EDITOR="code -w" notesearch open "feature store"
    """
    from ..editor import editor_command, editor_source, pick_editor, run_editor
    from ..models import QueryRequest
    from ..vault import Vault

    editor = pick_editor(os.environ)
    if editor is None:
        raise CommandError("no editor set: set $EDITOR (or $VISUAL), e.g. export EDITOR=vim")
    request = QueryRequest(
        " ".join(words),
        tags=tags,
        any_tags=any_tags,
        exclude_tags=exclude_tags,
        path=path_glob,
        correct=correct,
    )
    chosen = Vault(notes_dir, index_dir, settings).pick(request, pick)
    for message in chosen.warnings:
        warn(message)
    if chosen.suggestion is not None:
        from ..printers.messages import did_you_mean

        did_you_mean(chosen.suggestion, sys.stderr, "open")
    argv = editor_command(editor, chosen.file, chosen.line, chosen.column)
    run_editor(argv, editor_source(os.environ))
