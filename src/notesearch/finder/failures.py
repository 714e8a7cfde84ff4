"""How the finder ends on a bug: one line on stderr, as every command does, never a traceback."""

from __future__ import annotations

import os
import sys

from textual.app import App


class OneLineErrors(App[str]):
    """An app whose unexpected errors end it with one line (``NOTESEARCH_DEBUG=1``: Textual's
    traceback) and exit code 2."""

    def _print_error_renderables(self) -> None:  # Textual's hook, in 3.0 to 8
        error = getattr(self, "_exception", None)
        if error is None or os.environ.get("NOTESEARCH_DEBUG"):
            super()._print_error_renderables()
            return
        from ..printers.messages import describe, fail

        fail(describe(error)[0], sys.stderr)

    @property
    def failed(self) -> bool:
        """It ended on an unexpected error."""
        return getattr(self, "_exception", None) is not None
