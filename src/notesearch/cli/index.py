"""``notesearch index``: build or update the index."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..settings import Settings
from .failures import errors, warn
from .options import location_options


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from ..printers.terminal import progress_bar

    with progress_bar(sys.stderr, "indexing") as update:
        yield update


@click.command("index")
@location_options
@click.option("--rebuild", is_flag=True, help="Start from scratch instead of updating.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for reading and parsing [default: one per usable CPU, "
    "when 200 or more notes changed].",
)
@errors
def index_command(
    notes_dir: Path,
    index_dir: Path,
    rebuild: bool,
    quiet: bool,
    jobs: int | None,
    settings: Settings,
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
    from ..vault import Vault

    show_progress = not quiet and sys.stderr.isatty()
    with _progress(show_progress) as update:
        stats = Vault(notes_dir, index_dir, settings).refresh(
            rebuild=rebuild,
            on_warning=lambda diag: warn(str(diag)),
            on_progress=update,
            jobs=jobs,
        )
    if not quiet:
        click.echo(f"notesearch: {stats.summary()}", err=True)
