"""The change feed's epoch: a restored database starts a new one, and laptops pull again.

The feed orders rows by the transaction that wrote them (`written_xid`). A database
restored from pg_dump into another PostgreSQL cluster keeps its rows' transaction ids
while the new cluster counts its own from the start: new writes would sort before old
rows, old rows above the new snapshot's xmin would be held back, and a laptop's cursor
would pass over new rows. A restore into the same cluster brings back an older state
that laptops' cursors have already passed.

`server_epoch` holds one row: the epoch that every cursor carries, and where the database
was when the epoch began (`observer_cluster_identity()`: the cluster's system identifier,
the database's oid and this table's oid, none of which a dump copies). `migrate` compares
it with where the database is now; when they differ it restamps the feed's rows and
starts a new epoch (observer/server/epoch.py). The service's role reads the epoch only
through `observer_epoch()`, which is null until that has been done, so it never serves
a restored database's stale order.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE server_epoch (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch bigint NOT NULL,
    cluster_identity text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    reason varchar(40) NOT NULL
)
"""
    )
    op.execute("ALTER TABLE server_epoch ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE server_epoch FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY owner_all ON server_epoch TO CURRENT_USER USING (true) WITH CHECK (true)"
    )
    # A managed PostgreSQL may refuse pg_control_system(): the two oids still change with
    # any restore by pg_restore.
    op.execute(
        f"""
CREATE FUNCTION observer_cluster_identity() RETURNS text LANGUAGE plpgsql STABLE {DEFINER} AS $$
DECLARE
    cluster text;
BEGIN
    BEGIN
        SELECT system_identifier::text INTO cluster FROM pg_control_system();
    EXCEPTION WHEN insufficient_privilege THEN
        cluster := 'unknown';
    END;
    RETURN cluster
        || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())::text
        || '/' || 'public.server_epoch'::regclass::oid::text;
END
$$;

CREATE FUNCTION observer_epoch() RETURNS bigint LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT epoch FROM server_epoch WHERE cluster_identity = observer_cluster_identity()
$$;
REVOKE EXECUTE ON FUNCTION observer_cluster_identity() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION observer_epoch() FROM PUBLIC;
"""
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION observer_epoch, observer_cluster_identity")
    op.execute("DROP TABLE server_epoch")
