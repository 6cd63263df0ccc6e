"""Who may see which rows, what may never change, and the change feed's stamps.

Row-level security is enabled and forced on every table, so that even the owning role
goes through a policy; the owner's (the role that runs migrate and the administrator's
commands) lets it see every row. Every other role sees rows only for the caller that its
transaction names with `observer.laptop_id` (observer/server/database.py): the laptop
must be enrolled and not revoked, its person must have a server role, and then

- a service-wide role sees every observation;
- anyone sees the observations they wrote, and a practice lead or team manager those of
  the workers now in the teams they are assigned to (a worker who moves team takes their
  history with them);
- a rating, action, signature, addendum or conflict is seen, and written, with its
  observation; the same rule is the WITH CHECK, so no one writes a row they could not see;
- teams, people and frameworks are read and added by every caller, changed only by a
  service-wide role.

Triggers refuse, for every role including the owner: changing or deleting the content of a
signed observation, its ratings and actions (an action's progress may change), its
signatures and addenda; and any change to the audit trail. Other triggers stamp each
written row with the next server revision and its transaction, restamp an observation
when one of its parts changes (the feed carries a record whole), and leave a tombstone
where an observation, person, team or framework row is deleted.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FEED_TABLES = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "ratings",
    "actions",
    "signatures",
    "addenda",
    "audit_events",
    "tombstones",
    "conflicts",
)
REFERENCE_TABLES = ("teams", "people", "frameworks", "standards", "rating_levels")
PARTS = ("ratings", "actions", "signatures", "addenda", "conflicts")
TOMBSTONED = ("observations", *REFERENCE_TABLES)
ALL_TABLES = (
    *FEED_TABLES,
    "action_standards",
    "laptops",
    "enrolment_codes",
    "person_roles",
    "team_assignments",
    "alembic_version",
)
APPEND_ONLY = ("audit_events", "signatures", "addenda", "observations", "ratings", "actions")

# Functions that run as the owner have a fixed search path, so no caller's can redirect them.
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"
ROLE = "(SELECT observer_caller_role())"

# Whether the caller may see an observation (or its tombstone) of `observed_person_id`
# written by `observer_id`. Written out in each policy rather than as a function, so that
# each caller lookup runs once per statement (an InitPlan), not once per row.
SCOPE = f"""(
    {ROLE} = 'service'
    OR {ROLE} IS NOT NULL AND (
        observer_id = (SELECT observer_caller_person())
        OR observed_person_id IN (
            SELECT p.id FROM people p
            WHERE p.team_id = ANY ((SELECT observer_caller_teams())::uuid[])
        )
    )
)"""

CALLER_FUNCTIONS = f"""
CREATE FUNCTION observer_caller_laptop() RETURNS uuid
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT l.id FROM laptops l
    WHERE l.id = nullif(current_setting('observer.laptop_id', true), '')::uuid
      AND l.revoked_at IS NULL
$$;
CREATE FUNCTION observer_caller_person() RETURNS uuid
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT l.person_id FROM laptops l WHERE l.id = observer_caller_laptop()
$$;
CREATE FUNCTION observer_caller_role() RETURNS text
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT r.role FROM person_roles r WHERE r.person_id = observer_caller_person()
$$;
CREATE FUNCTION observer_caller_teams() RETURNS uuid[]
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT coalesce(array_agg(a.team_id), '{{}}') FROM team_assignments a
    WHERE a.person_id = observer_caller_person()
$$;
"""

SERVICE_FUNCTIONS = f"""
CREATE FUNCTION observer_authenticate(token_hash bytea) RETURNS uuid
LANGUAGE sql VOLATILE {DEFINER} AS $$
    UPDATE laptops SET last_seen_at = now()
    WHERE laptops.token_hash = observer_authenticate.token_hash AND revoked_at IS NULL
    RETURNING id
$$;
CREATE FUNCTION observer_redeem_enrolment(code_hash bytea, token_hash bytea, laptop_name text)
RETURNS uuid LANGUAGE plpgsql VOLATILE {DEFINER} AS $$
DECLARE
    code_id uuid;
    owner_id uuid;
    laptop uuid;
