"""The command line: the only click importer. Each command is a small module of its own:
parse options, call one vault method, hand the result to one printer, exit.

Heavy modules (whoosh, rich, the parser) are imported inside the commands, and
each command's module only when it runs, so ``notesearch --version`` and a
query start fast.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from .. import collector
from ..printers.context import closed_pipe
from .failures import interrupted, may_end_now
from .options import global_options

# The commands that keep the garbage collector paused (see notesearch.collector): a
# query all its short life, an index run until it has notes to read and write.
STAY_PAUSED = frozenset({"query", "index"})

# Each command's module is imported only when that command runs (or help lists
# them all): a query does not pay for the options of the twelve others.
COMMANDS = {
    name: f"{module}:{name}_command"
    for name, module in (
        ("index", "index"),
        ("query", "query"),
        ("export", "export"),
        ("config", "config"),
        ("doctor", "doctor"),
        ("tags", "tags"),
        ("links", "links"),
        ("show", "show"),
        ("watch", "watch"),
        ("mcp", "mcp"),
        ("open", "open"),
        ("find", "find"),
        ("completion", "completion"),
    )
}


class LazyGroup(click.Group):
    """A group whose commands (:data:`COMMANDS`) are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, name = COMMANDS[cmd_name].partition(":")
            command = getattr(import_module(f".{module}", __name__), name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="notesearch", prog_name="notesearch")
@global_options
def cli(notes_dir: object, index_dir: object, color: object) -> None:
    """Search folders of Markdown notes by section, from the terminal.

    \b
    Quick start:
      notesearch index                               # index ./notes into ./index
      notesearch query "spot training" --tag gotcha  # ranked sections
      notesearch query "feature store" --format jsonl | jq -r .path

    --notes, --index and --color may also come after the command name.
    Exit codes: 0 found, 1 nothing found, 2 error, 130 interrupted.
    """
    if click.get_current_context().invoked_subcommand not in STAY_PAUSED:
        collector.resume()


def main() -> None:
    """The command line: ends quietly on a closed pipe and on Ctrl-C (SystemExit
    carries the exit code)."""
    try:
        try:
            cli.main(prog_name="notesearch")
        finally:
            # Flush here, not at interpreter exit, so a closed pipe is seen below.
            if sys.stdout is not None:  # None: started with stdout closed (>&-)
                sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(closed_pipe())
    except KeyboardInterrupt:
        sys.exit(interrupted())


def run() -> None:
    """The command line as a process (``notesearch.__main__`` runs it): :func:`main`,
    and a finished query's process ends as soon as its output is flushed, as does
    one that Ctrl-C stopped (see :func:`~.failures.finished`).

    Tearing the interpreter down (every module, Whoosh's readers) costs a cold
    query about a tenth of its time, and a finished query has nothing left to
    close or write. Other commands end the usual way.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if may_end_now() and (code is None or isinstance(code, int)):
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except (OSError, ValueError):
                raise exc from None  # the usual way, then
            os._exit(code or 0)
        raise
