"""The output context of one run, decided once: the format, the colour, the printer.

The facts that decide it (is stdout a terminal, its size, the environment's
colour variables) are a :class:`Terminal`, measured by the process that
shows the output: a query answered by ``notesearch watch`` is printed with
its client's facts, so both print the same bytes. No rich here: this module
is on the path of every query.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from ..records import field, record
from ..settings import Color, Format

if TYPE_CHECKING:
    from ..paths import PathDisplay
    from . import Printer

# The environment variables that the colour decision (color_wanted)
# and rich's Console (size, colour system, terminal detection) read.
TERMINAL_ENV = (
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "COLUMNS",
    "LINES",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
)


@record
class Terminal:
    """The facts output decisions depend on, measured by the process that shows the output.

    ``isatty``: stdout is a terminal. ``screen``: (columns, lines) of the
    first of stdin, stdout and stderr that is a terminal, as rich measures
    it; None when none is. ``env``: the variables of :data:`TERMINAL_ENV`
    that are set.
    """

    isatty: bool = False
    screen: tuple[int, int] | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def current(cls, stdout: IO[str]) -> Terminal:
        """This process's terminal, with ``stdout`` the stream results go to."""
        screen = None
        for stream, default in ((sys.__stdin__, 0), (sys.__stdout__, 1), (sys.__stderr__, 2)):
            try:
                fd = stream.fileno() if stream is not None else default
            except (AttributeError, ValueError, OSError):
                fd = default
            try:
                size = os.get_terminal_size(fd)
            except (AttributeError, ValueError, OSError):
                continue
            screen = (size.columns, size.lines)
            break
        env = {key: os.environ[key] for key in TERMINAL_ENV if key in os.environ}
        return cls(isatty=isatty(stdout), screen=screen, env=env)

    def to_json(self) -> dict[str, Any]:
        return {"isatty": self.isatty, "screen": self.screen, "env": dict(self.env)}

    @classmethod
    def from_json(cls, data: Any) -> Terminal:
        """Raises ValueError when ``data`` is not what :meth:`to_json` makes."""
        if not isinstance(data, dict) or set(data) != {"isatty", "screen", "env"}:
            raise ValueError("bad terminal")
        screen, env = data["screen"], data["env"]
        if not isinstance(data["isatty"], bool):
            raise ValueError("bad isatty")
        if screen is not None and not (
            isinstance(screen, list)
            and len(screen) == 2
            and all(type(n) is int and n >= 0 for n in screen)
        ):
            raise ValueError("bad screen")
        if not (
            isinstance(env, dict)
            and all(k in TERMINAL_ENV and isinstance(v, str) for k, v in env.items())
        ):
            raise ValueError("bad env")
        return cls(isatty=data["isatty"], screen=None if screen is None else tuple(screen), env=env)


def color_wanted(choice: str, tty: bool, env: Mapping[str, str]) -> bool:
    """The one colour decision: ``--color``, then NO_COLOR and TERM=dumb, then the terminal."""
    if choice == Color.ALWAYS:
        return True
    if choice == Color.NEVER or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return tty


def isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def choose_printer(
    fmt: str | None,
    color: str,
    *,
    null: bool = False,
    notes_root: str | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    terminal: Terminal | None = None,
    cwd: str | None = None,
    absolute: bool = False,
) -> tuple[str, Printer]:
    """The one format and color decision of a run, and the printer it gives.

    The default format is ``rich`` when stdout is a terminal (or colour is
    forced) and ``plain`` otherwise. The printer writes to ``out`` and
    ``err`` (stdout and stderr by default); ``terminal`` holds the facts of
    the terminal that shows them, when that is not this process's own
    stdout (a query answered by ``notesearch watch``).

    Note paths are printed from ``cwd`` (this process's working folder when
    None) when the note is below it, else absolute (always with
    ``absolute``); ``notes_root`` is the notes folder as the user named it.
    """
    from . import make_printer

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    tty = isatty(out) if terminal is None else terminal.isatty
    env = os.environ if terminal is None else terminal.env
    colored = color_wanted(color, tty, env)
    if fmt is None:
        auto = colored or color_wanted(Color.AUTO, tty, env)
        fmt = Format.RICH.value if auto else Format.PLAIN.value
    if null and fmt != Format.PATHS:
        from ..errors import UsageError

        raise UsageError("-0/--null goes with --format paths (or -l)")
    printer = make_printer(
        fmt,
        out,
        err,
        color=colored,
        null=null,
        paths=None if notes_root is None else _paths(notes_root, cwd, absolute),
        screen=None if terminal is None else terminal.screen,
        env=None if terminal is None else terminal.env,
    )
    return fmt, printer


def _paths(notes_root: str, cwd: str | None, absolute: bool) -> PathDisplay:
    from ..paths import PathDisplay

    if cwd is None:
        try:
            cwd = os.getcwd()
        except OSError:  # the working folder was removed: print absolute paths
            cwd, absolute = "/", True
    return PathDisplay(notes_root, cwd, absolute=absolute)


def closed_pipe() -> int:
    """``| head -1`` or ``| grep -q`` closed our stdout: stop quietly, as grep and rg do.

    Stdout is pointed at /dev/null so that the exit flushes cleanly; the exit code is 0.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests)
        pass
    return 0
