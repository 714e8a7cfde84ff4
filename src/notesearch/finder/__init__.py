"""``notesearch find``: the interactive finder (the only Textual importer).

:func:`run` opens the finder over a :class:`~notesearch.live.Session` and
returns its exit code and the choice to print (``--print``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..live import Session
    from ..paths import PathDisplay
    from .app import Mode


def run(
    session: Session,
    paths: PathDisplay,
    *,
    query: str = "",
    mode: Mode = "edit",
    color: bool = True,
) -> tuple[int, str | None]:
    """Run the finder until the user leaves: (exit code, what to print or None)."""
    from .app import EXIT_NOTHING, FinderApp

    app = FinderApp(session, paths, query=query, mode=mode, color=color)
    chosen = app.run()
    code = 2 if app.failed else app.return_code
    return (EXIT_NOTHING if code is None else code), chosen
