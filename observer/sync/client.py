"""Speaking /sync/v2 to a team server over HTTPS (plain HTTP only to this machine).

httpx is imported here only, and this module only when a laptop joins or syncs. Every
failure is one sentence (SyncFailed): a server that cannot be reached, that refuses, or
that speaks no protocol this laptop does.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import socket
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from observer.errors import ObserverError

if TYPE_CHECKING:
    import ssl

    import httpx

# v2 is v1 with the laptops a pull's last page carries (docs/sync-protocol.md, "Versions").
PROTOCOL = "v2"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0


class SyncFailed(ObserverError):
    """The team server could not be reached, or refused; nothing was half-written."""


class ServerUnreachable(SyncFailed):
    """No answer at all (offline, or the server down): the window says "Offline"."""


class SyncStopped(SyncFailed):
    """The sync was stopped (the window closing, Ctrl-C) before the server answered."""


STOPPED = (
    "The sync was stopped before the team server answered; nothing was lost, and the "
    "changes waiting will be sent next time."
)
# httpcore's trace events (its documented `trace` extension) that hand over a connection.
_CONNECTED = ("connect_tcp.complete", "start_tls.complete")


class ServerRefused(SyncFailed):
    def __init__(
        self, message: str, status: int, error: str = "", body: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        # The refusal as the server gave it (an `audit_chain` one may say where it forks).
        self.body = body or {}


class NotEnrolled(ServerRefused):
    """The server no longer knows this laptop's token: IT revoked it, or the server was
    restored from a dump made before the laptop joined. The laptop joins again with a new
    code (observer/sync/rejoining.py), keeping what waits."""


def checked_url(url: str) -> str:
    """The server's address without a trailing slash; HTTPS, or HTTP to this machine only."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise SyncFailed(f"{url} is not a web address such as https://sync.example.org.")
    if parts.scheme == "http" and not _loopback(host):
        raise SyncFailed(
            f"{url} is not encrypted (http); a team server must be reached over https, "
            "except on this computer itself."
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _number(protocol: object) -> int:
    """v2 as 2; anything else as 0 (older than any this laptop speaks)."""
    text = str(protocol)
    return int(text[1:]) if text[:1] == "v" and text[1:].isdigit() else 0


def _loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Made once a process: loading the trusted certificates takes a tenth of a second or
    more, which a sync every few minutes (and each push and pull in it) paid each time."""
    import httpx

    return httpx.create_ssl_context()


class Client:
    """One conversation with the server: open it with `with Client(...) as c`."""

    def __init__(
        self, server: str, token: str | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        import httpx

        self.server = checked_url(server)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.server,
            headers=headers,
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            transport=transport,
            follow_redirects=False,
            verify=_tls_context(),
        )
        self._lock = threading.Lock()
        self._stopped = False
        self._streams: list[Any] = []  # the connections opened, as httpcore reports them

    def stop(self) -> None:
        """From another thread (the window, quitting): the request waiting on the server
        ends at once, its connection shut down, and no other starts; each ends in
        SyncStopped. Closing the httpx client would not do: a thread blocked reading a
        socket does not wake when another closes it, only when it is shut down. What the
        server answered before is kept by the caller as usual; a push whose answer never
        came is sent again next time, which its change id makes safe."""
        with self._lock:
            self._stopped = True
            streams = list(self._streams)
        for stream in streams:
            _shut_down(stream)

    def _unanswered(self, error: Exception) -> SyncFailed:
        import httpx

        if self._stopped:
            return SyncStopped(STOPPED)
        if isinstance(error, httpx.TimeoutException):
            return ServerUnreachable(
                f"The team server at {self.server} did not answer in time; nothing was "
                "lost, and the changes waiting will be sent next time."
            )
        return ServerUnreachable(
            f"The team server at {self.server} could not be reached; nothing was lost, "
            "and the changes waiting will be sent next time."
        )

    def _connected(self, name: str, info: dict[str, Any]) -> None:
        if not name.endswith(_CONNECTED) or info.get("return_value") is None:
            return
        stream = info["return_value"]
        with self._lock:
            self._streams.append(stream)
            stopped = self._stopped
        if stopped:  # stopped while this connection was being made
            _shut_down(stream)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def check_protocol(self) -> dict[str, Any]:
        """The server's /health, refused unless it serves this laptop's protocol."""
        health = self._request("GET", "/health")
        protocols = health.get("protocols") or [health.get("protocol")]
        if PROTOCOL not in protocols:
            spoken = ", ".join(str(p) for p in protocols)
            if all(_number(p) < _number(PROTOCOL) for p in protocols):
                advice = f"older than this laptop's {PROTOCOL}: ask IT to upgrade the team server"
            else:
                advice = f"not this laptop's {PROTOCOL}: update Practice Observer on this laptop"
            raise SyncFailed(
                f"The team server at {self.server} speaks sync protocol {spoken}, {advice}; "
                "nothing was sent, and the changes waiting stay on this laptop."
            )
        return health

    def enrol(
        self, code: str, laptop_name: str, previous: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """`previous`: the laptop this one was, when it joins again (docs/sync-protocol.md)."""
        body: dict[str, Any] = {"code": code, "laptop_name": laptop_name}
        if previous is not None:
            body["previous"] = previous
        return self._request("POST", f"/sync/{PROTOCOL}/enrol", json=body)

    def push(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", f"/sync/{PROTOCOL}/push", json=body)

    def pull(self, after: str | None, limit: int) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        return self._request("GET", f"/sync/{PROTOCOL}/pull", params=params)

    def _request(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        import httpx

        if self._stopped:
            raise SyncStopped(STOPPED)
        try:
            response = self._http.request(method, path, extensions={"trace": self._connected}, **kw)
        except httpx.HTTPError as failed:
            raise self._unanswered(failed) from None
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if response.status_code >= 400:
            message = body.get("message") if isinstance(body, dict) else None
            error = body.get("error", "") if isinstance(body, dict) else ""
            if response.status_code == 401 and "Authorization" in self._http.headers:
                raise NotEnrolled(
                    f"The team server at {self.server} no longer accepts this laptop (IT "
                    "revoked it, or the server was restored from a backup); the changes "
                    "waiting stay on this laptop: ask IT for a new enrolment code and join "
                    "the server again with it.",
                    401,
                    str(error),
                )
            said = f": {message.rstrip('.')}" if isinstance(message, str) else ""
            raise ServerRefused(
                f"The team server refused ({response.status_code}){said}.",
                response.status_code,
                str(error),
                body if isinstance(body, dict) else None,
            )
        if not isinstance(body, dict):
            raise SyncFailed(f"The team server at {self.server} did not answer as one should.")
        return body


def _shut_down(stream: Any) -> None:
    """Wakes whoever waits on the connection's socket. The plain socket's own shutdown,
    also for a TLS one: ssl's would drop its TLS state under the reading thread."""
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # closed already: nothing waits on it
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
