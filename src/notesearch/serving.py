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

import contextlib
import io
import json
import os
import select
import socket
import stat
import struct
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any

try:  # hashlib.blake2b, without hashlib's loading of OpenSSL (2 ms of every query)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

PROTOCOL = 1
CONNECT_TIMEOUT = 2.0  # seconds a client waits for a connection
ANSWER_TIMEOUT = 30.0  # seconds a client waits for its answer (a query may be long)
REQUEST_TIMEOUT = 2.0  # seconds a server waits for a request to arrive
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


# ----------------------------------------------------------------------------- where


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
    real = os.fsencode(os.path.realpath(index_dir))
    return blake2b(real, digest_size=8).hexdigest() + ".sock"


def code_stamp() -> str:
    """Changes when notesearch's code does (an upgrade while a watch runs), so that a
    client never gets an answer printed by other code than its own."""
    package = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for folder in (package, os.path.join(package, "printers")):
        with os.scandir(folder) as entries:
            stamps += [
                f"{entry.name}:{entry.stat().st_mtime_ns}"
                for entry in entries
                if entry.name.endswith(".py")
            ]
    digest = blake2b("\n".join(sorted(stamps)).encode(), digest_size=8).hexdigest()
    return f"{PROTOCOL}:{package}:{digest}"


def _peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux), or None where unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    pid_uid_gid = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return int(struct.unpack("3i", pid_uid_gid)[1])


def _read_all(sock: socket.socket, limit: int | None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := sock.recv(1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError("message too long")
    return b"".join(chunks)


def _encode(message: dict[str, Any]) -> bytes:
    # ASCII JSON: a lone surrogate (an undecodable file name) survives the trip.
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")


# ----------------------------------------------------------------------------- client


def ask(
    index_dir: str,
    notes_dir: str,
    args: dict[str, Any],
    terminal: dict[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = ANSWER_TIMEOUT,
) -> tuple[int, Output] | None:
    """Have the watch serving ``index_dir`` for ``notes_dir`` answer a query.

    Returns (exit code, output), or None when no server answered: none
    runs, the socket's folder is not safe, a connection failed or timed out,
    the server serves another notes folder or runs other code, or the
    answer is malformed. Never raises but KeyboardInterrupt.
    """
    try:
        folder = runtime_dir(env)
        if unsafe(folder) is not None:
            return None
        request = {
            "protocol": PROTOCOL,
            "stamp": code_stamp(),
            "index": os.path.realpath(index_dir),
            "notes": os.path.realpath(notes_dir),
            "args": args,
            "terminal": terminal,
        }
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(CONNECT_TIMEOUT)
            sock.connect(os.path.join(folder, socket_name(index_dir)))
            uid = _peer_uid(sock)
            if uid is not None and uid != os.getuid():
                return None
            sock.settimeout(timeout)
            sock.sendall(_encode(request))
            sock.shutdown(socket.SHUT_WR)
            answer = json.loads(_read_all(sock, None))
        return _answered(answer)
    except Exception:  # no server, or a broken one: the caller runs the query itself
        return None


def _answered(answer: Any) -> tuple[int, Output] | None:
    if not isinstance(answer, dict) or answer.get("protocol") != PROTOCOL:
        return None
    if answer.get("status") != "ok":
        return None
    code, output = answer.get("code"), answer.get("output")
    if type(code) is not int or not isinstance(output, list):
        return None
    chunks: Output = []
    for item in output:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and item[0] in (STDOUT, STDERR)
            and isinstance(item[1], str)
        ):
            return None
        chunks.append((item[0], item[1]))
    return code, chunks


def replay(output: Output, out: IO[str], err: IO[str]) -> None:
    """Write a server's output as the query would have written it here, in order."""
    for stream, text in output:
        if stream == STDERR:
            out.flush()  # what was printed before the message shows before it
            err.write(text)
            err.flush()
        else:
            out.write(text)


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


# ----------------------------------------------------------------------------- server


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
        import fcntl

        for _ in range(5):
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            except OSError as exc:
                raise ServeError(f"cannot open {self.lock_path}: {exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise ServeError(
                    f"another notesearch watch (pid {pid}) answers queries for this index"
                ) from None
            # The lock file may have been removed (by a server that stopped) between
            # our open and our lock: then the lock is on a file nobody else sees.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.lock_path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
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
            uid = _peer_uid(conn)
            if uid is not None and uid != os.getuid():
                return  # another user (root): no answer
            request = json.loads(_read_all(conn, MAX_REQUEST))
            conn.settimeout(ANSWER_TIMEOUT)
            conn.sendall(_encode(self.answer(request)))
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
