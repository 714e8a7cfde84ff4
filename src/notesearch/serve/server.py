"""The server side: a watch's query service, answering on the socket of one index."""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import pidlock
from .protocol import (
    ANSWER_TIMEOUT,
    MAX_REQUEST,
    PROTOCOL,
    REQUEST_TIMEOUT,
    Declined,
    Handler,
    Recorder,
    ServeError,
    code_stamp,
    encode,
    peer_uid,
    read_all,
    runtime_dir,
    socket_name,
    unsafe,
)

if TYPE_CHECKING:
    from ..engine.reader import Index
    from ..settings import Settings


class Server:
    """Answers queries on the socket of one index, in a thread of its own.

    :meth:`claim` takes the folder and the lock (before the watch's first
    update, so its messages are right); :meth:`start` binds the socket and
    answers until :meth:`close`, which removes the socket and the lock file.
    Requests are read and answered one at a time.
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
            with conn:
                try:
                    self._connection(conn)
                except Exception:  # never let one request end the server
                    continue

    def _connection(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(REQUEST_TIMEOUT)
            uid = peer_uid(conn)
            if uid is not None and uid != os.getuid():
                return  # another user (root): no answer
            request = json.loads(read_all(conn, MAX_REQUEST))
            conn.settimeout(ANSWER_TIMEOUT)
            conn.sendall(encode(self.answer(request)))
        except (OSError, ValueError):
            return  # the client went away, or sent garbage: it runs the query itself

    def answer(self, request: Any) -> dict[str, Any]:
        """The answer to one request (never raises)."""
        try:
            if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
                raise Declined("another protocol")
            if request.get("stamp") != self.stamp:
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


def exit_status(body: Callable[[], int], err: Any, *, debug: bool = False) -> int:
    """Run a query's ``body`` away from the command line: its exit code, with an
    error shown on ``err`` exactly as the command line shows it."""
    from ..errors import IndexDamagedError
    from ..printers.messages import describe, fail

    try:
        return body()
    except Exception as exc:
        damage = None if debug else IndexDamagedError.raised_inside_whoosh(exc)
        message, code = describe(damage or exc, debug=debug)
        fail(message, err)
        return code


class QueryService:
    """The index a watch keeps open for its query server, and the answers it gives.

    :meth:`refresh` (after each update of the watch) opens the new generation
    when there is one and swaps it in; a query answered meanwhile reads the
    generation it started with, which no writer changes. Queries are
    answered one at a time.
    """

    def __init__(
        self,
        notes_dir: Path,
        index_dir: Path,
        settings: Settings | None = None,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.notes_dir = notes_dir
        self.index_dir = index_dir
        self.settings = settings
        self.warn = warn  # how a failed refresh is reported
        self.problem: str | None = "no index open yet"  # why the last refresh failed
        self._index: Index | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Open the live generation if it is not the one open (never raises)."""
        from ..engine import seal, store
        from ..engine.reader import open_index
        from ..errors import NotesearchError

        try:
            live = store.current(self.index_dir)
            if self._index is not None and live == self._index.generation:
                return
            key = seal.load_key(self.settings.key_file if self.settings else None)
            fresh = open_index(self.index_dir, self.notes_dir, key)
        except Exception as exc:  # keep answering from the last good index
            problem = str(exc)
            if not isinstance(exc, NotesearchError):
                problem = f"{type(exc).__name__}: {problem}"
            if self._index is not None and problem != self.problem and self.warn is not None:
                self.warn(f"queries keep the previous index: {problem}")
            self.problem = problem
            return
        self.problem = None
        with self._lock:
            stale, self._index = self._index, fresh
        if stale is not None:
            stale.close()

    def answer(self, args: Any, terminal: Any) -> tuple[int, list[tuple[int, str]]]:
        """A forwarded query, run as `notesearch query` runs it: (exit code, output)."""
        from ..answers import QueryArgs, run_query
        from ..printers.context import Terminal

        try:
            request, facts = QueryArgs.from_json(args), Terminal.from_json(terminal)
        except ValueError as exc:
            raise Declined(str(exc)) from None
        if request.refresh:
            raise Declined("--refresh runs in process")
        recorded = Recorder()
        with self._lock:
            index = self._index
            if index is None:
                raise Declined("no index open yet")
            code = exit_status(
                lambda: run_query(
                    request,
                    facts,
                    recorded.out,
                    recorded.err,
                    settings=self.settings,
                    served=index,
                ),
                recorded.err,
            )
        return code, recorded.output

    def close(self) -> None:
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()
