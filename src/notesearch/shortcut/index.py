"""``notesearch index`` with nothing to do, answered before the command line is imported.

Most runs of ``notesearch index`` (an editor hook's, a cron job's) find
nothing changed: a stat of each folder and note
(:meth:`~notesearch.vault.Vault.unchanged`), a few milliseconds, where the
command line around it took 100 ms at 1,000 notes and the build 2.6-5 s.
Only this form is taken: ``notesearch [--notes D] [--index D] index
[--notes D] [--index D] [-q | --quiet]`` (``--notes=D`` too), and only when
nothing changed: then the same one-line summary on stderr as the ``index``
command's, exit 0. Anything else is left to the command line.
"""

from __future__ import annotations

import sys

from ..errors import NotesearchError
from . import LOCATIONS, last, located, read

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

COMMAND = "index"
QUIET = {"-q": "quiet", "--quiet": "quiet"}  # the index command's, after its name only


def parse(argv: Sequence[str]) -> tuple[dict[str, str], bool] | None:
    """(the folders given on the command line, by setting; quiet) of a plain ``index``
    command line, or None for any other command line.

    As click reads it: the last of an option wins, and one given after the
    command name wins over one before it.
    """
    line = read(argv, COMMAND, before=LOCATIONS, after=LOCATIONS, flags=QUIET)
    if line is None:
        return None
    early, late, flags, _ = line
    return last(early, late, LOCATIONS.values()), "quiet" in flags


def answer(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """0 when ``argv`` (without the program name) is a plain ``notesearch index`` and
    nothing changed, its summary on stderr (unless quiet); None leaves the command to
    the command line (no generation was written)."""
    parsed = parse(argv)
    if parsed is None:
        return None
    given, quiet = parsed
    from .. import settings as config
    from ..vault import Vault

    try:
        settings = config.load(located(given, env), env)
        vault = Vault(settings.path("notes"), settings.path("index"), settings)
        stats = vault.unchanged(lock_timeout=0.0)  # locked: the command line waits
    except (NotesearchError, OSError, ValueError):
        return None  # the command line says what is wrong
    if stats is None:
        return None
    if not quiet:
        try:
            sys.stderr.write(f"notesearch: {stats.summary()}\n")
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):  # no stderr, or a closed pipe:
            return None  # the command line's own way of ending then
    return 0
