"""The service's access log, as the journal would hold it from a real `observer-server
serve`: each request's method, path and status, never the client's address or the query."""

from __future__ import annotations

import re
import signal

import httpx
import pytest

from observer.server.access_log import shown_path
from tests.observer.server.test_serve_e2e import Running
from tests.support.server import ServerDatabase

pytestmark = pytest.mark.e2e


def test_access_lines_name_the_request_and_never_the_clients_address(
    server_db: ServerDatabase,
) -> None:
    running = Running(server_db)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert client.get("/health").status_code == 200
            forged = client.get(
                "/sync/v1/pull", params={"after": "7.70.7"}, headers={"Authorization": "Bearer x"}
            )
            assert forged.status_code == 401
    finally:
        assert running.stop() in (0, -signal.SIGTERM)
    log = "".join(running.log)
    access = [line for line in log.splitlines() if "observer.server.access" in line]
    assert [line.split(": ", 1)[1].rsplit(" ", 2)[0] for line in access] == [
        "GET /health 200",
        "GET /sync/v1/pull 401",
    ]
    # uvicorn's own lines would begin with the client's address and port
    assert re.search(r"127\.0\.0\.1:[0-9]+ - ", log) is None
    assert "7.70.7" not in log


def test_a_path_in_the_log_is_printable_and_short() -> None:
    assert shown_path("/sync/v1/pull") == "/sync/v1/pull"
    assert shown_path("/a b\n\x1b[31m") == "/a?b??[31m"
    assert len(shown_path("/" + "x" * 500)) == 81
