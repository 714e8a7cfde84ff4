"""How a command ends: core errors become one line on stderr and an exit code.

A :class:`~notesearch.errors.NotesearchError` is shown as its message and
hint (exit 2, or its own ``exit_code``); Ctrl-C is 130; a closed pipe
(``| head -1``) a quiet 0; an error raised inside Whoosh while it reads says
the index is damaged (run ``notesearch doctor``); anything else one line too,
never a traceback (``NOTESEARCH_DEBUG=1`` shows it).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import click

from ..errors import IndexDamagedError, NothingFoundError
from ..printers import messages
from ..printers.context import closed_pipe
from ..printers.messages import EXIT_ERROR, EXIT_INTERRUPTED

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """An error on its way out: one line on stderr, exit 2 (or ``exit_code``)."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on ``file`` (stderr when None)."""
        messages.fail(self.message, file if file is not None else sys.stderr)


_done = [False]  # the command finished and holds nothing to close (see finished)


def finished() -> None:
    """Say that the command did all it had to and holds nothing that needs closing (a
    query, its index closed; or a command stopped by Ctrl-C, once what it held was
    let go): the process may then end without tearing the interpreter down
    (:func:`may_end_now`). For Ctrl-C that also keeps the exit code 130: Python
    3.11 ends a process by SIGINT at its exit when a Ctrl-C landed in a string
    ``exec`` (as dataclasses create their methods), even one that was handled."""
    _done[0] = True


def may_end_now() -> bool:
    return _done[0]


def warn(message: str) -> None:
    """``notesearch: warning: ...`` on stderr."""
    messages.warn(message, sys.stderr)


def debugging() -> bool:
    """NOTESEARCH_DEBUG: tracebacks instead of one-line errors."""
    return bool(os.environ.get("NOTESEARCH_DEBUG"))


@contextmanager
def translated_errors() -> Iterator[None]:
    """Core errors become a CommandError (one line, exit 2), Ctrl-C exit 130, and a
    closed pipe (``| head -1``) a quiet exit 0; anything else is one line too."""
    try:
        yield
    except BrokenPipeError:
        raise SystemExit(closed_pipe()) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except (Exception, KeyboardInterrupt) as exc:
        if isinstance(exc, NothingFoundError):
            for line in exc.warnings:
                warn(line)
        damage = None if debugging() else IndexDamagedError.raised_inside_whoosh(exc)
        message, code = messages.describe(damage or exc, debug=debugging())
        if code == EXIT_INTERRUPTED:
            finished()  # what the command held was let go on the way here
        raise CommandError(message, code) from exc


def errors(func: F) -> F:
    """Run a command under :func:`translated_errors`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translated_errors():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def interrupted() -> int:
    """Ctrl-C outside a command's own handling: one line, exit 130."""
    messages.fail("interrupted", sys.stderr)
    finished()
    return EXIT_INTERRUPTED
