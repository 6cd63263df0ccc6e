"""A laptop restored from its own backup: its audit chain forks, and the server keeps both.

After a restore, a laptop's chain continues from an older event than the last one the
server holds of it, so its new events take sequence numbers the server already holds with
other hashes. The server keeps every event it ever received (the chain's purpose), so a
laptop's chain may now have several **lines**: line 0 is the chain as first pushed; line n
continues from an event of line n - 1 (or earlier) and is opened only by a **fork receipt**
on the server's own chain naming the laptop, the line, the event it continues from and the
last event of the line it leaves (docs/sync-protocol.md, "After a restore of the laptop").

- `audit_events.line`: 0 for the server's own chain and a laptop's first line; the chain
  index becomes (laptop_id, line, sequence).
- `observer_append_fork(...)`: appends the fork receipt as the owner, computing its
  sequence and hashes here, as `observer_append_receipt` does, so no caller chooses them.
- a trigger refuses an event of a laptop's line n > 0 that no fork receipt opened, even if
  the service had a bug.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"

# The JSON array observer.governance.audit_hash.event_hash hashes, built from values that
# are all ASCII (ids, digits, hexadecimal, fixed words), so to_json's escaping is Python's.
FORK = f"""
CREATE FUNCTION observer_append_fork(new_line integer, from_sequence bigint, from_hash text,
                                     left_sequence bigint, left_hash text)
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
    PERFORM pg_advisory_xact_lock(hashtextextended('audit ' || laptop::text, 0));
    IF new_line <> (SELECT coalesce(max(a.line), 0) + 1 FROM audit_events a
                    WHERE a.laptop_id = laptop) THEN
        RAISE EXCEPTION 'a fork opens the next line of the laptop''s chain'
            USING ERRCODE = '42501';
    END IF;
    IF left_sequence <= from_sequence
       OR NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.laptop_id = laptop
                      AND a.sequence = left_sequence AND a.event_hash = left_hash)
       OR (from_sequence > 0 AND NOT EXISTS (
               SELECT 1 FROM audit_events a WHERE a.laptop_id = laptop
               AND a.sequence = from_sequence AND a.event_hash = from_hash))
       OR (from_sequence = 0 AND from_hash <> '') THEN
        RAISE EXCEPTION 'the server holds no such events of this laptop' USING ERRCODE = '42501';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('observer receipts'));
    SELECT a.sequence, a.event_hash INTO last_sequence, last_hash FROM audit_events a
    WHERE a.laptop_id IS NULL ORDER BY a.sequence DESC LIMIT 1;
    last_sequence := coalesce(last_sequence, 0) + 1;
    last_hash := coalesce(last_hash, '');
    detail := format('{{"laptop": "%s", "line": %s, "continues_from": %s, "hash": "%s", '
                     '"left": %s, "left_hash": "%s"}}',
                     laptop, new_line, from_sequence, from_hash, left_sequence, left_hash);
    fields := '[' || last_sequence || ',' || to_json(event_id::text)::text || ','
        || to_json(to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                   || '+00:00')::text
        || ',"observer-server","fork","laptop",' || to_json(laptop::text)::text
        || ',' || to_json(left_hash)::text || ',' || to_json(detail)::text
        || ',' || to_json(last_hash)::text || ']';
    digest := encode(sha256(convert_to(fields, 'UTF8')), 'hex');
    INSERT INTO audit_events (id, occurred_at, actor, action, record_type, record_id,
                              content_hash, sequence, detail, previous_hash, event_hash,
                              laptop_id, line)
    VALUES (event_id, moment, 'observer-server', 'fork', 'laptop', laptop, left_hash,
            last_sequence, detail, last_hash, digest, NULL, 0);
    RETURN last_sequence;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_append_fork(integer, bigint, text, bigint, text) FROM PUBLIC;
"""

# CASE keeps the cast to jsonb to the fork receipts (other events' detail is plain text).
OPENED = f"""
CREATE FUNCTION observer_refuse_unopened_line() RETURNS trigger LANGUAGE plpgsql
{DEFINER} AS $$
BEGIN
    IF NEW.laptop_id IS NULL AND NEW.line <> 0 THEN
        RAISE EXCEPTION 'the server''s own audit chain has one line' USING ERRCODE = '42501';
    END IF;
    IF NEW.laptop_id IS NOT NULL AND NEW.line > 0 AND NOT EXISTS (
        SELECT 1 FROM audit_events a
        WHERE a.laptop_id IS NULL AND a.record_type = 'laptop' AND a.record_id = NEW.laptop_id
          AND a.action = 'fork'
          AND (CASE WHEN a.action = 'fork' THEN a.detail::jsonb ->> 'line' END)
              = NEW.line::text) THEN
        RAISE EXCEPTION 'line % of laptop %''s audit chain was opened by no fork receipt',
            NEW.line, NEW.laptop_id USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_refuse_unopened_line() FROM PUBLIC;
CREATE TRIGGER observer_20_opened_line BEFORE INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION observer_refuse_unopened_line();
"""


def upgrade() -> None:
    op.add_column(
        "audit_events", sa.Column("line", sa.Integer(), nullable=False, server_default="0")
    )
    op.drop_index(
        "ix_audit_events_chain", table_name="audit_events", postgresql_nulls_not_distinct=True
    )
    op.create_index(
        "ix_audit_events_chain",
        "audit_events",
        ["laptop_id", "line", "sequence"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.execute(FORK)
    op.execute(OPENED)


def downgrade() -> None:
    op.execute("DROP TRIGGER observer_20_opened_line ON audit_events")
    op.execute("DROP FUNCTION observer_refuse_unopened_line()")
    op.execute("DROP FUNCTION observer_append_fork(integer, bigint, text, bigint, text)")
    op.drop_index(
        "ix_audit_events_chain", table_name="audit_events", postgresql_nulls_not_distinct=True
    )
    op.create_index(
        "ix_audit_events_chain",
        "audit_events",
        ["laptop_id", "sequence"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.drop_column("audit_events", "line")
