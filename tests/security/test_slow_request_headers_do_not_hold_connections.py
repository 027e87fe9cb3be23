"""Finding (third hostile probe): a client that opened connections and sent a request line
without ever finishing the headers (slowloris) held each connection, and its file descriptor,
for good - uvicorn starts no timer before a connection's first answer, and every byte received
cancels its keep-alive timer. 3 000 such connections stayed open after 20 s; enough of them and
the process accepts none. The headers of each request must now be complete within
``DBP_HEADER_READ_TIMEOUT_SECONDS`` of the connection opening or of the previous answer: the
client gets a 408 saying so and the connection is closed, while other clients are served."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer, make_settings, start_server

TIMEOUT = 1.5


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with start_server(make_settings(header_read_timeout_seconds=TIMEOUT),
                      organisations=False) as server:
        yield server


def _connect(live: LiveServer) -> socket.socket:
    host, port = live.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_headers_that_never_finish_get_408_and_the_connection_closes(live: LiveServer) -> None:
    slow = [_connect(live) for _ in range(20)]
    for connection in slow:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never the blank line
    started = time.monotonic()
    with live.client() as other:  # others are served meanwhile
        assert other.get("/health").status_code == 200
    for connection in slow:
        answer = _read_all(connection)  # returns once the server closed the connection
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"DBP_HEADER_READ_TIMEOUT_SECONDS" in answer, answer
        connection.close()
    assert time.monotonic() - started < TIMEOUT + 5


def test_an_idle_connection_after_an_answer_is_closed_too(live: LiveServer) -> None:
    connection = _connect(live)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    connection.sendall(b"GET /health HTTP/1.1\r\n")  # the next request stalls
    answer = _read_all(connection)
    connection.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"HTTP/1.1 408" in answer, answer


def test_a_request_sent_in_time_is_answered(live: LiveServer) -> None:
    connection = _connect(live)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    time.sleep(TIMEOUT / 3)
    connection.sendall(b"Connection: close\r\n\r\n")
    answer = _read_all(connection)
    connection.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"408" not in answer.split(b"\r\n", 1)[0]
