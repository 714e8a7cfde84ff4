"""The plainest ``notesearch index`` and ``notesearch query``, answered before the command
line (click) is imported.

An editor hook or a cron job runs ``notesearch index`` after every change,
and most of those runs find nothing changed; a shell pipeline or an editor
runs ``notesearch query WORDS`` and wants its answer now. The command line
around them (click, and with it ``inspect``) cost a no-change ``index`` four
fifths of its time and a cold query about a sixth. :func:`answer` takes
only their plainest forms (:mod:`.index`, :mod:`.query`), before any of it
is imported, and does what the command does with the same settings. Any
other form (another option, ``--help``, ``--`` or a second command word),
and any doubt found before the work begins (a configuration error; for
``index`` a change on disk, a locked or damaged index), is left to the
command line, which does it all again and says what it finds. So the answer
here is the command line's own, or none.

The modules on the ``index`` path (settings, the models, the vault, the
seal, the stat table, the freshness check) import neither ``typing`` nor
``dataclasses``: their record classes are :mod:`notesearch.records`, and
each writes ``TYPE_CHECKING = False`` for its type-only imports (type
checkers read any name ``TYPE_CHECKING`` as true). Importing ``typing``
alone took a tenth of such a run.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's, without importing typing (see above)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

LOCATIONS = {"--notes": "notes", "--index": "index"}  # option -> setting
Read = tuple[dict[str, str], dict[str, list[str]], set[str], list[str]]


def answer(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int | None:
    """The exit code of the command line ``argv`` (without the program name) when it is
    a plain ``index`` with nothing to do or a plain ``query``, answered here; None leaves
    it to the command line (nothing was written or printed then)."""
    env = os.environ if environ is None else environ
    if "_NOTESEARCH_COMPLETE" in env or env.get("NOTESEARCH_DEBUG"):
        return None  # shell completion, or a traceback wanted: the command line's
    from . import index

    code = index.answer(argv, env)
    if code is None:
        from . import query

        code = query.answer(argv, env)
    return code


def read(
    argv: Sequence[str],
    command: str,
    *,
    before: Mapping[str, str],
    after: Mapping[str, str],
    flags: Mapping[str, str],
    words: bool = False,
) -> Read | None:
    """(the options given before ``command``, by setting, the last of each; those given
    after it, each in order; the flags after it; the words) of a command line that is
    ``command`` with only these options, or None for any other.

    As click reads it: ``--name value``, ``--name=value`` and ``-x value``, options and
    words in any order after the command name. Anything else that looks like an
    option, an empty value or one that starts with ``-`` (click has its own reading
    of those) is None.
    """
    early: dict[str, str] = {}
    late: dict[str, list[str]] = {}
    seen: set[str] = set()
    found: list[str] = []
    started = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        options = after if started else before
        if name in options:
            if not equals:
                if i + 1 == len(argv):
                    return None
                i += 1
                value = argv[i]
            if not value or value.startswith("-"):
                return None
            if started:
                late.setdefault(options[name], []).append(value)
            else:
                early[options[name]] = value
        elif started and arg in flags:
            seen.add(flags[arg])
        elif arg.startswith("-"):
            return None
        elif not started:
            if arg != command:
                return None
            started = True
        elif words:
            found.append(arg)
        else:
            return None
        i += 1
    return (early, late, seen, found) if started else None


def last(early: dict[str, str], late: dict[str, list[str]], keys: Iterable[str]) -> dict[str, str]:
    """Each of ``keys`` as the command line settles it: the last given after the command
    name, else the last given before it."""
    given = {key: early[key] for key in keys if key in early}
    given.update((key, late[key][-1]) for key in keys if key in late)
    return given


def located(given: Mapping[str, str], env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The notes and index folders given on the command line or in the environment, as
    the settings take them (``key -> (value, source)``), as click reads them."""
    from pathlib import Path

    explicit = {
        key: (str(Path(given[key])), "command line") for key in LOCATIONS.values() if key in given
    }
    for key in LOCATIONS.values():
        value = env.get(f"NOTESEARCH_{key.upper()}")
        if key not in explicit and value:  # click reads an empty variable as unset
            explicit[key] = (str(Path(value)), "environment")
    return explicit
