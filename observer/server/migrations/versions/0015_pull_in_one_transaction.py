"""A pull reads in one transaction: the laptop is recognised by a function that only reads.

Until now every request first ran `observer_authenticate`, which writes the laptop's
`last_seen_at`, in a transaction of its own, and the end of a pull wrote `last_synced_at`
in another: three transactions for a pull that finds nothing new. With fifty laptops
syncing at once, that bookkeeping was most of the server's work. A pull now recognises
its laptop with `observer_token_laptop`, inside its read-only snapshot; its last page
notes both times at once (`observer_laptop_synced`), and any other page notes the
sighting only when the last one is a minute old or more (`observer_authenticate`, as
before): `last_seen_at` is kept to the minute, which is what monitoring reads it for.

And the tables a page is read from get indexes in the feed's order, (written_xid,
server_revision), in place of those on written_xid alone: the cursor's comparison becomes
an index condition and a page's first rows come with no sort. Among 20,000 people,
PostgreSQL read them all and sorted half of them for every page of a first sync. A lead's
or manager's observations get the same order under the two ways the feed finds them
(written by them; of their teams' workers), so a page reads them from the cursor on.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"

UPGRADE = f"""
CREATE FUNCTION observer_token_laptop(token_hash bytea)
RETURNS TABLE (id uuid, last_seen_at timestamptz)
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT laptops.id, laptops.last_seen_at FROM laptops
    WHERE laptops.token_hash = observer_token_laptop.token_hash AND revoked_at IS NULL
$$;
REVOKE EXECUTE ON FUNCTION observer_token_laptop(bytea) FROM PUBLIC;
CREATE OR REPLACE FUNCTION observer_laptop_synced() RETURNS timestamptz
LANGUAGE sql VOLATILE {DEFINER} AS $$
    UPDATE laptops SET last_synced_at = now(), last_seen_at = now()
    WHERE id = observer_caller_laptop()
    RETURNING last_synced_at
$$;
"""

DOWNGRADE = f"""
DROP FUNCTION observer_token_laptop(bytea);
CREATE OR REPLACE FUNCTION observer_laptop_synced() RETURNS timestamptz
LANGUAGE sql VOLATILE {DEFINER} AS $$
    UPDATE laptops SET last_synced_at = now()
    WHERE id = observer_caller_laptop()
    RETURNING last_synced_at
$$;
"""


FEED_TABLES = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "tombstones",
    "conflicts",
)
SCOPE_INDEXES = {
    "ix_observations_observer_feed": "observer_id",
    "ix_observations_person_feed": "observed_person_id",
}


def upgrade() -> None:
    op.execute(UPGRADE)
    for table in FEED_TABLES:
        op.create_index(f"ix_{table}_feed", table, ["written_xid", "server_revision"])
        op.drop_index(f"ix_{table}_written_xid", table_name=table)
    for name, column in SCOPE_INDEXES.items():
        op.create_index(name, "observations", [column, "written_xid", "server_revision"])
    op.drop_index("ix_observations_observer_id", table_name="observations")


def downgrade() -> None:
    op.create_index("ix_observations_observer_id", "observations", ["observer_id"])
    for name in SCOPE_INDEXES:
        op.drop_index(name, table_name="observations")
    for table in FEED_TABLES:
        op.create_index(f"ix_{table}_written_xid", table, ["written_xid"])
        op.drop_index(f"ix_{table}_feed", table_name=table)
    op.execute(DOWNGRADE)
