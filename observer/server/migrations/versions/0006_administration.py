"""What the administrator's commands need: why a record went, a place for the server's
settings (the retention policy), and one deliberate way to remove signed records.

- `tombstones.merged_into_id` (0005 added `reason`: a person merged away is `deleted`):
  for a person merged into
  another, the person kept, so that records still naming the duplicate (in a bundle, on a
  laptop) can be moved to them.
- `server_settings`: key and JSON value, read and written only by the owner.
- Removal under retention. 0002's and 0004's triggers refuse deleting a signed record, its
  parts, signatures and addenda, for every role. They now let a delete through only when
  both hold: the transaction set `observer.removing` to `retention` (set_config, local to
  the transaction) and the role deleting is the tables' owner (the administrator). The
  service's role may set the setting too, but is still refused; and the one function that
  sets it, `observer_remove_observations(uuid[])`, runs as its caller (no SECURITY
  DEFINER), and only the owner may execute it. Each observation it removes leaves a
  tombstone with reason `removed`. The audit trail stays append-only for everyone, retention
  included: its events hold ids, hashes and staff names, and keep the chain verifiable.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Whether this delete is retention's, by the owner. Runs as its caller (not SECURITY
# DEFINER), so current_user is whoever issued the delete.
REMOVING = """
CREATE FUNCTION observer_removing() RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, public AS $$
    SELECT coalesce(current_setting('observer.removing', true), '') = 'retention'
       AND pg_has_role(current_user,
                       (SELECT c.relowner FROM pg_class c WHERE c.oid = 'observations'::regclass),
                       'USAGE')
$$;
"""

REMOVE = """
CREATE FUNCTION observer_remove_observations(ids uuid[]) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM set_config('observer.removing', 'retention', true);
    DELETE FROM action_standards s USING actions a
        WHERE a.id = s.action_id AND a.observation_id = ANY (ids);
    DELETE FROM ratings WHERE observation_id = ANY (ids);
    DELETE FROM actions WHERE observation_id = ANY (ids);
    DELETE FROM signatures WHERE observation_id = ANY (ids);
    DELETE FROM addenda WHERE observation_id = ANY (ids);
    DELETE FROM conflicts WHERE observation_id = ANY (ids);
    DELETE FROM observations WHERE id = ANY (ids);
    GET DIAGNOSTICS removed = ROW_COUNT;
    -- The tombstones the delete just left say why the records went.
    UPDATE tombstones SET reason = 'removed'
        WHERE record_type = 'observations' AND record_id = ANY (ids)
          AND written_xid = pg_current_xact_id()::text::bigint;
    PERFORM set_config('observer.removing', '', true);
    RETURN removed;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_remove_observations(uuid[]) FROM PUBLIC;
"""


def _signed_change(removal: str) -> str:
    """0004's trigger function, with `removal` first in its refusal of a delete."""
    return f"""
CREATE OR REPLACE FUNCTION observer_refuse_signed_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['updated_at', 'revision', 'server_revision', 'written_xid',
                         'observed_person_id', 'observer_id', 'ids_at_signing'];
    person text;
    was text;
    now_is text;
BEGIN
    IF OLD.status <> 'signed' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        {removal}
        RAISE EXCEPTION 'observation % is signed: it cannot be deleted', OLD.id
            USING ERRCODE = 'OB001';
    END IF;
    IF NEW.status <> 'signed'
       OR (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
       OR NOT (OLD.ids_at_signing IS NULL
               OR coalesce(NEW.ids_at_signing @> OLD.ids_at_signing, false)) THEN
        RAISE EXCEPTION 'observation % is signed: its content cannot change', OLD.id
            USING ERRCODE = 'OB001', HINT = 'Add an addendum instead.';
    END IF;
    IF NEW.observer_id IS NOT DISTINCT FROM OLD.observer_id
       AND NEW.observed_person_id IS NOT DISTINCT FROM OLD.observed_person_id
       AND NEW.ids_at_signing IS NOT DISTINCT FROM OLD.ids_at_signing THEN
        RETURN NEW;
    END IF;
    IF NOT (pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID),
                        'USAGE')
            OR coalesce(observer_caller_role() = 'service', false)) THEN
        RAISE EXCEPTION 'observation % is signed: only a merge of duplicate people, by an '
            'administrator, may change whom it names', OLD.id
            USING ERRCODE = 'OB001';
    END IF;
    FOREACH person IN ARRAY ARRAY['observer_id', 'observed_person_id'] LOOP
        was := to_jsonb(OLD) ->> person;
        now_is := to_jsonb(NEW) ->> person;
        IF (now_is IS DISTINCT FROM was OR NEW.ids_at_signing ? person)
           AND (NEW.ids_at_signing ->> person)
               IS DISTINCT FROM coalesce(OLD.ids_at_signing ->> person, was) THEN
            RAISE EXCEPTION 'observation % is signed: a merge must keep its % as signed '
                'in ids_at_signing', OLD.id, person
                USING ERRCODE = 'OB001';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
"""


def _part_change(removal: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION observer_refuse_signed_part_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['updated_at', 'revision', 'server_revision', 'written_xid']
                   || TG_ARGV::text[];
BEGIN
    {removal}
    IF TG_OP IN ('UPDATE', 'DELETE') AND observer_is_signed(OLD.observation_id)
       OR TG_OP IN ('UPDATE', 'INSERT') AND observer_is_signed(NEW.observation_id) THEN
        IF TG_OP <> 'UPDATE' OR (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
        THEN
            RAISE EXCEPTION '% of a signed observation cannot be added, changed or removed',
                TG_TABLE_NAME USING ERRCODE = 'OB001', HINT = 'Add an addendum instead.';
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
"""


def _action_standard(removal: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION observer_refuse_signed_action_standard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    action uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.action_id ELSE NEW.action_id END;
BEGIN
    {removal}
    IF observer_is_signed((SELECT a.observation_id FROM actions a WHERE a.id = action)) THEN
        RAISE EXCEPTION 'the standards of an action of a signed observation cannot change'
            USING ERRCODE = 'OB001';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
"""


def _seal_change(removal: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION observer_refuse_seal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {removal}
    IF TG_OP = 'UPDATE' OR observer_is_signed(OLD.observation_id) THEN
        RAISE EXCEPTION '% of a signed observation cannot be changed or removed',
            TG_TABLE_NAME USING ERRCODE = 'OB001';
    END IF;
    RETURN OLD;
END
$$;
"""


LET_REMOVAL_THROUGH = "IF TG_OP = 'DELETE' AND observer_removing() THEN RETURN OLD; END IF;"
TRIGGER_FUNCTIONS = (_signed_change, _part_change, _action_standard, _seal_change)


def upgrade() -> None:
    op.add_column("tombstones", sa.Column("merged_into_id", sa.UUID(), nullable=True))
    op.create_table(
        "server_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_server_settings")),
    )
    op.execute("ALTER TABLE server_settings ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE server_settings FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY owner_all ON server_settings TO CURRENT_USER USING (true) WITH CHECK (true)"
    )
    op.execute(REMOVING)
    for function in TRIGGER_FUNCTIONS:
        op.execute(function(LET_REMOVAL_THROUGH))
    op.execute(REMOVE)


def downgrade() -> None:
    op.execute("DROP FUNCTION observer_remove_observations(uuid[])")
    for function in TRIGGER_FUNCTIONS:
        op.execute(function(""))
    op.execute("DROP FUNCTION observer_removing()")
    op.drop_table("server_settings")
    op.drop_column("tombstones", "merged_into_id")
