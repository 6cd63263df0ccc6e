"""A team pushed before its manager: the manager is kept pending and set when their row
arrives.

A laptop's new team names its manager, and the manager's row names the team, so one of the
two reaches the server first. The team comes first, with `pending_manager_id`; when a
person of that id is added, a trigger (running as the owner, since only a service role may
change a team) makes them its manager, and the team's row goes out in the feed again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FILL = """
CREATE FUNCTION observer_fill_pending_manager() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE teams SET manager_id = NEW.id, pending_manager_id = NULL
    WHERE pending_manager_id = NEW.id;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_fill_pending_manager() FROM PUBLIC;
CREATE TRIGGER fill_pending_manager AFTER INSERT ON people
FOR EACH ROW EXECUTE FUNCTION observer_fill_pending_manager();
"""


def upgrade() -> None:
    op.add_column("teams", sa.Column("pending_manager_id", sa.UUID(), nullable=True))
    op.execute(FILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER fill_pending_manager ON people")
    op.execute("DROP FUNCTION observer_fill_pending_manager()")
    op.drop_column("teams", "pending_manager_id")
