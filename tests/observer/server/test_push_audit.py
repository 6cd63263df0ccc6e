"""A push's audit chain and the server's receipts; hostile push bodies; people, teams and
frameworks pushed (added by anyone enrolled, changed only by a service role)."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from observer.governance.audit_hash import event_hash
from observer.records.frameworks import shipped_frameworks
from observer.server import enrolment, schema
from observer.server.push_request import MAX_BODY
from tests.support.push import Chain, action, change, hash_of, observation, outcome, push
from tests.support.server import ServerDatabase
from tests.support.sync_client import Service, sentence

TEAM = "Northshire Child Protection A"


class Laptops:
    def __init__(self, db: ServerDatabase) -> None:
        self.db = db
        self.service = Service(db.service)
        db.framework()
        self.team = db.team(TEAM)
        self.ada = db.person("Ada Okafor", self.team)
        self.priya = db.person("Priya Shah", role="practice_lead")
        self.sam = db.person("Sam Patel", role="practice_lead")
        self.priya_laptop, self.priya_id = self.enrol(self.priya, "practice_lead", TEAM)
        self.sam_laptop, _ = self.enrol(self.sam, "service")

    def enrol(self, person: uuid.UUID, role: str, *teams: str) -> tuple[str, str]:
        with self.db.owner.begin() as conn:
            code = enrolment.enrol(conn, str(person), role, list(teams)).code
        joined = self.service.enrol(code).json()
        return joined["token"], joined["laptop_id"]

    def events(self, laptop: str | None) -> list[Any]:
        a = schema.audit_events
        with self.db.owner.connect() as conn:
            where = a.c.laptop_id.is_(None) if laptop is None else a.c.laptop_id == laptop
            return list(conn.execute(select(a).where(where).order_by(a.c.sequence)))

    def count(self, table: Any) -> int:
        with self.db.owner.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def laptops(server_db: ServerDatabase) -> Laptops:
    return Laptops(server_db)


def test_the_chain_is_kept_and_each_push_gets_a_receipt_on_the_servers_own_chain(
    laptops: Laptops,
) -> None:
    chain = Chain()
    chain.add(3)
    first = push(laptops.service, laptops.priya_laptop, [], chain.events)
    assert first.status_code == 200, first.text
    assert first.json() == {"results": [], "audit": chain.head()}
    assert [e.event_hash for e in laptops.events(laptops.priya_id)] == [
        e["event_hash"] for e in chain.events
    ]

    # Sent again with two more: the three held are skipped, the two new appended.
    chain.add(2)
    again = push(laptops.service, laptops.priya_laptop, [], chain.events)
    assert again.json()["audit"] == chain.head()
    assert len(laptops.events(laptops.priya_id)) == 5
    # Nothing new: no receipt.
    push(laptops.service, laptops.priya_laptop, [], chain.events[-2:])

    receipts = laptops.events(None)
    assert [(r.sequence, r.action, r.actor) for r in receipts] == [
        (1, "receipt", "observer-server"),
        (2, "receipt", "observer-server"),
    ]
    assert [json.loads(r.detail) for r in receipts] == [
        {"laptop": laptops.priya_id, "sequence": 3, "hash": chain.events[2]["event_hash"]},
        {"laptop": laptops.priya_id, "sequence": 5, "hash": chain.events[4]["event_hash"]},
    ]
    previous = ""
    for receipt in receipts:
        assert receipt.previous_hash == previous
        assert receipt.event_hash == event_hash(
            sequence=receipt.sequence,
            event_id=receipt.id,
            occurred_at=receipt.occurred_at,
            actor=receipt.actor,
            action=receipt.action,
            record_type=receipt.record_type,
            record_id=receipt.record_id,
            content_hash=receipt.content_hash,
            detail=receipt.detail,
            previous_hash=receipt.previous_hash,
        )
        previous = receipt.event_hash


def _refused_chain(laptops: Laptops, events: list[dict[str, Any]]) -> str:
    record = observation(laptops.ada, laptops.priya)
    response = push(laptops.service, laptops.priya_laptop, [change(record, "create")], events)
    assert response.json()["error"] == "audit_chain"
    message = sentence(response, 409)
    assert laptops.priya_id in message
    assert laptops.count(schema.observations) == 0
    assert laptops.count(schema.applied_changes) == 0
    return message


def test_a_rewritten_chain_is_refused_naming_the_laptop_and_nothing_is_written(
    laptops: Laptops,
) -> None:
    chain = Chain()
    chain.add(3)
    push(laptops.service, laptops.priya_laptop, [], chain.events)
    held, receipts = len(laptops.events(laptops.priya_id)), len(laptops.events(None))

    rewritten = Chain()
    rewritten.events = copy.deepcopy(chain.events)
    # Event 2 rewritten on the laptop and every later hash made again: each recomputes,
    # but the server holds another event 2.
    rewritten.events[1]["detail"] = "changed afterwards"
    for index in range(1, 3):
        rewritten.events[index]["previous_hash"] = rewritten.events[index - 1]["event_hash"]
        rewritten.events[index]["event_hash"] = hash_of(rewritten.events[index])
    rewritten.add(1)
    assert "event 2 differs" in _refused_chain(laptops, rewritten.events)

    # An event whose hash does not recompute, and a push that skips an event.
    chain.add(2)
    tampered = copy.deepcopy(chain.events)
    tampered[4]["actor"] = "Someone Else"
    assert "does not match its own hash" in _refused_chain(laptops, tampered[3:])
    assert "does not follow" in _refused_chain(laptops, chain.events[4:])
    assert len(laptops.events(laptops.priya_id)) == held
    assert len(laptops.events(None)) == receipts


def test_a_laptops_first_push_starts_its_chain_at_one(laptops: Laptops) -> None:
    chain = Chain()
    chain.add(3)
    _refused_chain(laptops, chain.events[1:])


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        (b"{", 400, "not valid JSON"),
        (b"[]", 400, "JSON object"),
        (b'{"audit": [], "changes": [], "extra": 1}', 400, "exactly these fields"),
        (b'{"audit": [], "changes": [], "audit": []}', 400, "not valid JSON"),
        (b'{"audit": {}, "changes": []}', 400, "audit must be a list"),
        (b'{"audit": [], "changes": [{}]}', 400, "changes[0] must have exactly"),
        (b'{"audit": [], "changes": "x"}', 400, "list of at most 100"),
        (b'{"audit": [{"id": 1}], "changes": []}', 400, "audit[0] must have exactly"),
    ],
)
def test_a_malformed_push_is_one_sentence_and_writes_nothing(
    laptops: Laptops, body: bytes, status: int, said: str
) -> None:
    response = laptops.service.request(
        "POST",
        "/sync/v1/push",
        token=laptops.priya_laptop,
        content=body,
        headers={"content-type": "application/json"},
    )
    assert said in sentence(response, status)


def _bad_change(laptops: Laptops, edit: Any) -> str:
    record = observation(laptops.ada, laptops.priya)
    sent = change(record, "create")
    edit(sent, record)
    response = push(laptops.service, laptops.priya_laptop, [sent], Chain().add(1))
    message = sentence(response, 400)
    assert laptops.count(schema.observations) == 0
    assert laptops.count(schema.audit_events) == 0
    return message


def test_unknown_missing_or_mistyped_fields_are_refused_before_anything_is_written(
    laptops: Laptops,
) -> None:
    assert "'nickname'" in _bad_change(laptops, lambda c, r: r.update(nickname="x"))
    assert "'colour'" in _bad_change(
        laptops, lambda c, r: r.update(ratings=[{"colour": "red", "standard": "1"}])
    )
    assert "revision" in _bad_change(laptops, lambda c, r: r.update(revision="2"))
    assert "kind" in _bad_change(laptops, lambda c, r: r.pop("kind"))
    assert "base_revision" in _bad_change(laptops, lambda c, r: c.update(base_revision=True))
    assert "operations" in _bad_change(laptops, lambda c, r: c.update(operations=["rewrite"]))
    assert "change_id" in _bad_change(laptops, lambda c, r: c.update(change_id="1"))
    assert "record may be null only" in _bad_change(laptops, lambda c, r: c.update(record=None))


def test_two_changes_of_one_record_or_one_change_id_twice_are_refused(laptops: Laptops) -> None:
    record = observation(laptops.ada, laptops.priya)
    one = change(record, "create")
    assert "at most one change for each record" in sentence(
        push(laptops.service, laptops.priya_laptop, [one, change(record)]), 400
    )
    assert "each change id once" in sentence(
        push(laptops.service, laptops.priya_laptop, [one, one]), 400
    )


def test_a_huge_push_is_refused_before_it_is_read_whole(laptops: Laptops) -> None:
    def stream() -> Any:
        chunk = b" " * (1 << 20)
        for _ in range(9):
            yield chunk

    async def body() -> Any:
        for part in stream():
            yield part

    response = laptops.service.request(
        "POST",
        "/sync/v1/push",
        token=laptops.priya_laptop,
        content=body(),
        headers={"content-type": "application/json"},
    )
    assert "larger than" in sentence(response, 413)
    declared = laptops.service.request(
        "POST",
        "/sync/v1/push",
        token=laptops.priya_laptop,
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(MAX_BODY + 1)},
    )
    assert declared.status_code == 413


def test_a_push_larger_than_an_enrolment_but_within_its_limit_is_taken(laptops: Laptops) -> None:
    record = observation(laptops.ada, laptops.priya, reflection="Thought it through. " * 2000)
    answer = outcome(push(laptops.service, laptops.priya_laptop, [change(record, "create")]))
    assert answer["outcome"] == "added"


def test_a_push_needs_the_laptops_token(laptops: Laptops) -> None:
    assert "device token" in sentence(
        laptops.service.request("POST", "/sync/v1/push", json={"audit": [], "changes": []}), 401
    )
    assert "device token" in sentence(push(laptops.service, "forged-token", []), 401)
    assert "JSON" in sentence(
        laptops.service.request(
            "POST", "/sync/v1/push", token=laptops.priya_laptop, content=b"audit"
        ),
        415,
    )


def _person(laptops: Laptops, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "created_at": "2026-03-02T10:30:00+00:00",
        "updated_at": "2026-03-02T10:30:00+00:00",
        "revision": 1,
        "name": "Noor Rahman",
        "role": "social_worker",
        "team_id": str(laptops.team),
        "staff_reference": None,
        "active": True,
        "left_on": None,
        "asye_started_on": None,
        **fields,
    }


def test_anyone_enrolled_adds_a_person_and_only_a_service_role_changes_one(
    laptops: Laptops,
) -> None:
    person = _person(laptops)
    sent = change(person, "create", record_type="person")
    assert outcome(push(laptops.service, laptops.priya_laptop, [sent]))["outcome"] == "added"
    moved = {**person, "team_id": None, "revision": 2}
    refused = outcome(
        push(laptops.service, laptops.priya_laptop, [change(moved, record_type="person")])
    )
    assert refused["outcome"] == "refused"
    assert refused["message"] == (
        f"Only a service role may change a person the team server holds (person "
        f"{person['id']}); nothing of this change was written."
    )
    by_service = outcome(
        push(laptops.service, laptops.sam_laptop, [change(moved, record_type="person")])
    )
    assert by_service["outcome"] == "updated"
    with laptops.db.owner.connect() as conn:
        team = conn.execute(
            select(schema.people.c.team_id).where(schema.people.c.id == uuid.UUID(person["id"]))
        ).scalar_one()
    assert team is None


def test_a_team_is_added_once_and_a_clashing_name_is_refused(laptops: Laptops) -> None:
    team = {
        "id": str(uuid.uuid4()),
        "created_at": "2026-03-02T10:30:00+00:00",
        "updated_at": "2026-03-02T10:30:00+00:00",
        "revision": 1,
        "name": "Northshire Fostering",
        "manager_id": None,
    }
    sent = change(team, "create", record_type="team")
    assert outcome(push(laptops.service, laptops.priya_laptop, [sent]))["outcome"] == "added"
    clash = {**team, "id": str(uuid.uuid4()), "name": TEAM}
    answer = outcome(
        push(laptops.service, laptops.priya_laptop, [change(clash, "create", record_type="team")])
    )
    assert answer["outcome"] == "refused"
    assert "clashes" in answer["message"]


def test_a_team_named_as_one_held_but_for_case_and_spacing_is_refused(laptops: Laptops) -> None:
    """Else the server would hold two teams that people take for one (an older laptop's
    push; a laptop of this version takes the server's team: tests/observer/sync)."""
    team = {
        "id": str(uuid.uuid4()),
        "created_at": "2026-03-02T10:30:00+00:00",
        "updated_at": "2026-03-02T10:30:00+00:00",
        "revision": 1,
        "name": f"  {TEAM.upper()} ",
        "manager_id": None,
    }
    answer = outcome(
        push(laptops.service, laptops.priya_laptop, [change(team, "create", record_type="team")])
    )
    assert answer["outcome"] == "refused"
    assert answer["message"] == (
        f"Team {team['id']}'s name clashes with team {laptops.team}, which the team server "
        "already holds (case and spacing aside): the laptop takes that team as its own when "
        "it next syncs. Nothing of this change was written."
    )
    with laptops.db.owner.connect() as conn:
        names = conn.execute(select(schema.teams.c.name)).scalars().all()
    assert names == [TEAM]


def test_a_framework_is_added_once_and_another_definition_of_its_version_is_refused(
    laptops: Laptops,
) -> None:
    definition = shipped_frameworks()[0].to_json()
    record = {"definition": definition}
    first = outcome(
        push(
            laptops.service,
            laptops.priya_laptop,
            [change(record, "create", record_type="framework")],
        )
    )
    assert first["outcome"] == "added"
    again = outcome(
        push(laptops.service, laptops.priya_laptop, [change(record, record_type="framework")])
    )
    assert again["outcome"] == "unchanged"
    changed = {"definition": {**definition, "name": definition["name"] + " (edited)"}}
    refused = outcome(
        push(laptops.service, laptops.priya_laptop, [change(changed, record_type="framework")])
    )
    assert refused["outcome"] == "refused"
    assert "a changed framework needs a new version number" in refused["message"]
    with laptops.db.owner.connect() as conn:
        standards = conn.execute(
            select(func.count())
            .select_from(schema.standards)
            .join(schema.frameworks)
            .where(schema.frameworks.c.key == definition["key"])
        ).scalar_one()
    assert standards == len(definition["standards"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    where=st.sampled_from(["record", "change", "rating", "action", "event"]),
    name=st.sampled_from(
        [
            "id",
            "revision",
            "status",
            "observed_at",
            "strengths",
            "level",
            "standard",
            "done_at",
            "signatures",
            "framework",
            "base",
            "base_revision",
            "sequence",
            "occurred_at",
            "event_hash",
        ]
    ),
    value=_JSON,
)
def test_any_field_of_any_value_is_a_sentence_or_applied_never_a_failure(
    laptops: Laptops, where: str, name: str, value: Any
) -> None:
    record = observation(
        laptops.ada,
        laptops.priya,
        ratings=[
            {
                "id": str(uuid.uuid4()),
                "created_at": "2026-03-02T10:30:00+00:00",
                "updated_at": "2026-03-02T10:30:00+00:00",
                "revision": 1,
                "standard": "1",
                "level": "good",
                "evidence": "",
            }
        ],
        actions=[action()],
    )
    sent = change(record, "create")
    events = Chain().add(1)
    target = {
        "record": record,
        "change": sent,
        "rating": record["ratings"][0],
        "action": record["actions"][0],
        "event": events[0],
    }[where]
    target[name] = value
    response = push(laptops.service, laptops.priya_laptop, [sent], events * (where == "event"))
    if response.status_code == 200:
        assert response.json()["results"][0]["outcome"] in ("added", "refused", "unchanged")
    else:
        sentence(response, response.status_code)
        assert response.status_code in (400, 409)
