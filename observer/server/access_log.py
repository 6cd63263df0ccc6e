"""The service's access log: method, path, status and time taken, and not the client's
address.

uvicorn's own access lines begin with the client's address. Behind the reverse proxy that
is always 127.0.0.1, which says nothing; without one it is a practice lead's address at
home or in the office, personal data that the service has no use for (laptops are
known by their ids, which the service logs where it matters). The proxy keeps what IT
decides to keep (its samples in resources/server/ keep only the network part). Paths are
logged without their query (a cursor is no one's business) and cut short.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger("observer.server.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
LONGEST_PATH = 80


class AccessLog:
    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(
                "%s %s %d %.0f ms",
                scope.get("method", "-"),
                shown_path(scope.get("path", "")),
                status,
                (time.perf_counter() - started) * 1000,
            )


def shown_path(path: str) -> str:
    cleaned = "".join(ch if ch.isprintable() and not ch.isspace() else "?" for ch in path)
    return cleaned if len(cleaned) <= LONGEST_PATH else cleaned[:LONGEST_PATH] + "…"
