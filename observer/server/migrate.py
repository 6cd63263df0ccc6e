"""`observer-server migrate`: the server's schema brought up to date, and the service's
role given exactly the privileges it needs, in one transaction.

It runs as the role that owns the tables (docs/server.md). That role is subject to the
tables' row-level security like any other (FORCE ROW LEVEL SECURITY) and sees every row
through a policy of its own; the service's role is another, which neither owns the
tables nor bypasses row-level security, so a bug in the service cannot reach past the
policies. Running it again changes nothing; the privileges are set afresh each time, so
one granted by hand beyond these is taken back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from observer.errors import ObserverError
from observer.server import epoch
from observer.server.epoch import EpochStarted

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_SERVICE_ROLE = "observer_service"
# Two migrations of one database at once would each see the other's half-made tables.
MIGRATE_LOCK = "observer-server migrate"

_ALL = ("SELECT", "INSERT", "UPDATE", "DELETE")
# What the service's role may do to each table; row-level security then decides which rows.
SERVICE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "teams": _ALL,
    "people": _ALL,
    "frameworks": _ALL,
    "standards": _ALL,
    "rating_levels": _ALL,
    "observations": _ALL,
    "ratings": _ALL,
    "actions": _ALL,
    "action_standards": _ALL,
    "signatures": _ALL,
    "addenda": _ALL,
    "audit_events": ("SELECT", "INSERT"),
    "tombstones": ("SELECT",),
    "conflicts": ("SELECT", "INSERT", "UPDATE"),
    # last_seen_at is written by observer_authenticate, as the owner
    "laptops": ("SELECT",),
    "person_roles": ("SELECT",),
    "team_assignments": ("SELECT",),
    "enrolment_codes": (),
    "server_settings": (),
    "alembic_version": ("SELECT",),
    "applied_changes": ("SELECT", "INSERT"),
    # read through observer_epoch()
    "server_epoch": (),
    # Issue 17's records (migration 0016): a plan, a moderation and a sample are only ever
    # added; a commentary is changed in place.
    "improvement_plans": ("SELECT", "INSERT"),
    "moderation_samples": ("SELECT", "INSERT"),
    "moderation_sample_items": ("SELECT", "INSERT"),
    "moderations": ("SELECT", "INSERT"),
    "moderation_ratings": ("SELECT", "INSERT"),
    "moderation_notes": ("SELECT", "INSERT"),
    "board_commentaries": ("SELECT", "INSERT", "UPDATE"),
}
# Functions that run as the owner, for what the service may do without seeing the table:
# recognising a laptop's token and redeeming an enrolment code (migration 0002), and
# reading the feed's epoch, null on a restored database not yet migrated (0005).
SERVICE_FUNCTIONS = (
    "observer_authenticate(bytea)",
    "observer_redeem_enrolment(bytea, bytea, text)",
    # a push's receipt on the server's own chain, and a lock on a record being merged (0005)
    "observer_append_receipt(bigint, text)",
    "observer_lock_observation(uuid)",
    "observer_epoch()",
    # the caller's own sync, for the team overview (0010)
    "observer_laptop_synced()",
    # a fork receipt on the server's own chain: a laptop restored from its backup (0011)
    "observer_append_fork(integer, bigint, text, bigint, text)",
    # a laptop joining again in place of the one it was, with a rejoin receipt (0014)
    "observer_rejoin_enrolment(bytea, bytea, text, uuid, bytea, uuid)",
    # which laptop holds a token, read inside a pull's read-only snapshot (0015)
    "observer_token_laptop(bytea)",
)


class RoleRefused(ObserverError):
    """The database's roles are not set up as row-level security needs."""


class SchemaTooNew(ObserverError):
    """A newer observer-server migrated this database."""


@dataclass(frozen=True)
class Migrated:
    before: str | None
    after: str
    # A new epoch of the change feed: the first, or after a restore (observer/server/epoch.py).
    new_epoch: EpochStarted | None = None


def migrate(
    engine: Engine, service_role: str = DEFAULT_SERVICE_ROLE, restored: bool = False
) -> Migrated:
    """`restored` declares a restore the database cannot show (a virtual machine's
    snapshot, a physical backup): the feed starts a new epoch all the same."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": MIGRATE_LOCK})
        check_roles(conn, service_role)
        before = MigrationContext.configure(conn).get_current_revision()
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        if before is not None and before not in _known_revisions(config):
            raise SchemaTooNew(
                f"The database's schema ({before}) is newer than this observer-server knows; "
                "install the version that made it. Nothing was changed."
            )
        command.upgrade(config, "head")
        after = MigrationContext.configure(conn).get_current_revision()
        assert after is not None
        started = epoch.check(conn, declared_restored=restored)
        grant_service(conn, service_role)
    return Migrated(before, after, started)


def _known_revisions(config: Any) -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def check_roles(conn: Connection, service_role: str) -> None:
    me, superuser = conn.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    if superuser:
        raise RoleRefused(
            f"Run migrate as the role that owns the team's tables, not as the superuser {me}: "
            "a superuser bypasses row-level security (docs/server.md)."
        )
    service = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :name"),
        {"name": service_role},
    ).one_or_none()
    if service is None:
        raise RoleRefused(
            f"There is no role {service_role} for the service to connect as; "
            "create it first (docs/server.md)."
        )
    if (
        service_role == me
        or conn.execute(
            text("SELECT pg_has_role(:service, current_user, 'MEMBER')"), {"service": service_role}
        ).scalar_one()
    ):
        raise RoleRefused(
            f"The service's role {service_role} must not be the owner of the tables, "
            "nor a member of it: row-level security would not hold it."
        )
    if service.rolsuper or service.rolbypassrls:
        raise RoleRefused(
            f"The service's role {service_role} must be NOSUPERUSER NOBYPASSRLS: "
            "row-level security would not hold it."
        )


def grant_service(conn: Connection, service_role: str) -> None:
    role = conn.dialect.identifier_preparer.quote(service_role)
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
    conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    for table, privileges in SERVICE_PRIVILEGES.items():
        if privileges:
            conn.execute(text(f"GRANT {', '.join(privileges)} ON {table} TO {role}"))
    for function in SERVICE_FUNCTIONS:
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {role}"))
