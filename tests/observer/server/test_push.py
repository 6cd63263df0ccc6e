"""Pushing observations to the team server, in process against the real PostgreSQL: each
outcome, retries, merges, what row-level security refuses and what it lets a manager or
a colleague add, signed content, deletes, and two laptops at once.

Team A: Ada works in it; Priya (practice lead) and Tom (practice lead) are assigned to it,
Dana manages it. Priya has two laptops."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from observer.server import enrolment, schema
from tests.support.push import (
    action,
    add_signature,
    change,
    edited,
    observation,
    outcome,
    push,
    results,
    signed,
)
from tests.support.server import Framework, ServerDatabase
from tests.support.sync_client import Service

TEAM = "Northshire Child Protection A"


@dataclass
class Scene:
    db: ServerDatabase
    service: Service
    framework: Framework
    ada: uuid.UUID
    priya: uuid.UUID
    tom: uuid.UUID
    dana: uuid.UUID
    priya_laptop: str
    priya_other_laptop: str
    tom_laptop: str
    dana_laptop: str

    def pulled(self, token: str, record_id: str) -> dict[str, Any]:
        """The server's copy of a record as that laptop pulls it (the last one pulled)."""
        found = [
            o for o in self.service.pull_all(token).get("observations", []) if o["id"] == record_id
        ]
        assert found, "the laptop does not see the record"
        return found[-1]

    def held(self, record_id: str) -> Any:
        """The observation row as the owner reads it in SQL (None: not held)."""
        o = schema.observations
        with self.db.owner.connect() as conn:
            return conn.execute(select(o).where(o.c.id == uuid.UUID(record_id))).one_or_none()

    def count(self, table: Any, **where: Any) -> int:
        with self.db.owner.connect() as conn:
            query = select(func.count()).select_from(table)
            for column, value in where.items():
                query = query.where(table.c[column] == value)
            return conn.execute(query).scalar_one()


def _token(db: ServerDatabase, service: Service, person: uuid.UUID, role: str) -> str:
    with db.owner.begin() as conn:
        code = enrolment.enrol(conn, str(person), role, [TEAM]).code
    response = service.enrol(code)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
def scene(server_db: ServerDatabase) -> Scene:
    db = server_db
    service = Service(db.service)
    framework = db.framework()
    team = db.team(TEAM)
    ada = db.person("Ada Okafor", team)
    priya = db.person("Priya Shah", role="practice_lead")
    tom = db.person("Tom Reed", role="practice_lead")
    dana = db.person("Dana Lewis", team, role="team_manager")
    priya_laptop = _token(db, service, priya, "practice_lead")
    # A second code for the same person keeps her role and teams: her second laptop.
    priya_other_laptop = _token(db, service, priya, "practice_lead")
    return Scene(
        db,
        service,
        framework,
        ada,
        priya,
        tom,
        dana,
        priya_laptop,
        priya_other_laptop,
        _token(db, service, tom, "practice_lead"),
        _token(db, service, dana, "team_manager"),
    )


def _added(scene: Scene, record: dict[str, Any]) -> dict[str, Any]:
    """The record pushed new by Priya, and the server's copy she pulls back."""
    answer = outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    assert answer["outcome"] == "added", answer
    return scene.pulled(scene.priya_laptop, record["id"])


def test_a_new_draft_is_added_whole_and_its_team_sees_it(scene: Scene) -> None:
    record = observation(
        scene.ada,
        scene.priya,
        strengths="Warm and clear with the children",
        ratings=[
            {
                "id": str(uuid.uuid4()),
                "created_at": "2026-03-02T10:30:00+00:00",
                "updated_at": "2026-03-02T10:30:00+00:00",
                "revision": 1,
                "standard": "1",
                "level": "good",
                "evidence": "Explained the plan",
            }
        ],
        actions=[action(standards=["1"])],
    )
    answer = outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    assert answer["outcome"] == "added"
    assert answer["conflicts"] == 0
    assert answer["message"] is None
    held = scene.pulled(scene.priya_laptop, record["id"])
    assert held["server_revision"] == answer["server_revision"]
    assert held["strengths"] == "Warm and clear with the children"
    assert [(r["standard"], r["level"]) for r in held["ratings"]] == [("1", "good")]
    assert held["actions"][0]["standards"] == ["1"]
    assert scene.pulled(scene.dana_laptop, record["id"])["strengths"] == held["strengths"]


