"""The freshness check: how many notes changed on disk since an index was written.

Every query runs it, so it does the least that still catches every change a
whole walk of the notes folder (:func:`~notesearch.notes.discover.discover`)
would: a stat of each folder the build walked and of each note it knew.

- A note edited in place keeps its folder's signature but not its own size
  and mtime: the stat of each known note catches it.
- A note added, removed or renamed, a folder added, removed or renamed,
  changes the signature (inode, mtime, ctime) of the folder holding it: only
  such folders are listed again, by the discovery rules (extensions, ignore
  patterns, hidden entries, the index folder left out), and a folder found
  there that the build did not walk is walked whole
  (:func:`~notesearch.notes.discover.rescan`).
- A folder whose ctime was within a few clock ticks of the walk's start
  (:func:`racy`) may have changed again within the same tick: it is listed
  again at every check, as git does with its "racy" entries; so is a folder
  holding a note that the build found but could not read (``tables.RELIST``).
  The build looks at such folders once more as it finishes (:func:`settled`):
  found as its walk left them, once the tick is past, they are not racy for
  the checks that follow (as git's index refresh does).

When the build met symlinks or folders it could not enter (``folders`` is
None), or a changed folder holds one now, the whole walk runs instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterable, Mapping
from itertools import chain
from pathlib import Path

from ..notes.folders import folder_signature
from ..settings import NOTE_SUFFIXES
from .statfile import StatTable, columns

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any

RACY_NS = 100_000_000  # 0.1 s: a few ticks of the kernel's file clock (1-10 ms)
RACY_WHOLE_NS = 2_000_000_000  # whole-second stamps: FAT ticks every 2 s, HFS+ and ext3 every 1 s
Counts = tuple[int, int, int]  # changed, new, removed


def changes(notes_dir: Path, index_dir: Path, table: StatTable, meta: dict[str, Any]) -> Counts:
    """(changed, new, removed) notes on disk since the index of ``table`` and ``meta``
    was written, by the discovery rules it was built with (stat only)."""
    suffixes, ignore = _rules(meta)
    started = meta.get("scanned_ns")
    if table.folders is None or type(started) is not int:
        return _whole(notes_dir, index_dir, table, suffixes, ignore)
    root = str(notes_dir)
    folders = table.folders
    state = _folders_changed(root, folders, started)
    if state is None:
        return _whole(notes_dir, index_dir, table, suffixes, ignore)
    moved, racy_only, gone = state
    relist = moved + racy_only
    listed: dict[str, tuple[int, int]] = {}
    if relist:
        from ..notes.discover import rescan  # the walk: only when a folder moved

        found = rescan(notes_dir, relist, folders, [index_dir], suffixes=suffixes, ignore=ignore)
        if found is None:
            return _whole(notes_dir, index_dir, table, suffixes, ignore)
        listed = {n.path: (n.size, n.mtime_ns) for n in found.notes}
    counted = _notes_changed(root, table, gone.union(relist), listed)
    if counted is None:
        return _whole(notes_dir, index_dir, table, suffixes, ignore)
    changed, removed = counted
    new = sum(1 for path in listed if path not in table.notes and path not in table.skipped)
    return changed, new, removed


def untouched(notes_dir: Path, index_dir: Path, table: StatTable, meta: dict[str, Any]) -> bool:
    """Whether nothing in the notes folder changed since the index of ``table`` and ``meta``
    was written, as an update would see it: every folder its walk kept has its signature,
    every known note its size and mtime, and the folders whose signature was taken in the
    clock tick of a change ("racy") list the same notes and assets, with no warning.
    False when the walk kept no folder signatures (symlinks, unreadable folders): then
    only a walk can tell."""
    started = meta.get("scanned_ns")
    folders = table.folders
    if folders is None or type(started) is not int:
        return False
    root = str(notes_dir)
    state = _folders_changed(root, folders, started)
    if state is None or state[0] or state[2]:  # unreadable, moved or gone folders
        return False
    relist = state[1]
    listed: dict[str, tuple[int, int]] = {}
    if relist:
        from ..notes.discover import rescan  # the walk: only when a folder moved

        suffixes, ignore = _rules(meta)
        found = rescan(notes_dir, relist, folders, [index_dir], suffixes=suffixes, ignore=ignore)
        if found is None or found.warnings:
            return False
        listed = {n.path: (n.size, n.mtime_ns) for n in found.notes}
        if any(path not in table.notes and path not in table.skipped for path in listed):
            return False
        relisted = set(relist)
        assets = {a for a in table.assets if a.rpartition("/")[0] in relisted}
        if set(found.assets) != assets:
            return False
    return _notes_changed(root, table, set(relist), listed, first=True) == (0, 0)


def settled(
    notes_dir: Path,
    index_dir: Path,
    started: int,
    discovery: dict[str, Any],
    folders: Mapping[str, tuple[int, int, int]],
    known: Iterable[tuple[str, int, int]],
    assets: Iterable[str],
) -> int:
    """When the walk of a build, begun at ``started`` by the ``discovery`` rules, may count
    as begun: ``started``, or now when every folder it kept (``folders``) that was racy at
    ``started`` (:func:`racy`) is listed again now, past its clock tick, and holds what the
    walk found (``known``: (path, size, mtime_ns) of each note indexed or skipped;
    ``assets``), no folder having moved. A change after that listing moves the folder's
    signature, so later checks need not list it again. ``known`` and ``assets`` are read
    only then.
    """
    if not any(racy(kept, started) for kept in folders.values()):
        return started
    now = time.time_ns()  # before the folders are looked at again
    if any(racy(kept, now) for kept in folders.values()):
        return started  # within the tick still: a change now might not move a signature
    state = _folders_changed(str(notes_dir), folders, started)
    if state is None or state[0] or state[2]:
        return started
    relist = state[1]
    from ..notes.discover import rescan

    suffixes, ignore = _rules({"discovery": discovery})
    found = rescan(notes_dir, relist, folders, [index_dir], suffixes=suffixes, ignore=ignore)
    if found is None or found.warnings:
        return started
    relisted = set(relist)

    def inside(path: str) -> bool:
        return path.rpartition("/")[0] in relisted

    listed = {n.path: (n.size, n.mtime_ns) for n in found.notes}
    if listed != {p: (size, mtime) for p, size, mtime in known if inside(p)}:
        return started
    if set(found.assets) != {a for a in assets if inside(a)}:
        return started
    return now


def _rules(meta: dict[str, Any]) -> tuple[Any, Any]:
    """(note suffixes, ignore patterns): the discovery rules the index was built with."""
    rules = meta.get("discovery") or {}
    return rules.get("extensions") or NOTE_SUFFIXES, rules.get("ignore") or ()


def _folders_changed(
    root: str, folders: Mapping[str, tuple[int, int, int]], started: int
) -> tuple[list[str], list[str], set[str]] | None:
    """(the folders whose signature moved, those whose signature is as kept but "racy",
    the folders gone): the first two are to be listed again. None when a folder cannot
    be looked at now (only a whole walk says what that means)."""
    moved: list[str] = []
    racy_only: list[str] = []
    gone: set[str] = set()
    for rel, kept in folders.items():
        try:
            info = os.stat(os.path.join(root, rel) if rel else root)
        except (FileNotFoundError, NotADirectoryError):
            gone.add(rel)
            continue
        except OSError:  # unreadable now
            return None
        if not stat.S_ISDIR(info.st_mode):
            gone.add(rel)
        elif folder_signature(info) != kept:
            moved.append(rel)
        elif racy(kept, started):
            racy_only.append(rel)
    return moved, racy_only, gone


def _notes_changed(
    root: str,
    table: StatTable,
    relisted: set[str],
    listed: dict[str, tuple[int, int]],
    *,
    first: bool = False,
) -> tuple[int, int] | None:
    """(changed, removed) known notes: by a stat of each, or by ``listed`` for those in the
    ``relisted`` folders; None when a note's folder was not walked by the table's build.
    ``first``: stop at the first changed or removed note (whether any did is the question:
    ``notesearch index`` asks it before the update that then counts them)."""
    folders = table.folders or {}
    changed = removed = 0
    last: str | None = None  # the folder of the note before (sorted paths: mostly the same)
    fd: int | None = None
    again = False  # that folder is listed again: its notes are as listed
    is_reg, stat_ = stat.S_ISREG, os.stat
    known = chain(columns(table.notes), ((p, s[0], s[1]) for p, s in table.skipped.items()))
    with _Folders(root) as open_folder:
        for path, size, mtime_ns in known:
            folder, _, name = path.rpartition("/")
            if folder != last:
                last, again = folder, folder in relisted
                if not again and folder not in folders:
                    return None  # not from this table's walk: do not guess
                fd = None if again else open_folder(folder)
            if again:
                now = listed.get(path)
                if now == (size, mtime_ns):
                    continue
                if now is None:
                    removed += 1
                else:
                    changed += 1
            else:
                try:
                    info = stat_(name, dir_fd=fd) if fd is not None else stat_(f"{root}/{path}")
                except (OSError, ValueError):
                    removed += 1
                else:
                    regular = is_reg(info.st_mode)
                    if regular and info.st_mtime_ns == mtime_ns and info.st_size == size:
                        continue
                    if regular:
                        changed += 1
                    else:
                        removed += 1
            if first:
                break
    return changed, removed


class _Folders:
    """Open folders to stat their notes by name (the kernel then looks up one name, not
    every folder of the path); None where ``dir_fd`` is not supported or the open fails."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.fds: dict[str, int | None] = {}
        self.usable = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")

    def __enter__(self) -> _Folders:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.fds.values():
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def __call__(self, folder: str) -> int | None:
        if not self.usable:
            return None
        try:
            return self.fds[folder]
        except KeyError:
            pass
        flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
        try:
            fd: int | None = os.open(os.path.join(self.root, folder), flags)
        except OSError:
            fd = None
        self.fds[folder] = fd
        return fd


