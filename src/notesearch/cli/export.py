"""``notesearch export``: every indexed section as JSON."""

from __future__ import annotations

from pathlib import Path

import click

from ..printers.context import choose_printer
from ..settings import EXPORT_FORMATS, Settings
from .failures import errors
from .options import location_options


@click.command("export")
@location_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one section per line) or one JSON array.",
)
@errors
def export_command(notes_dir: Path, index_dir: Path, fmt: str, settings: Settings) -> None:
    """Print every indexed section as JSON (schema in the README).

    \b
    Examples:
      notesearch export | jq .heading
      notesearch export --format json > sections.json
    """
    from ..vault import Vault

    _, printer = choose_printer(fmt, "never", notes_root=str(notes_dir))
    printer.sections(Vault(notes_dir, index_dir, settings).export())
    printer.close()
