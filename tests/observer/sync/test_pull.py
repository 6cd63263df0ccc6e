"""Pulling from a real team server into real laptops: records come whole, a server change
merges with a pending local edit (both people's words kept), tombstones remove copies
unless a local change waits, and a worker who moves team leaves the old manager's laptop.

The server's rows are put there as the owner, as a push would leave them
(tests/support/team_server.py), so that the pull is tested apart from the push."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import array

from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.services import Services
from observer.store.models import Observation
from observer.store.sync_tables import sync_outbox
from observer.sync.client import Client
from observer.sync.pull import pull_all
from observer.sync.state import enrolment
from observer.vocabulary import Kind, Role
from tests.support.core import CONSENT, WHEN
from tests.support.sync import Laptop, LiveServer
from tests.support.team_server import put_on_server
from tests.support.team_world import push

TEAM, OTHER_TEAM = "Children in Care", "Disabled Children"


@dataclass
class Team:
    lead: Services  # the practice lead's laptop, who wrote the draft
    draft: uuid.UUID
    worker: uuid.UUID
    other_team: uuid.UUID


@pytest.fixture
def team(live_server: LiveServer, make_laptop: Laptop) -> Team:
    lead = make_laptop("Aled Hughes")
    people = lead.people
    team_id = people.add_team(TEAM)
    other = people.add_team(OTHER_TEAM)
    worker = people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team_id))
    people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER, team_id))
    me = lead.profiles.current().person_id  # type: ignore[union-attr]
    draft = lead.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, focus="Planning the review.", **CONSENT)
    )
    lead.recording.save(draft, [Change("strengths", "", "Calm with the family.")])
    put_on_server(live_server.db, lead)
    lead.sync.join(live_server.url, live_server.code_for("Aled Hughes", teams=(TEAM,)))
    with lead.db.session() as s, s.begin():  # as if pushed: nothing waits
        s.execute(delete(sync_outbox))
    return Team(lead, draft, worker, other)


def pull(laptop: Services) -> None:
    with laptop.db.session() as s:
        joined = enrolment(s)
    assert joined is not None
    with Client(joined.server, joined.token) as client:
        pull_all(laptop.db, client, "Test")


def strengths(laptop: Services, record: uuid.UUID) -> str | None:
    with laptop.db.session() as s:
        found = s.get(Observation, record)
        return None if found is None else found.strengths


def manager_laptop(live_server: LiveServer, make_laptop: Laptop) -> Services:
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    code = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    manager.sync.join(live_server.url, code)
    return manager


def test_a_manager_pulls_the_drafts_of_their_team(
    team: Team, live_server: LiveServer, make_laptop: Laptop
) -> None:
    manager = manager_laptop(live_server, make_laptop)
    pull(manager)
    assert strengths(manager, team.draft) == "Calm with the family."
    with manager.db.session() as s:
        waiting = s.execute(select(sync_outbox.c.record_id)).scalars().all()
    assert team.draft not in waiting, "nothing pulled is written to the outbox"


def test_a_server_change_and_a_pending_edit_here_keep_both_words(
    team: Team, live_server: LiveServer
) -> None:
    pull(team.lead)  # the laptop now shares the server's copy
    team.lead.recording.save(
        team.draft, [Change("strengths", "Calm with the family.", "Calm with the family. Patient.")]
    )
    with live_server.db.owner.begin() as conn:  # the same person, on another laptop
        conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == team.draft)
            .values(strengths="Calm with the family. Listened to the child.", revision=50)
        )
    pull(team.lead)
    merged = strengths(team.lead, team.draft) or ""
    assert "Patient." in merged
    assert "Listened to the child." in merged
    with team.lead.db.session() as s:
        pending = s.execute(select(sync_outbox.c.record_id, sync_outbox.c.state)).all()
    assert (team.draft, "pending") in pending, "the merged record goes back up"


def test_a_record_deleted_on_the_server_goes_unless_it_was_changed_here(
    team: Team, live_server: LiveServer
) -> None:
    pull(team.lead)
    with live_server.db.owner.begin() as conn:
        conn.execute(delete(schema.observations).where(schema.observations.c.id == team.draft))
    team.lead.recording.save(
        team.draft, [Change("strengths", "Calm with the family.", "Edited here meanwhile.")]
    )
    pull(team.lead)
    assert strengths(team.lead, team.draft) == "Edited here meanwhile.", "it comes back"

    with team.lead.db.session() as s, s.begin():  # as if pushed again
        s.execute(delete(sync_outbox))
    put_on_server(live_server.db, team.lead, [team.draft])
    pull(team.lead)
    with live_server.db.owner.begin() as conn:
        conn.execute(delete(schema.observations).where(schema.observations.c.id == team.draft))
    pull(team.lead)
    assert strengths(team.lead, team.draft) is None


def test_a_worker_moving_team_leaves_the_old_managers_laptop(
    team: Team, live_server: LiveServer, make_laptop: Laptop
) -> None:
    manager = manager_laptop(live_server, make_laptop)
    pull(manager)
    assert strengths(manager, team.draft) is not None
    with live_server.db.owner.begin() as conn:
        conn.execute(
            update(schema.people)
            .where(schema.people.c.id == team.worker)
            .values(team_id=team.other_team)
        )
    pull(manager)
    assert strengths(manager, team.draft) is None
    pull(team.lead)
    assert strengths(team.lead, team.draft) is not None, "its writer keeps it"


def test_a_record_written_here_since_joining_stays_when_its_worker_leaves_the_scope(
    team: Team, live_server: LiveServer, make_laptop: Laptop
) -> None:
    manager = manager_laptop(live_server, make_laptop)
    pull(manager)
    lead = team.lead.profiles.current().person_id  # type: ignore[union-attr]
    only_here = manager.recording.create_draft(
        DraftDetails(team.worker, lead, Kind.HOME_VISIT, WHEN, focus="Written here.", **CONSENT)
    )
    with live_server.db.owner.begin() as conn:
        conn.execute(
            update(schema.people)
            .where(schema.people.c.id == team.worker)
            .values(team_id=team.other_team)
        )
    pull(manager)
    assert strengths(manager, team.draft) is None  # the server's copy goes
    assert manager.recording.get(only_here).focus == "Written here."  # the only copy stays


def test_a_record_removed_under_retention_goes_even_with_a_change_waiting_here_and_says_so(
    team: Team, live_server: LiveServer
) -> None:
    pull(team.lead)
    with live_server.db.owner.begin() as conn:
        conn.execute(select(func.observer_remove_observations(array([team.draft], type_=PG_UUID))))
    team.lead.recording.save(
        team.draft, [Change("strengths", "Calm with the family.", "Edited here meanwhile.")]
    )
    pull(team.lead)
    assert strengths(team.lead, team.draft) is None, "a removed record never comes back"
    with team.lead.db.session() as s:
        entries = list(s.execute(select(sync_outbox)))
    # Nothing of the change stays; the lead is told, once, that it was not kept.
    assert [(e.state, e.payload) for e in entries] == [("refused", None)]
    [told] = team.lead.sync.status().refused
    assert told.record_id == team.draft
    assert told.message == (
        f"Observation {team.draft} was removed from the team server under its retention "
        "policy, so the changes made to it on this laptop were not kept, and it is no longer "
        "on this laptop."
    )
    assert team.lead.sync.status().waiting == 0


def test_a_draft_deleted_here_is_not_brought_back_by_a_pull_before_its_delete_is_sent(
    team: Team, live_server: LiveServer
) -> None:
    """The lead's push does not move her pull's cursor, so her next pull serves her own
    copy again; with the draft deleted here meanwhile, that copy brought it back (without
    what she typed after the push)."""
    pull(team.lead)
    team.lead.recording.save(team.draft, [Change("strengths", "Calm with the family.", "Sent.")])
    push(team.lead)
    team.lead.recording.save(team.draft, [Change("reflection", "", "Typed, then deleted.")])
    team.lead.recording.delete_draft(team.draft)
    pull(team.lead)
    assert strengths(team.lead, team.draft) is None, "the deleted draft came back"
    team.lead.sync.sync()
    o = schema.observations
    with live_server.db.owner.begin() as conn:
        assert conn.execute(select(o.c.id).where(o.c.id == team.draft)).first() is None
