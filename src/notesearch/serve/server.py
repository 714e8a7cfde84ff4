"""The server side: a watch's query service, answering on the socket of one index."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import pidlock
from .place import runtime_dir, socket_name, unsafe
from .protocol import (
    MAX_CLIENTS,
    MAX_REQUEST,
    PROTOCOL,
    QUERY_BUDGET,
    REQUEST_TIMEOUT,
    SEND_TIMEOUT,
    Declined,
    Handler,
    ServeError,
    code_stamp,
    encode,
    peer_uid,
)
from .service import QueryService

__all__ = ["QueryService", "Server"]
# A stamp as code_stamp() makes it: protocol, package folder, digest.
_STAMP = re.compile(r"\d+:.+:[0-9a-f]+")


class Server:
    """Answers queries on the socket of one index, in a thread of its own.

    :meth:`claim` takes the folder and the lock (before the watch's first
    update, so its messages are right); :meth:`start` binds the socket and
    answers until :meth:`close`, which removes the socket and the lock file.

    Each connection is served by a thread of its own, at most
    :data:`~.protocol.MAX_CLIENTS` at once (one more is closed at once: its
    client runs the query itself), so a slow or silent client never delays
    another. A request must arrive whole within ``REQUEST_TIMEOUT``, an
    answer be sent within ``SEND_TIMEOUT``, and a query be answered within
    ``QUERY_BUDGET`` (else it is declined and the client runs it).
    """

    def __init__(
        self,
        index_dir: str,
        notes_dir: str,
        handler: Handler,
        *,
        warn: Callable[[str], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.index_real = os.path.realpath(index_dir)
        self.notes_real = os.path.realpath(notes_dir)
        self.handler = handler
        self.warn = warn
        self.stamp = code_stamp()
        self._outdated = False  # warned that notesearch changed since this server started
        self.folder = runtime_dir(env)
        name = socket_name(index_dir)
        self.path = os.path.join(self.folder, name)
        self.lock_path = os.path.join(self.folder, name[: -len(".sock")] + ".lock")
        self._lock_fd: int | None = None
        self._listener: socket.socket | None = None
        self._bound: tuple[int, int] | None = None  # (st_dev, st_ino) of our socket file
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)

    def claim(self) -> None:
        """Make the socket's folder (0700) and take the index's server lock.

        Raises:
            ServeError: the folder is not safe, or another watch serves this index.
        """
        try:
            os.mkdir(self.folder, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ServeError(f"cannot make {self.folder}: {exc.strerror}") from None
        reason = unsafe(self.folder)
        if reason is not None:
            raise ServeError(reason)
        for _ in range(5):
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            except OSError as exc:
                raise ServeError(f"cannot open {self.lock_path}: {exc.strerror}") from None
            if not pidlock.try_lock(fd):
                pid = pidlock.holder(fd)
                os.close(fd)
                raise ServeError(
                    f"another notesearch watch (pid {pid}) answers queries for this index"
                )
            # The lock file may have been removed (by a server that stopped) between
            # our open and our lock: then the lock is on a file nobody else sees.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.lock_path))
            except FileNotFoundError:
                same = False
            if same:
                pidlock.mark_held(fd)
                self._lock_fd = fd
                return
            os.close(fd)
        raise ServeError(f"cannot lock {self.lock_path}")

    def start(self) -> None:
        """Bind the socket (replacing one left by a dead server) and start answering.

        Raises:
            ServeError: the socket cannot be made.
        """
        if self._lock_fd is None:
            self.claim()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)  # we hold the lock: a socket there is stale
            listener.bind(self.path)
            os.chmod(self.path, 0o600)
            info = os.stat(self.path)
            listener.listen(16)
        except OSError as exc:
            listener.close()
            raise ServeError(f"cannot listen on {self.path}: {exc.strerror or exc}") from None
        self._listener = listener
        self._bound = (info.st_dev, info.st_ino)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="notesearch-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop answering; remove the socket and the lock file (if they are still ours)."""
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join()
            self._thread = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            os.close(self._wake_r)
            os.close(self._wake_w)
        if self._bound is not None:
            with contextlib.suppress(OSError):
                info = os.stat(self.path)
                if (info.st_dev, info.st_ino) == self._bound:
                    os.unlink(self.path)
            self._bound = None
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.lock_path)  # before unlocking: see claim()
            os.close(self._lock_fd)
            self._lock_fd = None

    def _serve(self) -> None:
        assert self._listener is not None
        while True:
            ready, _, _ = select.select([self._listener.fileno(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            if not self._slots.acquire(blocking=False):
                conn.close()  # every slot busy: the client runs the query itself, at once
                continue
            threading.Thread(
                target=self._client, args=(conn,), name="notesearch-client", daemon=True
            ).start()

    def _client(self, conn: socket.socket) -> None:
        try:
            with conn:
                self._connection(conn)
        except Exception:  # never let one request end the server
            pass
        finally:
            self._slots.release()

    def _connection(self, conn: socket.socket) -> None:
        try:
            uid = peer_uid(conn)
            if uid is not None and uid != os.getuid():
                return  # another user (root): no answer
            request = json.loads(receive(conn, MAX_REQUEST, REQUEST_TIMEOUT))
            answer = self._within_budget(request)
            conn.settimeout(SEND_TIMEOUT)  # the whole answer, not each chunk (sendall)
            conn.sendall(encode(answer))
        except (OSError, ValueError):
            return  # the client went away, or sent garbage: it runs the query itself

    def _within_budget(self, request: Any) -> dict[str, Any]:
        """:meth:`answer`, or a decline when it takes longer than ``QUERY_BUDGET``."""
        answers: list[dict[str, Any]] = []
        worker = threading.Thread(
            target=lambda: answers.append(self.answer(request)),
            name="notesearch-query",
            daemon=True,
        )
        worker.start()
        worker.join(QUERY_BUDGET)
        if answers:
            return answers[0]
        reason = f"the query took longer than {QUERY_BUDGET:g} s"
        return {"protocol": PROTOCOL, "status": "declined", "reason": reason}

    def answer(self, request: Any) -> dict[str, Any]:
        """The answer to one request (never raises)."""
        try:
            if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
                raise Declined("another protocol")
            stamp = request.get("stamp")
            if not isinstance(stamp, str) or not _STAMP.fullmatch(stamp):
                raise Declined("no stamp of notesearch's code")  # not a change of version
            if stamp != self.stamp:
                if self.warn is not None and not self._outdated:
                    self.warn(
                        "notesearch was changed since this watch started: queries run "
                        "without it until the watch is restarted"
                    )
                self._outdated = True
                raise Declined("another version of notesearch")
            if request.get("index") != self.index_real or request.get("notes") != self.notes_real:
                raise Declined("not mine")
            code, output = self.handler(request.get("args"), request.get("terminal"))
        except Declined as exc:
            return {"protocol": PROTOCOL, "status": "declined", "reason": str(exc)}
        except Exception as exc:  # a bug: the client runs the query itself and reports it
            reason = f"{type(exc).__name__}: {exc}"
            return {"protocol": PROTOCOL, "status": "declined", "reason": reason}
        return {"protocol": PROTOCOL, "status": "ok", "code": code, "output": output}


def receive(sock: socket.socket, limit: int, deadline: float) -> bytes:
    """Everything ``sock`` sends until it shuts its side, within ``deadline`` seconds in
    all (not per chunk: a client sending a byte at a time is cut off too).

    Raises:
        OSError: the deadline passed (``TimeoutError``), or the connection failed.
        ValueError: more than ``limit`` bytes.
    """
    end = time.monotonic() + deadline
    chunks: list[bytes] = []
    size = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        sock.settimeout(left)
        chunk = sock.recv(1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError("message too long")
