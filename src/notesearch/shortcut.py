"""``notesearch index`` with nothing to do, answered before the command line is imported.

An editor hook or a cron job runs ``notesearch index`` after every change,
and most of those runs find nothing changed: a stat of each folder and note
(:meth:`~notesearch.vault.Vault.unchanged`), a few milliseconds. The command
line around it (click, and with it ``typing`` and ``inspect``) cost such a
run four fifths of its time: 100 ms at 1,000 notes, where the build took
2.6-5 s. :func:`answer` takes the plainest form of that command before any
of it is imported, and does what the ``index`` command does with the same
settings when nothing changed: the same one-line summary on stderr, exit 0.

Only this form is taken: ``notesearch [--notes D] [--index D] index
[--notes D] [--index D] [-q | --quiet]`` (``--notes=D`` too). Anything else
(another option, ``--help``, a second command word) and any doubt (a
configuration error, a locked or damaged index, a change on disk) is left to
the command line, which does it all again and says what it finds. So the
answer here is the command line's own, or none.

The modules on this path (settings, the models, the vault, the seal, the
stat table, the freshness check) import neither ``typing`` nor
``dataclasses``: their record classes are :mod:`notesearch.records`, and
each writes ``TYPE_CHECKING = False`` for its type-only imports (type
checkers read any name ``TYPE_CHECKING`` as true). Importing ``typing``
alone took a tenth of such a run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import NotesearchError

TYPE_CHECKING = False  # typing's, without importing typing (see above)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

COMMAND = "index"
LOCATIONS = {"--notes": "notes", "--index": "index"}  # option -> setting
QUIET = ("-q", "--quiet")  # the index command's, after its name only


def parse(argv: Sequence[str]) -> tuple[dict[str, str], bool] | None:
    """(the folders given on the command line, by setting; quiet) of a plain ``index``
    command line, or None for any other command line.

    As click reads it: the last of an option wins, and one given after the
    command name wins over one before it.
    """
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    quiet = command = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=")
        if arg == COMMAND and not command:
            command = True
        elif name in LOCATIONS:
            if not equals:
                if i + 1 == len(argv):
                    return None
                i += 1
                value = argv[i]
            if not value:
                return None  # click's own reading of an empty folder: left to it
            (after if command else before)[LOCATIONS[name]] = value
        elif arg in QUIET and command:
            quiet = True
        else:
            return None
        i += 1
    return ({**before, **after}, quiet) if command else None


def answer(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> bool:
    """Answer the command line ``argv`` (without the program name) when it is a plain
    ``notesearch index`` and nothing changed: the summary on stderr (unless quiet),
    and True. False leaves the command to the command line (no generation was written)."""
    parsed = parse(argv)
    if parsed is None:
        return False
    given, quiet = parsed
    env = os.environ if environ is None else environ
    explicit = {key: (str(Path(value)), "command line") for key, value in given.items()}
    for key in LOCATIONS.values():
        value = env.get(f"NOTESEARCH_{key.upper()}")
        if key not in explicit and value:  # click reads an empty variable as unset
            explicit[key] = (str(Path(value)), "environment")
    from . import settings as config
    from .vault import Vault

    try:
        settings = config.load(explicit, env)
        vault = Vault(settings.path("notes"), settings.path("index"), settings)
        stats = vault.unchanged(lock_timeout=0.0)  # locked: the command line waits
    except (NotesearchError, OSError, ValueError):
        return False  # the command line says what is wrong
    if stats is None:
        return False
    if not quiet:
        try:
            sys.stderr.write(f"notesearch: {stats.summary()}\n")
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):  # no stderr, or a closed pipe:
            return False  # the command line's own way of ending then
    return True