BEGIN
    UPDATE enrolment_codes c SET used_at = now()
    WHERE c.code_hash = observer_redeem_enrolment.code_hash
      AND c.used_at IS NULL AND c.expires_at > now()
    RETURNING c.id, c.person_id INTO code_id, owner_id;
    IF code_id IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO laptops (person_id, name, token_hash)
    VALUES (owner_id, laptop_name, observer_redeem_enrolment.token_hash)
    RETURNING id INTO laptop;
    UPDATE enrolment_codes SET laptop_id = laptop WHERE id = code_id;
    RETURN laptop;
END
$$;
REVOKE EXECUTE ON FUNCTION observer_authenticate(bytea) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION observer_redeem_enrolment(bytea, bytea, text) FROM PUBLIC;
"""

TRIGGER_FUNCTIONS = f"""
CREATE FUNCTION observer_stamp() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    NEW.server_revision := nextval('server_revision_seq');
    NEW.written_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;

CREATE FUNCTION observer_tombstone() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    IF TG_TABLE_NAME = 'observations' THEN
        INSERT INTO tombstones (record_type, record_id, observed_person_id, observer_id)
        VALUES (TG_TABLE_NAME, OLD.id, OLD.observed_person_id, OLD.observer_id);
    ELSE
        INSERT INTO tombstones (record_type, record_id) VALUES (TG_TABLE_NAME, OLD.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION observer_touch_observation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE observations SET server_revision = 0 WHERE id = OLD.observation_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE observations SET server_revision = 0 WHERE id = NEW.observation_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION observer_touch_action() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE actions SET server_revision = 0 WHERE id = OLD.action_id;
    ELSE
        UPDATE actions SET server_revision = 0 WHERE id = NEW.action_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION observer_is_signed(observation uuid) RETURNS boolean
LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT coalesce((SELECT o.status = 'signed' FROM observations o WHERE o.id = observation),
                    false)
$$;

CREATE FUNCTION observer_refuse_signed_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- TG_ARGV: the columns of the part that may change after signing.
CREATE FUNCTION observer_refuse_signed_part_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['updated_at', 'revision', 'server_revision', 'written_xid']
                   || TG_ARGV::text[];
BEGIN
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

CREATE FUNCTION observer_refuse_signed_action_standard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    action uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.action_id ELSE NEW.action_id END;
BEGIN
    IF observer_is_signed((SELECT a.observation_id FROM actions a WHERE a.id = action)) THEN
        RAISE EXCEPTION 'the standards of an action of a signed observation cannot change'
            USING ERRCODE = 'OB001';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- Signatures and addenda are never changed; removed only with a draft that is deleted.
CREATE FUNCTION observer_refuse_seal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR observer_is_signed(OLD.observation_id) THEN
        RAISE EXCEPTION '% of a signed observation cannot be changed or removed',
            TG_TABLE_NAME USING ERRCODE = 'OB001';
    END IF;
    RETURN OLD;
END
$$;

CREATE FUNCTION observer_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail cannot be changed or removed' USING ERRCODE = 'OB002';
END
$$;

CREATE FUNCTION observer_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be emptied at once', TG_TABLE_NAME USING ERRCODE = 'OB002';
END
$$;
"""


def _triggers() -> list[str]:
    sql = []
    for table in FEED_TABLES:
        sql.append(
            f"CREATE TRIGGER observer_50_stamp BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION observer_stamp()"
        )
    for table in TOMBSTONED:
        sql.append(
            f"CREATE TRIGGER observer_90_tombstone AFTER DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION observer_tombstone()"
        )
    for table in ("ratings", "actions", "signatures", "addenda"):
        sql.append(
            f"CREATE TRIGGER observer_90_touch AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION observer_touch_observation()"
        )
    sql += [
        "CREATE TRIGGER observer_90_touch AFTER INSERT OR UPDATE OR DELETE ON action_standards "
        "FOR EACH ROW EXECUTE FUNCTION observer_touch_action()",
        "CREATE TRIGGER observer_10_signed BEFORE UPDATE OR DELETE ON observations "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_signed_change()",
        "CREATE TRIGGER observer_10_signed BEFORE INSERT OR UPDATE OR DELETE ON ratings "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_signed_part_change()",
        # An agreed action's progress, and its owner's id after a merge, may change.
        "CREATE TRIGGER observer_10_signed BEFORE INSERT OR UPDATE OR DELETE ON actions "
        "FOR EACH ROW EXECUTE FUNCTION "
        "observer_refuse_signed_part_change('status', 'done_at', 'done_by', 'owner_id')",
        "CREATE TRIGGER observer_10_signed BEFORE INSERT OR UPDATE OR DELETE "
        "ON action_standards FOR EACH ROW EXECUTE FUNCTION "
        "observer_refuse_signed_action_standard()",
        "CREATE TRIGGER observer_10_signed BEFORE UPDATE OR DELETE ON signatures "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_seal_change()",
        "CREATE TRIGGER observer_10_signed BEFORE UPDATE OR DELETE ON addenda "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_seal_change()",
        "CREATE TRIGGER observer_10_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION observer_refuse_audit_change()",
    ]
    for table in APPEND_ONLY:
        sql.append(
            f"CREATE TRIGGER observer_10_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION observer_refuse_truncate()"
        )
    return sql


def _policies() -> list[str]:
    sql = []
    for table in ALL_TABLES:
        sql += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            # The role running this migration owns the tables and administers the server.
            f"CREATE POLICY owner_all ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
        ]
    caller = f"{ROLE} IS NOT NULL"
    service = f"{ROLE} = 'service'"
    for table in REFERENCE_TABLES:
        sql += [
            f"CREATE POLICY callers_read ON {table} FOR SELECT USING ({caller})",
            f"CREATE POLICY callers_add ON {table} FOR INSERT WITH CHECK ({caller})",
            f"CREATE POLICY service_changes ON {table} FOR UPDATE "
            f"USING ({service}) WITH CHECK ({service})",
            f"CREATE POLICY service_removes ON {table} FOR DELETE USING ({service})",
        ]
    scope = SCOPE
    sql.append(f"CREATE POLICY scope ON observations USING ({scope}) WITH CHECK ({scope})")
    follows = "EXISTS (SELECT 1 FROM observations o WHERE o.id = observation_id)"
    for table in PARTS:
        sql.append(f"CREATE POLICY scope ON {table} USING ({follows}) WITH CHECK ({follows})")
    of_action = "EXISTS (SELECT 1 FROM actions a WHERE a.id = action_id)"
    sql.append(
        f"CREATE POLICY scope ON action_standards USING ({of_action}) WITH CHECK ({of_action})"
    )
    laptop = "(SELECT observer_caller_laptop())"
    sql += [
        f"CREATE POLICY scope ON audit_events FOR SELECT USING ({service} "
        f"OR laptop_id = {laptop} OR (record_type = 'observation' "
        "AND EXISTS (SELECT 1 FROM observations o WHERE o.id = record_id)))",
        f"CREATE POLICY own_chain ON audit_events FOR INSERT WITH CHECK (laptop_id = {laptop})",
        f"CREATE POLICY scope ON tombstones FOR SELECT USING ({caller} AND ("
        f"(observed_person_id IS NULL AND observer_id IS NULL) OR {scope}))",
        f"CREATE POLICY itself ON laptops FOR SELECT USING (id = {laptop})",
        "CREATE POLICY own ON person_roles FOR SELECT "
        "USING (person_id = (SELECT observer_caller_person()))",
        "CREATE POLICY own ON team_assignments FOR SELECT "
        "USING (person_id = (SELECT observer_caller_person()))",
        "CREATE POLICY schema_version ON alembic_version FOR SELECT USING (true)",
    ]
    return sql


def upgrade() -> None:
    op.execute(CALLER_FUNCTIONS)
    op.execute(SERVICE_FUNCTIONS)
    op.execute(TRIGGER_FUNCTIONS)
    for statement in (*_triggers(), *_policies()):
        op.execute(statement)


def downgrade() -> None:
    for table in ALL_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for (policy,) in op.get_bind().exec_driver_sql(
            f"SELECT policyname FROM pg_policies WHERE tablename = '{table}'"
        ):
            op.execute(f"DROP POLICY {policy} ON {table}")
    op.execute(
        "DROP FUNCTION observer_stamp, observer_tombstone, observer_touch_observation, "
        "observer_touch_action, observer_refuse_signed_change, "
        "observer_refuse_signed_part_change, observer_refuse_signed_action_standard, "
        "observer_refuse_seal_change, observer_refuse_audit_change, observer_refuse_truncate, "
        "observer_is_signed, observer_authenticate, observer_redeem_enrolment, "
        "observer_caller_teams, observer_caller_role, "
        "observer_caller_person, observer_caller_laptop CASCADE"
    )