def test_a_change_retried_after_its_answer_was_lost_is_applied_once(scene: Scene) -> None:
    record = observation(scene.ada, scene.priya, strengths="Calm")
    sent = [change(record, "create")]
    first = outcome(push(scene.service, scene.priya_laptop, sent))
    again = outcome(push(scene.service, scene.priya_laptop, sent))
    assert again == {**first, "outcome": "already_applied"}
    assert scene.count(schema.applied_changes) == 1
    assert scene.held(record["id"]).server_revision == first["server_revision"]

    # Another laptop cannot learn another's answers, nor reuse its change id.
    other = outcome(push(scene.service, scene.tom_laptop, sent))
    assert other["outcome"] == "refused"
    assert scene.count(schema.applied_changes, laptop_id=None) == 0


def test_an_edit_on_the_server_copy_updates_it_and_an_unchanged_copy_changes_nothing(
    scene: Scene,
) -> None:
    held = _added(scene, observation(scene.ada, scene.priya, strengths="Calm"))
    answer = outcome(
        push(
            scene.service,
            scene.priya_laptop,
            [change(edited(held, strengths="Calm and kind"), base=held)],
        )
    )
    assert answer["outcome"] == "updated"
    assert answer["server_revision"] > held["server_revision"]
    now = scene.pulled(scene.priya_laptop, held["id"])
    assert now["strengths"] == "Calm and kind"
    same = outcome(push(scene.service, scene.priya_laptop, [change(now, base=now)]))
    assert same["outcome"] == "unchanged"
    assert same["server_revision"] == now["server_revision"]


def test_two_laptops_editing_one_text_keep_both_words_and_record_the_conflict(
    scene: Scene,
) -> None:
    held = _added(scene, observation(scene.ada, scene.priya, strengths="Calm."))
    one = edited(held, strengths="Calm. Listened to the eldest child.")
    two = edited(held, strengths="Calm. Asked about school.")
    first = outcome(push(scene.service, scene.priya_laptop, [change(one, base=held)]))
    second = outcome(push(scene.service, scene.priya_other_laptop, [change(two, base=held)]))
    assert first["outcome"] == "updated"
    assert second["outcome"] == "merged"
    assert second["conflicts"] == 1
    words = scene.held(held["id"]).strengths
    assert "Listened to the eldest child." in words
    assert "Asked about school." in words

    for token in (scene.priya_laptop, scene.dana_laptop):
        conflicts = scene.service.pull_all(token)["conflicts"]
        assert [(c["observation_id"], c["field"], c["kind"]) for c in conflicts] == [
            (held["id"], "strengths", "text")
        ]
        assert conflicts[0]["person_id"] == str(scene.priya)
        assert conflicts[0]["based_on_revision"] == held["server_revision"]


