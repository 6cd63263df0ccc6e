"""Who may see which laptops, and when each last synced: the team overview's line.

A manager reading the team overview needs to know which laptops of their team have not
synced for a while and may hold records the server has not got. `last_synced_at` is when
a laptop last pulled to the end of the feed (a laptop pushes, then pulls, so reaching the
end means its sync went through); `last_seen_at` stays what it was, any request with the
laptop's token. Laptops enrolled before this have no record of it: their last sighting is
the best estimate there is, and is taken.

Who sees a laptop's row (beside the laptop itself, as before): a `service` role every
unrevoked laptop; a `team_manager` those of people in the teams they are assigned to
(people whose team it is, and practice leads or managers assigned to it) and their own; a
`practice_lead` their own person's. The people are looked up by a function running as the
owner (the caller may see only their own team assignments), once a statement.

`observer_laptop_synced()` records the caller's own sync; the service may not update
laptops itself.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"

FUNCTIONS = f"""
CREATE FUNCTION observer_caller_colleagues() RETURNS uuid[]
LANGUAGE plpgsql STABLE {DEFINER} AS $$
DECLARE
    me uuid := observer_caller_person();
    my_role text := observer_caller_role();
    my_teams uuid[] := observer_caller_teams();
    found uuid[];
BEGIN
    IF me IS NULL OR my_role IS NULL THEN
        RETURN '{{}}';
    END IF;
    IF my_role <> 'team_manager' THEN
        RETURN ARRAY[me];
    END IF;
    SELECT array_agg(DISTINCT q.id) INTO found FROM (
        SELECT me AS id
        UNION SELECT p.id FROM people p WHERE p.team_id = ANY (my_teams)
        UNION SELECT a.person_id FROM team_assignments a WHERE a.team_id = ANY (my_teams)
    ) q;
    RETURN found;
END
$$;
CREATE FUNCTION observer_laptop_synced() RETURNS timestamptz
LANGUAGE sql VOLATILE {DEFINER} AS $$
    UPDATE laptops SET last_synced_at = now()
    WHERE id = observer_caller_laptop()
    RETURNING last_synced_at
$$;
REVOKE EXECUTE ON FUNCTION observer_laptop_synced() FROM PUBLIC;
"""

POLICY = """
CREATE POLICY colleagues ON laptops FOR SELECT USING (
    revoked_at IS NULL AND (
        (SELECT observer_caller_role()) = 'service'
        OR person_id = ANY ((SELECT observer_caller_colleagues())::uuid[])
    )
)
"""


def upgrade() -> None:
    op.add_column("laptops", sa.Column("last_synced_at", sa.TIMESTAMP(timezone=True)))
    op.execute("UPDATE laptops SET last_synced_at = last_seen_at")
    op.execute(FUNCTIONS)
    op.execute(POLICY)


def downgrade() -> None:
    op.execute("DROP POLICY colleagues ON laptops")
    op.execute("DROP FUNCTION observer_laptop_synced(), observer_caller_colleagues()")
    op.drop_column("laptops", "last_synced_at")
