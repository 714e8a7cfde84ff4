"""The seal: every generation proves it was written by this user's notesearch.

Whoosh unpickles much of an index when it opens and searches it: ``pickle``
runs any code a crafted file asks for, so an index that someone else made
(shipped beside a cloned notes folder, or named by its ``.notesearch.toml``)
must never reach Whoosh. What whoosh3 3.54.0 unpickles on our read path:

- ``_MAIN_N.toc`` (``filedb/fileindex.py`` ``TOC._read_toc``, and
  ``index.py`` ``_read_toc``): the schema (``pickle.loads``) and the segment
  list (``read_pickle``), at every open. Whoosh picks the highest ``N``
  present, so an extra TOC is as dangerous as a changed one.
- ``*.trm`` (terms): the hash table's extras (``filedb/filetables.py``
  ``HashReader._read_extras``, ``read_pickle``) at open, and inlined postings
  (``codec/whoosh3.py`` ``W3TermInfo.from_bytes``, ``loads``) per term looked up.
- ``*.pst`` (postings): each block's info (``W3LeafMatcher._goto``,
  ``read_pickle``) and data (``_read_data``, ``loads``) per term matched.
- ``*._stored.col`` (stored fields, a ``PickleColumn``): ``loads`` per
  document read (``columns.py``); block columns ``read_pickle`` their headers.
- ``*.seg`` compound files (``filedb/compound.py``, two ``read_pickle``) and
  ``*.vps`` vectors, when a TOC names them.

So every file of a generation may be unpickled, and the seal covers all of
them (and our JSON tables): ``seal.json`` holds, per file, its name, size,
SHA-256 and stat signature ``(device, inode, mtime_ns, ctime_ns)``, under an
HMAC-SHA256 with the user's secret key. A reader refuses a generation whose
seal is missing or wrong, or whose folder holds any other entry, before
Whoosh opens a file.

The seal is also the generation's checksum list (issue 15): a sealed file
that is missing, of another size or another SHA-256 is damage
(:class:`~notesearch.errors.IndexDamagedError`, naming the file), which
``doctor`` reports and ``index`` repairs by rebuilding from the notes.

Hashing a 10,000-note index (200 MB) costs about 0.17 s, more than a third
of a query. A file whose stat signature is the sealed one is not hashed
again: the kernel sets ``ctime`` on every change to an inode (write,
truncate, rename, link) and no unprivileged process can set it back, so
that file still holds the bytes the writer hashed. Any other file is hashed
and compared with its sealed digest (after a copy, a restore, or while a
writer hard-links the live files into the next generation). The writer
reseals after removing old generations, since unlinking their names changes
the ctime of the files the new generation shares.

Not covered: someone who can write the user's index folder *while* a command
runs (between the check and Whoosh's open) or who is root.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ConfigError, IndexDamagedError, IndexUntrustedError
from ..paths import display
from ..settings import key_file

SEAL = "seal.json"
TMP_SUFFIX = ".seal.tmp"  # a seal being written, beside its generation
WHOOSH_LOCK = "MAIN_WRITELOCK"  # Whoosh's lock file: empty, never read
_VERSION = 1
_KEY_BYTES = 32
_CONTEXT = b"notesearch seal v1\0"
_TABLES = ("files.json", "stat.bin", "meta.json")  # JSON or packed, never unpickled
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

Signature = tuple[int, int, int, int]  # device, inode, mtime_ns, ctime_ns
Entry = tuple[int, str, Signature]  # size, sha256 hex, signature


def load_key(path: Path | None = None) -> bytes:
    """The user's secret key, made on first use (``None``: the default location).

    Raises:
        ConfigError: the key file is a symlink, not the user's own, readable
            by others, or damaged.
    """
    path = key_file() if path is None else Path(path)
    for _ in range(3):
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except FileNotFoundError:
            _create_key(path)
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ConfigError(f"the key file {path} is a symlink: refusing it") from exc
            raise ConfigError(f"the key file {path} cannot be read: {exc.strerror}") from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ConfigError(f"the key file {path} is not a regular file")
            if info.st_uid != os.geteuid():
                raise ConfigError(f"the key file {path} is not owned by you: refusing it")
            if info.st_mode & 0o077:
                raise ConfigError(
                    f"the key file {path} can be read by others: refusing it "
                    f"(remove it, or `chmod 600 {path}`)"
                )
            key = os.read(fd, _KEY_BYTES + 1)
        finally:
            os.close(fd)
        if len(key) != _KEY_BYTES:
            raise ConfigError(f"the key file {path} is damaged (remove it to make a new one)")
        return key
    raise ConfigError(f"the key file {path} cannot be made")  # pragma: no cover


def _create_key(path: Path) -> None:
    """Write a new random key at ``path`` (0600, in a 0700 folder); a racing writer may win."""
    import secrets  # random and base64 with it: only when a key is made

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        try:
            os.write(fd, secrets.token_bytes(_KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # never replaces a key that appeared meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    except OSError as exc:
        raise ConfigError(f"the key file {path} cannot be made: {exc.strerror}") from exc


def _signature(info: os.stat_result) -> Signature:
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def _content(info: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file's bytes do: device, inode, mtime and size."""
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _hash_file(path: Path) -> tuple[os.stat_result, str]:
    """(stat, SHA-256) of a regular file, never through a symlink."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    # Not the ctime: a writer hard-linking the file into its next generation
    # changes it (the link count) while the bytes stay as they were.
    if _content(before) != _content(after):
        raise OSError(errno.EAGAIN, "changed while it was read", str(path))
    return after, digest.hexdigest()


def hashed(gen: Path, names: Iterable[str]) -> dict[str, Entry]:
    """The seal entries of the named files of ``gen``, hashed now: what :func:`write`
    reuses as ``known`` (a worker process hashes the segment files it wrote, in
    parallel with the others, instead of the parent after them all)."""
    entries: dict[str, Entry] = {}
    for name in names:
        info, digest = _hash_file(gen / name)
        entries[name] = (info.st_size, digest, _signature(info))
    return entries


def _mac(key: bytes, files: Mapping[str, Entry]) -> str:
    body = json.dumps(
        [[name, *files[name][:2], list(files[name][2])] for name in sorted(files)],
        separators=(",", ":"),
    )
    return hmac.new(key, _CONTEXT + body.encode("utf-8"), hashlib.sha256).hexdigest()


def _sealed_names(gen: Path) -> list[str]:
    """Every entry of ``gen`` the seal covers (all but the seal and Whoosh's lock)."""
    return sorted(n for n in os.listdir(gen) if n not in (SEAL, WHOOSH_LOCK))


def write(gen: Path, key: bytes, known: Mapping[str, Entry] | None = None) -> None:
    """Seal ``gen``: hash every file (reusing ``known`` digests of the same unchanged inode)."""
    files: dict[str, Entry] = {}
    for name in _sealed_names(gen):
        path = gen / name
        old = (known or {}).get(name)
        info = os.lstat(path)
        if old is not None and old[0] == info.st_size and old[2][:3] == _signature(info)[:3]:
            # A hard link of a file this run verified: same inode, size and
            # mtime; only its ctime moved (our own link or unlink).
            files[name] = (info.st_size, old[1], _signature(info))
            continue
        info, digest = _hash_file(path)
        files[name] = (info.st_size, digest, _signature(info))
    data = {
        "version": _VERSION,
        "files": {n: [e[0], e[1], list(e[2])] for n, e in files.items()},
        "mac": _mac(key, files),
    }
    # Written beside the generation, not in it: a reader must never see a
    # file the seal does not name in a live generation.
    tmp = gen.with_name(gen.name + TMP_SUFFIX)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, gen / SEAL)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _read(gen: Path, key: bytes) -> dict[str, Entry] | None:
    """The sealed entries, or None when the seal is missing, malformed or not ours."""
    try:
        fd = os.open(gen / SEAL, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            data = json.loads(fh.read(1 << 24))
        files = {
            str(name): (int(size), str(digest), (int(s[0]), int(s[1]), int(s[2]), int(s[3])))
            for name, (size, digest, s) in data["files"].items()
        }
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    if data.get("version") != _VERSION or not hmac.compare_digest(mac, _mac(key, files)):
        return None
    return files


def untrusted(index_dir: Path) -> IndexUntrustedError:
    """The one-line refusal of an index this user's notesearch did not write."""
    return IndexUntrustedError(
        f"the index at {display(index_dir)} was not written by notesearch for you: "
        "run `notesearch index --rebuild`"
    )


def reseal(gen: Path, key: bytes, known: Mapping[str, Entry] | None = None) -> None:
    """Seal ``gen`` again with its files' current stat signatures (after links to them went).

    ``known``: its verified entries (None: its own seal, which must be valid).
    A failure is not an error: the old seal still holds (readers hash the
    files whose ctime moved, which is slower but as safe).
    """
    entries = _read(gen, key) if known is None else known
    if entries is not None:
        with contextlib.suppress(OSError):
            write(gen, key, entries)


def verify(index_dir: Path, gen: Path, key: bytes, *, full: bool = False) -> dict[str, Entry]:
    """Check ``gen``'s seal under ``key`` before anything in it is unpickled.

    Every entry of ``gen`` must be a regular file that the seal names, and
    every file the seal names must be there, with the sealed size and
    content. ``full`` hashes every file, even one whose stat signature is
    the sealed one (``index`` before it builds on a generation, ``doctor``).

    Returns the sealed entries (to reuse for the next generation's seal).

    Raises:
        IndexUntrustedError: the seal is missing or wrong, or the folder
            holds an entry the seal does not name.
        IndexDamagedError: a sealed file is missing or differs from the seal.
    """
    files = _entries(index_dir, gen, key)
    for name in sorted(files):
        problem = _differs(gen / name, files[name], full)
        if problem is not None:
            raise damaged(index_dir, f"{gen.name}/{name} {problem}")
    return files


def problems(index_dir: Path, gen: Path, key: bytes) -> list[tuple[str, str]]:
    """Every sealed file of ``gen`` that is not as written: (name, what is wrong), all hashed.

    Raises:
        IndexUntrustedError: the seal itself is missing or wrong (see :func:`verify`).
    """
    files = _entries(index_dir, gen, key)
    found = ((name, _differs(gen / name, files[name], True)) for name in sorted(files))
    return [(name, problem) for name, problem in found if problem is not None]


def is_table(name: str) -> bool:
    """Is ``name`` one of our JSON tables (read as JSON, never unpickled)?"""
    return name in _TABLES


def damaged(index_dir: Path, what: str) -> IndexDamagedError:
    """The one-line error of a damaged index: ``what`` is damaged, ``index`` repairs it."""
    return IndexDamagedError(
        f"the index at {display(index_dir)} is damaged: {what}",
        hint="Run `notesearch index` to rebuild it from the notes.",
    )


def _entries(index_dir: Path, gen: Path, key: bytes) -> dict[str, Entry]:
    """The sealed entries of ``gen``, which must name every entry in it."""
    refused = untrusted(index_dir)
    files = _read(gen, key)
    try:
        present = _sealed_names(gen)
    except OSError as exc:
        raise refused from exc
    if files is None or not set(present) <= set(files):
        raise refused
    return files


def _differs(path: Path, entry: Entry, full: bool) -> str | None:
    """What is wrong with the sealed file ``path`` (None: it holds what was sealed)."""
    size, digest, signature = entry
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file"
        if info.st_size != size:
            return f"has {info.st_size} bytes, not the {size} notesearch wrote"
        if not full and _signature(info) == signature:
            return None  # the kernel's ctime says it was not written since (see above)
        _, found = _hash_file(path)
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not hmac.compare_digest(found, digest):
        return "differs from what notesearch wrote (its checksum)"
    return None
