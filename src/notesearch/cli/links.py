"""``notesearch links``: a note's links and backlinks, broken links, orphan notes."""

from __future__ import annotations

from pathlib import Path

import click

from ..printers.context import choose_printer
from ..printers.messages import EXIT_NOTHING
from ..settings import TABLE_FORMATS, Settings
from .failures import CommandError, errors
from .options import color_option, complete_notes, format_option, location_options


@click.command("links")
@click.argument("note", required=False, shell_complete=complete_notes)
@location_options
@click.option("--backlinks", is_flag=True, help="Links from other notes to NOTE.")
@click.option("--broken", is_flag=True, help="Every link whose note, file or #heading is missing.")
@click.option("--orphans", is_flag=True, help="Notes that no other note links to.")
@format_option(TABLE_FORMATS)
@color_option
@errors
def links_command(
    note: str | None,
    notes_dir: Path,
    index_dir: Path,
    backlinks: bool,
    broken: bool,
    orphans: bool,
    fmt: str | None,
    color: str,
    settings: Settings,
) -> None:
    """Show a note's links, its backlinks, broken links, or orphan notes.

    NOTE is a path relative to the notes folder, a path from here, a file
    name or a note title. `--broken` exits 1 when it finds any, so a notes
    repository can run it in its own CI.

    \b
    Examples:
      notesearch links sagemaker/sagemaker.md
      notesearch links sagemaker/sagemaker.md --backlinks
      notesearch links --broken
      notesearch links --orphans --format plain
    """
    from ..printers import rows
    from ..vault import Vault

    modes = sum([backlinks, broken, orphans])
    if broken or orphans:
        if note is not None or modes > 1:
            raise CommandError("--broken and --orphans take no NOTE and go alone")
    elif note is None:
        raise CommandError("give a NOTE, or --broken, or --orphans")
    _, printer = choose_printer(fmt, color, notes_root=str(notes_dir))
    vault = Vault(notes_dir, index_dir, settings)
    found = True
    if broken:
        refs = vault.broken_links()
        found = bool(refs)
        records = rows.broken_link_records(refs)
    elif orphans:
        records = rows.orphan_records(vault.orphans())
    else:
        assert note is not None
        path, refs = vault.links(note, backlinks=backlinks)
        records = rows.link_records(path, refs, backlinks=backlinks)
    printer.records(records)
    printer.close()
    if broken and found:
        raise SystemExit(EXIT_NOTHING)
