"""Only an observation's writer (or a service-wide role) writes it; only an administrator's
merge moves a signed record's people, and only keeping the ids it was signed with.

0002 let every caller who sees an observation write it and its parts (its policies covered
every command), and its trigger let a signed record's observer and observed person change
whatever the caller, checking only that `ids_at_signing` grew once it was set. So a team
manager could take over someone else's signed record, or delete another lead's draft.
Now:

- an observation is seen as before, but added, changed or deleted only by the person who
  wrote it (observer_id is the caller's person) or a service-wide role, with the same rule
  as the WITH CHECK, so no one hands a record to someone else;
- its ratings, actions (and their standards), signatures, addenda and conflicts are seen
  with it and written under the same rule, through their observation; except that a
  team manager who sees a record may add a manager's signature (the countersignature),
  and anyone who sees it may update an action, but only its progress (status, done_at,
  done_by: a trigger refuses any other change by them);
- on a signed observation, the observer, the observed person and `ids_at_signing` change
  only for the owner (the administrator) or a service-wide role, merging duplicates, and
  only when `ids_at_signing` keeps the ids the record was signed with (the old ones, when
  it held none): otherwise OB001. `ids_at_signing` may still only grow, and no longer be
  emptied to NULL;
- the triggers that restamp an observation when one of its parts changes run as the
  owner, so that a countersignature or an action's progress, written by someone who may
  not write the observation itself, still carries the record into the feed.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"
ROLE = "(SELECT observer_caller_role())"
PERSON = "(SELECT observer_caller_person())"
PARTS = ("ratings", "actions", "signatures", "addenda", "conflicts")

# Whether the caller may see an observation: 0002's rule, unchanged.
SCOPE = f"""(
    {ROLE} = 'service'
    OR {ROLE} IS NOT NULL AND (
        observer_id = {PERSON}
        OR observed_person_id IN (
            SELECT p.id FROM people p
            WHERE p.team_id = ANY ((SELECT observer_caller_teams())::uuid[])
        )
    )
)"""
# Whether the caller may write an observation: a service-wide role, or its writer.
WRITES = f"({ROLE} = 'service' OR {ROLE} IS NOT NULL AND observer_id = {PERSON})"
FOLLOWS = "EXISTS (SELECT 1 FROM observations o WHERE o.id = observation_id)"
WRITES_ITS = (
    "EXISTS (SELECT 1 FROM observations o WHERE o.id = observation_id "
    f"AND ({ROLE} = 'service' OR o.observer_id = {PERSON}))"
)
OF_ACTION = "EXISTS (SELECT 1 FROM actions a WHERE a.id = action_id)"
WRITES_ITS_ACTION = (
    "EXISTS (SELECT 1 FROM actions a JOIN observations o ON o.id = a.observation_id "
    f"WHERE a.id = action_id AND ({ROLE} = 'service' OR o.observer_id = {PERSON}))"
)

SIGNED_CHANGE = """
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
    -- A merge of duplicate people, by the administrator (the tables' owner) or a
    -- service-wide role, moves a signed record's references and keeps the ids it was
    -- signed with in ids_at_signing.
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

# 0002's, put back by the downgrade.
OLD_SIGNED_CHANGE = """
CREATE OR REPLACE FUNCTION observer_refuse_signed_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['updated_at', 'revision', 'server_revision', 'written_xid',
                         'observed_person_id', 'observer_id', 'ids_at_signing'];
BEGIN
    IF OLD.status <> 'signed' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'observation % is signed: it cannot be deleted', OLD.id
            USING ERRCODE = 'OB001';
    END IF;
    -- A merge of duplicate people moves a signed record's references and keeps the ids it
    -- was signed with in ids_at_signing, which may only grow.
    IF NEW.status <> 'signed'
       OR (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
       OR NOT (OLD.ids_at_signing IS NULL OR NEW.ids_at_signing @> OLD.ids_at_signing) THEN
        RAISE EXCEPTION 'observation % is signed: its content cannot change', OLD.id
            USING ERRCODE = 'OB001', HINT = 'Add an addendum instead.';
    END IF;
    RETURN NEW;
END
$$;
"""

# Someone who sees a record but did not write it may mark its actions done or reopen them.
PROGRESS_ONLY = """
CREATE FUNCTION observer_refuse_others_action_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['updated_at', 'revision', 'server_revision', 'written_xid',
                         'status', 'done_at', 'done_by'];
BEGIN
    IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID),
                   'USAGE')
       OR coalesce(observer_caller_role() = 'service', false)
       OR (to_jsonb(NEW) - free) IS NOT DISTINCT FROM (to_jsonb(OLD) - free)
       OR NOT EXISTS (
            SELECT 1 FROM unnest(ARRAY[OLD.observation_id, NEW.observation_id]) AS part(id)
            WHERE NOT EXISTS (
                SELECT 1 FROM observations o
                WHERE o.id = part.id AND o.observer_id = observer_caller_person())) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'only the writer of an observation may change its actions beyond their '
        'progress' USING ERRCODE = '42501';
END
$$;
"""


def _new_policies() -> list[str]:
    sql = [
        f"CREATE POLICY scope ON observations FOR SELECT USING ({SCOPE})",
        f"CREATE POLICY writer_adds ON observations FOR INSERT WITH CHECK ({WRITES})",
        f"CREATE POLICY writer_changes ON observations FOR UPDATE "
        f"USING ({WRITES}) WITH CHECK ({WRITES})",
        f"CREATE POLICY writer_removes ON observations FOR DELETE USING ({WRITES})",
    ]
    for table in PARTS:
        sql += [
            f"CREATE POLICY scope ON {table} FOR SELECT USING ({FOLLOWS})",
            f"CREATE POLICY writer_adds ON {table} FOR INSERT WITH CHECK ({WRITES_ITS})",
            f"CREATE POLICY writer_changes ON {table} FOR UPDATE "
            f"USING ({WRITES_ITS}) WITH CHECK ({WRITES_ITS})",
            f"CREATE POLICY writer_removes ON {table} FOR DELETE USING ({WRITES_ITS})",
        ]
    sql += [
        # A team manager countersigns a record they see.
        "CREATE POLICY countersign ON signatures FOR INSERT WITH CHECK ("
        f"role = 'manager' AND {ROLE} = 'team_manager' AND {FOLLOWS})",
        # Anyone who sees a record updates its actions' progress (the trigger keeps it to that).
        f"CREATE POLICY progress ON actions FOR UPDATE USING ({FOLLOWS}) WITH CHECK ({FOLLOWS})",
        f"CREATE POLICY scope ON action_standards FOR SELECT USING ({OF_ACTION})",
        "CREATE POLICY writer_adds ON action_standards FOR INSERT "
        f"WITH CHECK ({WRITES_ITS_ACTION})",
        "CREATE POLICY writer_changes ON action_standards FOR UPDATE "
        f"USING ({WRITES_ITS_ACTION}) WITH CHECK ({WRITES_ITS_ACTION})",
        f"CREATE POLICY writer_removes ON action_standards FOR DELETE USING ({WRITES_ITS_ACTION})",
    ]
    return sql


def _drop_new_policies() -> list[str]:
    sql = []
    for table in ("observations", *PARTS, "action_standards"):
        for policy in ("scope", "writer_adds", "writer_changes", "writer_removes"):
            sql.append(f"DROP POLICY {policy} ON {table}")
    sql += ["DROP POLICY countersign ON signatures", "DROP POLICY progress ON actions"]
    return sql


def _old_policies() -> list[str]:
    sql = [f"CREATE POLICY scope ON observations USING ({SCOPE}) WITH CHECK ({SCOPE})"]
    for table in PARTS:
        sql.append(f"CREATE POLICY scope ON {table} USING ({FOLLOWS}) WITH CHECK ({FOLLOWS})")
    sql.append(
        f"CREATE POLICY scope ON action_standards USING ({OF_ACTION}) WITH CHECK ({OF_ACTION})"
    )
    return sql


def upgrade() -> None:
    op.execute(SIGNED_CHANGE)
    op.execute(PROGRESS_ONLY)
    op.execute(
        "CREATE TRIGGER observer_20_progress_only BEFORE UPDATE ON actions "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_others_action_change()"
    )
    for function in ("observer_touch_observation()", "observer_touch_action()"):
        op.execute(f"ALTER FUNCTION {function} {DEFINER}")
    for table in ("observations", *PARTS, "action_standards"):
        op.execute(f"DROP POLICY scope ON {table}")
    for statement in _new_policies():
        op.execute(statement)


def downgrade() -> None:
    for statement in _drop_new_policies():
        op.execute(statement)
    for statement in _old_policies():
        op.execute(statement)
    for function in ("observer_touch_observation()", "observer_touch_action()"):
        op.execute(f"ALTER FUNCTION {function} SECURITY INVOKER RESET search_path")
    op.execute("DROP TRIGGER observer_20_progress_only ON actions")
    op.execute("DROP FUNCTION observer_refuse_others_action_change")
    op.execute(OLD_SIGNED_CHANGE)
