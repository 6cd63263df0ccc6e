"""The sync service's endpoints, in process against the real PostgreSQL: health, enrolment
with a one-time code, the device token, and the pull feed as row-level security scopes it.

Team A's practice lead (Priya) and team B's manager (Dana): Ada works in team A, Ben in
team B. Tom, a practice lead of no team, observed Ben."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from observer.server import enrolment, schema
from observer.server.database import database_url, make_engine
from observer.server.serve import EXPECTED_SCHEMA
from tests.support.postgres import free_port
from tests.support.server import Framework, ServerDatabase
from tests.support.sync_client import Service, sentence


@dataclass
class Scene:
    db: ServerDatabase
    service: Service
    framework: Framework
    team_a: uuid.UUID
    team_b: uuid.UUID
    ada: uuid.UUID
    ben: uuid.UUID
    priya: uuid.UUID
    dana: uuid.UUID
    tom: uuid.UUID
    of_ada_by_priya: uuid.UUID
    of_ben_by_tom: uuid.UUID
    of_ben_by_priya: uuid.UUID

    def code(self, person: uuid.UUID, role: str, *teams: str, **kw: object) -> str:
        with self.db.owner.begin() as conn:
            return enrolment.enrol(conn, str(person), role, list(teams), **kw).code  # type: ignore[arg-type]

    def token(self, person: uuid.UUID, role: str, *teams: str) -> str:
        response = self.service.enrol(self.code(person, role, *teams))
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def laptops(self) -> int:
        with self.db.owner.connect() as conn:
            return conn.execute(select(func.count()).select_from(schema.laptops)).scalar_one()


@pytest.fixture
def scene(server_db: ServerDatabase) -> Scene:
    db = server_db
    framework = db.framework()
    team_a = db.team("Northshire Child Protection A")
    team_b = db.team("Northshire Child Protection B")
    ada, ben = db.person("Ada Okafor", team_a), db.person("Ben Hughes", team_b)
    priya = db.person("Priya Shah", role="practice_lead")
    dana = db.person("Dana Lewis", team_b, role="team_manager")
    tom = db.person("Tom Reed", role="practice_lead")
    return Scene(
        db,
        Service(db.service),
        framework,
        team_a,
        team_b,
        ada,
        ben,
        priya,
        dana,
        tom,
        db.observation(framework, of=ada, by=priya, strengths="Warm and clear"),
        db.observation(framework, of=ben, by=tom),
        db.observation(framework, of=ben, by=priya),
    )


def ids(records: list[dict[str, object]]) -> set[str]:
    return {str(record["id"]) for record in records}


def test_health_names_the_schema_and_protocol_and_no_one(scene: Scene) -> None:
    response = scene.service.request("GET", "/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "server_schema": EXPECTED_SCHEMA,
        "protocol": "v2",
        "protocols": ["v1", "v2"],
    }


def test_a_code_read_out_enrols_a_laptop_once(scene: Scene) -> None:
    code = scene.code(scene.priya, "practice_lead", "Northshire Child Protection A")
    read_out = code.lower().replace("-", " ")
    response = scene.service.enrol(read_out, "Priya's  laptop")
    assert response.status_code == 201, response.text
    joined = response.json()
    assert joined["person"] == {"id": str(scene.priya), "name": "Priya Shah"}
    assert joined["role"] == "practice_lead"
    assert joined["teams"] == [{"id": str(scene.team_a), "name": "Northshire Child Protection A"}]
    assert joined["server_schema"] == EXPECTED_SCHEMA
    assert joined["protocol"] == "v1"
    assert str(uuid.UUID(joined["laptop_id"])) == joined["laptop_id"]
    assert len(joined["token"]) >= 40
    with scene.db.owner.connect() as conn:
        assert conn.execute(select(schema.laptops.c.name)).scalar_one() == "Priya's laptop"

    replayed = scene.service.enrol(code, "Another laptop")
    assert "has been used" in sentence(replayed, 403)
    assert scene.laptops() == 1


def test_an_expired_or_unknown_code_is_refused_and_nothing_is_written(scene: Scene) -> None:
    expired = scene.code(scene.priya, "practice_lead", valid_for=timedelta(seconds=-1))
    assert "expired" in sentence(scene.service.enrol(expired), 403)
    assert "ask IT for a new one" in sentence(scene.service.enrol("ABCDE-FGHJK-MNPQR-STUVW"), 403)
    assert scene.laptops() == 0


def test_a_pull_needs_a_token_the_server_issued_and_has_not_revoked(scene: Scene) -> None:
    token = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    assert "device token" in sentence(scene.service.request("GET", "/sync/v1/pull"), 401)
    forged = scene.service.pull(token[:-2] + "xx")
    assert "not recognised" in sentence(forged, 401)
    assert forged.headers["www-authenticate"] == "Bearer"
    assert "not recognised" in sentence(scene.service.pull("x" * 5000), 401)
    assert scene.service.pull(token).status_code == 200
    with scene.db.owner.begin() as conn:
        conn.execute(update(schema.laptops).values(revoked_at=func.now()))
    assert "revoked" in sentence(scene.service.pull(token), 401)


def test_a_practice_lead_pulls_only_their_scope_with_everything_else_they_need(
    scene: Scene,
) -> None:
    rating = scene.db.add(
        schema.ratings,
        observation_id=scene.of_ada_by_priya,
        standard_id=scene.framework.standard,
        level_id=scene.framework.level,
        evidence="Asked the child first",
    )
    token = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    feed = scene.service.pull_all(token)

    assert ids(feed["observations"]) == {str(scene.of_ada_by_priya), str(scene.of_ben_by_priya)}
    mine = next(o for o in feed["observations"] if o["id"] == str(scene.of_ada_by_priya))
    assert mine["strengths"] == "Warm and clear"
    assert mine["framework"] == {"key": "pcf", "version": 1}
    assert mine["observed_person_id"] == str(scene.ada)
    assert mine["ratings"] == [
        {
            "id": str(rating),
            "created_at": mine["ratings"][0]["created_at"],
            "updated_at": mine["ratings"][0]["updated_at"],
            "revision": 1,
            "server_revision": mine["ratings"][0]["server_revision"],
            "evidence": "Asked the child first",
            "standard": "1",
            "level": "good",
        }
    ]
    assert "written_xid" not in mine
    assert {p["name"] for p in feed["people"]} >= {"Ada Okafor", "Ben Hughes", "Tom Reed"}
    assert {t["name"] for t in feed["teams"]} == {
        "Northshire Child Protection A",
        "Northshire Child Protection B",
    }
    [framework] = feed["frameworks"]
    assert [s["code"] for s in framework["standards"]] == ["1"]
    assert [level["code"] for level in framework["rating_levels"]] == ["good"]

    tom = scene.token(scene.tom, "practice_lead")
    assert ids(scene.service.pull_all(tom)["observations"]) == {str(scene.of_ben_by_tom)}


def test_the_next_pull_brings_only_what_changed_and_tombstones(scene: Scene) -> None:
    token = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    cursor = scene.service.pull_all(token)["cursor"]
    assert scene.service.pull_all(token, cursor)["observations"] == []

    scene.db.add(
        schema.actions, observation_id=scene.of_ada_by_priya, description="Plan the next visit"
    )
    with scene.db.owner.begin() as conn:
        conn.execute(
            delete(schema.observations).where(schema.observations.c.id == scene.of_ben_by_priya)
        )
    changed = scene.service.pull_all(token, cursor)
    [observation] = changed["observations"]
    assert observation["id"] == str(scene.of_ada_by_priya)
    assert [a["description"] for a in observation["actions"]] == ["Plan the next visit"]
    assert [(t["record_type"], t["record_id"]) for t in changed["tombstones"]] == [
        ("observations", str(scene.of_ben_by_priya))
    ]


def test_pages_of_one_walk_the_whole_feed_once(scene: Scene) -> None:
    token = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    whole = scene.service.pull_all(token)
    paged = scene.service.pull_all(token, limit=1)
    for key in ("teams", "people", "frameworks", "observations"):
        assert ids(paged[key]) == ids(whole[key]), key
    # a framework comes again with each of its standards and levels, each a row of its own
    for key in ("teams", "people", "observations"):
        assert len(paged[key]) == len(ids(paged[key])), key
    assert scene.service.pull(token, limit=1).json()["more"] is True


def test_a_worker_moving_team_moves_their_history_between_managers(scene: Scene) -> None:
    dana = scene.token(scene.dana, "team_manager", "Northshire Child Protection B")
    priya = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    before = scene.service.pull_all(dana)
    assert ids(before["observations"]) == {str(scene.of_ben_by_tom), str(scene.of_ben_by_priya)}
    dana_cursor = before["cursor"]
    priya_cursor = scene.service.pull_all(priya)["cursor"]

    with scene.db.owner.begin() as conn:
        conn.execute(
            update(schema.people)
            .where(schema.people.c.id == scene.ben)
            .values(team_id=scene.team_a)
        )

    old_manager = scene.service.pull_all(dana, dana_cursor)
    assert old_manager["observations"] == []
    assert old_manager["withdrawn"] == [str(scene.ben)]
    [ben] = old_manager["people"]
    assert ben["team_id"] == str(scene.team_a)

    new_lead = scene.service.pull_all(priya, priya_cursor)
    assert ids(new_lead["observations"]) == {str(scene.of_ben_by_tom), str(scene.of_ben_by_priya)}
    assert new_lead["withdrawn"] == []


def test_a_pull_never_passes_a_writer_still_in_flight(scene: Scene) -> None:
    token = scene.token(scene.priya, "practice_lead", "Northshire Child Protection A")
    cursor = scene.service.pull_all(token)["cursor"]
    slow = scene.db.owner.connect()
    try:
        slow.begin()
        late = uuid.uuid4()
        slow.execute(
            schema.observations.insert().values(
                id=late,
                observed_person_id=scene.ada,
                observer_id=scene.priya,
                framework_id=scene.framework.id,
                kind="home_visit",
                observed_at=func.now(),
            )
        )
        quick = scene.db.observation(scene.framework, of=scene.ada, by=scene.priya)

        during = scene.service.pull_all(token, cursor)
        assert str(quick) not in ids(during["observations"])
        slow.commit()
    finally:
        slow.close()
    after = scene.service.pull_all(token, during["cursor"])
    assert ids(after["observations"]) == {str(late), str(quick)}


def test_health_says_unavailable_when_the_database_cannot_be_reached() -> None:
    engine = make_engine(database_url(f"postgresql://observer_service@127.0.0.1:{free_port()}/x"))
    try:
        response = Service(engine).request("GET", "/health")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "message": "The database cannot be reached.",
    }
