"""Where a watch's socket is: its folder, whether that folder is safe, the socket's name.

Every ``notesearch query`` asks this first, and looks for the socket before
it imports the protocol (and the socket module): with no watch running, a
query pays one stat. Standard library only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

try:  # hashlib.blake2b, without hashlib's loading of OpenSSL (2 ms of every query)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b


def runtime_dir(env: Mapping[str, str] | None = None) -> str:
    """The folder that holds the sockets: ``$XDG_RUNTIME_DIR/notesearch`` when that
    variable names a folder we can write, else ``/tmp/notesearch-<uid>``."""
    env = os.environ if env is None else env
    base = env.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(base) and os.path.isdir(base) and os.access(base, os.W_OK | os.X_OK):
        return os.path.join(base, "notesearch")
    return f"/tmp/notesearch-{os.getuid()}"


def unsafe(folder: str) -> str | None:
    """Why ``folder`` must not hold a socket (None: it may): it must be a real
    folder, not a symbolic link, owned by this user, with no group or other
    permission bits."""
    try:
        info = os.lstat(folder)
    except OSError as exc:
        return f"{folder}: {exc.strerror}"
    if stat.S_ISLNK(info.st_mode):
        return f"{folder} is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if info.st_uid != os.getuid():
        return f"{folder} belongs to another user"
    if info.st_mode & 0o077:
        return f"{folder} is open to other users (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def socket_name(index_dir: str) -> str:
    """``<16 hex digits>.sock``: a hash of the index folder's real path."""
    return digest(os.fsencode(os.path.realpath(index_dir))) + ".sock"


def digest(data: bytes) -> str:
    """16 hex digits of a hash of ``data`` (BLAKE2b)."""
    return str(blake2b(data, digest_size=8).hexdigest())
