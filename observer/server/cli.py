"""`observer-server`: the team server's administration, for council IT and scripts.

    observer-server [--database URL] migrate [--service-role NAME] [--restored]
    observer-server [--database URL] enrol --person NAME_OR_ID --role ROLE [--team NAME]...
    observer-server [--database URL] laptops [--json]
    observer-server [--database URL] revoke LAPTOP
    observer-server [--database URL] serve [--host H] [--port P]
    observer-server [--database URL] import BUNDLE [--passphrase-file F] [--json]
    observer-server [--database URL] merge-people KEEP DUPLICATE [--json]
    observer-server [--database URL] retention show|set|preview|apply [--json]
    observer-server [--database URL] audit verify [--json]

The database comes from --database or OBSERVER_SERVER_DATABASE. Exit codes: 0 done, 1 a
check failed (audit verify), 2 bad input or a database that cannot be used, with one
sentence on stderr, never a traceback. The administrator's commands are in
observer/server/admin_cli.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from observer.errors import ObserverError
from observer.server.database import (
    DATABASE_VARIABLE,
    database_url,
    make_engine,
    shown,
    unreachable,
)
from observer.server.epoch import DECLARED as DECLARED_RESTORE
from observer.server.epoch import FIRST as FIRST_EPOCH
from observer.server.schema import SERVER_ROLES

PROG = "observer-server"
EXIT_OK = 0
EXIT_BAD_INPUT = 2
UNDEFINED_TABLE = "42P01"
PERMISSION_DENIED = "42501"
SIGNED_RECORD = "OB001"
AUDIT_TRAIL = "OB002"


class NotMigrated(ObserverError):
    pass


class NotOwner(ObserverError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {PROG} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    # --database is accepted before or after the command's name.
    database = _Parser(add_help=False)
    database.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=f"the PostgreSQL database (default: ${DATABASE_VARIABLE})",
    )
    parser = _Parser(
        prog=PROG,
        description="Practice Observer's team server: its PostgreSQL database and laptops.",
        parents=[database],
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    migrate = commands.add_parser(
        "migrate",
        parents=[database],
        help="create or upgrade the schema and set the service role's privileges",
    )
    migrate.add_argument(
        "--service-role",
        metavar="NAME",
        default="observer_service",
        help="the role the service connects as (default: observer_service)",
    )
    migrate.add_argument(
        "--restored",
        action="store_true",
        help="say the database was restored in a way it cannot show (a virtual machine's "
        "snapshot, a physical backup): laptops pull everything again",
    )
    enrol = commands.add_parser(
        "enrol",
        parents=[database],
        help="give a person a role and teams, and print a one-time code for their laptop",
    )
    enrol.add_argument("--person", required=True, metavar="NAME_OR_ID")
    enrol.add_argument("--role", required=True, choices=SERVER_ROLES)
    enrol.add_argument(
        "--team",
        action="append",
        default=[],
        metavar="NAME",
        help="a team whose workers' records they see (repeat for more)",
    )
    laptops = commands.add_parser("laptops", parents=[database], help="list enrolled laptops")
    laptops.add_argument("--json", action="store_true", help="as JSON, for scripts")
    revoke = commands.add_parser(
        "revoke", parents=[database], help="stop a laptop syncing (its id, or its beginning)"
    )
    revoke.add_argument("laptop", metavar="LAPTOP")
    serve = commands.add_parser(
        "serve",
        parents=[database],
        help="run the sync service (connect as the service's role, not the owner)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8470, help="port to listen on (8470)")
    serve.add_argument(
        "--workers",
        type=_workers,
        help="processes serving requests (default: one for each CPU, at most 4)",
    )
    from observer.server.admin_cli import admin_arguments

    admin_arguments(commands, database)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        url = database_url(getattr(args, "database", None) or os.environ.get(DATABASE_VARIABLE))
        engine = make_engine(url)
        try:
            return _run(args, engine)
        except DBAPIError as exc:
            return _fail(_database_problem(exc, url))
        finally:
            engine.dispose()
    except ObserverError as exc:
        return _fail(str(exc))


def _run(args: argparse.Namespace, engine: Engine) -> int:
    try:
        engine.connect().close()
    except DBAPIError as exc:
        raise unreachable(engine.url, exc) from None
    if args.command == "migrate":
        from observer.server.migrate import migrate

        done = migrate(engine, args.service_role, restored=args.restored)
        if done.before == done.after:
            print(
                f"The schema is up to date ({done.after}); privileges set for {args.service_role}."
            )
        else:
            print(
                f"Schema upgraded from {done.before or 'nothing'} to {done.after}; "
                f"privileges set for {args.service_role}."
            )
        started = done.new_epoch
        if started is not None and started.reason != FIRST_EPOCH:
            how = (
                "A restore was declared"
                if started.reason == DECLARED_RESTORE
                else "This database was restored or moved since it was last migrated"
            )
            print(
                f"{how}: {started.restamped} rows restamped for the change feed; every laptop "
                "will pull again from the beginning at its next sync."
            )
        return EXIT_OK
    if args.command == "serve":
        from observer.server.serve import default_workers, serve

        serve(engine, args.host, args.port, args.workers or default_workers())
        return EXIT_OK
    from observer.server.admin_cli import ADMIN_COMMANDS

    commands: dict[str, Callable[[argparse.Namespace, Connection], int | None]] = {
        "enrol": _enrol,
        "laptops": _laptops,
        "revoke": _revoke,
        **ADMIN_COMMANDS,
    }
    with engine.begin() as conn:
        _check_owner(conn, engine)
        code = commands[args.command](args, conn)
    return EXIT_OK if code is None else code


def _check_owner(conn: Connection, engine: Engine) -> None:
    """The administrator's commands run as the tables' owner: under row-level security any
    other role would see an empty server rather than be refused."""
    owner = conn.execute(
        text(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'laptops'"
        )
    ).scalar_one_or_none()
    if owner is None:
        raise NotMigrated(
            f"The database {shown(engine.url)} has no team server schema yet: run {PROG} migrate."
        )
    me = conn.execute(text("SELECT current_user")).scalar_one()
    if owner != me:
        raise NotOwner(
            f"Run {PROG}'s commands as {owner}, the role that owns the team's tables, "
            f"not as {me} (docs/server.md)."
        )


def _enrol(args: argparse.Namespace, conn: Connection) -> None:
    from observer.server.enrolment import enrol

    done = enrol(conn, args.person, args.role, args.team)
    teams = f" for {', '.join(done.teams)}" if done.teams else ""
    print(f"{done.person_name} is now {done.role.replace('_', ' ')}{teams}.")
    if done.now_managed:
        print(
            f"{done.person_name} is now the manager of {', '.join(done.now_managed)}, "
            "on every laptop at its next sync."
        )
    for team, manager in done.kept_managers:
        print(
            f"{team} already has a manager, {manager}, who stays its manager: "
            f"{done.person_name} sees its workers' records but is not named its manager."
        )
    print(f"Enrolment code (once, until {_when(done.expires_at)}): {done.code}")


def _laptops(args: argparse.Namespace, conn: Connection) -> None:
    from observer.server.enrolment import laptops

    found = laptops(conn)
    if args.json:
        print(json.dumps([_laptop_json(laptop) for laptop in found], indent=2))
        return
    if not found:
        print("No laptop is enrolled yet.")
        return
    for laptop in found:
        state = f"revoked {_when(laptop.revoked_at)}" if laptop.revoked_at else "enrolled"
        seen = _when(laptop.last_seen_at) if laptop.last_seen_at else "never"
        synced = _when(laptop.last_synced_at) if laptop.last_synced_at else "never"
        replaces = (
            f"  in place of {str(laptop.previous_laptop_id)[:8]}"
            if laptop.previous_laptop_id
            else ""
        )
        print(
            f"{str(laptop.id)[:8]}  {laptop.person_name}  ({laptop.role or 'no role'})  "
            f"{state}  last seen {seen}  last synced {synced}  "
            f"conflicts open {laptop.open_conflicts}{replaces}"
        )


def _laptop_json(laptop: Any) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": str(laptop.id),
        "person_id": str(laptop.person_id),
        "person": laptop.person_name,
        "role": laptop.role,
        "name": laptop.name,
        "enrolled_at": iso(laptop.enrolled_at),
        "last_seen_at": iso(laptop.last_seen_at),
        "last_synced_at": iso(laptop.last_synced_at),
        "revoked_at": iso(laptop.revoked_at),
        "open_conflicts": laptop.open_conflicts,
        "in_place_of": (
            None if laptop.previous_laptop_id is None else str(laptop.previous_laptop_id)
        ),
    }


def _revoke(args: argparse.Namespace, conn: Connection) -> None:
    from observer.server.enrolment import revoke

    laptop, now = revoke(conn, args.laptop)
    assert laptop.revoked_at is not None
    if now:
        print(
            f"Revoked {laptop.person_name}'s laptop {laptop.id}: it can no longer sync, and "
            "joins again only with a new code for them (observer-server enrol --person "
            f"{laptop.person_id} …), keeping what waits on it."
        )
    else:
        print(
            f"{laptop.person_name}'s laptop {laptop.id} was already revoked "
            f"({_when(laptop.revoked_at)})."
        )


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y %H:%M %Z").strip()


def _database_problem(exc: DBAPIError, url: Any) -> str:
    code = getattr(exc.orig, "sqlstate", None)
    if code == UNDEFINED_TABLE:
        return f"The database {shown(url)} has no team server schema yet: run {PROG} migrate."
    if code == PERMISSION_DENIED:
        return (
            f"The role in {shown(url)} may not do this: run {PROG}'s commands as the role "
            "that owns the team's tables (docs/server.md)."
        )
    if code in (SIGNED_RECORD, AUDIT_TRAIL):
        # A trigger refused it (docs/server.md, "What can never change"); nothing was written.
        refused = str(exc.orig).strip().splitlines()[0] if exc.orig else "no reason given"
        return f"The database refused the change, and nothing was written: {refused}."
    if isinstance(exc.orig, Exception) and exc.connection_invalidated:
        return str(unreachable(url, exc))
    raise exc


def _workers(given: str) -> int:
    from observer.server.serve import MOST_WORKERS

    if not given.isdigit() or not 1 <= int(given) <= MOST_WORKERS:
        raise argparse.ArgumentTypeError(f"give a whole number from 1 to {MOST_WORKERS}")
    return int(given)


def _fail(message: str) -> int:
    print(f"{PROG}: {' '.join(message.splitlines())}", file=sys.stderr)
    return EXIT_BAD_INPUT
