"""What a signature seals stays sealed, and the audit trail is append-only: triggers refuse
the change even to the role that owns the tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from observer.server import schema
from tests.support.server import WHEN, ServerDatabase

SEALED = "OB001"
APPEND_ONLY = "OB002"


@dataclass
class Signed:
    db: ServerDatabase
    observation: uuid.UUID
    rating: uuid.UUID
    action: uuid.UUID
    signature: uuid.UUID
    addendum: uuid.UUID
    kept_person: uuid.UUID

    def refused(self, statement: str, code: str = SEALED, **params: object) -> str:
        """The owner's attempt, which the database refuses with that code; its message."""
        with pytest.raises(DBAPIError) as error, self.db.owner.begin() as conn:
            conn.execute(text(statement), params)
        assert getattr(error.value.orig, "sqlstate", None) == code, error.value
        return str(error.value.orig)

    def done(self, statement: str, **params: object) -> int:
        with self.db.owner.begin() as conn:
            return conn.execute(text(statement), params).rowcount


@pytest.fixture
def signed(server_db: ServerDatabase) -> Signed:
    db = server_db
    framework = db.framework()
    team = db.team("Northshire Child Protection A")
    ada, priya = db.person("Ada Okafor", team), db.person("Priya Shah", role="practice_lead")
    observation = db.observation(framework, of=ada, by=priya, strengths="Warm and clear.")
    rating = db.add(
        schema.ratings, observation_id=observation, standard_id=framework.standard, evidence="x"
    )
    action = db.add(schema.actions, observation_id=observation, description="Read the plan.")
    db.add(schema.action_standards, action_id=action, standard_id=framework.standard)
    signature = db.add(
        schema.signatures,
        observation_id=observation,
        role="observer",
        name="Priya Shah",
        signed_at=WHEN,
        content_hash="a" * 64,
    )
    with db.owner.begin() as conn:
        conn.execute(
            text("UPDATE observations SET status = 'signed' WHERE id = :id"), {"id": observation}
        )
    addendum = db.add(
        schema.addenda,
        observation_id=observation,
        text="The visit lasted an hour.",
        author_name="Priya Shah",
        signed_at=WHEN,
        content_hash="b" * 64,
    )
    return Signed(db, observation, rating, action, signature, addendum, db.person("Priya S."))


def test_a_signed_observations_content_cannot_change_or_go(signed: Signed) -> None:
    message = signed.refused(
        "UPDATE observations SET strengths = 'Rewritten' WHERE id = :id", id=signed.observation
    )
    assert "signed" in message
    signed.refused("UPDATE observations SET status = 'draft' WHERE id = :id", id=signed.observation)
    signed.refused("DELETE FROM observations WHERE id = :id", id=signed.observation)
    signed.refused("TRUNCATE observations CASCADE", APPEND_ONLY)
    with signed.db.owner.connect() as conn:
        row = conn.execute(
            select(schema.observations.c.strengths, schema.observations.c.status)
        ).one()
    assert tuple(row) == ("Warm and clear.", "signed")


def test_its_ratings_actions_and_their_standards_cannot_change(signed: Signed) -> None:
    signed.refused("UPDATE ratings SET evidence = 'y' WHERE id = :id", id=signed.rating)
    signed.refused("DELETE FROM ratings WHERE id = :id", id=signed.rating)
    signed.refused(
        "INSERT INTO ratings (id, observation_id, standard_id) "
        "SELECT gen_random_uuid(), observation_id, standard_id FROM ratings",
    )
    signed.refused("UPDATE actions SET description = 'Other' WHERE id = :id", id=signed.action)
    signed.refused("DELETE FROM action_standards WHERE action_id = :id", id=signed.action)


def test_an_agreed_actions_progress_and_a_merged_persons_ids_may_change(signed: Signed) -> None:
    assert (
        signed.done(
            "UPDATE actions SET status = 'done', done_at = now(), done_by = 'Ada Okafor' "
            "WHERE id = :id",
            id=signed.action,
        )
        == 1
    )
    # a merge of duplicates moves the reference and keeps the id it was signed with
    assert (
        signed.done(
            "UPDATE observations SET observer_id = :kept, "
            "ids_at_signing = jsonb_build_object('observer_id', observer_id::text) WHERE id = :id",
            kept=signed.kept_person,
            id=signed.observation,
        )
        == 1
    )
    signed.refused(
        "UPDATE observations SET ids_at_signing = '{}' WHERE id = :id", id=signed.observation
    )


def test_signatures_and_addenda_are_never_changed_or_removed(signed: Signed) -> None:
    signed.refused(
        "UPDATE signatures SET name = 'Someone else' WHERE id = :id", id=signed.signature
    )
    signed.refused("DELETE FROM signatures WHERE id = :id", id=signed.signature)
    signed.refused("UPDATE addenda SET text = 'Other words' WHERE id = :id", id=signed.addendum)
    signed.refused("DELETE FROM addenda WHERE id = :id", id=signed.addendum)
    # a manager countersigns later: a new signature is added
    assert (
        signed.done(
            "INSERT INTO signatures (id, observation_id, role, name, signed_at, content_hash) "
            "VALUES (gen_random_uuid(), :id, 'manager', 'Dana Lewis', now(), :hash)",
            id=signed.observation,
            hash="a" * 64,
        )
        == 1
    )


def test_the_audit_trail_cannot_be_changed_or_removed_even_by_the_owner(signed: Signed) -> None:
    event = signed.db.add(
        schema.audit_events,
        occurred_at=WHEN,
        actor="Priya Shah",
        action="sign:observer",
        record_type="observation",
        record_id=signed.observation,
        sequence=1,
    )
    signed.refused("UPDATE audit_events SET actor = 'Nobody' WHERE id = :id", APPEND_ONLY, id=event)
    signed.refused("DELETE FROM audit_events WHERE id = :id", APPEND_ONLY, id=event)
    signed.refused("TRUNCATE audit_events CASCADE", APPEND_ONLY)
    with signed.db.owner.connect() as conn:
        assert conn.execute(select(schema.audit_events.c.actor)).scalars().all() == ["Priya Shah"]


def test_a_draft_can_still_be_edited_and_deleted_leaving_a_tombstone(
    server_db: ServerDatabase,
) -> None:
    db = server_db
    framework = db.framework()
    ada, priya = db.person("Ada Okafor"), db.person("Priya Shah")
    draft = db.observation(framework, of=ada, by=priya)
    db.add(schema.ratings, observation_id=draft, standard_id=framework.standard)
    with db.owner.begin() as conn:
        conn.execute(
            text("UPDATE observations SET strengths = 'Calm' WHERE id = :id"), {"id": draft}
        )
        conn.execute(text("DELETE FROM observations WHERE id = :id"), {"id": draft})
        stones = conn.execute(
            select(
                schema.tombstones.c.record_type,
                schema.tombstones.c.record_id,
                schema.tombstones.c.observed_person_id,
                schema.tombstones.c.observer_id,
            )
        ).all()
        left = conn.execute(select(func.count()).select_from(schema.ratings)).scalar_one()
    assert [tuple(s) for s in stones] == [("observations", draft, ada, priya)]
    assert left == 0
