"""``notesearch mcp``: the notes as tools for AI assistants (Model Context Protocol).

:func:`serve` is what the command line calls. The ``mcp`` package (the
official SDK) is an optional extra: without it, :func:`serve` raises a
:class:`~notesearch.errors.NotesearchError` that names the install command.
"""

from __future__ import annotations

from ..errors import NotesearchError
from ..vault import Vault

INSTALL = "pip install 'notesearch[mcp]'"


def serve(vault: Vault, *, watch: bool = True) -> None:
    """Serve ``vault`` over MCP on stdin/stdout until the client hangs up.

    ``watch`` keeps the index fresh while serving (as ``notesearch watch``
    does); without it the server only reads the index it finds.

    Raises:
        NotesearchError: the ``mcp`` extra is not installed.
    """
    try:
        from .server import run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types", "pydantic"):
            raise
        raise NotesearchError(
            "notesearch mcp needs the MCP SDK, which is not installed",
            hint=f"Install it with: {INSTALL}",
        ) from exc
    vault.require_notes()
    run(vault, watch=watch)
