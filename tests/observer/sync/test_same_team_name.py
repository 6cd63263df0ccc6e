"""A laptop used on its own before joining made its team under the name the server already
holds with another id (IT seeded the server, or another practice lead's laptop joined
first): the laptop takes the server's team, so its records reach that team's manager and
the team shows once, everywhere."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.services import Services
from observer.store.models import AuditEvent, Observation
from observer.sync import state
from observer.sync.client import Client
from observer.sync.push import push_all
from observer.sync.teams import ADOPTED
from observer.vocabulary import Kind, Role
from tests.support.core import CONSENT, WHEN
from tests.support.sync import TEAM, Laptop, LiveServer, lead_with_a_draft, signed_in_the_room


def _teams(laptop: Services) -> list[tuple[uuid.UUID, str]]:
    return [(t.id, t.name) for t in laptop.people.list_teams()]


def _server_teams(live_server: LiveServer) -> list[tuple[uuid.UUID, str]]:
    t = schema.teams
    with live_server.db.owner.connect() as conn:
        return [(row.id, row.name) for row in conn.execute(select(t.c.id, t.c.name))]


def _holds(laptop: Services, record: uuid.UUID) -> bool:
    with laptop.db.session() as s:
        return s.get(Observation, record) is not None


def _manager(live_server: LiveServer, make_laptop: Laptop) -> Services:
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    code = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    manager.sync.join(live_server.url, code)
    manager.sync.sync()
    return manager


def test_a_laptop_whose_team_the_server_holds_under_another_id_takes_the_servers_team(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    server_team = live_server.db.team(TEAM)
    lead = lead_with_a_draft(live_server, make_laptop)
    local_team = lead.laptop.people.team_named(TEAM).id
    assert local_team != server_team

    done = lead.laptop.sync.sync()

    assert done.refused == 0, lead.laptop.sync.status().refused
    assert lead.laptop.sync.status().waiting == 0
    assert _teams(lead.laptop) == [(server_team, TEAM)]
    assert lead.laptop.people.get_person(lead.worker).team_id == server_team
    assert _server_teams(live_server) == [(server_team, TEAM)]
    with lead.laptop.db.session() as s:
        adopted = s.scalars(select(AuditEvent).where(AuditEvent.action == ADOPTED)).one()
    assert adopted.record_id == local_team
    assert str(server_team) in adopted.detail
    manager = _manager(live_server, make_laptop)
    assert _holds(manager, lead.draft), "the lead's draft reaches the team's manager"
    assert _teams(manager) == [(server_team, TEAM)]
    assert lead.laptop.audit.verify().ok


def test_a_signed_record_keeps_what_was_signed_when_its_worker_moves_to_the_servers_team(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """A record's signed content names people, never a team: taking the server's team
    changes no signed record, and the server takes it as signed."""
    live_server.db.team(TEAM)
    lead = lead_with_a_draft(live_server, make_laptop)
    signed_in_the_room(lead)
    signed = lead.laptop.signoff.current_hash(lead.draft)

    assert lead.laptop.sync.sync().refused == 0, lead.laptop.sync.status().refused

    assert lead.laptop.signoff.current_hash(lead.draft) == signed
    assert lead.laptop.audit.verify().ok
    manager = _manager(live_server, make_laptop)
    assert manager.signoff.current_hash(lead.draft) == signed
    assert manager.audit.verify().ok


def test_names_are_compared_as_people_compare_them(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    server_team = live_server.db.team(TEAM)
    lead = lead_with_a_draft(live_server, make_laptop)
    local_team = lead.laptop.people.team_named(TEAM).id
    lead.laptop.people.update_team(local_team, f"  {TEAM.upper()} ", None)

    assert lead.laptop.sync.sync().refused == 0, lead.laptop.sync.status().refused
    assert _teams(lead.laptop) == [(server_team, TEAM)]
    assert _server_teams(live_server) == [(server_team, TEAM)]


def test_a_laptop_whose_changes_were_refused_for_the_name_sends_them_again(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """As an earlier version pushed: the team first, refused for its name, and with it the
    people of that team and the records about them."""
    server_team = live_server.db.team(TEAM)
    lead = lead_with_a_draft(live_server, make_laptop)
    with lead.laptop.db.session() as s:
        joined = state.enrolment(s)
    assert joined is not None
    with Client(joined.server, joined.token) as client:
        assert push_all(lead.laptop.db, client).refused >= 3
    assert {r.record_type for r in lead.laptop.sync.status().refused} >= {"team", "observation"}

    assert lead.laptop.sync.sync().refused == 0, lead.laptop.sync.status().refused

    assert lead.laptop.sync.status().refused == ()
    assert _teams(lead.laptop) == [(server_team, TEAM)]
    assert _holds(_manager(live_server, make_laptop), lead.draft)


def _second_lead(make_laptop: Laptop, team_name: str) -> tuple[Services, uuid.UUID]:
    laptop = make_laptop("Bethan Rhys")
    team = laptop.people.add_team(team_name)
    worker = laptop.people.add_person(PersonDetails("Tomasz Nowak", Role.SOCIAL_WORKER, team))
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    draft = laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.DIRECT_WORK, WHEN, focus="Life story work.", **CONSENT)
    )
    laptop.recording.save(draft, [Change("strengths", "", "Warm with the child.")])
    return laptop, draft


def test_two_laptops_with_the_same_team_name_join_one_after_the_other(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    first = lead_with_a_draft(live_server, make_laptop)
    second, second_draft = _second_lead(make_laptop, "children in care")
    second.sync.join(live_server.url, live_server.code_for("Bethan Rhys"))
    first.laptop.sync.sync()  # the first laptop's team reaches the server first
    (team_id, name) = _server_teams(live_server)[0]

    assert second.sync.sync().refused == 0, second.sync.status().refused

    assert _server_teams(live_server) == [(team_id, name)]
    assert _teams(second) == [(team_id, TEAM)]
    manager = _manager(live_server, make_laptop)
    assert _holds(manager, first.draft)
    assert _holds(manager, second_draft)
    assert _teams(manager) == [(team_id, TEAM)]
    o = schema.observations
    with live_server.db.owner.connect() as conn:
        held = conn.execute(
            select(func.count()).where(o.c.id.in_([first.draft, second_draft]))
        ).scalar_one()
    assert held == 2
    first.laptop.sync.sync()
    assert _teams(first.laptop) == [(team_id, TEAM)]
