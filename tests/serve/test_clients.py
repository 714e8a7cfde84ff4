"""The watch's server serves many clients: a slow, silent or non-reading client, or a slow
query, never delays another; a request without a stamp is not "another version".

A server in this process with a stand-in handler (no index): what is tested
is the connection handling, with the deadlines made short.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notesearch.serve import client, protocol
from notesearch.serve import server as serve_server

ANSWER = (0, [(protocol.STDOUT, "answered\n")])
LIMIT = 1.5  # each deadline, made short; a client that waited on another waits at least this
PROMPT = 1.0  # an answer that waited on no other client comes sooner (on a loaded machine too)


class Stand:
    """A server whose handler answers at once (or sleeps ``delay`` first, or sends ``size``)."""

    def __init__(self, tmp_path: Path) -> None:
        self.index, self.notes = str(tmp_path / "index"), str(tmp_path / "notes")
        self.delay = 0.0
        self.size = 0
        self.warnings: list[str] = []
        self.server = serve_server.Server(
            self.index, self.notes, self.handle, warn=self.warnings.append
        )

    def handle(self, args: Any, terminal: Any) -> tuple[int, protocol.Output]:
        time.sleep(self.delay)
        if self.size:
            return 0, [(protocol.STDOUT, "x" * self.size)]
        return ANSWER

    def ask(self, timeout: float = 5.0) -> tuple[int, protocol.Output] | None:
        return client.ask(self.index, self.notes, {}, {}, timeout=timeout)

    def connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.server.path)
        return sock

    def request(self, **change: Any) -> bytes:
        body = {
            "protocol": protocol.PROTOCOL,
            "stamp": protocol.code_stamp(),
            "index": str(Path(self.index).resolve()),
            "notes": str(Path(self.notes).resolve()),
            "args": {},
            "terminal": {},
            **change,
        }
        return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


@pytest.fixture
def stand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stand]:
    monkeypatch.setattr(serve_server, "REQUEST_TIMEOUT", LIMIT)
    monkeypatch.setattr(serve_server, "SEND_TIMEOUT", LIMIT)
    monkeypatch.setattr(serve_server, "QUERY_BUDGET", LIMIT)
    made = Stand(tmp_path)
    made.server.start()
    yield made
    made.server.close()


def _timed(stand: Stand) -> tuple[Any, float]:
    started = time.monotonic()
    answer = stand.ask()
    return answer, time.monotonic() - started


@pytest.mark.slow
def test_a_client_sending_a_byte_at_a_time_neither_delays_others_nor_holds_on(
    stand: Stand,
) -> None:
    slow = stand.connect()
    stop = threading.Event()

    def drip() -> None:
        try:
            for byte in stand.request():
                if stop.wait(0.3):
                    return
                slow.send(bytes([byte]))
        except OSError:
            return  # the server cut it off

    dripping = threading.Thread(target=drip)
    dripping.start()
    try:
        answer, took = _timed(stand)
        assert answer == ANSWER and took < PROMPT
        slow.settimeout(3)
        started = time.monotonic()
        assert slow.recv(100) == b""  # closed by the deadline, not after the last byte
        assert time.monotonic() - started < LIMIT + PROMPT
    finally:
        stop.set()
        dripping.join()
        slow.close()


def test_silent_clients_never_delay_another(stand: Stand) -> None:
    silent = [stand.connect() for _ in range(3)]
    try:
        answer, took = _timed(stand)
        assert answer == ANSWER and took < PROMPT
    finally:
        for sock in silent:
            sock.close()


def test_clients_over_the_cap_are_turned_away_at_once(stand: Stand) -> None:
    silent = [stand.connect() for _ in range(protocol.MAX_CLIENTS)]
    try:
        time.sleep(0.1)  # each has its thread by now
        answer, took = _timed(stand)
        assert answer is None and took < PROMPT  # not served: the client runs it itself
        for sock in silent:
            sock.close()  # their threads see the end of the request at once
        time.sleep(0.3)
        assert stand.ask() == ANSWER
    finally:
        for sock in silent:
            sock.close()


def test_a_client_that_never_reads_its_answer_delays_nobody(stand: Stand) -> None:
    stand.size = 8 << 20  # far more than a socket buffer holds
    greedy = stand.connect()
    try:
        greedy.sendall(stand.request())
        greedy.shutdown(socket.SHUT_WR)
        time.sleep(0.1)
        stand.size = 0
        answer, took = _timed(stand)
        assert answer == ANSWER and took < PROMPT
    finally:
        greedy.close()


@pytest.mark.slow
def test_a_query_over_its_budget_is_declined(stand: Stand) -> None:
    stand.delay = LIMIT + 2.0
    answer, took = _timed(stand)
    assert answer is None and took < LIMIT + PROMPT  # declined: the client runs it itself


@pytest.mark.parametrize(
    ("stamp", "warned"),
    [(None, False), ("", False), (7, False), ("garbage", False), ("1:elsewhere:0", True)],
)
def test_only_a_real_other_version_is_warned_about(stand: Stand, stamp: Any, warned: bool) -> None:
    request = stand.request(stamp=stamp) if stamp is not None else stand.request()
    if stamp is None:
        body = json.loads(request)
        del body["stamp"]
        request = json.dumps(body).encode()
    with stand.connect() as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(3)
        answer = json.loads(protocol.read_all(sock, None))
    assert answer["status"] == "declined"
    assert bool(stand.warnings) is warned
