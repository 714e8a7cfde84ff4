"""The generation an update builds on, checked before anything of it is carried over.

An update hard-links the live generation's files into the next one and adds
to them (see :mod:`.store`), so damage in them would spread to every later
generation, and a damaged table would make the update wrong. ``index``
therefore opens the live generation through :func:`open_base`: its
``CURRENT`` pointer, meta, seal (the checksum list) and tables, and, before
it builds on it, :func:`verify_all` hashes every file it carries over. When
any of it is damaged the update says so in one warning and rebuilds from the
notes instead (exit 0): the notes are the truth, the index only a copy.

A generation of another schema version, or one whose seal is not this
user's, is not damage: those stay errors (``--rebuild`` replaces them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import IndexDamagedError
from ..records import record
from . import seal, store, tables


@record(frozen=False)
class Base:
    """The live generation, read and checked: what an update starts from."""

    gen: Path
    meta: dict[str, Any]
    table: tables.FileTable
    known: dict[str, seal.Entry]  # its sealed entries (hard links are not hashed again)


def open_base(index_dir: Path, key: bytes) -> tuple[Base | None, str | None]:
    """(the live generation to update, or None; why the live one cannot be used).

    The reason is None when there is simply no index yet; otherwise it is the
    one line that names the damage.

    Raises:
        IndexVersionError: another schema version wrote it.
        IndexUntrustedError: its seal is missing or not this user's.
        IndexWriteError: ``CURRENT`` is a symlink.
    """
    gen, problem = store.pointer(index_dir)
    if gen is None:
        return None, None if problem is None else str(seal.damaged(index_dir, problem))
    try:
        meta = store.check_version(index_dir, gen)
        # Before anything of it is read: Whoosh would unpickle its files.
        known = seal.verify(index_dir, gen, key)
        try:
            table = tables.read_table(gen, strict=True)
        except (OSError, ValueError) as exc:
            raise seal.damaged(index_dir, f"{gen.name}/{tables.TABLE}: {exc}") from exc
        if tables.STAT in known and tables.read_stat(gen) != tables.StatTable.of(table):
            raise seal.damaged(index_dir, f"{gen.name}/{tables.STAT} does not match {tables.TABLE}")
    except IndexDamagedError as exc:
        return None, str(exc)
    return Base(gen, meta, table, known), None


def verify_all(index_dir: Path, base: Base, key: bytes) -> str | None:
    """Hash every file of ``base`` against its seal; the damage found, or None."""
    try:
        seal.verify(index_dir, base.gen, key, full=True)
    except IndexDamagedError as exc:
        return str(exc)
    return None
