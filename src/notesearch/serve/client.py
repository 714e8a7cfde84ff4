"""The client side of a served query: ask the watch, replay its answer (standard library only).

This module is on the path of every ``notesearch query``: it imports only
the standard library, :mod:`.place`, and :mod:`.protocol` once a socket is
there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from .place import runtime_dir, socket_name, unsafe

if TYPE_CHECKING:
    from .protocol import Output


def ask(
    index_dir: str,
    notes_dir: str,
    args: dict[str, Any],
    terminal: dict[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
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
        path = os.path.join(folder, socket_name(index_dir))
        if not os.path.exists(path):
            return None  # no watch serves this index: no socket module, no request
        import json
        import socket

        from . import protocol

        request = {
            "protocol": protocol.PROTOCOL,
            "stamp": protocol.code_stamp(),
            "index": os.path.realpath(index_dir),
            "notes": os.path.realpath(notes_dir),
            "args": args,
            "terminal": terminal,
        }
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(protocol.CONNECT_TIMEOUT)
            sock.connect(path)
            uid = protocol.peer_uid(sock)
            if uid is not None and uid != os.getuid():
                return None
            sock.settimeout(protocol.ANSWER_TIMEOUT if timeout is None else timeout)
            sock.sendall(protocol.encode(request))
            sock.shutdown(socket.SHUT_WR)
            answer = json.loads(protocol.read_all(sock, None))
        return _answered(answer)
    except Exception:  # no server, or a broken one: the caller runs the query itself
        return None


def _answered(answer: Any) -> tuple[int, Output] | None:
    from .protocol import PROTOCOL, STDERR, STDOUT

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
    from .protocol import STDERR

    for stream, text in output:
        if stream == STDERR:
            out.flush()  # what was printed before the message shows before it
            err.write(text)
            err.flush()
        else:
            out.write(text)
