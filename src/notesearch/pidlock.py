"""An ``flock`` whose holder writes its pid into the locked file: the one helper the
index's writer lock and the watch's server lock share.

The kernel drops an flock when its holder dies, so a lock left by a killed
process never needs cleaning up; the pid is only for the message that names
who holds it.
"""

from __future__ import annotations

import fcntl
import os


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` if it is free (never waits)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder(fd: int) -> str:
    """The pid the holder wrote, or ``?``."""
    return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"


def mark_held(fd: int) -> None:
    """Write this process's pid into the file of a lock it holds."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def release(fd: int) -> None:
    """Empty the file and let the lock go (the caller closes ``fd``)."""
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
