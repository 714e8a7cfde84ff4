"""``notesearch find``: search as you type, with a preview, straight into the editor."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..settings import Settings
from .failures import CommandError, errors
from .options import color_option, location_options


@click.command("find")
@click.argument("words", nargs=-1)
@location_options
@click.option("--print", "print_path", is_flag=True, help="Print the chosen note's path and leave.")
@click.option("--print-line", is_flag=True, help="Print the chosen path:line and leave.")
@color_option
@errors
def find_command(
    words: tuple[str, ...],
    notes_dir: Path,
    index_dir: Path,
    print_path: bool,
    print_line: bool,
    color: str,
    settings: Settings,
) -> None:
    """Search as you type; Enter opens the section in $VISUAL or $EDITOR.

    The query line takes the language of `notesearch query`, and #tag or
    -#tag in it filter by tag. F1 (or ? on an empty line) lists the keys.
    Exit 0 when something was chosen, 1 when nothing was, 130 on Ctrl-C.

    \b
    Examples:
      notesearch find
      notesearch find spot training
      vim "$(notesearch find --print)"
      notesearch find --print-line "#gotcha"
    """
    printing = print_path or print_line
    if not (_tty(sys.stdin) and _tty(sys.stderr) and (printing or _tty(sys.stdout))):
        raise CommandError("find needs a terminal; use notesearch query")
    from ..live import Session
    from ..paths import PathDisplay
    from ..printers.context import color_wanted
    from ..vault import Vault

    session = Session(Vault(notes_dir, index_dir, settings))
    try:
        from .. import finder

        code, chosen = finder.run(
            session,
            PathDisplay(str(notes_dir), os.getcwd()),
            query=" ".join(words),
            mode="print-line" if print_line else "print" if print_path else "edit",
            color=color_wanted(color, True, os.environ),
        )
    finally:
        session.close()
    if chosen is not None:
        click.echo(chosen)
    if code:
        raise SystemExit(code)


def _tty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
