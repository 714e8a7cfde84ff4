"""The index folder on disk: generations, the CURRENT pointer, the file table, the lock.

Layout::

    index/
      NOTESEARCH-INDEX the marker: this folder is notesearch's (see folder.py)
  CURRENT          name of the live generation, e.g. "gen-000007\\n"
      lock             held (flock) by the one process writing; holds its pid
      gen-000007/      a complete Whoosh index + files.json + meta.json

Why generations: Whoosh's commit writes several files and is not crash-safe
on its own. An update therefore never touches the live generation. It builds
``gen-000008.tmp/`` from hard links to the live files (Whoosh only ever
creates new files or deletes old ones, and our storage unlinks before it
writes, so a hard link is never written through), commits there, fsyncs every
file, renames the folder to ``gen-000008`` and then switches ``CURRENT`` with
one ``os.replace`` (after fsync). A reader sees the old generation or the new
one, never a mix; a crash leaves a ``*.tmp`` folder that the next writer
removes. Old generations are removed after the switch; a reader that still has
one open keeps reading its open files (POSIX), and a reader that lost the race
simply opens CURRENT again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from .. import pidlock
from ..errors import IndexLockedError, IndexMissingError, IndexVersionError, IndexWriteError
from ..paths import display
from . import folder, seal
from .statfile import pack
from .tables import (
    META,
    STAT,
    TABLE,
    FileTable,
    StatTable,
    read_meta,
    write_bytes,
    write_json,
)

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 6  # 2: no spelling field; 3: aliases in body, stat.json; 4: analysis.py;
# 5: the title in a note's first section only, title and heading words stored for the ranking;
# 6: no "id" field (nothing read it: 18 % of the terms), the stat table in stat.bin and the
# folders' signatures in the file table
CURRENT = "CURRENT"
LOCK = "lock"
_PREFIX = "gen-"


def current(index_dir: Path) -> Path | None:
    """The live generation folder, or None when there is none (no index yet, or a damaged
    ``CURRENT``: see :func:`pointer`)."""
    return pointer(index_dir)[0]


def pointer(index_dir: Path) -> tuple[Path | None, str | None]:
    """(the live generation, why there is none although ``CURRENT`` exists).

    Any bytes at all, or a folder, FIFO or device in ``CURRENT``'s place,
    count as "no live generation" (what ``index`` then rebuilds). A symlink
    there is refused (see folder.py).

    Raises:
        IndexWriteError: ``CURRENT`` is a symlink.
        IndexMissingError: ``CURRENT`` cannot be read (permissions).
    """
    path = index_dir / CURRENT
    try:
        # Never through a symlink, and never a FIFO or device (it could block).
        raw = folder.read_small(path)
    except FileNotFoundError:
        return None, None
    except IndexWriteError:
        if os.path.islink(path):
            raise
        return None, f"{CURRENT} is not a file"
    except OSError as exc:
        raise IndexMissingError(
            f"cannot read index at {display(index_dir)}: {exc.strerror}"
        ) from exc
    name = raw.decode("utf-8", "replace").strip()
    if not folder.GENERATION.fullmatch(name) or name.endswith(".tmp"):
        return None, f"{CURRENT} does not name a generation"
    gen = index_dir / name
    if not gen.is_dir():
        return None, f"{CURRENT} names {name}, which is missing"
    return gen, None


def require(index_dir: Path, key: bytes, trusted: Path | None = None) -> Path:
    """The live generation, verified under ``key``, or an error telling the user what to do.

    ``trusted`` is a generation the caller has just verified itself (``doctor``):
    when it is still the live one, it is not checked again.

    Raises:
        IndexMissingError: no index yet.
        IndexDamagedError: ``CURRENT`` names no generation, or a file is damaged.
        IndexVersionError: another schema version wrote it (its JSON says so).
        IndexUntrustedError: its seal is not this user's (see :mod:`.seal`).
    """
    gen, problem = pointer(index_dir)
    if gen is None:
        if problem is not None:
            raise seal.damaged(index_dir, problem)
        where = display(index_dir)
        raise IndexMissingError(
            f"No index at {where}. Run `notesearch index` first.",
        )
    check_version(index_dir, gen)
    if gen != trusted:
        seal.verify(index_dir, gen, key)
    return gen


def check_version(index_dir: Path, gen: Path) -> dict[str, Any]:
    """``gen``'s meta table, when another schema version did not write it.

    Raises:
        IndexVersionError: the meta parses and names another schema version.
        IndexDamagedError: the meta is missing or does not parse (never
            "another version": a damaged file says nothing about who wrote it).
    """
    try:
        meta = read_meta(gen, strict=True)
    except (OSError, ValueError) as exc:
        raise seal.damaged(index_dir, f"{gen.name}/{META} cannot be read ({exc})") from exc
    version = meta.get("schema_version")
    if type(version) is not int:
        raise seal.damaged(index_dir, f"{gen.name}/{META} has no schema version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"The index at {display(index_dir)} was written by another version of notesearch "
            f"(schema {version}, this version reads {SCHEMA_VERSION}). "
            "Run `notesearch index --rebuild`."
        )
    return meta


def _generation_number(name: str) -> int:
    digits = name[len(_PREFIX) :].split(".", 1)[0]
    return int(digits) if digits.isdigit() else 0


def start_generation(index_dir: Path, base: Path | None) -> Path:
    """A new ``gen-N.tmp`` folder holding hard links to ``base``'s files."""
    numbers = [_generation_number(p.name) for p in index_dir.glob(_PREFIX + "*")]
    number = max(numbers, default=0) + 1
    tmp = index_dir / f"{_PREFIX}{number:06d}.tmp"
    tmp.mkdir()
    if base is not None:
        for item in base.iterdir():
            # Whoosh's lock file is made anew: a shared inode would share its flock.
            own = (TABLE, STAT, META)
            if item.is_file() and item.name not in own and not item.name.endswith("LOCK"):
                try:
                    os.link(item, tmp / item.name)
                except OSError:
                    import shutil

                    shutil.copy2(item, tmp / item.name)  # file systems without hard links
    return tmp


