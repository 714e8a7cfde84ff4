"""The one-line messages on stderr: warnings, errors, the spelling suggestion.

Every front end writes them through here, so a warning looks the same from
the command line and from a query answered by ``notesearch watch``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from ..errors import IndexDamagedError, NotesearchError

if TYPE_CHECKING:
    from ..models import Hit, QueryOutcome, Suggestion

EXIT_FOUND, EXIT_NOTHING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _clean(text: str) -> str:
    """The sanitizer's one-line form, imported when a message is written (not at start)."""
    from ..sanitize import clean_line

    return clean_line(text)


def _write(err: IO[str], line: str) -> None:
    err.write(line + "\n")
    err.flush()


def warn(message: str, err: IO[str]) -> None:
    """``notesearch: warning: ...``."""
    _write(err, f"notesearch: warning: {_clean(message)}")


def say(message: str, err: IO[str]) -> None:
    """``notesearch: ...`` (a fact, not a problem: a summary, a progress line)."""
    _write(err, f"notesearch: {_clean(message)}")


def fail(message: str, err: IO[str]) -> None:
    """``notesearch: ...`` (an error; the caller exits non-zero): written as :func:`say`."""
    say(message, err)


def describe(exc: BaseException, *, debug: bool = False) -> tuple[str, int]:
    """The one line and the exit code an exception ends a command with.

    A NotesearchError is the user's to fix (its message and hint); Ctrl-C is
    130; anything else is a bug or a damaged index, still one line, never a
    traceback (``debug`` re-raises it instead).
    """
    if isinstance(exc, NotesearchError):
        return exc.one_line(), exc.exit_code
    if interrupted(exc):
        return "interrupted", EXIT_INTERRUPTED
    if debug:
        raise exc
    return (
        f"unexpected {type(exc).__name__}: {exc}. If the index is damaged, "
        "`notesearch doctor` says so; set NOTESEARCH_DEBUG=1 for the traceback.",
        EXIT_ERROR,
    )


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C, or an error Python made of one: a KeyboardInterrupt
    raised while a class is created reaches the caller as a RuntimeError ("Error
    calling __set_name__") caused by it (Python 3.11)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False


def outcome_messages(outcome: QueryOutcome, err: IO[str]) -> None:
    """A query's warnings, then its spelling suggestion (when one was offered)."""
    for message in outcome.warnings:
        warn(message, err)
    if outcome.suggestion is not None:
        did_you_mean(outcome.suggestion, err)


def did_you_mean(fix: Suggestion, err: IO[str], command: str = "query") -> None:
    """``Did you mean: ...`` with the command that runs the correction."""
    import shlex  # only for a suggestion

    run = shlex.join(["notesearch", command, fix.corrected])
    _write(err, _clean(f"Did you mean: {fix.corrected}  (run: {run}, or add --correct)"))


def explanation(hit: Hit, location: str) -> str:
    """``explain 1 a.md:3: text 8.2 × coverage 1.00 × ... = 19.7 (2 folded)``: one hit's score."""
    parts = dict(hit.explain)
    total = parts.pop("score", hit.score)
    folded = int(parts.pop("folded", 0))
    factors = " × ".join(f"{name} {value:.2f}" for name, value in parts.items())
    tail = f" ({folded} folded)" if folded else ""
    return _clean(f"explain {hit.rank} {location}: {factors} = {total:.2f}{tail}")


def exit_status(body: Callable[[], int], err: Any, *, debug: bool = False) -> int:
    """Run a query's ``body`` away from the command line (served by a watch, or the
    plain query of :mod:`notesearch.shortcut`): its exit code, with an error shown on
    ``err`` exactly as the command line shows it. A closed pipe (BrokenPipeError) is
    left to the caller, as the command line ends then."""
    try:
        return body()
    except BrokenPipeError:
        raise
    except Exception as exc:
        damage = None if debug else IndexDamagedError.raised_inside_whoosh(exc)
        message, code = describe(damage or exc, debug=debug)
        fail(message, err)
        return code
