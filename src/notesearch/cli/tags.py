"""``notesearch tags``: every tag with its note and section counts."""

from __future__ import annotations

from pathlib import Path

import click

from ..printers.context import choose_printer
from ..settings import TABLE_FORMATS, Settings
from .failures import errors
from .options import color_option, format_option, location_options


@click.command("tags")
@location_options
@click.option(
    "--sort",
    type=click.Choice(["name", "count"]),
    default="name",
    show_default=True,
    help="Order by tag name, or by how many notes carry the tag.",
)
@click.option(
    "--tree", is_flag=True, help="Nested tags as a tree (aws › s3); counts include children."
)
@format_option(TABLE_FORMATS)
@color_option
@errors
def tags_command(
    notes_dir: Path,
    index_dir: Path,
    sort: str,
    tree: bool,
    fmt: str | None,
    color: str,
    settings: Settings,
) -> None:
    """List every tag with the number of notes and sections that carry it.

    \b
    Examples:
      notesearch tags
      notesearch tags --sort count --format plain | head
      notesearch tags --tree
    """
    from ..printers import rows
    from ..vault import Vault

    _, printer = choose_printer(fmt, color)
    vault = Vault(notes_dir, index_dir, settings)
    if tree:
        records = rows.tag_tree_records(vault.tag_tree(sort))
    else:
        records = rows.tag_records(vault.tag_counts(sort))
    printer.records(records)
    printer.close()