@pytest.mark.parametrize("on_the_server", [True, False])
def test_two_laptops_of_one_writer_pushing_at_once_lose_no_words(
    scene: Scene, on_the_server: bool
) -> None:
    """Real threads, each pushing the same draft from one of the writer's laptops: one
    adds or updates it, the other merges into it, whichever the server takes first."""
    start_record = observation(scene.ada, scene.priya, strengths="Calm.")
    held = _added(scene, start_record) if on_the_server else None
    first_copy = held or start_record
    sent = {
        scene.priya_laptop: edited(first_copy, strengths="Calm. Listened to the eldest child."),
        scene.priya_other_laptop: edited(first_copy, strengths="Calm. Asked about school."),
    }
    answers: dict[str, dict[str, Any]] = {}
    start = threading.Barrier(len(sent))

    def run(token: str) -> None:
        start.wait()
        answers[token] = outcome(push(scene.service, token, [change(sent[token], base=held)]))

    threads = [threading.Thread(target=run, args=(token,)) for token in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = "updated" if on_the_server else "added"
    assert sorted(a["outcome"] for a in answers.values()) == sorted([first, "merged"])
    words = scene.held(start_record["id"]).strengths
    assert "Listened to the eldest child." in words
    assert "Asked about school." in words
    assert scene.count(schema.conflicts) == 1


def test_an_edit_of_a_record_signed_meanwhile_is_set_aside_as_a_conflict(scene: Scene) -> None:
    held = _added(scene, observation(scene.ada, scene.priya, strengths="Calm."))
    signed_copy = signed(edited(held))
    answer = outcome(push(scene.service, scene.priya_laptop, [change(signed_copy, base=held)]))
    assert answer["outcome"] == "updated"
    late_edit = edited(held, strengths="Calm. A thought after the visit.")
    answer = outcome(push(scene.service, scene.priya_other_laptop, [change(late_edit, base=held)]))
    assert answer["outcome"] == "merged"
    assert answer["conflicts"] == 1
    assert scene.held(held["id"]).strengths == "Calm."
    (conflict,) = scene.service.pull_all(scene.priya_laptop)["conflicts"]
    assert conflict["kind"] == "set_aside"
    assert conflict["kept"]["side"] == "server"
    assert conflict["set_aside"]["value"]["strengths"] == "Calm. A thought after the visit."


def test_another_leads_record_is_refused_and_nothing_of_it_is_written(scene: Scene) -> None:
    held = _added(scene, observation(scene.ada, scene.priya, strengths="Calm"))
    # Tom sees Priya's record of Ada (his team's worker) but did not write it.
    seen = scene.pulled(scene.tom_laptop, held["id"])
    taken = edited(seen, strengths="Rewritten by someone else", actions=[action()])
    answer = outcome(push(scene.service, scene.tom_laptop, [change(taken, base=seen)]))
    assert answer["outcome"] == "refused"
    assert answer["message"] == (
        f"Observation {held['id']} is not this laptop's person's to change in this way; "
        "nothing of this change was written."
    )
    row = scene.held(held["id"])
    assert row.strengths == "Calm"
    assert row.server_revision == held["server_revision"]
    assert scene.count(schema.actions) == 0
    assert scene.pulled(scene.priya_laptop, held["id"])["strengths"] == "Calm"

    # Nor may he add a record in her name.
    forged = observation(scene.ada, scene.priya, strengths="In someone else's name")
    answer = outcome(push(scene.service, scene.tom_laptop, [change(forged, "create")]))
    assert answer["outcome"] == "refused"
    assert scene.held(forged["id"]) is None


def test_a_manager_countersigns_and_a_colleague_marks_an_action_done(scene: Scene) -> None:
    record = signed(observation(scene.ada, scene.priya, strengths="Calm", actions=[action()]))
    answer = outcome(push(scene.service, scene.priya_laptop, [change(record, "create", "sign")]))
    assert answer["outcome"] == "added", answer
    assert scene.held(record["id"]).status == "signed"

    seen = scene.pulled(scene.dana_laptop, record["id"])
    countersigned = add_signature(edited(seen), "manager", minutes=60)
    answer = outcome(
        push(scene.service, scene.dana_laptop, [change(countersigned, "sign", base=seen)])
    )
    assert answer["outcome"] == "updated", answer
    assert scene.count(schema.signatures) == 3

    seen = scene.pulled(scene.tom_laptop, record["id"])
    done = edited(seen)
    done["actions"][0].update(
        status="done", done_at="2026-03-09T12:00:00+00:00", done_by="Tom Reed"
    )
    answer = outcome(
        push(scene.service, scene.tom_laptop, [change(done, "complete_action", base=seen)])
    )
    assert answer["outcome"] == "updated", answer
    with scene.db.owner.connect() as conn:
        assert conn.execute(select(schema.actions.c.status)).scalar_one() == "done"
    assert scene.pulled(scene.priya_laptop, record["id"])["actions"][0]["done_by"] == "Tom Reed"


def test_a_signed_record_with_edited_content_is_refused_whatever_its_revision(
    scene: Scene,
) -> None:
    record = signed(observation(scene.ada, scene.priya, strengths="Calm"))
    tampered = {**record, "strengths": "Calm, and something added after signing"}
    tampered["revision"] = 99
    answer = outcome(push(scene.service, scene.priya_laptop, [change(tampered, "create")]))
    assert answer["outcome"] == "refused"
    assert "changed after it was signed" in answer["message"]
    assert scene.held(record["id"]) is None

    outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    held = scene.pulled(scene.priya_laptop, record["id"])
    later = edited(held, strengths="Calm, and something added after signing")
    for entry in later["signatures"]:
        entry["content_hash"] = edited(later)["signatures"][0]["content_hash"]
    answer = outcome(push(scene.service, scene.priya_laptop, [change(later, base=held)]))
    assert answer["outcome"] == "refused"
    assert scene.held(record["id"]).strengths == "Calm"


def test_a_draft_is_deleted_only_if_unchanged_since_and_an_edit_brings_it_back(
    scene: Scene,
) -> None:
    held = _added(scene, observation(scene.ada, scene.priya, strengths="Calm"))
    moved = outcome(
        push(
            scene.service, scene.priya_other_laptop, [change(edited(held, focus="Play"), base=held)]
        )
    )
    stale_delete = change(None, "delete", base=held)
    answer = outcome(push(scene.service, scene.priya_laptop, [stale_delete]))
    assert answer == {
        "change_id": stale_delete["change_id"],
        "outcome": "kept",
        "server_revision": moved["server_revision"],
        "conflicts": 0,
        "message": None,
    }
    now = scene.pulled(scene.priya_laptop, held["id"])
    answer = outcome(push(scene.service, scene.priya_laptop, [change(None, "delete", base=now)]))
    assert answer["outcome"] == "deleted"
    assert scene.held(held["id"]) is None
    tombstones = scene.service.pull_all(scene.dana_laptop)["tombstones"]
    assert [(t["record_id"], t["reason"]) for t in tombstones] == [(held["id"], "deleted")]

    # The other laptop edited it meanwhile: it comes back.
    back = outcome(
        push(
            scene.service,
            scene.priya_other_laptop,
            [change(edited(now, reflection="More to say"), base=now)],
        )
    )
    assert back["outcome"] == "added"
    assert scene.held(held["id"]).reflection == "More to say"


def test_a_deleted_draft_stays_deleted_when_someone_who_may_not_write_it_pushes_it(
    scene: Scene,
) -> None:
    """The manager's laptop pushes the lead's draft (an action marked done there, or a copy
    from a bundle) after the lead deleted it: it stays deleted, and the answer says so, so
    the laptop drops its copy (refused, it kept it for good)."""
    held = _added(scene, observation(scene.ada, scene.priya))
    seen = scene.pulled(scene.dana_laptop, held["id"])
    gone = outcome(push(scene.service, scene.priya_laptop, [change(None, "delete", base=held)]))
    assert gone["outcome"] == "deleted"
    answer = outcome(
        push(scene.service, scene.dana_laptop, [change(edited(seen, reflection="Seen"), base=seen)])
    )
    assert (answer["outcome"], answer["server_revision"]) == ("deleted", gone["server_revision"])
    assert scene.held(held["id"]) is None


def test_a_record_removed_from_the_server_is_not_added_again(scene: Scene) -> None:
    record = observation(scene.ada, scene.priya)
    scene.db.add(
        schema.tombstones,
        record_type="observations",
        record_id=uuid.UUID(record["id"]),
        observer_id=scene.priya,
        observed_person_id=scene.ada,
        reason="removed",
    )
    sent = change(record, "create")
    answer = outcome(push(scene.service, scene.priya_laptop, [sent]))
    assert answer["outcome"] == "refused"
    assert "was removed from the team server under its retention policy" in answer["message"]
    # Said apart from the sentence, so the laptop drops its copy: a bundle may have brought
    # it back after the laptop pulled the tombstone, and no pull would take it away again.
    assert answer["removed"] is True
    again = outcome(push(scene.service, scene.priya_laptop, [sent]))
    assert (again["outcome"], again["removed"]) == ("already_applied", True)
    assert scene.held(record["id"]) is None


def test_only_a_removed_record_is_said_removed(scene: Scene) -> None:
    record = observation(scene.ada, scene.priya)
    answer = outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    assert answer["outcome"] == "added"
    assert "removed" not in answer


def test_a_laptop_clock_days_out_does_not_order_anything(scene: Scene) -> None:
    held = _added(scene, observation(scene.ada, scene.priya))
    # The first laptop's clock is two days ahead, and its copy has a high revision.
    ahead = edited(held, kind="direct_work")
    ahead.update(updated_at="2026-03-05T09:00:00+00:00", revision=40)
    behind = edited(held, kind="parents_meeting")
    first = outcome(push(scene.service, scene.priya_laptop, [change(ahead, base=held)]))
    second = outcome(push(scene.service, scene.priya_other_laptop, [change(behind, base=held)]))
    assert second["server_revision"] > first["server_revision"]
    assert scene.held(held["id"]).kind == "parents_meeting"
    assert second["conflicts"] == 1


def test_replayed_and_out_of_order_batches_lose_nothing(scene: Scene) -> None:
    created = observation(scene.ada, scene.priya, strengths="Calm.")
    later = edited(created, strengths="Calm. Asked about school.")
    batch_one = [change(created, "create")]
    batch_two = [change(later, "edit")]
    assert outcome(push(scene.service, scene.priya_laptop, batch_two))["outcome"] == "added"
    assert outcome(push(scene.service, scene.priya_laptop, batch_one))["outcome"] in (
        "unchanged",
        "merged",
    )
    for batch in (batch_one, batch_two, batch_one):
        assert outcome(push(scene.service, scene.priya_laptop, batch))["outcome"] == (
            "already_applied"
        )
    assert scene.held(created["id"]).strengths == "Calm. Asked about school."
    assert scene.count(schema.applied_changes) == 2


def test_many_changes_answer_in_order_and_one_refusal_leaves_the_others(scene: Scene) -> None:
    mine = [observation(scene.ada, scene.priya, focus=f"Visit {n}") for n in range(3)]
    theirs = observation(scene.ada, scene.tom)
    sent = [
        change(mine[0], "create"),
        change(theirs, "create"),
        *[change(r, "create") for r in mine[1:]],
    ]
    answered = results(push(scene.service, scene.priya_laptop, sent))
    assert [a["change_id"] for a in answered] == [c["change_id"] for c in sent]
    assert [a["outcome"] for a in answered] == ["added", "refused", "added", "added"]
    assert answered[0]["server_revision"] < answered[2]["server_revision"]
    assert scene.held(theirs["id"]) is None
    assert scene.count(schema.observations) == 3


def test_the_log_holds_ids_and_outcomes_never_names_or_words(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="observer.server")
    record = observation(scene.ada, scene.priya, strengths="Distinctive words for the log test")
    outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    logged = caplog.text
    assert record["id"] in logged
    for private in ("Distinctive words", "Ada Okafor", "Priya Shah"):
        assert private not in logged


def test_a_conflict_of_a_manager_recorded_through_their_own_policy(scene: Scene) -> None:
    """A countersignature pushed from a copy whose action progress moved on both sides
    records the progress conflict as the manager's own."""
    record = signed(observation(scene.ada, scene.priya, actions=[action()]))
    outcome(push(scene.service, scene.priya_laptop, [change(record, "create")]))
    base = scene.pulled(scene.dana_laptop, record["id"])
    done_here = edited(base)
    done_here["actions"][0].update(
        status="done", done_at="2026-03-09T12:00:00+00:00", done_by="Priya Shah"
    )
    outcome(push(scene.service, scene.priya_laptop, [change(done_here, base=base)]))
    theirs = add_signature(edited(base), "manager", minutes=90)
    theirs["actions"][0].update(
        status="done", done_at="2026-03-10T12:00:00+00:00", done_by="Dana Lewis"
    )
    answer = outcome(push(scene.service, scene.dana_laptop, [change(theirs, base=base)]))
    assert answer["outcome"] == "merged", answer
    assert answer["conflicts"] == 1
    with scene.db.owner.connect() as conn:
        person = conn.execute(select(schema.conflicts.c.person_id)).scalar_one()
    assert person == scene.dana
    assert scene.count(schema.signatures) == 3


def test_the_owner_can_read_every_push_answer_in_sql(scene: Scene) -> None:
    record = observation(scene.ada, scene.priya)
    sent = change(record, "create")
    outcome(push(scene.service, scene.priya_laptop, [sent]))
    with scene.db.owner.connect() as conn:
        row = conn.execute(select(schema.applied_changes)).one()
    assert str(row.change_id) == sent["change_id"]
    assert str(row.record_id) == record["id"]
    assert row.outcome == "added"
    with scene.db.as_laptop(None) as conn:
        assert conn.execute(select(func.count()).select_from(schema.applied_changes)).scalar() == 0


def test_a_delete_of_a_draft_never_on_the_server_answers_deleted(scene: Scene) -> None:
    """docs/sync-protocol.md: a delete with no base and no base_revision was never on the
    server and answers `deleted` (not a failure of the server's own)."""
    gone = change(None, "delete")
    answer = outcome(push(scene.service, scene.priya_laptop, [gone]))
    assert answer["outcome"] == "deleted", answer
    assert answer["message"] is None


def test_a_countersignature_dated_before_the_practitioners_is_refused(scene: Scene) -> None:
    """A manager's laptop whose clock is behind dates the countersignature before the
    practitioner signed: every laptop's import refuses that (out of turn), so the server
    refuses it too rather than serve a page no laptop can take."""
    record = signed(observation(scene.ada, scene.priya, strengths="Calm"))
    outcome(push(scene.service, scene.priya_laptop, [change(record, "create", "sign")]))
    seen = scene.pulled(scene.dana_laptop, record["id"])
    early = add_signature(edited(seen), "manager", minutes=-2)
    answer = outcome(push(scene.service, scene.dana_laptop, [change(early, "sign", base=seen)]))
    assert answer["outcome"] == "refused", answer
    assert "before" in answer["message"]
    assert scene.count(schema.signatures) == 2
