"""Reaching the team server's PostgreSQL database, and saying who is asking.

Row-level security decides what each statement sees from the caller the transaction names:
`as_caller` sets `observer.laptop_id` for the current transaction only (set_config's
`is_local`), so a pooled connection never carries one laptop's caller into the next
transaction. With no caller set, the service's role sees no rows at all.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from observer.errors import ObserverError

DATABASE_VARIABLE = "OBSERVER_SERVER_DATABASE"
CALLER_SETTING = "observer.laptop_id"
CONNECT_TIMEOUT_S = 10
EXAMPLE_URL = "postgresql://observer_owner@localhost/observer"


class DatabaseUrlInvalid(ObserverError):
    pass


class DatabaseUnreachable(ObserverError):
    pass


def database_url(given: str | None) -> URL:
    """The PostgreSQL URL given, for psycopg 3; a sentence if it is not one."""
    if not given or not given.strip():
        raise DatabaseUrlInvalid(
            f"Say which database to use: --database URL or {DATABASE_VARIABLE}, "
            f"such as {EXAMPLE_URL}."
        )
    try:
        url = make_url(given.strip())
    except ArgumentError:
        raise DatabaseUrlInvalid(
            f"That is not a database URL; one looks like {EXAMPLE_URL}."
        ) from None
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in ("psycopg", ""):
        raise DatabaseUrlInvalid(
            f"The team server needs PostgreSQL, with a URL such as {EXAMPLE_URL}."
        )
    if not url.database:
        raise DatabaseUrlInvalid(f"The URL names no database; one looks like {EXAMPLE_URL}.")
    return url.set(drivername="postgresql+psycopg")


def make_engine(url: URL, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    # JIT compiling a sync's small queries costs tens of milliseconds each and saves nothing:
    # row-level security's subplans make PostgreSQL overestimate them past jit_above_cost.
    return create_engine(
        url,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": "-c jit=off"},
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
    )


def shown(url: URL) -> str:
    """The URL as a message may show it: never its password."""
    return url.render_as_string(hide_password=True).replace("postgresql+psycopg", "postgresql")


def unreachable(url: URL, error: DBAPIError) -> DatabaseUnreachable:
    """One sentence for a database that could not be reached or refused the login."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else "no reason given"
    reason = reason.removeprefix("connection failed: ").rstrip(".")
    return DatabaseUnreachable(f"Could not use the database {shown(url)}: {reason}.")


def as_caller(conn: Connection, laptop_id: uuid.UUID) -> None:
    """Names the laptop (and so the person) asking, for this transaction only."""
    conn.execute(select(func.set_config(CALLER_SETTING, str(laptop_id), True)))
