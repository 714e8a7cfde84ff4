"""A query's answer from the ``notesearch watch`` serving its index, when one does.

What ``notesearch query`` asks first, from the command line and from its
plain form answered without it (:mod:`notesearch.shortcut.query`): the same
question, so both print the same answer.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..answers import QueryArgs
    from ..printers.context import Terminal
    from .protocol import Output


def served_answer(args: QueryArgs, terminal: Terminal) -> tuple[int, Output] | None:
    """The answer of the `notesearch watch` serving this index, or None (run in process).

    Not asked when NOTESEARCH_NO_SERVER is set (or NOTESEARCH_DEBUG, which
    wants a traceback from this process).
    """
    if os.environ.get("NOTESEARCH_NO_SERVER") or os.environ.get("NOTESEARCH_DEBUG"):
        return None
    try:
        cwd = os.getcwd()
    except OSError:  # the working folder was removed
        return None
    from . import client

    here = args.located(cwd)
    return client.ask(here.index_dir, here.notes_dir, here.to_json(), terminal.to_json())
