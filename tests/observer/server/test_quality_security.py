"""Who sees and writes issue 17's records on the team server, checked in SQL as the service's
role (server migration 0016): the policies decide, and the triggers keep moderation records
as they were made.

Ada works in team A, Ben in team B. Priya, a practice lead assigned to team A, observed Ada;
Sam (service-wide) moderated that observation. Mona manages team A, Dana team B; Lee is
another practice lead assigned to team A; Tom a practice lead of team B.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from observer.server import schema
from tests.support.server import Framework, ServerDatabase

RLS_REFUSED = "42501"
KEPT = "OB001"
SIGNED_AT = datetime(2026, 5, 2, 10, tzinfo=UTC)


@dataclass
class Service:
    db: ServerDatabase
    framework: Framework
    team_a: uuid.UUID
    team_b: uuid.UUID
    ada: uuid.UUID
    priya: uuid.UUID
    sam: uuid.UUID
    tom: uuid.UUID
    laptops: dict[str, uuid.UUID]
    of_ada: uuid.UUID
    moderation: uuid.UUID
    note: uuid.UUID
    sample: uuid.UUID

    def sees(self, who: str, table: object) -> set[uuid.UUID]:
        column = "moderation_id" if table is schema.moderation_ratings else "id"
        if table is schema.moderation_sample_items:
            column = "sample_id"
        with self.db.as_laptop(self.laptops[who]) as conn:
            return set(conn.execute(select(table.c[column])).scalars())  # type: ignore[attr-defined]


def _moderation_values(service_framework: Framework, observation: uuid.UUID, by: uuid.UUID) -> dict:
    return {
        "observation_id": observation,
        "observation_hash": "a" * 64,
        "framework_id": service_framework.id,
        "moderator_id": by,
        "moderator_name": "Sam Patel",
        "overall_level_id": service_framework.level,
        "signed_at": SIGNED_AT,
        "content_hash": "b" * 64,
    }


@pytest.fixture
def service(server_db: ServerDatabase) -> Service:
    db = server_db
    framework = db.framework()
    team_a, team_b = db.team("Children in Care A"), db.team("Children in Care B")
    ada, ben = db.person("Ada Okafor", team_a), db.person("Ben Hughes", team_b)
    priya = db.person("Priya Shah", role="practice_lead")
    lee = db.person("Lee Morgan", role="practice_lead")
    tom = db.person("Tom Reed", role="practice_lead")
    mona = db.person("Mona Clarke", team_a, role="team_manager")
    dana = db.person("Dana Lewis", team_b, role="team_manager")
    sam = db.person("Sam Patel", role="practice_lead")
    laptops = {
        "priya": db.laptop(priya, "practice_lead", (team_a,)),
        "lee": db.laptop(lee, "practice_lead", (team_a,)),
        "tom": db.laptop(tom, "practice_lead", (team_b,)),
        "mona": db.laptop(mona, "team_manager", (team_a,)),
        "dana": db.laptop(dana, "team_manager", (team_b,)),
        "sam": db.laptop(sam, "service"),
    }
    of_ada = db.observation(framework, of=ada, by=priya)
    db.observation(framework, of=ben, by=tom)
    moderation = uuid.uuid4()
    note = uuid.uuid4()
    sample = uuid.uuid4()
    with db.as_laptop(laptops["sam"]) as conn:
        conn.execute(
            insert(schema.moderation_samples).values(
                id=sample,
                period_from=date(2026, 4, 1),
                period_to=date(2026, 6, 30),
                percent=10,
                seed=7,
                drawn_by="Sam Patel",
                drawn_at=SIGNED_AT,
                content_hash="c" * 64,
            )
        )
        conn.execute(
            insert(schema.moderation_sample_items).values(
                sample_id=sample, observation_id=of_ada, observer_id=priya, position=0
            )
        )
        conn.execute(
            insert(schema.moderations).values(
                id=moderation, sample_id=sample, **_moderation_values(framework, of_ada, sam)
            )
        )
        conn.execute(
            insert(schema.moderation_ratings).values(
                moderation_id=moderation, standard_id=framework.standard, level_id=framework.level
            )
        )
        conn.execute(
            insert(schema.moderation_notes).values(
                id=note,
                moderation_id=moderation,
                text="Please look at the risk evidence again.",
                author_name="Sam Patel",
                written_at=SIGNED_AT,
                content_hash="d" * 64,
            )
        )
    return Service(
        db,
        framework,
        team_a,
        team_b,
        ada,
        priya,
        sam,
        tom,
        laptops,
        of_ada,
        moderation,
        note,
        sample,
    )


def _refused(error: pytest.ExceptionInfo[DBAPIError], state: str) -> bool:
    return getattr(error.value.orig, "sqlstate", None) == state


def test_a_moderation_is_seen_by_its_moderator_the_observer_their_manager_and_the_service(
    service: Service,
) -> None:
    for table in (schema.moderations, schema.moderation_ratings, schema.moderation_notes):
        wanted = service.note if table is schema.moderation_notes else service.moderation
        seen = {who: wanted in service.sees(who, table) for who in service.laptops}
        assert seen == {
            "sam": True,  # the moderator, and service-wide
            "priya": True,  # the observer moderated
            "mona": True,  # the manager of the observed worker's team
            "dana": False,  # a manager of another team
            "lee": False,  # a practice lead of the worker's team, neither observer nor moderator
            "tom": False,
        }, table.name


def test_a_practice_lead_moderator_sees_their_moderation_of_a_record_they_cannot_see(
    service: Service,
) -> None:
    moderation = uuid.uuid4()
    with service.db.as_laptop(service.laptops["tom"]) as conn:
        conn.execute(
            insert(schema.moderations).values(
                id=moderation, **_moderation_values(service.framework, service.of_ada, service.tom)
            )
        )
    assert service.of_ada not in service.sees("tom", schema.observations)
    assert moderation in service.sees("tom", schema.moderations)
    assert moderation in service.sees("priya", schema.moderations)
    assert moderation not in service.sees("dana", schema.moderations)


def test_only_a_moderator_adds_a_moderation_in_their_own_name(service: Service) -> None:
    # A team manager does not moderate; a practice lead not in someone else's name.
    for who, moderator in (("mona", "mona"), ("tom", "sam")):
        person = service.tom if moderator == "sam" else uuid.uuid4()
        by = service.sam if moderator == "sam" else person
        with (
            pytest.raises(DBAPIError) as refused,
            service.db.as_laptop(service.laptops[who]) as conn,
        ):
            conn.execute(
                insert(schema.moderations).values(
                    id=uuid.uuid4(), **_moderation_values(service.framework, service.of_ada, by)
                )
            )
        assert _refused(refused, RLS_REFUSED), who
    # Nor does anyone but its moderator add a note raising it.
    with (
        pytest.raises(DBAPIError) as refused,
        service.db.as_laptop(service.laptops["priya"]) as conn,
    ):
        conn.execute(
            insert(schema.moderation_notes).values(
                id=uuid.uuid4(),
                moderation_id=service.moderation,
                text="I disagree.",
                author_name="Priya Shah",
                written_at=SIGNED_AT,
                content_hash="e" * 64,
            )
        )
    assert _refused(refused, RLS_REFUSED)


@pytest.mark.parametrize(
    ("table", "key", "change"),
    [
        (schema.moderations, "id", {"comment": "Rewritten."}),
        (schema.moderation_ratings, "moderation_id", {"level_id": None}),
        (schema.moderation_notes, "id", {"text": "Rewritten."}),
        (schema.moderation_samples, "id", {"seed": 8}),
        (schema.moderation_sample_items, "sample_id", {"position": 3}),
    ],
)
def test_a_moderation_record_cannot_be_changed_or_removed_even_by_the_owner(
    service: Service, table: object, key: str, change: dict
) -> None:
    ids = {
        "id": {
            "moderations": service.moderation,
            "moderation_notes": service.note,
            "moderation_samples": service.sample,
        },
        "moderation_id": {"moderation_ratings": service.moderation},
        "sample_id": {"moderation_sample_items": service.sample},
    }
    name = table.name  # type: ignore[attr-defined]
    which = table.c[key] == ids[key][name]  # type: ignore[attr-defined]
    for statement in (update(table).where(which).values(**change), delete(table).where(which)):  # type: ignore[arg-type]
        with pytest.raises(DBAPIError) as refused, service.db.owner.begin() as conn:
            conn.execute(statement)
        assert _refused(refused, KEPT), (name, statement)
    with pytest.raises(DBAPIError) as refused, service.db.owner.begin() as conn:
        conn.execute(text(f"TRUNCATE {name} CASCADE"))
    assert getattr(refused.value.orig, "sqlstate", None) in (KEPT, "OB002")


def test_the_service_role_cannot_change_a_moderation_either(service: Service) -> None:
    with pytest.raises(DBAPIError) as refused, service.db.as_laptop(service.laptops["sam"]) as conn:
        conn.execute(
            update(schema.moderations)
            .where(schema.moderations.c.id == service.moderation)
            .values(comment="Rewritten.")
        )
    assert _refused(refused, RLS_REFUSED)  # no privilege to update at all


def test_a_moderation_goes_with_its_observation_when_retention_removes_it(
    service: Service,
) -> None:
    with service.db.owner.begin() as conn:
        removed = conn.execute(
            text("SELECT observer_remove_observations(ARRAY[:id]::uuid[])"),
            {"id": service.of_ada},
        ).scalar_one()
    assert removed == 1
    with service.db.owner.connect() as conn:
        for table in (schema.moderations, schema.moderation_ratings, schema.moderation_notes):
            assert conn.execute(select(text("count(*)")).select_from(table)).scalar_one() == 0
        # The sample stays whole, ids only: its hash covers the observations it chose.
        assert conn.execute(select(schema.moderation_samples.c.id)).scalars().all() == [
            service.sample
        ]
        assert conn.execute(
            select(schema.moderation_sample_items.c.observation_id)
        ).scalars().all() == [service.of_ada]


def test_a_moderation_follows_its_observation_and_its_notes_in_the_feed(service: Service) -> None:
    def revision() -> int:
        with service.db.owner.connect() as conn:
            found: int = conn.execute(
                select(schema.moderations.c.server_revision).where(
                    schema.moderations.c.id == service.moderation
                )
            ).scalar_one()
            return found

    before = revision()
    with service.db.owner.begin() as conn:
        conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == service.of_ada)
            .values(strengths="Warm and clear.")
        )
        observation = conn.execute(
            select(schema.observations.c.server_revision).where(
                schema.observations.c.id == service.of_ada
            )
        ).scalar_one()
    after = revision()
    assert after > observation > before


def test_samples_are_for_practice_leads_and_the_service(service: Service) -> None:
    seen = {
        who: service.sample in service.sees(who, schema.moderation_samples)
        for who in service.laptops
    }
    assert seen == {
        "sam": True,
        "priya": True,
        "lee": True,
        "tom": True,
        "mona": False,
        "dana": False,
    }
    assert service.sample not in service.sees("dana", schema.moderation_sample_items)
    with (
        pytest.raises(DBAPIError) as refused,
        service.db.as_laptop(service.laptops["dana"]) as conn,
    ):
        conn.execute(
            insert(schema.moderation_samples).values(
                id=uuid.uuid4(),
                period_from=date(2026, 1, 1),
                period_to=date(2026, 3, 31),
                percent=10,
                seed=1,
                drawn_by="Dana Lewis",
                drawn_at=SIGNED_AT,
                content_hash="f" * 64,
            )
        )
    assert _refused(refused, RLS_REFUSED)


def test_commentary_is_for_leads_and_the_service_and_a_manager_reads_their_teams(
    service: Service,
) -> None:
    made = {}
    for scope in ("all", service.team_a.hex, service.team_b.hex):
        made[scope] = uuid.uuid4()
        with service.db.as_laptop(service.laptops["priya"]) as conn:
            conn.execute(
                insert(schema.board_commentaries).values(
                    id=made[scope],
                    period_first=date(2026, 4, 1),
                    period_last=date(2026, 6, 30),
                    scope=scope,
                    text="Practice is improving.",
                    written_by="Priya Shah",
                )
            )
    ids = {v: k for k, v in made.items()}

    def scopes(who: str) -> set[str]:
        return {ids[i] for i in service.sees(who, schema.board_commentaries)}

    everything = set(made)
    assert scopes("sam") == scopes("priya") == scopes("tom") == everything
    assert scopes("dana") == {service.team_b.hex}
    assert scopes("mona") == {service.team_a.hex}
    # A manager reads their team's; they do not write it (the row is not theirs to update).
    with service.db.as_laptop(service.laptops["dana"]) as conn:
        changed = conn.execute(
            update(schema.board_commentaries)
            .where(schema.board_commentaries.c.id == made[service.team_b.hex])
            .values(text="Overwritten.")
        )
        assert changed.rowcount == 0
    with service.db.owner.connect() as conn:
        texts = conn.execute(select(schema.board_commentaries.c.text)).scalars().all()
    assert texts == ["Practice is improving."] * 3


def test_the_improvement_plan_is_everyones_to_read_and_the_leads_to_add(service: Service) -> None:
    plan = uuid.uuid4()
    values = {
        "version": 1,
        "name": "Northshire improvement plan",
        "unlinked_actions": "practice",
        "definition": "{}",
        "content_hash": "1" * 64,
    }
    with (
        pytest.raises(DBAPIError) as refused,
        service.db.as_laptop(service.laptops["mona"]) as conn,
    ):
        conn.execute(insert(schema.improvement_plans).values(id=plan, **values))
    assert _refused(refused, RLS_REFUSED)
    with service.db.as_laptop(service.laptops["priya"]) as conn:
        conn.execute(insert(schema.improvement_plans).values(id=plan, **values))
    for who in service.laptops:
        assert service.sees(who, schema.improvement_plans) == {plan}, who
    with pytest.raises(DBAPIError) as refused, service.db.owner.begin() as conn:
        conn.execute(update(schema.improvement_plans).values(name="Renamed"))
    assert _refused(refused, KEPT)


def test_a_moderation_made_under_a_duplicate_is_the_persons_once_merged(service: Service) -> None:
    """A moderator's id from before their laptop joined, merged into theirs on the server
    (by the laptop's push of the merged row, or by `observer-server merge-people`)."""
    from observer.server.merging import merge_people

    duplicate = service.db.person("T. Reed", role="practice_lead")
    moderation = service.db.add(
        schema.moderations, **_moderation_values(service.framework, service.of_ada, duplicate)
    )
    assert moderation not in service.sees("tom", schema.moderations)
    with service.db.owner.begin() as conn:
        merge_people(conn, service.tom, duplicate)
    assert moderation in service.sees("tom", schema.moderations)
    assert moderation not in service.sees("dana", schema.moderations)
