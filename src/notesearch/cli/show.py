"""``notesearch show``: a note, or one section of it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..printers.context import choose_printer
from ..settings import TABLE_FORMATS, Settings
from .failures import errors, warn
from .options import color_option, complete_notes, format_option, location_options


@click.command("show")
@click.argument("target", metavar="NOTE[#ANCHOR]", shell_complete=complete_notes)
@location_options
@click.option(
    "--line", type=click.IntRange(min=1), help="Show the section that contains this line."
)
@format_option(TABLE_FORMATS)
@color_option
@errors
def show_command(
    target: str,
    notes_dir: Path,
    index_dir: Path,
    line: int | None,
    fmt: str | None,
    color: str,
    settings: Settings,
) -> None:
    """Show a note, or one section of it: rendered on a terminal, raw Markdown when piped.

    \b
    Examples:
      notesearch show sagemaker/sagemaker.md#gotchas
      notesearch show "Amazon SageMaker" --line 72
      notesearch show sagemaker.md | less
    """
    from ..vault import Vault

    _, printer = choose_printer(fmt, color, notes_root=str(notes_dir))
    shown = Vault(notes_dir, index_dir, settings).show(target, line)
    for message in shown.warnings:
        warn(message)
    printer.show(shown)
    printer.close()
    sys.stdout.flush()
