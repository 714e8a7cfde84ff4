"""``notesearch mcp``: an MCP server on stdio, for AI assistants."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import Settings
from .failures import errors
from .options import location_options


@click.command("mcp")
@location_options
@click.option(
    "--watch/--no-watch",
    default=True,
    show_default=True,
    help="Keep the index fresh while notes change (as `notesearch watch`); --no-watch only reads.",
)
@errors
def mcp_command(notes_dir: Path, index_dir: Path, watch: bool, settings: Settings) -> None:
    """Serve the notes to an AI assistant over the Model Context Protocol (stdio).

    The assistant starts this command itself; stdout carries only protocol
    messages, diagnostics go to stderr. Tools: search, show, tags, links,
    broken_links, status. Needs the extra: pip install 'notesearch[mcp]'.

    \b
    Examples:
      notesearch mcp --notes ~/vault --index ~/.cache/vault-index
      notesearch mcp --no-watch
    """
    from ..assist import serve
    from ..vault import Vault

    serve(Vault(notes_dir, index_dir, settings), watch=watch)
