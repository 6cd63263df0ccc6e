"""The sync service in process, through httpx's ASGI transport: each call runs the real
app (routing, JSON, the database as the service's role) without a socket."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import Engine

from observer.server.app import create_app


class Service:
    def __init__(self, engine: Engine) -> None:
        self.app = create_app(engine)

    def request(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sync.test") as c:
                return await c.request(method, path, headers=headers, **kw)

        return asyncio.run(send())

    def enrol(self, code: str, laptop_name: str = "Laptop 1") -> httpx.Response:
        return self.request(
            "POST", "/sync/v1/enrol", json={"code": code, "laptop_name": laptop_name}
        )

    def enrol_at(self, protocol: str) -> httpx.Response:
        return self.request(
            "POST", f"/sync/{protocol}/enrol", json={"code": "ABCDE", "laptop_name": "x"}
        )

    def pull(
        self,
        token: str,
        after: str | None = None,
        limit: int | None = None,
        protocol: str = "v1",
    ) -> httpx.Response:
        params: dict[str, Any] = {}
        if after is not None:
            params["after"] = after
        if limit is not None:
            params["limit"] = limit
        return self.request("GET", f"/sync/{protocol}/pull", token=token, params=params)

    def pull_all(self, token: str, after: str | None = None, limit: int = 200) -> dict[str, Any]:
        """Pages until none remains; the records of every page together, and the last cursor."""
        merged: dict[str, Any] = {}
        while True:
            response = self.pull(token, after, limit)
            assert response.status_code == 200, response.text
            page = response.json()
            for key, value in page.items():
                if isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
            after = page["cursor"]
            if not page["more"]:
                merged["cursor"] = after
                return merged


def sentence(response: httpx.Response, status: int) -> str:
    """The one sentence of a refusal, checked to be only that."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    # A chain that forks says where (the laptop's own events), for a restored laptop.
    extra = {"fork"} if body.get("error") == "audit_chain" and "fork" in body else set()
    assert set(body) == {"error", "message"} | extra, body
    message: str = body["message"]
    assert "\n" not in message
    assert "Traceback" not in message
    assert message.endswith("."), message
    return message
