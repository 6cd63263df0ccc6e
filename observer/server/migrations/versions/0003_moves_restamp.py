"""A worker who moves team takes their history into the feed again.

Row-level security already follows the worker's current team, but a pull only returns
rows written since the laptop's cursor: without this, the new team's manager would never
receive the records written before the move. So a change of a person's team restamps
every observation of theirs (a bookkeeping change the signed-record trigger allows), and
the next pull of whoever now sees them carries those records whole. The old team's
laptops learn of the move from the person's row (the service's pull turns it into a
withdrawal, observer/server/feed.py).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"


def upgrade() -> None:
    op.execute(
        f"""
CREATE FUNCTION observer_restamp_moved() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    UPDATE observations SET server_revision = 0 WHERE observed_person_id = NEW.id;
    RETURN NULL;
END
$$;
"""
    )
    op.execute(
        "CREATE TRIGGER observer_90_moved AFTER UPDATE OF team_id ON people FOR EACH ROW "
        "WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) "
        "EXECUTE FUNCTION observer_restamp_moved()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER observer_90_moved ON people")
    op.execute("DROP FUNCTION observer_restamp_moved")
