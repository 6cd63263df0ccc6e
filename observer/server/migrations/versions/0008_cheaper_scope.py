"""Row-level security made cheap enough for a pull of thousands of records: the caller
looked up once a call without being planned again, and a record's parts checked row by row.

The caller's functions of 0002 (`observer_caller_laptop`, `_person`, `_role`, `_teams`)
were SQL functions that run as the owner, so PostgreSQL could not inline them and planned
their queries afresh at every call, each through the ones below it: 3 to 6 ms a call, and a
pull's statement calls them a dozen times. As PL/pgSQL they keep their plans for the
connection's life (tens of microseconds a call); what they return is unchanged.

Ratings, actions, signatures, addenda, conflicts and an action's standards are seen with
their observation, checked row by row rather than by hashing every observation the caller
sees.

The policies of 0002 say `EXISTS (SELECT 1 FROM observations o WHERE o.id = …)`. PostgreSQL
may plan that as a hashed subplan: every observation the caller sees read once a
statement, so a pull's page of 200 records read every observation of the server three
times (113 ms a query among 100,000 observations, growing with the server). With
`OFFSET 0` the subquery cannot be turned into a hash or a join, and each row asks the
observations' primary key (38 ms for the same page). Who sees what is unchanged: the
subquery still reads observations through their own row-level security.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FOLLOWING = {
    "ratings": ("observations", "observation_id"),
    "actions": ("observations", "observation_id"),
    "signatures": ("observations", "observation_id"),
    "addenda": ("observations", "observation_id"),
    "conflicts": ("observations", "observation_id"),
    "action_standards": ("actions", "action_id"),
}


def _scope(table: str, row_by_row: bool) -> str:
    parent, column = FOLLOWING[table]
    alias = parent[0]
    offset = " OFFSET 0" if row_by_row else ""
    return (
        f"ALTER POLICY scope ON {table} USING (EXISTS (SELECT 1 FROM {parent} {alias} "
        f"WHERE {alias}.id = {table}.{column}{offset}))"
    )


DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"
# Each function: what it returns, the function naming whom it is about (looked up once,
# into `me`, rather than once a row of the table it reads), and its query.
CALLER = {
    "observer_caller_laptop": (
        "uuid",
        "nullif(current_setting('observer.laptop_id', true), '')::uuid",
        "SELECT l.id FROM laptops l WHERE l.id = :me AND l.revoked_at IS NULL",
    ),
    "observer_caller_person": (
        "uuid",
        "observer_caller_laptop()",
        "SELECT l.person_id FROM laptops l WHERE l.id = :me",
    ),
    "observer_caller_role": (
        "text",
        "observer_caller_person()",
        "SELECT r.role FROM person_roles r WHERE r.person_id = :me",
    ),
    "observer_caller_teams": (
        "uuid[]",
        "observer_caller_person()",
        "SELECT coalesce(array_agg(a.team_id), '{}') FROM team_assignments a "
        "WHERE a.person_id = :me",
    ),
}


def _caller(name: str, plpgsql: bool) -> str:
    returns, whom, query = CALLER[name]
    if not plpgsql:  # as 0002 made it
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS {returns} "
            f"LANGUAGE sql STABLE {DEFINER} AS $${query.replace(':me', whom)}$$"
        )
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS {returns} "
        f"LANGUAGE plpgsql STABLE {DEFINER} AS $$\n"
        f"DECLARE\n    me uuid := {whom};\n    found {returns};\n"
        f"BEGIN\n    {query.replace(' FROM ', ' INTO found FROM ', 1).replace(':me', 'me')};\n"
        "    RETURN found;\nEND\n$$"
    )


def upgrade() -> None:
    for name in CALLER:
        op.execute(_caller(name, plpgsql=True))
    for table in FOLLOWING:
        op.execute(_scope(table, row_by_row=True))


def downgrade() -> None:
    for table in FOLLOWING:
        op.execute(_scope(table, row_by_row=False))
    for name in CALLER:
        op.execute(_caller(name, plpgsql=False))
