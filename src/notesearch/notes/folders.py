"""The notes folder, and the stat signature that says whether a folder's listing moved.

Apart from :mod:`.discover` (the walk) so that the freshness check and a query,
which only compare signatures, do not import the walk.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import NotesFolderError
from ..paths import display

FolderSignature = tuple[int, int, int]  # inode, mtime_ns, ctime_ns


def require_folder(root: Path) -> None:
    """Raise NotesFolderError unless the notes folder ``root`` is a folder."""
    if not root.exists():
        raise NotesFolderError(f"notes folder {display(root)} does not exist")
    if not root.is_dir():
        raise NotesFolderError(f"notes folder {display(root)} is not a folder")


def folder_signature(info: os.stat_result) -> FolderSignature:
    """A folder's signature: a file added, removed or renamed in it changes it."""
    return (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
