"""One query request in, its printed answer out: what ``notesearch query`` does once parsed.

:func:`run_query` chooses the printer, asks the vault, and prints warnings,
the suggestion and the hits. It writes only to the streams it is handed and
takes its colour and layout decisions only from the
:class:`~notesearch.printers.context.Terminal` it is handed, so the command
line (in process) and the query server of ``notesearch watch`` (for a
request forwarded over its socket) print the same bytes.

Nothing heavy is imported at module level: a served query's client uses
:class:`QueryArgs` only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .records import asdict, record, replace

if TYPE_CHECKING:
    from .engine.reader import Index
    from .models import QueryRequest
    from .printers.context import Terminal
    from .settings import Settings


@record
class QueryArgs:
    """The parameters of one ``notesearch query``, as settled by the command line.

    ``notes_dir`` and ``index_dir`` are as given (relative to ``cwd``, the
    working folder of the command, when they are relative); ``cwd`` is None
    when the query runs where it was typed.
    """

    words: tuple[str, ...]
    notes_dir: str
    index_dir: str
    tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    path_glob: str | None = None
    limit: int = 10
    show_all: bool = False
    per_note: int = 3
    fmt: str | None = None
    files_only: bool = False
    null: bool = False
    absolute: bool = False
    color: str = "auto"
    links_to: str | None = None
    linked_from: str | None = None
    correct: bool = False
    fold: bool = True
    explain: bool = False
    refresh: bool = False
    cwd: str | None = None

    def request(self) -> QueryRequest:
        """What the vault is asked."""
        from .models import QueryRequest

        return QueryRequest(
            text=" ".join(self.words),
            tags=self.tags,
            any_tags=self.any_tags,
            exclude_tags=self.exclude_tags,
            path=self.path_glob,
            limit=None if self.show_all else self.limit,
            per_note=self.per_note,
            links_to=self.links_to,
            linked_from=self.linked_from,
            correct=self.correct,
            fold=self.fold,
            explain=self.explain,
            refresh=self.refresh,
            cwd=self.cwd,
        )

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Any) -> QueryArgs:
        """Raises ValueError when ``data`` is not what :meth:`to_json` makes."""
        if not isinstance(data, dict) or set(data) != set(_KINDS):
            raise ValueError("bad query arguments")
        for name, value in data.items():
            if not _CHECKS[_KINDS[name]](value):
                raise ValueError(f"bad {name}")
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)

    def located(self, cwd: str) -> QueryArgs:
        """The same query to run elsewhere: ``cwd`` recorded and the folders joined
        to it (not normalized: ``a/../notes`` still goes through ``a``)."""
        return replace(
            self,
            notes_dir=os.path.join(cwd, self.notes_dir),
            index_dir=os.path.join(cwd, self.index_dir),
            cwd=cwd,
        )


# Field annotations (strings, with postponed evaluation) -> a check of a JSON value.
_KINDS = {name: str(kind) for name, kind in QueryArgs.__annotations__.items()}


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "tuple[str, ...]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "str": lambda v: isinstance(v, str),
    "str | None": lambda v: v is None or isinstance(v, str),
    "int": lambda v: type(v) is int,
    "bool": lambda v: type(v) is bool,
}


def run_query(
    args: QueryArgs,
    terminal: Terminal,
    out: IO[str],
    err: IO[str],
    *,
    settings: Settings | None = None,
    served: Index | None = None,
) -> int:
    """Run one query and print it: the exit code (0 found, 1 nothing).

    ``served`` is an index a query server keeps open (kept fresh by its
    watch, so the stat walk of the notes folder is skipped); None opens the
    index at ``args.index_dir`` and warns when the notes changed since it
    was written (or updates it first, with ``args.refresh``, by the
    discovery rules of ``settings``).

    Raises what the core raises (NotesearchError), for the caller to show as
    the command line does (:func:`notesearch.printers.messages.describe`).
    """
    from .printers.context import choose_printer
    from .printers.messages import EXIT_FOUND, EXIT_NOTHING, outcome_messages
    from .vault import Vault

    notes_dir, index_dir = Path(args.notes_dir), Path(args.index_dir)
    _, printer = choose_printer(
        "paths" if args.files_only else args.fmt,
        args.color,
        null=args.null,
        notes_root=str(notes_dir),
        out=out,
        err=err,
        terminal=terminal,
        cwd=args.cwd,
        absolute=args.absolute,
    )
    vault = Vault(notes_dir, index_dir, settings)
    outcome = vault.query(args.request(), index=served)
    outcome_messages(outcome, err)
    printer.hits(outcome.result)
    printer.close()
    return EXIT_FOUND if outcome.result.hits else EXIT_NOTHING
