"""Walk the notes root: which files are notes, which are skipped and why.

Rules: every ``*.md`` / ``*.markdown`` regular file, recursively; hidden
entries (``.git``, ``.obsidian``, ``.trash``...) and the index folder are
skipped; symlinks are followed only while their real path stays inside the
root, and a folder already visited (a symlink loop) is not entered again.
Other regular files are remembered as assets, so links to images resolve.
The walk keeps its own stack (no recursion limit); a folder nested deeper than
:data:`MAX_DEPTH` levels is one warning and skipped.

Each folder entered is remembered with its stat signature (inode, mtime,
ctime), taken before it is listed: a file added, removed or renamed in it
changes them, so the freshness check (``engine/fresh.py``) lists again only
the folders whose signature moved (:func:`rescan`).
"""

from __future__ import annotations

import os
import stat
import time
from collections import deque
from collections.abc import Container, Iterable, Iterator
from pathlib import Path

from ..models import Diagnostic
from ..paths import within
from ..records import field, record
from ..settings import NOTE_SUFFIXES
from .folders import FolderSignature, folder_signature
from .names import is_note_name

# Folders deeper than this many levels below the notes root are skipped with a
# warning: no real vault nests so deep; such a tree is a runaway script or a trap.
MAX_DEPTH = 256


# A folder being walked: its remaining entries, relative path and real path.
Frame = tuple[Iterator[os.DirEntry[str]], str, str]


@record
class NoteFile:
    """A note found on disk: its root-relative path and its stat signature."""

    path: str
    abspath: str
    size: int
    mtime_ns: int


@record(frozen=False)
class Discovery:
    """What a walk found. ``folders``: every folder entered (``""`` is the root) with its
    signature; ``simple``: the walk met no symlink and no folder it could not enter,
    so listing again only the folders whose signature moved finds what a whole walk
    finds (:func:`rescan`); ``started_ns``: the wall clock when the walk began."""

    notes: list[NoteFile] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    folders: dict[str, FolderSignature] = field(default_factory=dict)
    simple: bool = True
    started_ns: int = 0


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
    walker = _Walker(root, exclude, suffixes, ignore)
    walker.walk(str(root), "", walker.root_real)
    while walker.deferred:
        walker.walk(*walker.deferred.popleft())
    return walker.found


def rescan(
    root: Path,
    folders: Iterable[str],
    known: Container[str],
    exclude: Iterable[Path] = (),
    *,
    suffixes: Iterable[str] = NOTE_SUFFIXES,
    ignore: Iterable[str] = (),
) -> Discovery | None:
    """List again only ``folders`` (root-relative) of a :attr:`~Discovery.simple` walk.

    What :func:`discover` would find directly in them, and in every folder
    below them that is not ``known`` (new folders are walked whole; a known
    one is the caller's to check by its signature). None when the answer
    could differ from a whole walk's: a symlink, or a folder that cannot be
    entered (the caller walks everything then).
    """
    walker = _Walker(root, exclude, suffixes, ignore, known)
    for rel in folders:
        # No symlinks in a simple walk's tree: a folder's real path is the root's and rel.
        real = os.path.join(walker.root_real, rel) if rel else walker.root_real
        if real in walker.excluded:  # the index folder now stands where a folder was
            continue
        walker.walk(os.path.join(root, rel) if rel else str(root), rel, real)
        if not walker.found.simple:
            return None
    return walker.found


class _Walker:
    """One walk's state: the rules, the folders seen and what was found."""

    def __init__(
        self,
        root: Path,
        exclude: Iterable[Path],
        suffixes: Iterable[str],
        ignore: Iterable[str],
        known: Container[str] = (),
    ) -> None:
        self.found = Discovery(started_ns=time.time_ns())
        self.root = root
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.known = known  # folders not entered (a rescan: checked by their signature)
        patterns = list(ignore)
        self.spec = None
        if patterns:
            import pathspec

            self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.root_real = os.path.realpath(root)
        self.excluded = {os.path.realpath(p) for p in exclude}
        self.visited: set[tuple[int, int]] = set()
        # Symlinked folders are walked after every real folder, so that a link that
        # sorts first never hides the real folder it points at ("loop" detection
        # then skips the link, not the original).
        self.deferred: deque[tuple[str, str, str]] = deque()  # (path, relative path, real path)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        return self.spec is not None and self.spec.match_file(rel + "/" if is_dir else rel)

    def skip(self, message: str, rel: str) -> None:
        """A folder that is not walked, or an entry that cannot be stat'ed: one warning."""
        self.found.warnings.append(Diagnostic(message, rel or "."))
        self.found.simple = False

    def enter(self, folder: str, rel: str, real: str) -> Frame | None:
        """The sorted entries of a folder about to be walked, or None (with a warning)."""
        if rel and rel.count("/") >= MAX_DEPTH:  # rel has depth - 1 slashes
            self.skip("folder nested too deep; skipped", rel)
            return None
        try:
            st = os.stat(folder)
        except OSError as exc:
            self.skip(f"cannot read folder ({exc.strerror})", rel)
            return None
        key = (st.st_dev, st.st_ino)
        if key in self.visited:
            self.skip("symlink loop; folder already indexed", rel)
            return None
        self.visited.add(key)
        # Before the listing: a file added meanwhile moves the signature again.
        self.found.folders[rel] = folder_signature(st)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skip(f"cannot read folder ({exc.strerror})", rel)
            return None
        return iter(entries), rel, real

    def walk(self, folder: str, rel: str, real: str) -> None:
        """Depth first, in name order, with an explicit stack (no recursion limit)."""
        top = self.enter(folder, rel, real)
        stack = [top] if top is not None else []
        while stack:
            entries, rel, real = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            child = self.visit(entry, rel, real)
            if child is not None:
                opened = self.enter(entry.path, *child)
                if opened is not None:
                    stack.append(opened)

    def visit(self, entry: os.DirEntry[str], rel: str, parent_real: str) -> tuple[str, str] | None:
        """Record one entry; a folder to walk now is returned (relative and real path).

        The real path of an entry that is not a symlink is its folder's real
        path and its name: no ``realpath`` (one lookup per level) per folder.
        """
        found, suffixes = self.found, self.suffixes
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
            if is_link:
                found.simple = False
            st = os.stat(entry.path)  # follows symlinks
        except OSError:
            found.simple = False
            if is_note_name(name, suffixes):
                found.warnings.append(
                    Diagnostic("broken symlink or unreadable; skipped", child_rel)
                )
            return None
        real = os.path.join(parent_real, name)
        if is_link:
            real = os.path.realpath(entry.path)
            if not within(self.root_real, real):
                if stat.S_ISDIR(st.st_mode) or is_note_name(name, suffixes):
                    found.warnings.append(
                        Diagnostic("symlink points outside the notes folder; skipped", child_rel)
                    )
                return None
        if stat.S_ISDIR(st.st_mode):
            if child_rel in self.known or real in self.excluded or self.ignored(child_rel, True):
                return None
            if not is_link:
                return child_rel, real
            self.deferred.append((entry.path, child_rel, real))
        elif stat.S_ISREG(st.st_mode):
            if self.ignored(child_rel, False):
                return None
            if is_note_name(name, suffixes):
                found.notes.append(NoteFile(child_rel, entry.path, st.st_size, st.st_mtime_ns))
            else:
                found.assets.append(child_rel)
        elif is_note_name(name, suffixes):
            found.warnings.append(Diagnostic("not a regular file; skipped", child_rel))
        return None
