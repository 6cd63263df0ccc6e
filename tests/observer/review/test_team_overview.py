"""The team overview: every worker at a glance, and who is overdue for an observation."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from observer.errors import InvalidInput
from observer.people.directory import PersonDetails
from observer.review.settings import (
    DEFAULT_INTERVAL_MONTHS,
    observation_interval_months,
    set_observation_interval_months,
)
from observer.review.team_overview import Period, TeamRow, team_overview
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import Role, Status
from tests.support.core import Staff
from tests.support.review import Recorder, added_on, counted_statements

TODAY = date(2025, 6, 12)
THIS_YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
RI = "requires_improvement"


def rows(
    services: Services, today: date = TODAY, period: Period = THIS_YEAR, **options: object
) -> dict[uuid.UUID, TeamRow]:
    return {
        r.person_id: r
        for r in team_overview(services.db, today, period, **options)  # type: ignore[arg-type]
    }


def test_everyone_observed_is_listed_with_their_role_and_practice_leads_only_once_observed(
    services: Services, staff: Staff, record: Recorder
) -> None:
    other_lead = services.people.add_person(PersonDetails("Priya Shah", Role.PRACTICE_LEAD))
    gone = services.people.add_person(
        PersonDetails("Dafydd Rees", Role.SOCIAL_WORKER, staff.team, active=False)
    )
    record.observation(date(2025, 2, 3), person=gone)
    record.observation(date(2025, 2, 4), person=other_lead)

    listed = team_overview(services.db, TODAY, THIS_YEAR)

    assert sorted((r.name, r.role) for r in listed) == [
        ("Morag Campbell", Role.TEAM_MANAGER),
        ("Priya Shah", Role.PRACTICE_LEAD),
        ("Siobhán Walker", Role.SOCIAL_WORKER),
        ("Zoë Green", Role.SENIOR_PRACTITIONER),
        ("Łukasz Nowak", Role.ASYE),
    ]
    assert staff.lead not in {r.person_id for r in listed}  # never observed
    assert {r.team_name for r in listed if r.role is not Role.PRACTICE_LEAD} == {"Children in Care"}


def test_each_row_has_the_last_observation_the_period_count_and_the_latest_judgement(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2024, 12, 31), overall="outstanding")
    record.observation(date(2025, 1, 1), overall=RI, status=Status.SIGNED)
    record.observation(date(2025, 3, 31), overall="good")
    record.observation(date(2025, 4, 1), overall="inadequate", status=Status.DRAFT)
    record.observation(date(2025, 4, 2), person=staff.senior)

    row = rows(services, period=Period(date(2025, 1, 1), date(2025, 3, 31)))[staff.worker]

    assert row.last_observed == date(2025, 4, 1)  # a draft: the practice was observed
    assert (row.observations, row.observations_in_period) == (4, 2)
    # The latest finished record's judgement: the newer draft's may still change.
    assert (row.latest_overall, row.latest_overall_score, row.latest_overall_on) == (
        "Good",
        3,
        date(2025, 3, 31),
    )
    assert rows(services)[staff.senior].latest_overall == ""


def test_open_and_overdue_actions_are_counted_and_done_ones_are_not(
    services: Services, staff: Staff, record: Recorder
) -> None:
    visit = record.observation(date(2025, 1, 10))
    record.action(visit, "Overdue", date(2025, 6, 11))
    record.action(visit, "Due today", TODAY)
    record.action(visit, "No date")
    done = record.action(visit, "Done", date(2025, 2, 1))
    services.actions.complete_action(done, "Morag Campbell")
    other = record.observation(date(2025, 1, 11), person=staff.senior)
    record.action(other, "Another worker's, overdue", date(2025, 1, 20))

    listed = rows(services)

    assert (listed[staff.worker].open_actions, listed[staff.worker].overdue_actions) == (3, 1)
    assert (listed[staff.senior].open_actions, listed[staff.senior].overdue_actions) == (1, 1)
    assert (listed[staff.manager].open_actions, listed[staff.manager].overdue_actions) == (0, 0)


def test_a_worker_not_observed_for_longer_than_the_interval_is_overdue_for_an_observation(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 3, 12))
    record.observation(date(2025, 5, 20), person=staff.senior, status=Status.DRAFT)
    added_on(services.db, staff.asye, date(2025, 4, 1))  # a new starter, never observed
    added_on(services.db, staff.manager, date(2024, 1, 8))  # never observed in 17 months
    assert observation_interval_months(services.db) == DEFAULT_INTERVAL_MONTHS == 3

    on_the_day = rows(services, today=date(2025, 6, 12))
    day_after = rows(services, today=date(2025, 6, 13))

    worker = on_the_day[staff.worker]
    assert (worker.observation_due_by, worker.overdue_for_observation) == (date(2025, 6, 12), False)
    assert day_after[staff.worker].overdue_for_observation
    assert not day_after[staff.senior].overdue_for_observation
    assert on_the_day[staff.asye].observation_due_by == date(2025, 7, 1)
    assert not on_the_day[staff.asye].overdue_for_observation
    assert on_the_day[staff.manager].overdue_for_observation
    assert on_the_day[staff.manager].last_observed is None


def test_the_interval_is_a_setting_and_can_be_given_for_one_overview(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 5, 2))

    assert not rows(services)[staff.worker].overdue_for_observation
    assert rows(services, interval=1)[staff.worker].overdue_for_observation

    set_observation_interval_months(services.db, 1, "Morag Campbell")

    assert rows(services)[staff.worker].overdue_for_observation
    with pytest.raises(InvalidInput) as refused:
        set_observation_interval_months(services.db, 0, "Morag Campbell")
    assert str(refused.value) == (
        "Each worker is observed at least every 1 to 24 whole months, not 0."
    )
    with pytest.raises(InvalidInput):
        rows(services, interval=25)
    set_observation_interval_months(services.db, 1, "Morag Campbell")  # unchanged: not audited
    with services.db.session() as s:
        changes = s.query(AuditEvent).filter_by(record_type="settings").all()
    assert [(e.actor, e.action, e.detail) for e in changes] == [
        ("Morag Campbell", "observation_interval", "observe each worker at least every 1 month")
    ]


def test_one_team_can_be_shown_on_its_own(
    services: Services, staff: Staff, record: Recorder
) -> None:
    court = services.people.add_team("Court Team")
    elsewhere = services.people.add_person(PersonDetails("Nia Roberts", Role.SOCIAL_WORKER, court))

    assert [r.person_id for r in team_overview(services.db, TODAY, THIS_YEAR, team_id=court)] == [
        elsewhere
    ]
    assert elsewhere in rows(services)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"The start of the period is after its end\."):
        Period(date(2025, 2, 1), date(2025, 1, 31))


def test_the_overview_takes_the_same_few_queries_however_many_workers_there_are(
    services: Services, staff: Staff, record: Recorder
) -> None:
    def statements() -> int:
        with counted_statements(services.db) as run:
            team_overview(services.db, TODAY, THIS_YEAR)
        return len(run)

    record.observation(date(2025, 1, 6), {"1": RI}, overall="good")
    few = statements()
    for n in range(8):
        person = services.people.add_person(PersonDetails(f"Worker {n}", Role.SOCIAL_WORKER))
        visit = record.observation(date(2025, 2, 1 + n), person=person, overall=RI)
        record.action(visit, "Something to do", date(2025, 3, 1))

    assert statements() == few <= 8


# Read ahead once the window is filled, for the Team section's first opening


def test_an_overview_read_ahead_is_given_once_without_reading_the_store_again(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 6), overall="good")
    overview = services.team_overview
    overview.read_ahead(TODAY, THIS_YEAR)

    with counted_statements(services.db) as run:
        first = overview.rows(TODAY, THIS_YEAR)
    assert run == []
    assert first == team_overview(services.db, TODAY, THIS_YEAR)
    with counted_statements(services.db) as run:
        again = overview.rows(TODAY, THIS_YEAR)
    assert run != []  # given once: later ones are read afresh
    assert again == first


def test_an_overview_read_ahead_is_not_given_after_a_change_it_shows_or_for_another_period(
    services: Services, staff: Staff, record: Recorder
) -> None:
    overview = services.team_overview
    overview.read_ahead(TODAY, THIS_YEAR)
    record.observation(date(2025, 3, 4), person=staff.asye)

    [asye] = [r for r in overview.rows(TODAY, THIS_YEAR) if r.person_id == staff.asye]

    assert asye.last_observed == date(2025, 3, 4)
    overview.read_ahead(TODAY, THIS_YEAR)
    with counted_statements(services.db) as run:
        overview.rows(TODAY, Period(date(2025, 3, 1), date(2025, 12, 31)))
    assert run != []
