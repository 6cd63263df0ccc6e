"""A team server that hangs: a real TCP socket on 127.0.0.1 that answers /health as the
team server does (so that a sync goes on to push) and then never answers, holding each
connection open, as a server stuck behind a broken proxy or a locked table would."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

HEALTH = {"status": "ok", "protocol": "v2", "protocols": ["v1", "v2"]}


class HungServer:
    def __init__(self, *, answers_health: bool = True) -> None:
        self._answers_health = answers_health
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.hanging = threading.Event()  # a request came that will never be answered
        self.paths: list[str] = []
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._held.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        try:
            while True:
                line = stream.readline()
                if not line:
                    return
                path = line.split()[1].decode()
                length = 0
                while (header := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.strip().casefold() == "content-length":
                        length = int(value)
                stream.read(length)
                self.paths.append(path)
                if path == "/health" and self._answers_health:
                    body = json.dumps(HEALTH).encode()
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    continue
                self.hanging.set()  # and never a word more
        except (OSError, ValueError, IndexError):
            return

    def close(self) -> None:
        self._listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def hung_server() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.close()
