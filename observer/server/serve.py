"""`observer-server serve`: the sync service on uvicorn, after checking that the database
is one it may serve from.

The service must connect as the service's role: the tables' owner sees every row through
its own policy whatever caller a transaction names, and a superuser or a role that
bypasses row-level security would too. It also refuses a database whose schema is not the
one this version was written for (run migrate first), or one restored since it was last
migrated (migrate restamps the change feed: observer/server/epoch.py).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sqlalchemy import Engine, text

from observer.errors import ObserverError
from observer.server import epoch
from observer.server.database import DATABASE_VARIABLE, database_url, make_engine, shown

EXPECTED_SCHEMA = "0016"
POOL_SIZE = 20
OVERFLOW = 10
MAX_WORKERS = 4  # by default
MOST_WORKERS = 8  # given with --workers
_WORKERS_VARIABLE = "OBSERVER_SERVER_WORKERS"


class CannotServe(ObserverError):
    pass


def check_database(engine: Engine) -> None:
    with engine.connect() as conn:
        me, superuser, bypass = conn.execute(
            text(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).one()
        owner = conn.execute(
            text(
                "SELECT tableowner FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename = 'laptops'"
            )
        ).scalar_one_or_none()
        if owner is None:
            raise CannotServe(
                f"The database {shown(engine.url)} has no team server schema yet: "
                "run observer-server migrate as the tables' owner."
            )
        if owner == me or superuser or bypass:
            raise CannotServe(
                f"Serve as the service's role (observer_service), not as {me}: "
                "that role would see every laptop's records (docs/server.md)."
            )
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if version != EXPECTED_SCHEMA:
            raise CannotServe(
                f"The database's schema is {version}, and this observer-server serves "
                f"{EXPECTED_SCHEMA}: run observer-server migrate "
                "(or install the matching version)."
            )
        if epoch.current(conn) is None:
            raise CannotServe(
                "The database was restored, or moved to another PostgreSQL cluster, since it "
                "was last migrated: run observer-server migrate as the tables' owner first "
                "(docs/server.md)."
            )


def serve(engine: Engine, host: str, port: int, workers: int = 1) -> None:
    """The service on host:port in `workers` processes, once the database is one it may
    serve from."""
    import uvicorn

    check_database(engine)
    engine.dispose()  # the workers make their own; this process only watches them
    # Each worker reads the database from the environment, as `application` does; the URL
    # given by --database too, with its password, which stays in this process's children.
    os.environ[DATABASE_VARIABLE] = engine.url.render_as_string(hide_password=False)
    os.environ[_WORKERS_VARIABLE] = str(workers)
    _configure_logging()
    # Our access lines instead of uvicorn's, which begin with the client's address.
    uvicorn.run(
        f"{__name__}:application",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


def application() -> Any:
    """The service as one worker process runs it (uvicorn calls this in each)."""
    from observer.server.access_log import AccessLog
    from observer.server.app import create_app

    _configure_logging()
    workers = int(os.environ.get(_WORKERS_VARIABLE, "1"))
    # Connections kept open for as many requests as a worker runs at once (its thread
    # pool's 40 at most, and a sync's transactions run one after the other): a connection
    # made anew costs a PostgreSQL process, and its first statements are planned without
    # the catalogue cached (tens of milliseconds each with row-level security). The
    # workers share POOL_SIZE and OVERFLOW, so that however many there are, the service
    # holds at most 30 of PostgreSQL's 100 connections (its default max_connections).
    url = database_url(os.environ.get(DATABASE_VARIABLE))
    engine = make_engine(
        url, pool_size=max(2, POOL_SIZE // workers), max_overflow=max(1, OVERFLOW // workers)
    )
    return AccessLog(create_app(engine))


def default_workers() -> int:
    """One worker process for each CPU this process may use, at most MAX_WORKERS: a sync is
    mostly Python (the service's work, not PostgreSQL's), and one process runs Python on
    one CPU at a time."""
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
