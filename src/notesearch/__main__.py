"""``python -m notesearch`` and the ``notesearch`` console script (:func:`run`)."""

from __future__ import annotations

import os
import sys

from .collector import pause
from .shortcut import answer


def run() -> None:
    """The process's entry point: the garbage collector paused (:mod:`.collector`), a
    plain ``notesearch index`` with nothing to do or a plain ``query`` answered at once
    (:mod:`.shortcut`), else the command line (imported only now, so its imports run
    paused too).

    A Ctrl-C while the command line is imported ends it as a Ctrl-C in a command
    does: one line, exit 130 (not Python's traceback).
    """
    pause()
    try:
        code = answer(sys.argv[1:])
        if code is not None:
            _end(code)
        from .cli import run as run_cli
    except KeyboardInterrupt:
        from .cli.failures import interrupted

        code = interrupted()
        sys.stderr.flush()
        os._exit(code)  # Python would end by SIGINT: the Ctrl-C passed a string exec
    run_cli()


def _end(code: int) -> None:
    """End the process with ``code`` once its output is out, without tearing the
    interpreter down (a query's index and modules hold nothing left to write), as the
    command line ends a finished query; the usual way when the output cannot be flushed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        raise SystemExit(code) from None
    os._exit(code)


if __name__ == "__main__":
    run()
