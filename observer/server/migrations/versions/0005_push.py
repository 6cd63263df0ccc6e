"""What a laptop's push needs: the changes applied (so a retried change answers as it did
the first time), why a record was deleted, the server's own receipt chain, a lock on a
record the caller may see but not write, and conflicts recorded by whoever pushed them.

- `applied_changes`: one row per change a laptop pushed, with the answer it was given;
  row-level security forced like every other table: a laptop reads and adds only its own.
- `tombstones.reason`: `deleted` (a draft deleted on a laptop, which a later edit brings
  back) or `removed` (taken off the server, by retention or an administrator: a push of
  it is refused).
- `observer_append_receipt(sequence, hash)`: appends a receipt of the caller's chain head
  to the server's own hash chain (laptop_id NULL), computing its sequence, previous hash
  and event hash here, under one lock, exactly as observer.governance.audit_hash does, so
  no caller chooses them.
- `observer_lock_observation(id)`: `SELECT … FOR UPDATE` of an observation as the owner.
  Row-level security applies a table's UPDATE policy to a caller's `FOR UPDATE`, so a
  manager countersigning, or a worker marking an action done, could not lock the record
  they may add to; the service calls it only for a record the caller sees.
- a conflict may be recorded by anyone who sees its record, as long as it names the
  caller's own person and laptop (a manager's countersignature can find one).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"
LAPTOP = "(SELECT observer_caller_laptop())"
FOLLOWS = "EXISTS (SELECT 1 FROM observations o WHERE o.id = observation_id)"

# The JSON array observer.governance.audit_hash.event_hash hashes, built from values that
# are all ASCII (ids, digits, hexadecimal, fixed words), so to_json's escaping is Python's.
RECEIPT = f"""
CREATE FUNCTION observer_append_receipt(head_sequence bigint, head_hash text)
RETURNS bigint LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
DECLARE
    laptop uuid := observer_caller_laptop();
    last_sequence bigint;
    last_hash text;
    event_id uuid := gen_random_uuid();
    moment timestamptz := date_trunc('microseconds', clock_timestamp());
    detail text;
    fields text;
    digest text;
BEGIN
    IF laptop IS NULL THEN
        RAISE EXCEPTION 'no laptop is named as the caller' USING ERRCODE = '42501';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.laptop_id = laptop
                   AND a.sequence = head_sequence AND a.event_hash = head_hash) THEN
        RAISE EXCEPTION 'the server holds no such event of this laptop' USING ERRCODE = '42501';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('observer receipts'));
    SELECT a.sequence, a.event_hash INTO last_sequence, last_hash FROM audit_events a
    WHERE a.laptop_id IS NULL ORDER BY a.sequence DESC LIMIT 1;
    last_sequence := coalesce(last_sequence, 0) + 1;
    last_hash := coalesce(last_hash, '');
    detail := format('{{"laptop": "%s", "sequence": %s, "hash": "%s"}}',
                     laptop, head_sequence, head_hash);
    fields := '[' || last_sequence || ',' || to_json(event_id::text)::text || ','
        || to_json(to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                   || '+00:00')::text
        || ',"observer-server","receipt","laptop",' || to_json(laptop::text)::text
        || ',' || to_json(head_hash)::text || ',' || to_json(detail)::text
        || ',' || to_json(last_hash)::text || ']';
    digest := encode(sha256(convert_to(fields, 'UTF8')), 'hex');
    INSERT INTO audit_events (id, occurred_at, actor, action, record_type, record_id,
                              content_hash, sequence, detail, previous_hash, event_hash,
                              laptop_id)
    VALUES (event_id, moment, 'observer-server', 'receipt', 'laptop', laptop, head_hash,
            last_sequence, detail, last_hash, digest, NULL);
    RETURN last_sequence;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_append_receipt(bigint, text) FROM PUBLIC;
"""

LOCK = f"""
CREATE FUNCTION observer_lock_observation(record uuid) RETURNS void
LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
BEGIN
    PERFORM 1 FROM observations o WHERE o.id = record FOR UPDATE;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_lock_observation(uuid) FROM PUBLIC;
"""


def upgrade() -> None:
    op.create_table(
        "applied_changes",
        sa.Column("change_id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "laptop_id",
            UUID(as_uuid=True),
            sa.ForeignKey("laptops.id", name="fk_applied_changes_laptop_id_laptops"),
            nullable=False,
        ),
        sa.Column("record_type", sa.String(40), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("server_revision", sa.BigInteger),
        sa.Column("conflicts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.Column(
            "applied_at",
            sa.TIMESTAMP(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("change_id", name="pk_applied_changes"),
    )
    op.create_index("ix_applied_changes_laptop_id", "applied_changes", ["laptop_id"])
    op.add_column(
        "tombstones",
        sa.Column("reason", sa.String(20), nullable=False, server_default="deleted"),
    )
    op.create_check_constraint("known_reason", "tombstones", "reason IN ('deleted', 'removed')")
    op.execute("ALTER TABLE applied_changes ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE applied_changes FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY owner_all ON applied_changes TO CURRENT_USER USING (true) WITH CHECK (true)"
    )
    op.execute(f"CREATE POLICY own ON applied_changes FOR SELECT USING (laptop_id = {LAPTOP})")
    op.execute(
        f"CREATE POLICY own_adds ON applied_changes FOR INSERT WITH CHECK (laptop_id = {LAPTOP})"
    )
    op.execute(
        "CREATE POLICY own_conflict ON conflicts FOR INSERT WITH CHECK ("
        f"laptop_id = {LAPTOP} AND person_id = (SELECT observer_caller_person()) AND {FOLLOWS})"
    )
    op.execute(RECEIPT)
    op.execute(LOCK)


def downgrade() -> None:
    op.execute("DROP POLICY own_conflict ON conflicts")
    op.execute("DROP FUNCTION observer_lock_observation(uuid)")
    op.execute("DROP FUNCTION observer_append_receipt(bigint, text)")
    op.drop_constraint(op.f("ck_tombstones_known_reason"), "tombstones")
    op.drop_column("tombstones", "reason")
    op.drop_table("applied_changes")
