"""A conflict settled on a laptop is settled on the server (protocol v2): who settled it
and how, and only by someone it concerns.

- `conflicts.resolved_by` (the person who settled it) and `conflicts.resolution` (how: the
  settling laptop's choice), beside `resolved_at`, which nothing set before;
- a conflict's author (whose push found it, `person_id`) may settle it, as its record's
  writer and a service-wide role already may (0004's `writer_changes`): policy `author_settles`;
- a trigger keeps a settlement to that: anyone but the owner may only settle an open
  conflict, once, in their own name (resolved_at, resolved_by, resolution), and change
  nothing else of it (SQLSTATE 42501), even if the service had a bug.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PERSON = "(SELECT observer_caller_person())"
FOLLOWS = "EXISTS (SELECT 1 FROM observations o WHERE o.id = observation_id)"
AUTHOR = f"(person_id = {PERSON} AND {FOLLOWS})"

SETTLE_ONLY = """
CREATE FUNCTION observer_settle_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['server_revision', 'written_xid', 'resolved_at', 'resolved_by',
                         'resolution'];
BEGIN
    IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID),
                   'USAGE') THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
       OR OLD.resolved_at IS NOT NULL
       OR NEW.resolved_at IS NULL
       OR NEW.resolution IS NULL
       OR NEW.resolved_by IS DISTINCT FROM observer_caller_person() THEN
        RAISE EXCEPTION 'a conflict may only be settled, once, in the name of whoever settles it'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
"""


def upgrade() -> None:
    op.add_column(
        "conflicts",
        sa.Column(
            "resolved_by",
            UUID(as_uuid=True),
            sa.ForeignKey("people.id", name=op.f("fk_conflicts_resolved_by_people")),
        ),
    )
    op.add_column("conflicts", sa.Column("resolution", sa.String(20)))
    op.execute(
        "CREATE POLICY author_settles ON conflicts FOR UPDATE "
        f"USING ({AUTHOR}) WITH CHECK ({AUTHOR})"
    )
    op.execute(SETTLE_ONLY)
    op.execute(
        "CREATE TRIGGER observer_10_settle_only BEFORE UPDATE ON conflicts "
        "FOR EACH ROW EXECUTE FUNCTION observer_settle_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER observer_10_settle_only ON conflicts")
    op.execute("DROP FUNCTION observer_settle_only()")
    op.execute("DROP POLICY author_settles ON conflicts")
    op.drop_column("conflicts", "resolution")
    op.drop_column("conflicts", "resolved_by")
