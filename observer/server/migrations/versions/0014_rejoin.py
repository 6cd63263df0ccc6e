"""A laptop joins again with a new code: revoked by IT, or enrolled after the dump the
server was restored from (docs/sync-protocol.md, "Joining again").

The laptop keeps its store, its outbox and its own audit chain; only its enrolment is new.
Its new laptop id continues the chain the server holds of the laptop it was, so that the
chain neither repeats events the server holds nor leaves a gap:

- `laptops.previous_laptop_id`, `continues_from`, `continues_hash`: the laptop this one
  replaced (no foreign key: after a restore the server may never have known it) and the
  last event the server held of that laptop's chain (0 and '' when it held none). The
  new laptop's chain begins at the event after it.
- `observer_rejoin_enrolment(...)`: redeems a code as `observer_redeem_enrolment` does,
  but only for the person whose laptop it is, and only with the previous laptop's own
  device token as proof that this is that laptop; it revokes the previous laptop (and any
  earlier stand-in for it that never pushed), and appends a `rejoin` receipt to the
  server's own chain naming both laptops and where the chain continues, in one
  transaction. A code refused for any reason stays unused.
- a trigger refuses an event of a laptop's first line at or before where it continues.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"

# The receipt's hash is built as observer_append_fork builds its own (migration 0011).
REJOIN = f"""
CREATE FUNCTION observer_rejoin_enrolment(
    code_hash bytea, token_hash bytea, laptop_name text,
    previous_id uuid, previous_token_hash bytea, declared_person uuid)
RETURNS TABLE (outcome text, laptop uuid, continues_from bigint, continues_hash text,
               known boolean)
LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
DECLARE
    code_id uuid;
    owner_id uuid;
    person uuid := declared_person;
    was_known boolean := false;
    prior laptops%ROWTYPE;
    head_sequence bigint := 0;
    head_hash text := '';
    new_laptop uuid;
    last_sequence bigint;
    last_hash text;
    event_id uuid := gen_random_uuid();
    moment timestamptz := date_trunc('microseconds', clock_timestamp());
    detail text;
    fields text;
    digest text;
