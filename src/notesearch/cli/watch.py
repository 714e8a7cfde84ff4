"""``notesearch watch``: keep the index fresh while notes change, and answer queries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..settings import Settings
from .failures import errors, warn
from .options import location_options

if TYPE_CHECKING:
    from ..models import IndexStats


def _changes(stats: IndexStats) -> str:
    text = f"{stats.updated} updated, {stats.added} added, {stats.removed} removed"
    return text + (f", {stats.renamed} renamed" if stats.renamed else "")


@click.command("watch")
@location_options
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="Answer `notesearch query` from the open index (fast queries).",
)
@errors
def watch_command(notes_dir: Path, index_dir: Path, serve: bool, settings: Settings) -> None:
    """Keep the index up to date while notes change, and answer queries, until Ctrl-C.

    Indexes once, then again after each burst of changes to the notes
    (new, edited, deleted or renamed notes; hidden folders and the index
    folder are ignored), printing one line per update on stderr. The index
    is locked only while it is written, so queries keep working meanwhile.

    Meanwhile it answers `notesearch query` for this index over a socket
    only you can reach, from the index it keeps open: a query then takes
    tens of milliseconds instead of hundreds, and sees a change once the
    watch has indexed it. --no-serve turns that off.

    \b
    Examples:
      notesearch watch
      notesearch watch --notes ~/vault --index ~/.cache/vault-index
      notesearch watch 2>> ~/.cache/notesearch-watch.log &
    """
    from ..paths import display
    from ..serve.protocol import ServeError
    from ..serve.server import QueryService, Server
    from ..vault import Vault

    vault = Vault(notes_dir, index_dir, settings)
    service = QueryService(notes_dir, index_dir, settings, warn=warn) if serve else None
    server = None
    if service is not None:
        server = Server(str(index_dir), str(notes_dir), service.answer, warn=warn)
        try:
            server.claim()
        except ServeError as exc:
            warn(f"not answering queries: {exc}")
            server = service = None

    def indexed(stats: IndexStats) -> None:
        if service is not None:
            service.refresh()

    def ready(stats: IndexStats) -> None:
        nonlocal server, service
        click.echo(f"notesearch: {stats.summary()}", err=True)
        if server is not None and service is not None:
            try:
                if service.problem is not None:
                    raise ServeError(service.problem)
                server.start()
            except ServeError as exc:
                warn(f"not answering queries: {exc}")
                server.close()
                service.close()
                server = service = None
        doing = ", answering queries" if server is not None else ""
        click.echo(
            f"notesearch: watching {display(notes_dir)} for changes{doing} (Ctrl-C to stop)",
            err=True,
        )

    def updated(stats: IndexStats) -> None:
        click.echo(f"notesearch: updated: {_changes(stats)} ({stats.seconds:.2f} s)", err=True)

    try:
        # SIGTERM ends a watch as Ctrl-C does (cleanly: the socket is removed).
        from .. import signals

        with signals.handling({"SIGTERM": signals.interrupt}):
            vault.watch(
                on_update=updated,
                on_warning=lambda diag: warn(str(diag)),
                on_ready=ready,
                on_indexed=indexed,
            )
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM) is how a watch ends: not an error
        click.echo("notesearch: stopped", err=True)
    finally:
        if server is not None:
            server.close()
        if service is not None:
            service.close()
