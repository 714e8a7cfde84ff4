"""How paths are compared and shown: the one containment rule, the one display rule."""

from __future__ import annotations

import os
from pathlib import Path


def within(root_real: str, path_real: str) -> bool:
    """True when ``path_real`` is ``root_real`` or below it (both real paths)."""
    return path_real == root_real or path_real.startswith(root_real.rstrip(os.sep) + os.sep)


def display(path: Path) -> str:
    """How a folder is named in messages: relative to the working folder when below it."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(path)
    return "./" + str(rel) if str(rel) != "." else "."


class PathDisplay:
    """How a note's path is printed: the one rule every printer follows.

    A note below the working folder is printed relative to it (so
    ``-l | xargs vim`` and ``vim -q`` open it from there), any other note
    absolute, as ripgrep does; ``absolute`` prints every path absolute.
    ``notes_root`` is the notes folder as the user named it (made absolute
    against ``cwd``, symbolic links kept).
    """

    __slots__ = ("absolute", "cwd", "notes_root")

    def __init__(self, notes_root: str, cwd: str, *, absolute: bool = False) -> None:
        self.cwd = os.path.abspath(cwd)
        self.notes_root = os.path.normpath(os.path.join(self.cwd, notes_root))
        self.absolute = absolute

    def file(self, path: str) -> str:
        """The absolute file of note ``path`` (relative to the notes folder)."""
        return os.path.join(self.notes_root, *path.split("/"))

    def shown(self, path: str) -> str:
        """Note ``path`` as printed: from the working folder when below it, else absolute."""
        file = self.file(path)
        if self.absolute or not within(self.cwd, file):
            return file
        return os.path.relpath(file, self.cwd)
