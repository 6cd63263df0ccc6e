"""The team server's tests run against a real PostgreSQL 15: one throwaway cluster per test
process (tests/support/postgres.py), with the two roles docs/server.md asks IT to make.
The schema is migrated once, into a template database; each test gets its own copy of
it (CREATE DATABASE … TEMPLATE, a file copy), dropped afterwards."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from observer.server import epoch
from observer.server.database import database_url, make_engine
from observer.server.migrate import migrate
from tests.support.postgres import OWNER_ROLE, SERVICE_ROLE, Cluster
from tests.support.server import ServerDatabase

TEMPLATE = "observer_template"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    cluster = Cluster.start()
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            conn.execute(f"CREATE DATABASE {TEMPLATE} OWNER {OWNER_ROLE}")
        engine = make_engine(database_url(cluster.url(OWNER_ROLE, TEMPLATE)))
        try:
            migrate(engine, SERVICE_ROLE)
        finally:
            engine.dispose()
        yield cluster
    finally:
        cluster.stop()


def _new_database(cluster: Cluster, template: str) -> str:
    name = f"test_{next(_numbers)}"
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER_ROLE}")
    return name


def _drop(cluster: Cluster, name: str, *engines: Engine) -> None:
    for engine in engines:
        engine.dispose()
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def server_db(postgres: Cluster) -> Iterator[ServerDatabase]:
    """A migrated server database of this test's own, reached as the owner and as the
    service's role."""
    name = _new_database(postgres, TEMPLATE)
    db = ServerDatabase.connect(postgres, name)
    # A copy of the template is another database: the feed starts its epoch here, as
    # migrate would (observer/server/epoch.py).
    with db.owner.begin() as conn:
        epoch.check(conn)
    try:
        yield db
    finally:
        _drop(postgres, name, db.owner, db.service)


@pytest.fixture
def empty_db(postgres: Cluster) -> Iterator[str]:
    """The URL, as the owner, of a database of this test's own that has no tables yet."""
    name = _new_database(postgres, "template0")
    try:
        yield postgres.url(OWNER_ROLE, name)
    finally:
        _drop(postgres, name)