def racy(kept: tuple[int, int, int], started_ns: int) -> bool:
    """Could the folder whose signature ``kept`` was taken by a walk that began at
    ``started_ns`` have changed again since without its mtime and ctime moving?

    Only when it last changed within a tick of the file system's clock before the
    walk (or during it). Stamps with sub-second digits come from the kernel's
    clock, which ticks every few milliseconds; whole seconds from a coarser one.
    """
    _, mtime_ns, ctime_ns = kept
    subsecond = mtime_ns % 1_000_000_000 or ctime_ns % 1_000_000_000
    return max(mtime_ns, ctime_ns) >= started_ns - (RACY_NS if subsecond else RACY_WHOLE_NS)


def _whole(
    notes_dir: Path, index_dir: Path, table: StatTable, suffixes: Any, ignore: Any
) -> Counts:
    """The same counts from a whole walk of the notes folder."""
    from ..notes.discover import discover

    known = {**table.notes, **table.skipped}
    found = discover(notes_dir, exclude=[index_dir], suffixes=suffixes, ignore=ignore)
    on_disk = {n.path: (n.size, n.mtime_ns) for n in found.notes}
    changed = sum(1 for p, sig in on_disk.items() if p in known and known[p] != sig)
    new = sum(1 for p in on_disk if p not in known)
    removed = sum(1 for p in known if p not in on_disk)
    return changed, new, removed
