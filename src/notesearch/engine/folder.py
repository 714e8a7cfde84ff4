"""Which folder notesearch may write as an index, and how it opens the files there.

A folder is used as an index only when notesearch made it: it holds the
marker file ``NOTESEARCH-INDEX`` (written when notesearch created or first
claimed the folder), or it is empty. Anything else is someone's folder that
was named by mistake (or by a hostile configuration), and ``index`` refuses
it without touching a file. Two older layouts are adopted: an index whose
live generation is sealed with the user's key (written before the marker
existed), and a folder holding only a ``lock`` with a pid in it (a first run
that was killed).

Every file notesearch opens in the index folder is opened with
``O_NOFOLLOW`` (a symlink there is refused, never followed) and checked to
be a regular file; clean-up removes only entries whose names notesearch
gives (``gen-NNNNNN``, ``gen-NNNNNN.tmp``), never through a symlink.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from ..errors import IndexUntrustedError, IndexWriteError
from ..paths import display
from . import seal

MARKER = "NOTESEARCH-INDEX"
MARKER_TEXT = (
    "This folder is a notesearch index: `notesearch index` writes it and removes\n"
    "what it no longer needs here. It can be deleted; `notesearch index` makes it\n"
    "again from the notes.\n"
)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# The only names clean-up removes: generations, unfinished ones, and seals
# being written beside them (see engine/seal.py).
GENERATION = re.compile(r"gen-\d{6,}(\.tmp)?")
SEAL_TMP = re.compile(r"gen-\d{6,}(\.tmp)?" + re.escape(seal.TMP_SUFFIX))
_PID = re.compile(rb"\s*\d*\s*")


def show(path: Path) -> str:
    """How a file in the index folder is named: its folder shown as usual, its own name as is
    (``display`` would resolve a symlink and name its target)."""
    return f"{display(path.parent)}/{path.name}"


def refused_link(path: Path) -> IndexWriteError:
    return IndexWriteError(f"{show(path)} is a symlink: notesearch does not follow it")


def open_file(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` without following a symlink, of a regular file only.

    Raises:
        IndexWriteError: ``path`` is a symlink, or not a regular file.
        OSError: anything else (missing, permissions).
    """
    try:
        fd = os.open(path, flags | NOFOLLOW | NONBLOCK | CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused_link(path) from exc
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise IndexWriteError(f"{show(path)} is not a regular file: notesearch does not use it")
    if flags & NONBLOCK == 0:
        os.set_blocking(fd, True)
    return fd


def read_small(path: Path, limit: int = 256) -> bytes:
    """The first ``limit`` bytes of a regular file (never a symlink, FIFO or device)."""
    fd = open_file(path, os.O_RDONLY)
    try:
        return os.read(fd, limit)
    finally:
        os.close(fd)


def _is_marked(index_dir: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(index_dir / MARKER).st_mode)
    except FileNotFoundError:
        return False


def _write_marker(index_dir: Path) -> None:
    try:
        fd = os.open(
            index_dir / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o644
        )
    except FileExistsError:
        return  # a run started at the same time wrote it
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(MARKER_TEXT)


def _only_a_stale_lock(index_dir: Path, entries: list[str]) -> bool:
    """A folder a first run made and died in: only ``lock`` (a pid), maybe ``CURRENT.tmp``."""
    if "lock" not in entries or not set(entries) <= {"lock", "CURRENT.tmp"}:
        return False
    for name in entries:
        info = os.lstat(index_dir / name)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_size > 64:
            return False
    return _PID.fullmatch((index_dir / "lock").read_bytes()) is not None


def _sealed_index(index_dir: Path, key: bytes) -> bool:
    """An index written before the marker existed: its live generation is sealed with ``key``."""
    try:
        name = read_small(index_dir / "CURRENT").decode("ascii").strip()
    except (OSError, UnicodeDecodeError, IndexWriteError):
        return False
    gen = index_dir / name
    if not GENERATION.fullmatch(name) or name.endswith(".tmp") or not gen.is_dir():
        return False
    try:
        seal.verify(index_dir, gen, key)
    except IndexUntrustedError:
        return False
    return True


# Files that keep an empty folder in a git repository: an index folder holding
# only these counts as empty (the project's own index/ has a .gitignore).
KEEP_FILES = frozenset({".gitignore", ".gitkeep", ".keep"})


def claim(index_dir: Path, key: bytes) -> None:
    """Make sure ``index_dir`` is notesearch's to write: create it, or check its marker.

    Raises:
        IndexWriteError: it is not a folder, cannot be created, or is someone
            else's (not empty, and no marker).
    """
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"index folder {display(index_dir)} is not a folder")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        if _is_marked(index_dir):
            return
        entries = [e for e in os.listdir(index_dir) if e not in KEEP_FILES]
        if not entries or _only_a_stale_lock(index_dir, entries) or _sealed_index(index_dir, key):
            _write_marker(index_dir)
            return
    except OSError as exc:
        raise IndexWriteError(
            f"cannot create the index folder {display(index_dir)}: {exc.strerror}"
        ) from exc
    raise IndexWriteError(
        f"{display(index_dir)} is not a notesearch index and is not empty",
        hint=(
            "If an older notesearch made it (there is no NOTESEARCH-INDEX file), "
            "delete it and run `notesearch index`."
            if _shaped_like_an_index(entries)
            else "Name another --index folder, or empty this one."
        ),
    )


def _shaped_like_an_index(entries: list[str]) -> bool:
    """Only names an index of an older notesearch has (then the hint says to delete it)."""
    names = set(entries) - {"CURRENT", "CURRENT.tmp", "lock"}
    return "CURRENT" in entries and all(GENERATION.fullmatch(n) for n in names)


def remove(path: Path) -> bool:
    """Remove one entry clean-up may remove; never follows a symlink. Returns whether it went."""
    import shutil

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path, ignore_errors=True)  # fd-based: never leaves the folder
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a file, or a symlink itself (not its target)
    return True
