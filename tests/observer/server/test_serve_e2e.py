"""`observer-server serve` as IT runs it: a real uvicorn process on 127.0.0.1, a laptop
enrolled with a code from `observer-server enrol`, pulls over HTTP, hostile requests, and
SIGTERM. And serve's refusals: the tables' owner, or a schema it was not written for."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, text, update

from observer.server import schema
from observer.server.database import DATABASE_VARIABLE
from observer.server.enrolment import token_hash
from observer.server.serve import EXPECTED_SCHEMA, POOL_SIZE
from tests.observer.server.test_migrate import HEAD
from tests.support.postgres import SERVICE_ROLE, free_port
from tests.support.server import ServerDatabase

pytestmark = pytest.mark.e2e
COMMAND = str(Path(sys.executable).parent / "observer-server")
STARTED = "Application startup complete"
STARTUP_S = 60


def observer_server(*argv: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, DATABASE_VARIABLE: database}
    return subprocess.run(
        [COMMAND, *argv], env=env, capture_output=True, text=True, timeout=120, check=False
    )


class Running:
    def __init__(self, db: ServerDatabase, *options: str) -> None:
        self.port = free_port()
        self.log: list[str] = []
        env = {**os.environ, DATABASE_VARIABLE: db.url(SERVICE_ROLE)}
        self.process = subprocess.Popen(
            [COMMAND, "serve", "--port", str(self.port), *options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_for(STARTED)

    def _wait_for(self, line: str) -> None:
        """Reads the service's output until that line appears (or it exits, or time runs out)."""
        assert self.process.stdout is not None
        pipe = self.process.stdout.fileno()
        deadline = time.monotonic() + STARTUP_S
        with selectors.DefaultSelector() as selector:
            selector.register(pipe, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(deadline - time.monotonic()):
                    break
                got = os.read(pipe, 65536).decode()
                if not got:
                    break
                self.log.append(got)
                if line in "".join(self.log):
                    return
        pytest.fail(f"observer-server serve did not start: {''.join(self.log)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=60)
        self.log.append(out.decode())
        return self.process.returncode


@pytest.fixture
def running(server_db: ServerDatabase) -> Iterator[Running]:
    service = Running(server_db)
    try:
        yield service
    finally:
        if service.process.poll() is None:
            service.process.kill()
            service.process.communicate(timeout=60)


def test_a_laptop_enrols_and_pulls_its_scope_from_a_real_server(
    server_db: ServerDatabase, running: Running
) -> None:
    db = server_db
    framework = db.framework()
    team_a, team_b = db.team("Northshire Child Protection A"), db.team("Northshire CP B")
    ada, ben = db.person("Ada Okafor", team_a), db.person("Ben Hughes", team_b)
    db.person("Priya Shah")
    tom = db.person("Tom Reed")
    of_ada = db.observation(framework, of=ada, by=tom, reflection="Confident with the family")
    of_ben = db.observation(framework, of=ben, by=tom)

    enrolled = observer_server(
        "enrol",
        "--person",
        "priya  shah",
        "--role",
        "practice_lead",
        "--team",
        "Northshire Child Protection A",
        database=db.url(),
    )
    assert enrolled.returncode == 0, enrolled.stderr
    code = re.search(r"Enrolment code .*: ([A-Z0-9-]+)$", enrolled.stdout, re.M)
    assert code is not None, enrolled.stdout

    with httpx.Client(base_url=running.url, timeout=30) as client:
        health = client.get("/health")
        assert health.json() == {
            "status": "ok",
            "server_schema": EXPECTED_SCHEMA,
            "protocol": "v2",
            "protocols": ["v1", "v2"],
        }
        joined = client.post("/sync/v1/enrol", json={"code": code[1], "laptop_name": "PS-01"})
        assert joined.status_code == 201, joined.text
        token = joined.json()["token"]
        assert joined.json()["teams"] == [
            {"id": str(team_a), "name": "Northshire Child Protection A"}
        ]
        again = client.post("/sync/v1/enrol", json={"code": code[1], "laptop_name": "PS-02"})
        assert again.status_code == 403

        auth = {"Authorization": f"Bearer {token}"}
        page = client.get("/sync/v1/pull", headers=auth).json()
        assert [o["id"] for o in page["observations"]] == [str(of_ada)]
        assert page["observations"][0]["reflection"] == "Confident with the family"
        assert page["more"] is False
        empty = client.get("/sync/v1/pull", params={"after": page["cursor"]}, headers=auth)
        assert empty.json()["observations"] == []

        def pull(after: str) -> dict[str, Any]:
            got: dict[str, Any] = client.get(
                "/sync/v1/pull", params={"after": after}, headers=auth
            ).json()
            return got

        # Ben moves into Priya's team: his history comes with him
        with db.owner.begin() as conn:
            conn.execute(
                update(schema.people).where(schema.people.c.id == ben).values(team_id=team_a)
            )
        moved = pull(page["cursor"])
        assert {o["id"] for o in moved["observations"]} == {str(of_ben)}
        assert moved["withdrawn"] == []

        # a slow writer holds its transaction open while a quick one commits
        slow = db.owner.connect()
        try:
            slow.begin()
            late = uuid.uuid4()
            slow.execute(
                insert(schema.observations).values(
                    id=late,
                    observed_person_id=ada,
                    observer_id=tom,
                    framework_id=framework.id,
                    kind="home_visit",
                    observed_at=func.now(),
                )
            )
            quick = db.observation(framework, of=ada, by=tom)
            during = pull(moved["cursor"])
            assert during["observations"] == []
            slow.commit()
        finally:
            slow.close()
        caught_up = pull(during["cursor"])
        assert {o["id"] for o in caught_up["observations"]} == {str(late), str(quick)}

        broken = client.post(
            "/sync/v1/enrol", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400
        assert broken.json()["message"] == "The request is not valid JSON."
        huge = client.post(
            "/sync/v1/enrol",
            content=b"x" * 5_000_000,
            headers={"Content-Type": "application/json"},
        )
        assert huge.status_code == 413
        forged = client.get("/sync/v1/pull", headers={"Authorization": "Bearer forged"})
        assert forged.status_code == 401
        assert client.get("/sync/v9/pull", headers=auth).json()["error"] == "protocol"

    # uvicorn shuts down gracefully, then ends by the signal it was sent (as systemd expects)
    assert running.stop() in (0, -signal.SIGTERM)
    log = "".join(running.log)
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
    for secret in ("Priya", "Ada", "Confident", token, code[1]):
        assert secret not in log
    assert joined.json()["laptop_id"] in log


def test_two_worker_processes_share_the_port_and_answer_laptops_at_once(
    server_db: ServerDatabase,
) -> None:
    """A sync is mostly the service's own Python, which one process runs on one CPU at a
    time: `--workers` runs more processes, each answering any laptop (none keeps state)."""
    db = server_db
    team = db.team("Northshire Child Protection A")
    worker, lead = db.person("Ada Okafor", team), db.person("Priya Shah")
    db.observation(db.framework(), of=worker, by=lead)
    laptop, token = db.laptop(lead, "practice_lead", (team,)), "a-device-token-of-priyas"
    with db.owner.begin() as conn:
        laptop_row = schema.laptops.c.id == laptop
        conn.execute(update(schema.laptops).where(laptop_row).values(token_hash=token_hash(token)))
    service = Running(db, "--workers", "2")
    try:
        workers = _children(service.process.pid)
        assert len(workers) == 2

        def pull(_: int) -> tuple[int, int]:
            with httpx.Client(base_url=service.url, timeout=30) as client:
                got = client.get("/sync/v2/pull", headers={"Authorization": f"Bearer {token}"})
            return got.status_code, len(got.json().get("observations", []))

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(pull, range(24)))
        assert answers == [(200, 1)] * 24
        assert _children(service.process.pid) == workers
    finally:
        code = service.stop()
    assert code in (0, -signal.SIGTERM)
    log = "".join(service.log)
    assert log.count("Application startup complete") == 2
    assert "Traceback" not in log
    assert "Priya" not in log
    assert "Ada" not in log


def test_a_worker_opens_its_pool_before_the_first_laptop_comes(server_db: ServerDatabase) -> None:
    """A new connection reads PostgreSQL's catalogue as it first plans each statement: the
    first laptops after a start waited for it. The pool is open, and planned, at start."""
    service = Running(server_db, "--workers", "1")
    try:
        with server_db.owner.connect() as conn:
            open_now = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE usename = :role"),
                {"role": SERVICE_ROLE},
            ).scalar_one()
        assert open_now == POOL_SIZE
    finally:
        assert service.stop() in (0, -signal.SIGTERM)
    assert "Traceback" not in "".join(service.log)


def test_serve_refuses_a_number_of_workers_it_cannot_run(server_db: ServerDatabase) -> None:
    done = observer_server("serve", "--workers", "0", database=server_db.url(SERVICE_ROLE))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "observer-server serve: argument --workers: give a whole number from 1 to 8 "
        "(see observer-server --help)"
    )


def _children(pid: int) -> set[int]:
    """The worker processes uvicorn started (not multiprocessing's resource tracker)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {
        int(child)
        for child in found
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def test_serve_refuses_the_tables_owner(server_db: ServerDatabase) -> None:
    done = observer_server("serve", "--port", str(free_port()), database=server_db.url())
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "observer-server: Serve as the service's role (observer_service), not as "
        "observer_owner: that role would see every laptop's records (docs/server.md)."
    )


def test_serve_refuses_a_schema_it_was_not_written_for(server_db: ServerDatabase) -> None:
    assert EXPECTED_SCHEMA == HEAD
    with server_db.owner.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    done = observer_server(
        "serve", "--port", str(free_port()), database=server_db.url(SERVICE_ROLE)
    )
    assert done.returncode == 2
    assert "The database's schema is 0002" in done.stderr
    assert "run observer-server migrate" in done.stderr
    assert "Traceback" not in done.stderr
