"""The command line: the only click importer. Each command is a small module of its own:
parse options, call one vault method, hand the result to one printer, exit.

Heavy modules (whoosh, rich, the parser) are imported inside the commands, so
``notesearch --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import sys

import click

from .completion import completion_command
from .config import config_command
from .doctor import doctor_command
from .export import export_command
from .failures import closed_pipe, interrupted
from .find import find_command
from .index import index_command
from .links import links_command
from .mcp import mcp_command
from .open import open_command
from .options import global_options
from .query import query_command
from .show import show_command
from .tags import tags_command
from .watch import watch_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


for command in (
    index_command,
    query_command,
    export_command,
    config_command,
    doctor_command,
    tags_command,
    links_command,
    show_command,
    watch_command,
    mcp_command,
    open_command,
    find_command,
    completion_command,
):
    cli.add_command(command)


def main() -> None:
    """Console entry point: ends quietly on a closed pipe and on Ctrl-C."""
    try:
        try:
            cli.main(prog_name="notesearch")
        finally:
            # Flush here, not at interpreter exit, so a closed pipe is seen below.
            sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(closed_pipe())
    except KeyboardInterrupt:
        sys.exit(interrupted())
