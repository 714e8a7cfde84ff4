"""Note lines kept for an open index: snippets and previews read each note once.

A search locates each hit's matched word in its note's file (line and
column), and the finder previews the selected section from the file, so a
run of keystrokes read the same notes again and again. :class:`NoteLines`
keeps the lines of the notes read last, each with the stat of the file it
was read from. A kept note is used only while a fresh ``stat`` of its path
shows that very file unchanged (device, inode, size, change and modification
times): a file edited, replaced or swapped for a link is read again, through
the checks of :func:`~notesearch.notes.read.read_lines` (a regular file
inside the notes folder). A note that cannot be read is not kept.
"""

from __future__ import annotations

import os

from ..errors import NotesearchError
from ..notes.read import read_lines
from .kept import Kept

KEPT = 256  # notes kept, the least recently used let go


Signature = tuple[int, int, int, int, int]


def _signature(st: os.stat_result) -> Signature:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class NoteLines:
    """The lines of recently read notes of one notes folder (thread-safe)."""

    def __init__(self, root: str, kept: int = KEPT) -> None:
        self.root = root
        self._root_real = os.path.realpath(root)
        self.kept = kept
        self._lines: Kept[str, tuple[Signature, list[str]]] = Kept(kept)

    def get(self, path: str) -> list[str] | None:
        """The lines of note ``path`` (relative to the root); None when it cannot be read."""
        try:
            return self.read(path)
        except (OSError, NotesearchError):
            return None

    def read(self, path: str) -> list[str]:
        """The lines of note ``path`` (relative to the root). The list is shared: do not
        change it.

        Raises:
            NotesearchError: not a regular file inside the root, binary, or too large.
            OSError: it cannot be read.
        """
        full = os.path.join(self.root, path)
        before = _signature(os.stat(full))
        kept = self._lines.get(path)
        if kept is not None and kept[0] == before:
            return kept[1]
        lines = read_lines(self.root, path, root_real=self._root_real)
        if _signature(os.stat(full)) == before:  # not changed while it was read: keep it
            self._lines.put(path, (before, lines))
        return lines
