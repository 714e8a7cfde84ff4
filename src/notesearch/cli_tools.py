"""Commands that fit notesearch into a notes workflow: ``watch``, ``open``, ``completion``.

Each parses its options, calls one core function (:mod:`notesearch.watching`,
:mod:`notesearch.editor` with :func:`notesearch.searcher.search`, click's
shell completion) and prints. Register them on the group with
``cli.add_command(...)``.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_support import (
    EXIT_NOTHING,
    CommandError,
    errors,
    filter_options,
    location_options,
    warn,
)

if TYPE_CHECKING:
    from .models import IndexStats
    from .searcher import Index

PROG_NAME = "notesearch"
COMPLETE_VAR = "_NOTESEARCH_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


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
def watch_command(notes_dir: Path, index_dir: Path, serve: bool) -> None:
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
    from . import serving, watching
    from .store import display

    service = QueryService(notes_dir, index_dir) if serve else None
    server = None
    if service is not None:
        server = serving.Server(str(index_dir), str(notes_dir), service.answer, warn=warn)
        try:
            server.claim()
        except serving.ServeError as exc:
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
                    raise serving.ServeError(service.problem)
                server.start()
            except serving.ServeError as exc:
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
        with _sigterm_as_interrupt():
            watching.watch(
                notes_dir,
                index_dir,
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


class QueryService:
    """The index a watch keeps open for its query server, and the answers it gives.

    :meth:`refresh` (after each update of the watch) opens the new generation
    when there is one and swaps it in; a query answered meanwhile reads the
    generation it started with, which no writer changes. Queries are
    answered one at a time.
    """

    def __init__(self, notes_dir: Path, index_dir: Path) -> None:
        self.notes_dir = notes_dir
        self.index_dir = index_dir
        self.answered = 0
        self.problem: str | None = "no index open yet"  # why the last refresh failed
        self._index: Index | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Open the live generation if it is not the one open (never raises)."""
        from . import store
        from .errors import NotesearchError
        from .searcher import open_index

        try:
            live = store.current(self.index_dir)
            if self._index is not None and live == self._index.generation:
                return
            fresh = open_index(self.index_dir, self.notes_dir)
        except Exception as exc:  # keep answering from the last good index
            problem = str(exc)
            if not isinstance(exc, NotesearchError):
                problem = f"{type(exc).__name__}: {problem}"
            if self._index is not None and problem != self.problem:
                warn(f"queries keep the previous index: {problem}")
            self.problem = problem
            return
        self.problem = None
        with self._lock:
            stale, self._index = self._index, fresh
        if stale is not None:
            stale.close()

    def answer(self, args: Any, terminal: Any) -> tuple[int, list[tuple[int, str]]]:
        """A forwarded query, run as `notesearch query` runs it: (exit code, output)."""
        from .cli_query import QueryArgs, Terminal, run_query
        from .cli_support import exit_status
        from .serving import Declined, Recorder

        try:
            request, facts = QueryArgs.from_json(args), Terminal.from_json(terminal)
        except ValueError as exc:
            raise Declined(str(exc)) from None
        if request.refresh:
            raise Declined("--refresh runs in process")
        recorded = Recorder()
        with self._lock:
            index = self._index
            if index is None:
                raise Declined("no index open yet")
            code = exit_status(
                lambda: run_query(request, facts, recorded.out, recorded.err, served=index),
                recorded.err,
            )
            self.answered += 1
        return code, recorded.output

    def close(self) -> None:
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends a watch as Ctrl-C does (cleanly: the socket is removed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.command("open")
@click.argument("words", nargs=-1, required=True)
@location_options
@click.option(
    "-p",
    "--pick",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Open the Nth result, numbered as `notesearch query` numbers them.",
)
@filter_options
@errors
def open_command(
    words: tuple[str, ...],
    notes_dir: Path,
    index_dir: Path,
    pick: int,
    tags: tuple[str, ...],
    any_tags: tuple[str, ...],
    exclude_tags: tuple[str, ...],
    path_glob: str | None,
) -> None:
    """Search, then open a result in $VISUAL or $EDITOR at its line.

    The query language and filters are those of `notesearch query`. The
    editor gets the file and line the way it expects them (vim, emacs,
    nano, micro, kak, helix, VS Code, Sublime Text; other editors get just
    the file). Exit 0 when the editor succeeded, 1 when nothing matched.

    \b
    Examples:
      notesearch open spot training
      notesearch open checkpoint --tag exam-tip --pick 2
      EDITOR="code -w" notesearch open "feature store"
    """
    from .editor import editor_command, pick_editor
    from .searcher import open_index, search

    editor = pick_editor(os.environ)
    if editor is None:
        raise CommandError("no editor set: set $EDITOR (or $VISUAL), e.g. export EDITOR=vim")
    text = " ".join(words)
    with open_index(index_dir, notes_dir) as idx:
        if notes_dir.is_dir():
            changed, new, removed = idx.changes(notes_dir)
            if changed or new or removed:
                warn(
                    f"the index is out of date ({changed} changed, {new} new, {removed} removed "
                    "notes); run `notesearch index`"
                )
        result = search(
            idx,
            text,
            tags=tags,
            any_tags=any_tags,
            exclude_tags=exclude_tags,
            path=path_glob,
            limit=max(pick, 10),  # the same ranking as `query`'s default page
        )
    for diag in result.warnings:
        warn(str(diag))
    if not result.hits:
        raise CommandError(f"nothing matched {text!r}", EXIT_NOTHING)
    if pick > len(result.hits):
        count = len(result.hits)
        raise CommandError(
            f"--pick {pick}: only {count} result{'s' if count > 1 else ''} matched {text!r}",
            EXIT_NOTHING,
        )
    hit = result.hits[pick - 1]
    line = hit.snippet.line or hit.section.line
    column = hit.snippet.column if hit.snippet.line else None
    file = os.path.abspath(notes_dir / hit.section.path)
    if not os.path.isfile(file):
        raise CommandError(f"{hit.section.path} no longer exists; run `notesearch index`")
    argv = editor_command(editor, file, line, column)
    source = "$VISUAL" if os.environ.get("VISUAL", "").strip() else "$EDITOR"
    status = _run_editor(argv, source)
    if status < 0:
        raise CommandError(f"the editor ({source}) was ended by signal {-status}")
    if status != 0:
        raise CommandError(f"the editor ({source}) exited with status {status}")


def _run_editor(argv: list[str], source: str) -> int:
    """Run the editor in the foreground; its exit status (negative: killed by that signal)."""
    import subprocess

    try:
        with _ignoring_interrupts():
            return subprocess.run(argv, check=False).returncode
    except FileNotFoundError:
        raise CommandError(f"editor not found: {argv[0]} (from {source})") from None
    except OSError as exc:
        raise CommandError(f"cannot run the editor {argv[0]} ({source}): {exc.strerror}") from None


@contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    """While the editor runs, Ctrl-C belongs to it (as with git): we must not kill it.

    A Python-level handler (not SIG_IGN) is installed, so the editor still
    starts with the default handlers: exec resets caught signals.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGINT", "SIGQUIT")
    signals = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous: list[tuple[int, Any]] = [(sig, signal.signal(sig, _ignore)) for sig in signals]
    try:
        yield
    finally:
        for sig, handler in previous:
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _ignore(signum: int, frame: object) -> None:
    """A signal handler that does nothing."""


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    It completes commands, options, tags (--tag) and note paths from the
    index.

    \b
    Examples:
      eval "$(notesearch completion bash)"     # add to ~/.bashrc
      eval "$(notesearch completion zsh)"      # add to ~/.zshrc
      notesearch completion fish > ~/.config/fish/completions/notesearch.fish
    """
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    if completion_class is None:  # click knows the three shells; never reached
        raise CommandError(f"no completion for {shell}")
    root = click.get_current_context().find_root().command
    script = completion_class(root, {}, PROG_NAME, COMPLETE_VAR).source()
    click.echo(script.rstrip("\n"))
