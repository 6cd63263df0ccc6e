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

from sqlalchemy import Engine, text

from observer.errors import ObserverError
from observer.server import epoch
from observer.server.database import make_engine, shown

EXPECTED_SCHEMA = "0014"
POOL_SIZE = 20


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


def serve(engine: Engine, host: str, port: int) -> None:
    import uvicorn

    from observer.server.access_log import AccessLog
    from observer.server.app import create_app

    check_database(engine)
    # Connections kept open for as many requests as run at once (the thread pool's 40 at
    # most, and a sync's two transactions run one after the other): a connection made anew
    # costs a PostgreSQL process, and its first statements are planned without the
    # catalogue cached (tens of milliseconds each with row-level security).
    engine = make_engine(engine.url, pool_size=POOL_SIZE)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Our access lines instead of uvicorn's, which begin with the client's address.
    uvicorn.run(
        AccessLog(create_app(engine)),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
