"""`migrate` makes the server's schema as observer/server/schema.py describes it, with row
security forced on every table and the service's role given exactly what it needs; run
again, it changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from observer.server import schema
from observer.server.database import database_url, make_engine
from observer.server.migrate import SERVICE_PRIVILEGES, migrate
from observer.store import models
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase

HEAD = "0016"


def _policies_and_triggers(engine: Engine) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with engine.connect() as conn:
        policies = conn.execute(
            text("SELECT tablename, policyname, qual, with_check FROM pg_policies ORDER BY 1, 2")
        ).all()
        triggers = conn.execute(
            text(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY 1, 2"
            )
        ).all()
    return [tuple(p) for p in policies], [tuple(t) for t in triggers]


def test_migrate_makes_the_schema_and_a_second_run_changes_nothing(empty_db: str) -> None:
    engine = make_engine(database_url(empty_db))
    try:
        first = migrate(engine, SERVICE_ROLE)
        assert (first.before, first.after) == (None, HEAD)
        made = _policies_and_triggers(engine)
        assert made[0]
        assert made[1]

        again = migrate(engine, SERVICE_ROLE)
        assert (again.before, again.after) == (HEAD, HEAD)
        assert _policies_and_triggers(engine) == made
    finally:
        engine.dispose()


def test_the_migrated_database_is_what_schema_py_describes(server_db: ServerDatabase) -> None:
    with server_db.owner.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert differences == []


def test_every_table_forces_row_level_security(server_db: ServerDatabase) -> None:
    with server_db.owner.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            )
        ).all()
    assert {t.relname for t in tables} == set(SERVICE_PRIVILEGES)
    assert [t.relname for t in tables if not (t.relrowsecurity and t.relforcerowsecurity)] == []


def test_the_service_role_gets_exactly_its_privileges(server_db: ServerDatabase) -> None:
    with server_db.owner.connect() as conn:
        conn.execute(text(f"GRANT ALL ON enrolment_codes TO {SERVICE_ROLE}"))  # by hand, say
        conn.commit()
    migrate(server_db.owner, SERVICE_ROLE)
    with server_db.owner.connect() as conn:
        granted = conn.execute(
            text(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = :role"
            ),
            {"role": SERVICE_ROLE},
        ).all()
        owner = conn.execute(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'observations'")
        ).scalar_one()
    expected = {(t, p) for t, privileges in SERVICE_PRIVILEGES.items() for p in privileges}
    assert set(granted) == expected
    assert owner != SERVICE_ROLE


# The team's records, kept alike on laptops and the server. Laptop-only tables (settings,
# and the merge's own conflicts and shared states) and the server's own are not mirrored.
MIRRORED = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "ratings",
    "actions",
    "action_standards",
    "signatures",
    "addenda",
    "audit_events",
    # Issue 17's (server migration 0016); the plan's themes are rebuilt from its definition.
    "improvement_plans",
    "moderation_samples",
    "moderation_sample_items",
    "moderations",
    "moderation_ratings",
    "moderation_notes",
    "board_commentaries",
)


STORED_APART = {"observations": {"wording_names", "wording_digest"}}
LOGICAL = {"observations": {"wording_at_signing"}}


def test_the_servers_tables_hold_every_column_of_the_laptops_records(
    server_db: ServerDatabase,
) -> None:
    """A record moves between a laptop and the server field by field. The laptop keeps a
    signed record's wording in two columns and a shared table (observer/store/wording.py, to
    save room); the field that moves, and that the server keeps whole, is the one the ORM
    reads, wording_at_signing."""
    laptop = models.Base.metadata.tables
    with server_db.owner.connect() as conn:
        server = inspect(conn)
        missing = {
            name: sorted(
                (
                    ({c.name for c in laptop[name].columns} - STORED_APART.get(name, set()))
                    | LOGICAL.get(name, set())
                )
                - {c["name"] for c in server.get_columns(name)}
            )
            for name in MIRRORED
        }
    assert {t: columns for t, columns in missing.items() if columns} == {}


def test_every_synced_table_stamps_its_rows(server_db: ServerDatabase) -> None:
    with server_db.owner.connect() as conn:
        stamped = conn.execute(
            text(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'observer_50_stamp'"
            )
        ).scalars()
        assert set(stamped) == set(schema.FEED_TABLES)


def test_the_migrations_go_down_to_nothing_and_up_again(empty_db: str) -> None:
    from alembic import command
    from alembic.config import Config

    from observer.server.migrate import MIGRATIONS_DIR

    engine = make_engine(database_url(empty_db))
    try:
        migrate(engine, SERVICE_ROLE)
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            left = set(inspect(conn).get_table_names())
            functions = conn.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'observer_%'")
            ).scalar_one()
        assert (left, functions) == ({"alembic_version"}, 0)
        assert migrate(engine, SERVICE_ROLE).after == HEAD
    finally:
        engine.dispose()


def test_migration_0013_clears_the_json_nulls_that_kept_merges_off_signed_records(
    server_db: ServerDatabase,
) -> None:
    """Signed records pushed before 0013 hold ids_at_signing as JSON null, which the
    signed-record trigger would not let an administrator's merge fill in."""
    from alembic import command
    from alembic.config import Config

    from observer.server.migrate import MIGRATIONS_DIR

    db = server_db
    framework = db.framework()
    record = db.observation(framework, of=db.person("Ada Okafor"), by=db.person("Priya Shah"))
    with db.owner.begin() as conn:
        conn.execute(
            text(
                "UPDATE observations SET status = 'signed', ids_at_signing = 'null' WHERE id = :id"
            ),
            {"id": record},
        )
        before = conn.execute(
            text("SELECT server_revision FROM observations WHERE id = :id"), {"id": record}
        ).scalar_one()
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.downgrade(config, "0012")
        command.upgrade(config, "0013")
    with db.owner.connect() as conn:
        held, revision = conn.execute(
            text("SELECT ids_at_signing IS NULL, server_revision FROM observations WHERE id = :id"),
            {"id": record},
        ).one()
    assert held  # no value, rather than JSON null
    assert revision == before  # not stamped: no laptop pulls it again for nothing
