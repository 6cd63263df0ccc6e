"""Who sees what, checked in SQL as the service's role: the policies, not the service, decide.

Team A's practice lead (Priya) and team B's (Tom) each observe; Dana is team B's
manager, Sam a service-wide principal social worker. Ada works in team A, Ben in team B.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from observer.server import schema
from observer.server.migrate import SERVICE_PRIVILEGES
from tests.support.server import Framework, ServerDatabase

RLS_REFUSED = "42501"  # new row violates row-level security policy


@dataclass
class Team:
    db: ServerDatabase
    framework: Framework
    team_a: uuid.UUID
    team_b: uuid.UUID
    ada: uuid.UUID
    ben: uuid.UUID
    priya: uuid.UUID
    tom: uuid.UUID
    dana: uuid.UUID
    sam: uuid.UUID
    priya_laptop: uuid.UUID
    tom_laptop: uuid.UUID
    dana_laptop: uuid.UUID
    sam_laptop: uuid.UUID
    of_ada_by_priya: uuid.UUID
    of_ben_by_tom: uuid.UUID
    of_ben_by_priya: uuid.UUID

    def visible(
        self, laptop: uuid.UUID | None, table: object = schema.observations
    ) -> set[uuid.UUID]:
        with self.db.as_laptop(laptop) as conn:
            return set(conn.execute(select(table.c.id)).scalars())  # type: ignore[attr-defined]


@pytest.fixture
def team(server_db: ServerDatabase) -> Team:
    db = server_db
    framework = db.framework()
    team_a, team_b = (
        db.team("Northshire Child Protection A"),
        db.team("Northshire Child Protection B"),
    )
    ada, ben = db.person("Ada Okafor", team_a), db.person("Ben Hughes", team_b)
    priya = db.person("Priya Shah", role="practice_lead")
    tom = db.person("Tom Reed", role="practice_lead")
    dana = db.person("Dana Lewis", team_b, role="team_manager")
    sam = db.person("Sam Patel", role="practice_lead")
    of_ada_by_priya = db.observation(framework, of=ada, by=priya)
    of_ben_by_tom = db.observation(framework, of=ben, by=tom)
    of_ben_by_priya = db.observation(framework, of=ben, by=priya)
    for observation in (of_ada_by_priya, of_ben_by_tom):
        db.add(schema.ratings, observation_id=observation, standard_id=framework.standard)
    return Team(
        db,
        framework,
        team_a,
        team_b,
        ada,
        ben,
        priya,
        tom,
        dana,
        sam,
        priya_laptop=db.laptop(priya, "practice_lead", (team_a,)),
        tom_laptop=db.laptop(tom, "practice_lead", (team_b,)),
        dana_laptop=db.laptop(dana, "team_manager", (team_b,)),
        sam_laptop=db.laptop(sam, "service"),
        of_ada_by_priya=of_ada_by_priya,
        of_ben_by_tom=of_ben_by_tom,
        of_ben_by_priya=of_ben_by_priya,
    )


def _refused_by_policy(error: pytest.ExceptionInfo[DBAPIError]) -> bool:
    return getattr(error.value.orig, "sqlstate", None) == RLS_REFUSED


def test_without_a_caller_the_service_sees_no_row_of_any_table(team: Team) -> None:
    for table in (t for t, privileges in SERVICE_PRIVILEGES.items() if "SELECT" in privileges):
        with team.db.owner.connect() as conn:
            held = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        with team.db.as_laptop(None) as conn:
            seen = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        assert (table, seen) == (table, 0 if table != "alembic_version" else held)
        if table in ("observations", "people", "laptops", "ratings"):
            assert held > 0, table


def test_each_caller_sees_the_observations_their_role_and_teams_allow(team: Team) -> None:
    everything = {team.of_ada_by_priya, team.of_ben_by_tom, team.of_ben_by_priya}
    # what she wrote, and her team's worker
    assert team.visible(team.priya_laptop) == {team.of_ada_by_priya, team.of_ben_by_priya}
    # his team's worker, whoever wrote it
    assert team.visible(team.tom_laptop) == {team.of_ben_by_tom, team.of_ben_by_priya}
    assert team.visible(team.dana_laptop) == {team.of_ben_by_tom, team.of_ben_by_priya}
    assert team.visible(team.sam_laptop) == everything


def test_a_practice_lead_cannot_change_or_delete_another_teams_observation(team: Team) -> None:
    with team.db.as_laptop(team.priya_laptop) as conn:
        changed = conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == team.of_ben_by_tom)
            .values(strengths="Overwritten")
        )
        deleted = conn.execute(
            text("DELETE FROM observations WHERE id = :id"), {"id": team.of_ben_by_tom}
        )
        ratings = conn.execute(
            text("DELETE FROM ratings WHERE observation_id = :id"), {"id": team.of_ben_by_tom}
        )
    assert (changed.rowcount, deleted.rowcount, ratings.rowcount) == (0, 0, 0)
    with team.db.owner.connect() as conn:
        row = conn.execute(
            select(schema.observations.c.strengths).where(
                schema.observations.c.id == team.of_ben_by_tom
            )
        ).one()
        kept = conn.execute(
            select(func.count())
            .select_from(schema.ratings)
            .where(schema.ratings.c.observation_id == team.of_ben_by_tom)
        ).scalar_one()
    assert (row.strengths, kept) == ("", 1)


def test_nobody_writes_a_row_they_could_not_then_see(team: Team) -> None:
    with pytest.raises(DBAPIError) as made, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            insert(schema.observations).values(
                id=uuid.uuid4(),
                observed_person_id=team.ben,
                observer_id=team.tom,
                framework_id=team.framework.id,
                kind="home_visit",
                observed_at=func.now(),
            )
        )
    assert _refused_by_policy(made)
    with pytest.raises(DBAPIError) as moved, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == team.of_ada_by_priya)
            .values(observer_id=team.tom, observed_person_id=team.ben)
        )
    assert _refused_by_policy(moved)
    with pytest.raises(DBAPIError) as rated, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            insert(schema.ratings).values(
                id=uuid.uuid4(),
                observation_id=team.of_ben_by_tom,
                standard_id=team.framework.standard,
            )
        )
    assert _refused_by_policy(rated)


def test_parts_of_an_observation_are_seen_with_it(team: Team) -> None:
    with team.db.as_laptop(team.priya_laptop) as conn:
        rated = set(conn.execute(select(schema.ratings.c.observation_id)).scalars())
    assert rated == {team.of_ada_by_priya}


def test_a_worker_moving_team_takes_their_history_to_the_new_teams_leads(team: Team) -> None:
    with team.db.as_laptop(team.sam_laptop) as conn:  # a service-wide role moves Ben
        conn.execute(
            update(schema.people).where(schema.people.c.id == team.ben).values(team_id=team.team_a)
        )
    assert team.visible(team.priya_laptop) == {
        team.of_ada_by_priya,
        team.of_ben_by_priya,
        team.of_ben_by_tom,
    }
    assert team.visible(team.tom_laptop) == {team.of_ben_by_tom}  # only what he wrote
    assert team.visible(team.dana_laptop) == set()


def test_a_practice_lead_cannot_move_a_worker(team: Team) -> None:
    with team.db.as_laptop(team.priya_laptop) as conn:
        moved = conn.execute(
            update(schema.people).where(schema.people.c.id == team.ben).values(team_id=team.team_a)
        )
    assert moved.rowcount == 0
    assert team.of_ben_by_tom not in team.visible(team.priya_laptop)


def test_a_revoked_laptop_sees_nothing(team: Team) -> None:
    with team.db.owner.begin() as conn:
        conn.execute(
            update(schema.laptops)
            .where(schema.laptops.c.id == team.priya_laptop)
            .values(revoked_at=func.now())
        )
    assert team.visible(team.priya_laptop) == set()
    assert team.visible(team.priya_laptop, schema.people) == set()


def test_a_laptop_sees_itself_and_its_persons_teams_but_no_other(team: Team) -> None:
    assert team.visible(team.priya_laptop, schema.laptops) == {team.priya_laptop}
    with team.db.as_laptop(team.priya_laptop) as conn:
        teams = set(conn.execute(select(schema.team_assignments.c.team_id)).scalars())
    assert teams == {team.team_a}
    with pytest.raises(DBAPIError) as error, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(select(func.count()).select_from(schema.enrolment_codes))
    assert "permission denied" in str(error.value.orig)


def test_a_laptop_adds_audit_events_to_its_own_chain_only(team: Team) -> None:
    event = {
        "occurred_at": func.now(),
        "actor": "Priya Shah",
        "action": "edit",
        "record_type": "observation",
        "record_id": team.of_ada_by_priya,
        "sequence": 1,
    }
    with team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            insert(schema.audit_events).values(
                id=uuid.uuid4(), laptop_id=team.priya_laptop, **event
            )
        )
    with pytest.raises(DBAPIError) as forged, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            insert(schema.audit_events).values(id=uuid.uuid4(), laptop_id=team.tom_laptop, **event)
        )
    assert _refused_by_policy(forged)
    # the event about Ada's record is seen by those who see the record
    assert len(team.visible(team.sam_laptop, schema.audit_events)) == 1
    assert team.visible(team.tom_laptop, schema.audit_events) == set()


def test_the_callers_identity_is_looked_up_once_per_statement_not_per_row(team: Team) -> None:
    """With 1,000,000 observations a lookup per row would take minutes."""

    calls = text(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions "
        "WHERE funcname LIKE 'observer_caller_%'"
    )

    def lookups() -> int:
        with team.db.as_laptop(team.priya_laptop) as conn:
            before = conn.execute(calls).scalar_one()
            conn.execute(select(func.count()).select_from(schema.observations)).scalar_one()
            made: int = conn.execute(calls).scalar_one() - before
        return made

    few = lookups()
    for _ in range(30):
        team.db.observation(team.framework, of=team.ben, by=team.tom)
        team.db.observation(team.framework, of=team.ada, by=team.tom)
    assert lookups() == few
    assert len(team.visible(team.priya_laptop)) == 32


def test_a_caller_ends_with_its_transaction_on_a_pooled_connection(team: Team) -> None:
    with team.db.as_laptop(team.sam_laptop) as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert len(conn.execute(select(schema.observations.c.id)).all()) == 3
    with team.db.as_laptop(None) as conn:  # the same connection, from the pool
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == backend
        assert conn.execute(select(schema.observations.c.id)).all() == []


SEALED = "OB001"


def _sign(team: Team, observation: uuid.UUID) -> None:
    with team.db.owner.begin() as conn:
        conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == observation)
            .values(status="signed")
        )


def _people(team: Team, observation: uuid.UUID) -> tuple[object, ...]:
    o = schema.observations
    with team.db.owner.connect() as conn:
        row = conn.execute(
            select(o.c.observer_id, o.c.observed_person_id, o.c.ids_at_signing).where(
                o.c.id == observation
            )
        ).one()
    return tuple(row)


def test_a_manager_cannot_take_over_someone_elses_signed_record(team: Team) -> None:
    _sign(team, team.of_ben_by_tom)
    before = _people(team, team.of_ben_by_tom)
    with team.db.as_laptop(team.dana_laptop) as conn:  # she sees it: Ben is in her team
        taken = conn.execute(
            text("UPDATE observations SET observer_id = :me WHERE id = :id"),
            {"me": team.dana, "id": team.of_ben_by_tom},
        )
    assert taken.rowcount == 0
    assert _people(team, team.of_ben_by_tom) == before == (team.tom, team.ben, None)


def test_a_signed_records_people_move_only_in_a_merge_that_keeps_the_signed_ids(
    team: Team,
) -> None:
    _sign(team, team.of_ada_by_priya)
    duplicate = team.db.person("Priya S.")
    move = text("UPDATE observations SET observer_id = :to WHERE id = :id")
    # not even the owner moves them without keeping the ids it was signed with
    with pytest.raises(DBAPIError) as bare, team.db.owner.begin() as conn:
        conn.execute(move, {"to": duplicate, "id": team.of_ada_by_priya})
    assert getattr(bare.value.orig, "sqlstate", None) == SEALED
    merge = text(
        "UPDATE observations SET observer_id = :to, ids_at_signing = "
        "jsonb_build_object('observer_id', CAST(:signed AS text)) WHERE id = :id"
    )
    # nor the writer, even keeping them: a merge is an administrator's
    with pytest.raises(DBAPIError) as own, team.db.as_laptop(team.priya_laptop) as conn:
        conn.execute(
            merge, {"to": duplicate, "signed": str(team.priya), "id": team.of_ada_by_priya}
        )
    assert getattr(own.value.orig, "sqlstate", None) == SEALED
    # nor a service-wide role that keeps the wrong ids
    with pytest.raises(DBAPIError) as wrong, team.db.as_laptop(team.sam_laptop) as conn:
        conn.execute(merge, {"to": duplicate, "signed": str(duplicate), "id": team.of_ada_by_priya})
    assert getattr(wrong.value.orig, "sqlstate", None) == SEALED
    assert _people(team, team.of_ada_by_priya) == (team.priya, team.ada, None)
    # a service-wide role's merge that keeps them is done
    with team.db.as_laptop(team.sam_laptop) as conn:
        merged = conn.execute(
            merge, {"to": duplicate, "signed": str(team.priya), "id": team.of_ada_by_priya}
        )
    assert merged.rowcount == 1
    assert _people(team, team.of_ada_by_priya) == (
        duplicate,
        team.ada,
        {"observer_id": str(team.priya)},
    )


def test_only_its_writer_deletes_a_draft(team: Team) -> None:
    delete = text("DELETE FROM observations WHERE id = :id")
    ratings = text("DELETE FROM ratings WHERE observation_id = :id")
    for laptop in (team.tom_laptop, team.dana_laptop):  # both see Priya's record of Ben
        with team.db.as_laptop(laptop) as conn:
            assert team.of_ben_by_priya in team.visible(laptop)
            gone = conn.execute(delete, {"id": team.of_ben_by_priya})
            unrated = conn.execute(ratings, {"id": team.of_ada_by_priya})
        assert (gone.rowcount, unrated.rowcount) == (0, 0)
    with team.db.as_laptop(team.dana_laptop) as conn:
        assert conn.execute(ratings, {"id": team.of_ben_by_tom}).rowcount == 0
    assert team.of_ben_by_priya in team.visible(team.sam_laptop)
    with team.db.as_laptop(team.priya_laptop) as conn:
        assert conn.execute(delete, {"id": team.of_ben_by_priya}).rowcount == 1
    assert team.of_ben_by_priya not in team.visible(team.sam_laptop)


def test_who_sees_a_record_may_countersign_it_and_mark_its_actions_done_only(
    team: Team,
) -> None:
    action = team.db.add(schema.actions, observation_id=team.of_ben_by_tom, description="Plan")
    _sign(team, team.of_ben_by_tom)
    with team.db.owner.connect() as conn:
        before = conn.execute(
            select(schema.observations.c.server_revision).where(
                schema.observations.c.id == team.of_ben_by_tom
            )
        ).scalar_one()
    countersign = text(
        "INSERT INTO signatures (id, observation_id, role, name, signed_at, content_hash) "
        "VALUES (gen_random_uuid(), :id, :role, 'Dana Lewis', now(), :hash)"
    )
    done = text("UPDATE actions SET status = 'done', done_by = 'Ben Hughes' WHERE id = :id")
    with team.db.as_laptop(team.dana_laptop) as conn:
        conn.execute(countersign, {"id": team.of_ben_by_tom, "role": "manager", "hash": "a" * 64})
        assert conn.execute(done, {"id": action}).rowcount == 1
    with team.db.owner.connect() as conn:  # both carry the record into the feed again
        after = conn.execute(
            select(schema.observations.c.server_revision).where(
                schema.observations.c.id == team.of_ben_by_tom
            )
        ).scalar_one()
    assert after > before
    with pytest.raises(DBAPIError) as reworded, team.db.as_laptop(team.dana_laptop) as conn:
        conn.execute(
            text("UPDATE actions SET owner_id = :me WHERE id = :id"),
            {"me": team.dana, "id": action},
        )
    assert _refused_by_policy(reworded)
    with pytest.raises(DBAPIError) as signed_for, team.db.as_laptop(team.dana_laptop) as conn:
        conn.execute(
            countersign, {"id": team.of_ben_by_tom, "role": "practitioner", "hash": "a" * 64}
        )
    assert _refused_by_policy(signed_for)
    # a practice lead who sees another lead's record does not countersign it
    with pytest.raises(DBAPIError) as by_a_lead, team.db.as_laptop(team.tom_laptop) as conn:
        conn.execute(countersign, {"id": team.of_ben_by_priya, "role": "manager", "hash": "a" * 64})
    assert _refused_by_policy(by_a_lead)
