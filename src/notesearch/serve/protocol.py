"""Queries answered by ``notesearch watch``: the socket, the protocol, the server and the client.

A watch keeps its index open and answers ``notesearch query`` on a Unix
domain socket, so a query costs a connect and a search instead of the
imports, opening the index and a walk of the notes folder.

Where: the folder ``$XDG_RUNTIME_DIR/notesearch`` (when that variable names
a usable folder), else ``/tmp/notesearch-<uid>``, which must be a real folder
(not a symbolic link) of this user with no group or other permissions. The
socket in it is named after a hash of the index folder's real path (a
socket's path is limited to 107 bytes), made 0600, and a server takes
``<hash>.lock`` (flock) first, so a second watch on the same index never
takes over a live socket, and a socket left by a killed watch is replaced.

Protocol (version :data:`PROTOCOL`): the client sends one JSON object and
shuts its side down; the server answers one JSON object and closes.

    request  {"protocol": 1, "stamp": ..., "index": real path, "notes": real path,
              "args": QueryArgs, "terminal": Terminal}
    answer   {"protocol": 1, "status": "ok", "code": exit code,
              "output": [[1 (stdout) or 2 (stderr), text], ...]}
             {"protocol": 1, "status": "declined", "reason": ...}

The client turns every failure (no socket, refused, a timeout, a declined or
malformed answer) into "not served", and the query runs in process instead.

Only the standard library is imported here: this module is on the path of
every query.
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
from collections.abc import Callable
from typing import Any

from .place import digest

PROTOCOL = 1


CONNECT_TIMEOUT = 2.0  # seconds a client waits for a connection


ANSWER_TIMEOUT = 30.0  # seconds a client waits for its answer (a query may be long)


REQUEST_TIMEOUT = 2.0  # seconds a server waits for a whole request to arrive


SEND_TIMEOUT = 5.0  # seconds a server spends sending one answer (to a client that never reads)


QUERY_BUDGET = 5.0  # seconds a served query may take; a longer one is declined (runs in process)


MAX_CLIENTS = 8  # connections served at once, one thread each; one more is closed at once


MAX_REQUEST = 1 << 20

STDOUT, STDERR = 1, 2

Output = list[tuple[int, str]]  # (STDOUT or STDERR, text), in the order written


# What a server does with a request's "args" and "terminal": (exit code, output).
# Raises Declined to turn a request down.
Handler = Callable[[Any, Any], tuple[int, Output]]


class ServeError(Exception):
    """The socket cannot be served; the message says why, for one warning line."""


class Declined(Exception):
    """A server turns a request down (the client then runs the query itself)."""


def code_stamp() -> str:
    """Changes when notesearch's code does (an upgrade while a watch runs), so that a
    client never gets an answer printed by other code than its own."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamps = []
    folders = [package]
    while folders:  # the package and its subpackages (not __pycache__)
        folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    stamps.append(f"{entry.path}:{entry.stat().st_mtime_ns}")
                elif entry.is_dir() and not entry.name.startswith(("_", ".")):
                    folders.append(entry.path)
    stamped = digest("\n".join(sorted(stamps)).encode())
    return f"{PROTOCOL}:{package}:{stamped}"


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux), or None where unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    pid_uid_gid = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return int(struct.unpack("3i", pid_uid_gid)[1])


def read_all(sock: socket.socket, limit: int | None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := sock.recv(1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError("message too long")
    return b"".join(chunks)


def encode(message: dict[str, Any]) -> bytes:
    # ASCII JSON: a lone surrogate (an undecodable file name) survives the trip.
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class Recorder:
    """Two text streams (stdout, stderr) whose writes are kept, in order, as Output."""

    def __init__(self) -> None:
        self.output: Output = []
        self.out = _Stream(self, STDOUT)
        self.err = _Stream(self, STDERR)

    def write(self, stream: int, text: str) -> None:
        if not text:
            return
        if self.output and self.output[-1][0] == stream:
            self.output[-1] = (stream, self.output[-1][1] + text)
        else:
            self.output.append((stream, text))


class _Stream(io.StringIO):
    """A text stream whose writes go to a Recorder."""

    def __init__(self, recorder: Recorder, stream: int) -> None:
        super().__init__()
        self._recorder = recorder
        self._stream = stream

    def write(self, text: str) -> int:
        self._recorder.write(self._stream, text)
        return len(text)
