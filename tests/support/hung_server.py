"""A team server that hangs: a real TCP socket on 127.0.0.1 that answers /health as the
team server does (so that a sync goes on to push) and then never answers, holding each
connection open, as a server stuck behind a broken proxy or a locked table would."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

HEALTH = {"status": "ok", "protocol": "v2", "protocols": ["v1", "v2"]}


class HungServer:
    """`tls`: served over HTTPS with that context (its certificate from `self_signed`)."""

    def __init__(self, *, answers_health: bool = True, tls: ssl.SSLContext | None = None) -> None:
        self._answers_health = answers_health
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"
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
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
                self._held.append(conn)
            stream = conn.makefile("rb")
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


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server's TLS context for 127.0.0.1 with a new self-signed certificate, and a
    client's context that trusts it (and nothing else)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "server.pem", folder / "server.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, private)
    return server, ssl.create_default_context(cafile=str(cert))


@pytest.fixture
def hung_server() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.close()
