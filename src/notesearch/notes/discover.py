"""Walk the notes root: which files are notes, which are skipped and why.

Rules: every ``*.md`` / ``*.markdown`` regular file, recursively; hidden
entries (``.git``, ``.obsidian``, ``.trash``...) and the index folder are
skipped; symlinks are followed only while their real path stays inside the
root, and a folder already visited (a symlink loop) is not entered again.
Other regular files are remembered as assets, so links to images resolve.
The walk keeps its own stack (no recursion limit); a folder nested deeper than
:data:`MAX_DEPTH` levels is one warning and skipped.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NotesFolderError
from ..models import Diagnostic
from ..paths import display, within
from ..settings import NOTE_SUFFIXES
from .names import is_note_name

# Folders deeper than this many levels below the notes root are skipped with a
# warning: no real vault nests so deep; such a tree is a runaway script or a trap.
MAX_DEPTH = 256


# A folder being walked: its remaining entries, relative path and real path.
Frame = tuple[Iterator[os.DirEntry[str]], str, str]


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A note found on disk: its root-relative path and its stat signature."""

    path: str
    abspath: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class Discovery:
    notes: list[NoteFile] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


def require_folder(root: Path) -> None:
    """Raise NotesFolderError unless the notes folder ``root`` is a folder."""
    if not root.exists():
        raise NotesFolderError(f"notes folder {display(root)} does not exist")
    if not root.is_dir():
        raise NotesFolderError(f"notes folder {display(root)} is not a folder")


def discover(
    root: Path,
    exclude: Iterable[Path] = (),
    *,
    suffixes: Iterable[str] = NOTE_SUFFIXES,
    ignore: Iterable[str] = (),
) -> Discovery:
    """List the notes under ``root`` in a stable (sorted) order.

    Args:
        exclude: folders never entered (the index folder).
        suffixes: file name endings that make a note (``.md``, ``.markdown``).
        ignore: gitignore-style patterns, relative to ``root``, of files and
            folders to leave out (pathspec implements git's rules).
    """
    found = Discovery()
    suffixes = tuple(s.lower() for s in suffixes)
    patterns = list(ignore)
    spec = None
    if patterns:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(patterns)

    def ignored(rel: str, is_dir: bool) -> bool:
        return spec is not None and spec.match_file(rel + "/" if is_dir else rel)

    root_real = os.path.realpath(root)
    excluded = {os.path.realpath(p) for p in exclude}
    visited: set[tuple[int, int]] = set()
    # Symlinked folders are walked after every real folder, so that a link that
    # sorts first never hides the real folder it points at ("loop" detection
    # then skips the link, not the original).
    deferred: deque[tuple[str, str, str]] = deque()  # (path, relative path, real path)

    def enter(folder: str, rel: str, real: str) -> Frame | None:
        """The sorted entries of a folder about to be walked, or None (with a warning)."""
        if rel and rel.count("/") >= MAX_DEPTH:  # rel has depth - 1 slashes
            found.warnings.append(Diagnostic("folder nested too deep; skipped", rel))
            return None
        try:
            st = os.stat(folder)
        except OSError as exc:
            found.warnings.append(Diagnostic(f"cannot read folder ({exc.strerror})", rel or "."))
            return None
        key = (st.st_dev, st.st_ino)
        if key in visited:
            found.warnings.append(Diagnostic("symlink loop; folder already indexed", rel))
            return None
        visited.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found.warnings.append(Diagnostic(f"cannot read folder ({exc.strerror})", rel or "."))
            return None
        return iter(entries), rel, real

    def walk(folder: str, rel: str, real: str) -> None:
        """Depth first, in name order, with an explicit stack (no recursion limit)."""
        top = enter(folder, rel, real)
        stack = [top] if top is not None else []
        while stack:
            entries, rel, real = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            child = visit(entry, rel, real)
            if child is not None:
                opened = enter(entry.path, *child)
                if opened is not None:
                    stack.append(opened)

    def visit(entry: os.DirEntry[str], rel: str, parent_real: str) -> tuple[str, str] | None:
        """Record one entry; a folder to walk now is returned (relative and real path).

        The real path of an entry that is not a symlink is its folder's real
        path and its name: no ``realpath`` (one lookup per level) per folder.
        """
        name = entry.name
        if name.startswith("."):
            return None
        child_rel = f"{rel}/{name}" if rel else name
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes, kept as surrogates
            if entry.is_dir() or is_note_name(name, suffixes):
                found.warnings.append(
                    Diagnostic("name is not valid UTF-8; skipped (rename it)", child_rel)
                )
            return None
        try:
            is_link = entry.is_symlink()
            st = os.stat(entry.path)  # follows symlinks
        except OSError:
            if is_note_name(name, suffixes):
                found.warnings.append(
                    Diagnostic("broken symlink or unreadable; skipped", child_rel)
                )
            return None
        real = os.path.join(parent_real, name)
        if is_link:
            real = os.path.realpath(entry.path)
            if not within(root_real, real):
                if stat.S_ISDIR(st.st_mode) or is_note_name(name, suffixes):
                    found.warnings.append(
                        Diagnostic("symlink points outside the notes folder; skipped", child_rel)
                    )
                return None
        if stat.S_ISDIR(st.st_mode):
            if real in excluded or ignored(child_rel, True):
                return None
            if not is_link:
                return child_rel, real
            deferred.append((entry.path, child_rel, real))
        elif stat.S_ISREG(st.st_mode):
            if ignored(child_rel, False):
                return None
            if is_note_name(name, suffixes):
                found.notes.append(NoteFile(child_rel, entry.path, st.st_size, st.st_mtime_ns))
            else:
                found.assets.append(child_rel)
        elif is_note_name(name, suffixes):
            found.warnings.append(Diagnostic("not a regular file; skipped", child_rel))
        return None

    walk(str(root), "", root_real)
    while deferred:
        walk(*deferred.popleft())
    return found
