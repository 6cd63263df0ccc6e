"""The outbox: on a joined laptop every change to a record writes an entry in its own
transaction (none when it rolls back), one pending entry a record, and nothing before the
laptop has joined."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from observer.bundle import export_bundle
from observer.bundle.importer import import_bundle
from observer.people.directory import PersonDetails
from observer.records.frameworks import shipped_frameworks, store_framework
from observer.records.merge import Change
from observer.services import Services
from observer.store.models import Observation
from observer.store.outbox import JOINED_KEY
from observer.store.sync_tables import sync_outbox
from observer.sync import state
from observer.vocabulary import Role
from tests.support.core import NewDraft, Staff
from tests.support.sync import Laptop


def joined(services: Services) -> None:
    with services.db.session() as s, s.begin():
        state.put(
            s,
            **{
                state.SERVER: "https://sync.example.org",
                state.TOKEN: "t",
                JOINED_KEY: str(uuid.uuid4()),
            },
            **{state.PERSON: str(uuid.uuid4()), state.ROLE: "service"},  # sees every record
        )


def entries(services: Services) -> list[tuple[str, uuid.UUID, list[str], str]]:
    with services.db.session() as s:
        rows = s.execute(select(sync_outbox).order_by(sync_outbox.c.created_at))
        return [(r.record_type, r.record_id, list(r.operations), r.state) for r in rows]


def test_nothing_is_written_before_the_laptop_joins(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    new_draft()
    assert entries(services) == []


def test_a_new_draft_and_later_edits_make_one_pending_entry(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    joined(services)
    draft = new_draft()
    services.recording.save(draft, [Change("strengths", "", "Warm and clear with the family.")])
    found = [e for e in entries(services) if e[0] == "observation"]
    assert found == [("observation", draft, ["create", "edit"], "pending")]


def test_people_teams_and_frameworks_are_in_the_outbox(services: Services, staff: Staff) -> None:
    joined(services)
    services.people.update_team(staff.team, "Children in Care East", staff.manager)
    person = services.people.add_person(PersonDetails("Dafydd Rees", Role.SOCIAL_WORKER))
    shipped = shipped_frameworks()[0]
    with services.db.session() as s, s.begin():
        framework, new = store_framework(s, replace(shipped, version=shipped.version + 1))
    assert new
    found = entries(services)
    assert ("team", staff.team, ["edit"], "pending") in found
    pending = {(kind, record) for kind, record, _, state_ in found if state_ == "pending"}
    assert {("person", person), ("framework", framework.id)} <= pending


def test_an_edit_that_rolls_back_leaves_no_entry(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    draft = new_draft()
    joined(services)
    seen_inside: list[tuple[str, uuid.UUID]] = []

    def failing_edit() -> None:
        with services.db.session() as s, s.begin():
            s.execute(update(Observation).where(Observation.id == draft).values(strengths="Gone"))
            seen_inside.extend(entries_in(s))  # written in the edit's own transaction
            raise RuntimeError("the edit fails after writing")

    with pytest.raises(RuntimeError):
        failing_edit()
    assert seen_inside == [("observation", draft)]
    assert entries(services) == []


def entries_in(s: object) -> list[tuple[str, uuid.UUID]]:
    rows = s.execute(select(sync_outbox.c.record_type, sync_outbox.c.record_id))  # type: ignore[attr-defined]
    return [(r.record_type, r.record_id) for r in rows]


def test_a_deleted_draft_is_a_delete(services: Services, staff: Staff, new_draft: NewDraft) -> None:
    draft = new_draft()
    joined(services)
    services.recording.delete_draft(draft)
    assert ("observation", draft, ["delete"], "pending") in entries(services)


def test_a_bundle_imported_on_a_joined_laptop_is_a_local_change(
    services: Services, staff: Staff, new_draft: NewDraft, make_laptop: Laptop
) -> None:
    draft = new_draft()
    bundle = export_bundle(services.db)
    other = make_laptop()
    joined(other)
    import_bundle(other.db, bundle, "Test", "colleague.json")
    waiting = {(kind, record) for kind, record, _, state_ in entries(other) if state_ == "pending"}
    assert ("observation", draft) in waiting
    assert ("person", staff.worker) in waiting
    assert ("team", staff.team) in waiting