BEGIN
    SELECT c.id, c.person_id INTO code_id, owner_id FROM enrolment_codes c
    WHERE c.code_hash = observer_rejoin_enrolment.code_hash
      AND c.used_at IS NULL AND c.expires_at > now()
    FOR UPDATE;
    IF code_id IS NULL THEN
        RETURN QUERY SELECT 'code'::text, NULL::uuid, 0::bigint, ''::text, false;
        RETURN;
    END IF;
    -- The laptop's person as it knew them; a merge since named the person kept (its
    -- tombstones always name the last one kept: observer/server/merging.py).
    person := coalesce((SELECT t.merged_into_id FROM tombstones t
                        WHERE t.record_type = 'people' AND t.record_id = declared_person
                          AND t.merged_into_id IS NOT NULL LIMIT 1), declared_person);
    -- A person the server never held (it was restored from a dump made before they were
    -- added) is named by the code, as at a first enrolment; one it holds must be the code's.
    IF person IS DISTINCT FROM owner_id AND (
        EXISTS (SELECT 1 FROM people p WHERE p.id = person)
        OR EXISTS (SELECT 1 FROM tombstones t WHERE t.record_type = 'people'
                   AND t.record_id = person)) THEN
        RETURN QUERY SELECT 'person'::text, NULL::uuid, 0::bigint, ''::text, false;
        RETURN;
    END IF;
    SELECT * INTO prior FROM laptops l WHERE l.id = previous_id FOR UPDATE;
    IF FOUND THEN
        was_known := true;
        IF prior.token_hash <> previous_token_hash THEN
            RETURN QUERY SELECT 'previous'::text, NULL::uuid, 0::bigint, ''::text, true;
            RETURN;
        END IF;
        IF prior.person_id <> owner_id THEN
            RETURN QUERY SELECT 'person'::text, NULL::uuid, 0::bigint, ''::text, true;
            RETURN;
        END IF;
        -- A stand-in that was ever used is the laptop now; one never seen is what a lost
        -- answer to an earlier rejoin left, and gives way (it is revoked below).
        IF EXISTS (SELECT 1 FROM laptops l WHERE l.previous_laptop_id = previous_id
                   AND (l.last_seen_at IS NOT NULL
                        OR EXISTS (SELECT 1 FROM audit_events a WHERE a.laptop_id = l.id))) THEN
            RETURN QUERY SELECT 'superseded'::text, NULL::uuid, 0::bigint, ''::text, true;
            RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtextextended('audit ' || previous_id::text, 0));
        SELECT a.sequence, a.event_hash INTO head_sequence, head_hash FROM audit_events a
        WHERE a.laptop_id = previous_id ORDER BY a.line DESC, a.sequence DESC LIMIT 1;
        IF NOT FOUND THEN
            head_sequence := prior.continues_from;
            head_hash := prior.continues_hash;
        END IF;
        UPDATE laptops l SET revoked_at = now()
        WHERE (l.id = previous_id OR l.previous_laptop_id = previous_id)
          AND l.revoked_at IS NULL;
    END IF;
    UPDATE enrolment_codes c SET used_at = now() WHERE c.id = code_id;
    INSERT INTO laptops (person_id, name, token_hash, previous_laptop_id, continues_from,
                         continues_hash)
    VALUES (owner_id, laptop_name, observer_rejoin_enrolment.token_hash, previous_id,
            head_sequence, head_hash)
    RETURNING id INTO new_laptop;
    UPDATE enrolment_codes c SET laptop_id = new_laptop WHERE c.id = code_id;

    PERFORM pg_advisory_xact_lock(hashtext('observer receipts'));
    SELECT a.sequence, a.event_hash INTO last_sequence, last_hash FROM audit_events a
    WHERE a.laptop_id IS NULL ORDER BY a.sequence DESC LIMIT 1;
    last_sequence := coalesce(last_sequence, 0) + 1;
    last_hash := coalesce(last_hash, '');
    detail := format('{{"laptop": "%s", "previous": "%s", "known": %s, '
                     '"continues_from": %s, "hash": "%s"}}',
                     new_laptop, previous_id, CASE WHEN was_known THEN 'true' ELSE 'false' END,
                     head_sequence, head_hash);
    fields := '[' || last_sequence || ',' || to_json(event_id::text)::text || ','
        || to_json(to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                   || '+00:00')::text
        || ',"observer-server","rejoin","laptop",' || to_json(new_laptop::text)::text
        || ',' || to_json(head_hash)::text || ',' || to_json(detail)::text
        || ',' || to_json(last_hash)::text || ']';
    digest := encode(sha256(convert_to(fields, 'UTF8')), 'hex');
    INSERT INTO audit_events (id, occurred_at, actor, action, record_type, record_id,
                              content_hash, sequence, detail, previous_hash, event_hash,
                              laptop_id, line)
    VALUES (event_id, moment, 'observer-server', 'rejoin', 'laptop', new_laptop, head_hash,
            last_sequence, detail, last_hash, digest, NULL, 0);
    RETURN QUERY SELECT 'joined'::text, new_laptop, head_sequence, head_hash, was_known;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_rejoin_enrolment(bytea, bytea, text, uuid, bytea, uuid)
    FROM PUBLIC;
"""

CONTINUES = f"""
CREATE FUNCTION observer_refuse_repeated_events() RETURNS trigger LANGUAGE plpgsql
{DEFINER} AS $$
BEGIN
    IF NEW.laptop_id IS NOT NULL AND NEW.line = 0 AND NEW.sequence <= (
        SELECT l.continues_from FROM laptops l WHERE l.id = NEW.laptop_id) THEN
        RAISE EXCEPTION 'laptop %''s audit chain continues after event %: the laptop it '
            'replaced sent the events before', NEW.laptop_id, NEW.sequence
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_refuse_repeated_events() FROM PUBLIC;
CREATE TRIGGER observer_21_continued_chain BEFORE INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION observer_refuse_repeated_events();
"""


def upgrade() -> None:
    op.add_column("laptops", sa.Column("previous_laptop_id", UUID(as_uuid=True)))
    op.add_column(
        "laptops",
        sa.Column("continues_from", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "laptops", sa.Column("continues_hash", sa.Text(), nullable=False, server_default="")
    )
    op.create_index("ix_laptops_previous_laptop_id", "laptops", ["previous_laptop_id"])
    op.execute(REJOIN)
    op.execute(CONTINUES)


def downgrade() -> None:
    op.execute("DROP TRIGGER observer_21_continued_chain ON audit_events")
    op.execute("DROP FUNCTION observer_refuse_repeated_events()")
    op.execute("DROP FUNCTION observer_rejoin_enrolment(bytea, bytea, text, uuid, bytea, uuid)")
    op.drop_index("ix_laptops_previous_laptop_id", table_name="laptops")
    op.drop_column("laptops", "continues_hash")
    op.drop_column("laptops", "continues_from")
    op.drop_column("laptops", "previous_laptop_id")
