"""People and teams, the workers list, and who uses this laptop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from observer.errors import InvalidInput, StaleRecord
from observer.people.directory import PersonDetails
from observer.services import Services
from observer.text import name_order
from observer.vocabulary import Kind, Role
from tests.support.core import NewDraft, Staff

# Teams


def test_teams_are_listed_by_name_with_manager_and_active_members(services: Services) -> None:
    people = services.people
    north = people.add_team("  Assessment   North ")
    south = people.add_team("Assessment South")
    manager = people.add_person(PersonDetails("Rhys Evans", Role.TEAM_MANAGER, north))
    people.update_team(north, "Assessment North", manager)
    people.add_person(PersonDetails("Ffion Jones", Role.SOCIAL_WORKER, north))
    people.add_person(PersonDetails("Gone Away", Role.SOCIAL_WORKER, north, active=False))

    teams = [(t.id, t.name, t.manager_name, t.members) for t in people.list_teams()]

    assert teams == [
        (north, "Assessment North", "Rhys Evans", 2),
        (south, "Assessment South", "", 0),
    ]


def test_the_team_a_manager_manages_is_the_one_their_overview_opens_on(
    services: Services,
) -> None:
    people = services.people
    north, south = people.add_team("Assessment North"), people.add_team("Assessment South")
    rhys = people.add_person(PersonDetails("Rhys Evans", Role.TEAM_MANAGER, north))
    ffion = people.add_person(PersonDetails("Ffion Jones", Role.TEAM_MANAGER, south))
    lead = people.add_person(PersonDetails("Priya Shah", Role.PRACTICE_LEAD, north))
    # No team names a manager yet: a team manager's own team, a practice lead's never.
    assert people.team_managed_by(rhys) == north
    assert people.team_managed_by(lead) is None
    assert people.team_managed_by(None) is None

    people.update_team(north, "Assessment North", ffion)  # Ffion manages North, not Rhys
    assert people.team_managed_by(rhys) is None
    assert people.team_managed_by(ffion) == north
    people.update_team(south, "Assessment South", ffion)  # and South: no single team
    assert people.team_managed_by(ffion) is None


def test_a_team_can_be_renamed_including_a_change_of_case(services: Services) -> None:
    team = services.people.add_team("care leavers")
    services.people.update_team(team, "Care Leavers", None)
    services.people.update_team(team, "Leaving Care", None)
    assert [t.name for t in services.people.list_teams()] == ["Leaving Care"]


@pytest.mark.parametrize("name", ["Children in Care", "CHILDREN IN CARE", " children  in care "])
def test_a_second_team_with_the_same_name_is_refused(services: Services, name: str) -> None:
    services.people.add_team("Children in Care")
    with pytest.raises(InvalidInput, match="already a team"):
        services.people.add_team(name)
    assert [t.name for t in services.people.list_teams()] == ["Children in Care"]


def test_renaming_a_team_to_another_teams_name_is_refused(services: Services) -> None:
    services.people.add_team("Fostering Support")
    other = services.people.add_team("Care Leavers")
    with pytest.raises(InvalidInput):
        services.people.update_team(other, "fostering support", None)
    assert sorted(t.name for t in services.people.list_teams()) == [
        "Care Leavers",
        "Fostering Support",
    ]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_name_is_refused(services: Services, name: str) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        services.people.add_team(name)
    with pytest.raises(InvalidInput, match="empty"):
        services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
    assert services.people.list_teams() == []
    assert services.people.list_people() == []


def test_a_team_changed_elsewhere_is_not_overwritten(services: Services) -> None:
    team = services.people.add_team("Care Leavers")
    services.people.update_team(team, "Leaving Care", None, expected_revision=1)
    with pytest.raises(StaleRecord):
        services.people.update_team(team, "Care Leavers 16+", None, expected_revision=1)
    assert [t.name for t in services.people.list_teams()] == ["Leaving Care"]


# People


def test_people_are_added_updated_and_listed_by_name(services: Services) -> None:
    people = services.people
    team = people.add_team("Child Protection East")
    zoe = people.add_person(PersonDetails(" Zoë   Ashworth ", Role.ASYE, team, " SW12345 "))
    alasdair = people.add_person(PersonDetails("Alasdair Fraser", Role.SOCIAL_WORKER))

    listed = [(p.id, p.name, p.role, p.team_name, p.staff_reference) for p in people.list_people()]
    assert listed == [
        (alasdair, "Alasdair Fraser", Role.SOCIAL_WORKER, "", ""),
        (zoe, "Zoë Ashworth", Role.ASYE, "Child Protection East", "SW12345"),
    ]

    people.update_person(
        zoe, PersonDetails("Zoë Ashworth", Role.SOCIAL_WORKER, None, "", active=False), 1
    )
    updated = people.get_person(zoe)
    assert (updated.role, updated.team_name, updated.active) == (Role.SOCIAL_WORKER, "", False)
    assert [p.id for p in people.list_people(active_only=True)] == [alasdair]
    assert [p.id for p in people.find_by_name("  zoë  ASHWORTH")] == [zoe]


@pytest.mark.parametrize("typed", ["ayşe yılmaz", "AYŞE YILMAZ", "  Ayşe   Yılmaz "])
def test_finding_someone_by_name_ignores_case_and_spaces(services: Services, typed: str) -> None:
    """The demo has Turkish names; "ı".upper() is "I", so capitals must still find them."""
    person = services.people.add_person(PersonDetails("Ayşe Yılmaz", Role.SOCIAL_WORKER))
    services.people.add_person(PersonDetails("Ayşe Yılmazer", Role.SOCIAL_WORKER))
    assert [p.id for p in services.people.find_by_name(typed)] == [person]


@pytest.mark.parametrize(
    "details",
    [
        pytest.param(PersonDetails("Ann Lee", "wizard"), id="unknown-role"),  # type: ignore[arg-type]
        pytest.param(PersonDetails("Ann Lee", Role.ASYE, staff_reference="X" * 61), id="long-ref"),
        pytest.param(PersonDetails("A" * 201, Role.ASYE), id="long-name"),
    ],
)
def test_a_person_with_bad_details_is_refused(services: Services, details: PersonDetails) -> None:
    with pytest.raises(InvalidInput):
        services.people.add_person(details)
    assert services.people.list_people() == []


def test_a_person_changed_elsewhere_is_not_overwritten(services: Services) -> None:
    person = services.people.add_person(PersonDetails("Ann Lee", Role.ASYE))
    services.people.update_person(person, PersonDetails("Ann Lee-Smith", Role.ASYE), 1)
    with pytest.raises(StaleRecord):
        services.people.update_person(person, PersonDetails("Ann Smith", Role.ASYE), 1)
    assert services.people.get_person(person).name == "Ann Lee-Smith"


def test_the_workers_list_counts_observations_and_shows_the_latest(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    latest = datetime(2025, 2, 14, 15, 45, tzinfo=UTC)
    new_draft(Kind.HOME_VISIT, staff.worker, datetime(2024, 11, 5, 10, tzinfo=UTC))
    new_draft(Kind.DIRECT_WORK, staff.worker, latest)
    new_draft(Kind.HOME_VISIT, staff.worker, datetime(2025, 1, 9, 9, tzinfo=UTC))
    new_draft(Kind.SUPERVISION_GROUP, staff.senior, datetime(2025, 1, 20, 13, tzinfo=UTC))

    rows = {row.person.id: row for row in services.people.list_workers()}

    assert (rows[staff.worker].observations, rows[staff.worker].last_observed) == (3, latest)
    assert rows[staff.senior].observations == 1
    assert (rows[staff.asye].observations, rows[staff.asye].last_observed) == (0, None)
    assert rows[staff.lead].observations == 0  # observing someone is not being observed
    names = [row.person.name for row in services.people.list_workers()]
    assert names == sorted(names, key=name_order)  # Łukasz among the L's


# Who uses this laptop


def test_no_one_is_set_up_at_first(services: Services) -> None:
    assert services.profiles.current() is None
    assert services.actor() == "Practice Observer"


def test_setting_up_records_the_user_as_a_person(services: Services) -> None:
    profile = services.profiles.set_up("  Catriona  McLeod ", Role.PRACTICE_LEAD, " Anyshire  CC ")

    current = services.profiles.current()
    assert current == profile
    assert (current.name, current.role, current.organisation) == (
        "Catriona McLeod",
        Role.PRACTICE_LEAD,
        "Anyshire CC",
    )
    assert [p.name for p in services.people.list_people()] == ["Catriona McLeod"]
    assert services.actor() == "Catriona McLeod"


@pytest.mark.parametrize(
    ("name", "organisation"), [("", "Anyshire CC"), ("Ann Lee", "  "), ("Ann Lee", "O" * 201)]
)
def test_setting_up_without_a_name_or_organisation_is_refused(
    services: Services, name: str, organisation: str
) -> None:
    with pytest.raises(InvalidInput):
        services.profiles.set_up(name, Role.PRACTICE_LEAD, organisation)
    assert services.profiles.current() is None
    assert services.people.list_people() == []


@pytest.mark.parametrize(
    "name",
    ["Morag\x1b]0;pwned\x07 Campbell", "Morag\x00 Campbell", "Morag \u202eCampbell"],
    ids=["terminal escape", "NUL", "direction override"],
)
def test_a_name_with_control_characters_is_refused_in_one_sentence(
    services: Services, name: str
) -> None:
    """Printed by the command line, such a name would rewrite the terminal; shown on a
    summary, it would read as someone else."""
    with pytest.raises(InvalidInput, match="cannot hold control characters"):
        services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
    with pytest.raises(InvalidInput, match="cannot hold control characters"):
        services.people.add_team(name)
    assert all(name != p.name for p in services.people.list_people())


def test_people_and_teams_are_listed_with_accented_names_among_their_letters(
    services: Services,
) -> None:
    for team in ("Zenith", "Équipe Nord", "Alder"):
        services.people.add_team(team)
    for name in ("Zofia Nowak", "Zoë Adeyemi", "Émile Dubois", "Åsa Lindqvist", "Erin Cole"):
        services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))

    expected = ["Åsa Lindqvist", "Émile Dubois", "Erin Cole", "Zoë Adeyemi", "Zofia Nowak"]
    assert [p.name for p in services.people.list_people()] == expected
    assert [name for _id, name in services.people.names()] == expected
    assert [w.person.name for w in services.people.list_workers()] == expected
    assert [t.name for t in services.people.list_teams()] == ["Alder", "Équipe Nord", "Zenith"]
    assert services.people.team_names() == [(t.name, t.id) for t in services.people.list_teams()]
