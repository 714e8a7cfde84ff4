"""``notesearch doctor``: is the index sound?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..printers import messages
from ..settings import Settings
from .failures import CommandError, errors
from .options import location_options


@click.command("doctor")
@location_options
@errors
def doctor_command(notes_dir: Path, index_dir: Path, settings: Settings) -> None:
    """Check that the index opens, every segment reads, and it matches its file table.

    Exit 0 when the index is sound, 2 when it is not (with what to do).

    \b
    Examples:
      notesearch doctor
      notesearch doctor --index ~/.cache/vault-index
    """
    from ..vault import Vault

    facts, problems = Vault(notes_dir, index_dir, settings).doctor()
    for fact in facts:
        messages.say(fact, sys.stderr)
    for problem in problems:
        messages.say(f"problem: {problem}", sys.stderr)
    if problems:
        raise CommandError(
            "the index is damaged; run `notesearch index --rebuild` (your notes are not affected)"
        )
    messages.say("the index is sound", sys.stderr)
