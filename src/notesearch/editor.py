"""Opening a note in the user's editor at a line: the argv, never a shell.

``$VISUAL`` wins over ``$EDITOR`` (as git and most Unix tools do). The
editor string is split like a shell word list, so it may carry flags
(``code -w``, ``emacsclient -t``); the file position is then passed the way
each editor family reads it, checked against each editor's own argument
parser:

================================  ==========================================
editor                            arguments added
================================  ==========================================
vi, vim, nvim, gvim, mvim, view   ``+LINE -- PATH``
emacs                             ``+LINE[:COL] -- PATH``
emacsclient                       ``-- +LINE[:COL] PATH``
nano                              ``-- +LINE[,COL] PATH``
micro                             ``-- +LINE[:COL] PATH``
kak                               ``-- +LINE[:COL] PATH``
hx, helix                         ``PATH:LINE[:COL]`` (no ``--``, see below)
code, code-insiders, codium       ``--goto -- PATH:LINE[:COL]``
subl                              ``-- PATH:LINE[:COL]``
anything else                     ``PATH``
================================  ==========================================

Why the ``--`` sits where it does:

- vim and emacs read ``+LINE`` while scanning options and take every word
  after ``--`` as a file, so ``+LINE`` goes before ``--``.
- nano and emacsclient (getopt), micro (Go's ``flag``) and kak read
  ``+LINE`` among the file operands after option parsing, so it goes after
  ``--``; before it, getopt in POSIX mode and Go's ``flag`` would stop at
  ``+LINE`` and open a file named ``--``.
- older helix releases stopped reading arguments at ``--`` and opened no
  file at all, so helix gets none.
- Unknown editors may read ``--`` as a file name, so they get none.

A path that starts with ``-`` or ``+`` is written ``./-name`` so that no
editor can read it as an option or a position, with or without ``--``
(the CLI passes absolute paths, which never do). vim ignores the column: its
only portable start position is ``+LINE``.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping

from .errors import EditorError

__all__ = [
    "EditorError",
    "editor_command",
    "editor_family",
    "editor_source",
    "pick_editor",
    "run_editor",
]

_FAMILIES: dict[str, str] = {
    **dict.fromkeys(("vi", "vim", "nvim", "gvim", "mvim", "vimx", "view"), "vim"),
    "emacs": "emacs",
    "emacsclient": "emacsclient",
    "nano": "nano",
    "micro": "micro",
    "kak": "kak",
    **dict.fromkeys(("hx", "helix"), "helix"),
    **dict.fromkeys(
        ("code", "code-insiders", "code-oss", "codium", "codium-insiders", "vscodium"), "vscode"
    ),
    "subl": "subl",
}

_VERSION_SUFFIX = re.compile(r"-\d+(?:\.\d+)*$")  # emacs-29.1


def pick_editor(env: Mapping[str, str]) -> str | None:
    """The editor command: ``$VISUAL``, else ``$EDITOR``; None when neither is set (or blank)."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "")
        if value.strip():
            return value
    return None


def editor_family(program: str) -> str | None:
    """The family of an editor program (``/usr/bin/nvim`` → ``vim``), or None if unknown."""
    name = os.path.basename(program).lower()
    name = name.removesuffix(".exe")
    candidates = (name, name.split(".", 1)[0], _VERSION_SUFFIX.sub("", name))
    for candidate in candidates:  # vim.basic, nvim.appimage, emacs-29.1
        if candidate in _FAMILIES:
            return _FAMILIES[candidate]
    return None


def editor_command(editor: str, path: str, line: int, column: int | None = None) -> list[str]:
    """The argv that opens ``path`` at ``line`` (and ``column``, 1-based) in ``editor``.

    Raises:
        EditorError: ``editor`` is empty or cannot be split (an unclosed quote).
        ValueError: ``path`` is empty, or ``line`` / ``column`` is below 1.
    """
    try:
        words = shlex.split(editor)
    except ValueError as exc:
        raise EditorError(f"cannot read the editor command {editor!r}: {exc}") from None
    if not words:
        raise EditorError("the editor command is empty")
    if not path:
        raise ValueError("path must not be empty")
    if line < 1 or (column is not None and column < 1):
        raise ValueError("line and column are 1-based")
    if path.startswith(("-", "+")):
        path = "./" + path  # never an option or a +position, for any editor

    col = "" if column is None else str(column)
    family = editor_family(words[0])
    if family == "vim":
        tail = [f"+{line}", "--", path]
    elif family == "emacs":
        tail = [f"+{line}:{col}" if col else f"+{line}", "--", path]
    elif family == "nano":
        tail = ["--", f"+{line},{col}" if col else f"+{line}", path]
    elif family in ("emacsclient", "micro", "kak"):
        tail = ["--", f"+{line}:{col}" if col else f"+{line}", path]
    elif family == "helix":
        tail = [_at(path, line, col)]
    elif family == "vscode":
        tail = ["--goto", "--", _at(path, line, col)]
    elif family == "subl":
        tail = ["--", _at(path, line, col)]
    else:
        tail = [path]
    return [*words, *tail]


def _at(path: str, line: int, col: str) -> str:
    return f"{path}:{line}:{col}" if col else f"{path}:{line}"


def editor_source(env: Mapping[str, str]) -> str:
    """Which variable the editor came from, for messages: ``$VISUAL`` or ``$EDITOR``."""
    return "$VISUAL" if env.get("VISUAL", "").strip() else "$EDITOR"


def run_editor(argv: list[str], source: str) -> None:
    """Run the editor in the foreground and wait for it (``notesearch open`` and ``find``).

    While it runs, Ctrl-C belongs to it (as with git): we must not kill it. A
    Python-level handler (not SIG_IGN) is installed, so the editor still
    starts with the default handlers: exec resets caught ones.

    Raises:
        EditorError: it is not found, cannot run, exits non-zero or is killed.
    """
    import subprocess

    from . import signals

    try:
        with signals.handling({"SIGINT": signals.ignore, "SIGQUIT": signals.ignore}):
            status = subprocess.run(argv, check=False).returncode
    except FileNotFoundError:
        raise EditorError(f"editor not found: {argv[0]} (from {source})") from None
    except OSError as exc:
        raise EditorError(f"cannot run the editor {argv[0]} ({source}): {exc.strerror}") from None
    if status < 0:
        raise EditorError(f"the editor ({source}) was ended by signal {-status}")
    if status != 0:
        raise EditorError(f"the editor ({source}) exited with status {status}")