def _fsync_path(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a folder
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def sync(folder: Path, names: list[str]) -> None:
    """fsync the named files of ``folder`` (a worker, for the segment files it wrote:
    :func:`publish` then finds them on disk already)."""
    for name in names:
        _fsync_path(folder / name)


def publish(
    index_dir: Path,
    tmp: Path,
    table: FileTable,
    meta: dict[str, Any],
    key: bytes,
    known: Mapping[str, seal.Entry] | None = None,
) -> Path:
    """Seal the finished ``tmp`` generation under ``key`` and make it the live one, atomically.

    ``known`` are the verified seal entries of the generation ``tmp`` was made
    from: its hard-linked files are not hashed again.
    """
    write_json(tmp / TABLE, table.saved())
    write_bytes(tmp / STAT, pack(StatTable.of(table)))
    write_json(tmp / META, {**meta, "schema_version": SCHEMA_VERSION})
    seal.write(tmp, key, known)
    for item in tmp.iterdir():
        if item.is_file():
            _fsync_path(item)
    _fsync_path(tmp, directory=True)
    final = tmp.with_name(tmp.name[: -len(".tmp")])
    os.rename(tmp, final)
    pointer = index_dir / (CURRENT + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        pointer.unlink()  # a leftover (or a symlink: the link goes, not its target)
    fd = os.open(pointer, os.O_WRONLY | os.O_CREAT | os.O_EXCL | folder.NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(final.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer, index_dir / CURRENT)  # replaces a symlink itself, never its target
    # The switch is done: the new index is live whatever happens now, so a
    # failing fsync of the folder must not be reported as a failed update.
    with contextlib.suppress(OSError):
        _fsync_path(index_dir, directory=True)
    return final


def clean(index_dir: Path, keep: Path | None) -> bool:
    """Remove every generation but ``keep`` and the one before it (and unfinished ``*.tmp``).

    The rule readers rely on: a generation is removed only after the *next*
    switch. The one ``keep`` replaced stays until then, so a reader that read
    the pointer just before the switch still opens a complete generation
    (and one that loses even that race starts over: engine/reader.py).

    Returns whether anything was removed (then ``keep``'s files, which the
    removed ones may have hard-linked, have a new ctime: see :func:`.seal.reseal`).
    """
    removed = False
    # Only names notesearch gives, in a folder it has claimed (folder.claim).
    for name in _removable(index_dir, keep):
        if folder.SEAL_TMP.fullmatch(name):  # a seal being written when a run was killed
            folder.remove(index_dir / name)
        elif folder.GENERATION.fullmatch(name):
            removed = folder.remove(index_dir / name) or removed
    folder.remove(index_dir / (CURRENT + ".tmp"))
    if pointer(index_dir)[1] == f"{CURRENT} is not a file":
        folder.remove(index_dir / CURRENT)  # damage: a folder (or FIFO) where the pointer goes
    return removed


def leftovers(index_dir: Path, keep: Path | None) -> bool:
    """Whether :func:`clean` has anything to remove (a crashed or killed run's)."""
    return bool(_removable(index_dir, keep)) or (index_dir / (CURRENT + ".tmp")).exists()


def _removable(index_dir: Path, keep: Path | None) -> list[str]:
    """The generations (and unfinished seals) that :func:`clean` removes."""
    names = os.listdir(index_dir)
    kept = {keep.name} if keep is not None else set()
    if keep is not None:
        before = [
            n
            for n in names
            if folder.GENERATION.fullmatch(n)
            and not n.endswith(".tmp")
            and _generation_number(n) < _generation_number(keep.name)
        ]
        if before:
            kept.add(max(before, key=_generation_number))
    return [
        n
        for n in names
        if n not in kept and (folder.SEAL_TMP.fullmatch(n) or folder.GENERATION.fullmatch(n))
    ]


@contextlib.contextmanager
def locked(index_dir: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the index's writer lock, waiting up to ``timeout`` seconds for it.

    The lock is an ``flock`` on ``index/lock``: the kernel drops it when the
    holder dies, so a lock left by a killed process never needs cleaning up.
    """
    path = index_dir / LOCK
    try:
        # Never O_TRUNC, never through a symlink: the pid is written only once
        # the flock is held, into a regular file of the user's own.
        fd = folder.open_file(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise IndexWriteError(
            f"cannot write the index folder {display(index_dir)}: {exc.strerror}"
        ) from exc
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or info.st_nlink != 1:
        os.close(fd)
        raise IndexWriteError(
            f"{folder.show(path)} is not a lock file notesearch made (another owner, or hard links)"
        )
    deadline = time.monotonic() + timeout
    try:
        while not pidlock.try_lock(fd):
            if time.monotonic() >= deadline:
                raise IndexLockedError(
                    f"index is locked by another notesearch (pid {pidlock.holder(fd)})",
                    hint="Wait for it to finish, or stop that process.",
                )
            time.sleep(0.05)
        try:
            pidlock.mark_held(fd)
        except OSError as exc:  # a full disk: not even the pid fits
            pidlock.release(fd)
            raise IndexWriteError(
                f"cannot write the index folder {display(index_dir)}: {exc.strerror}"
            ) from exc
        try:
            yield
        finally:
            pidlock.release(fd)
    finally:
        os.close(fd)
