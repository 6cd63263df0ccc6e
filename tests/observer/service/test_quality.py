"""The Service section's figures, as the Improvement Board reads them: shares per standard and
their change, small numbers said so, coverage, development areas, actions by theme and the
child's voice."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from observer.errors import InvalidInput
from observer.people.directory import PersonDetails
from observer.review.team_overview import Period
from observer.service.action_themes import NO_STANDARD
from observer.service.period import (
    ServiceFilter,
    period_name,
    previous_period,
    quarter_of,
    shift_quarter,
)
from observer.service.quality import ServiceFigures
from observer.service.standards import StandardFigures, StandardKey
from observer.services import Services
from observer.vocabulary import Kind, Role, Status
from tests.support.core import Staff
from tests.support.review import Recorder, added_on, framework_id, second_version
from tests.support.service import link_standards, write_sections

TODAY = date(2025, 8, 20)
Q3 = quarter_of(TODAY)  # July to September 2025
Q2 = shift_quarter(Q3, -1)
DW = "direct-work-practice"
RI = "requires_improvement"


def figures(services: Services, **options: object) -> ServiceFigures:
    query = ServiceFilter(Q3, **options)  # type: ignore[arg-type]
    return services.service_view.figures(query, TODAY)


def standard(found: ServiceFigures, code: str, version: int = 1) -> StandardFigures:
    return next(f for f in found.standards if f.code == code and f.framework_version == version)


def test_quarters_and_the_period_each_is_compared_with() -> None:
    assert Period(date(2025, 7, 1), date(2025, 9, 30)) == Q3
    assert Period(date(2025, 4, 1), date(2025, 6, 30)) == Q2
    assert shift_quarter(quarter_of(date(2025, 2, 3)), -1) == Period(
        date(2024, 10, 1), date(2024, 12, 31)
    )
    assert previous_period(Period(date(2025, 7, 11), date(2025, 7, 20))) == Period(
        date(2025, 7, 1), date(2025, 7, 10)
    )
    assert period_name(Q3) == "July to September 2025"
    assert (
        period_name(Period(date(2025, 7, 11), date(2025, 8, 2))) == "11 July 2025 to 2 August 2025"
    )
    with pytest.raises(InvalidInput):
        Period(date(2025, 7, 2), date(2025, 7, 1))


def test_counts_per_level_the_share_good_or_better_and_its_change(
    services: Services, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    for level in ("outstanding", "good", "good", RI, "inadequate", "not_observed"):
        record.observation(date(2025, 7, 10), {"1": level}, framework_id=fw)
    for level in ("good", RI, RI, RI, "inadequate"):
        record.observation(date(2025, 5, 10), {"1": level}, framework_id=fw)
    # A draft's ratings may still change: not counted (the worker page's rule).
    record.observation(date(2025, 7, 11), {"1": "inadequate"}, framework_id=fw, status=Status.DRAFT)
    record.observation(
        date(2025, 7, 12), {"1": "outstanding"}, framework_id=fw, status=Status.SIGNED
    )

    found = standard(figures(services), "1")

    assert [(c.label, c.count) for c in found.levels] == [
        ("Outstanding", 2),
        ("Good", 2),
        ("Requires improvement to be good", 1),
        ("Inadequate", 1),
    ]
    assert (found.rated, found.good_or_better) == (6, 4)  # "not observed" is no rating
    assert (found.previous_rated, found.previous_good_or_better) == (5, 1)
    assert not found.too_few_to_compare
    assert found.share == pytest.approx(4 / 6)
    assert found.change == pytest.approx(4 / 6 - 1 / 5)
    assert found.key == StandardKey(DW, 1, "1")


def test_fewer_than_five_rated_observations_in_either_period_is_too_few_to_compare(
    services: Services, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    for _ in range(5):
        record.observation(date(2025, 8, 1), {"1": "good", "2": "good"}, framework_id=fw)
    for _ in range(4):
        record.observation(date(2025, 6, 1), {"1": RI, "2": RI}, framework_id=fw)
    record.observation(date(2025, 6, 2), {"2": RI}, framework_id=fw)

    found = figures(services)

    assert standard(found, "1").too_few_to_compare  # 4 rated before
    assert standard(found, "1").change is None
    assert standard(found, "1").share == 1.0  # the share itself is still given
    assert not standard(found, "2").too_few_to_compare
    assert standard(found, "2").change == pytest.approx(1.0)


def test_framework_versions_are_never_merged(services: Services, record: Recorder) -> None:
    first, revised = framework_id(services, DW), second_version(services)
    record.observation(date(2025, 7, 2), {"3": "good"}, framework_id=first)
    record.observation(date(2025, 7, 3), {"3": "inadequate"}, framework_id=revised)
    record.observation(date(2025, 7, 4), {"3": "inadequate"}, framework_id=revised)

    found = figures(services)

    assert (standard(found, "3", 1).rated, standard(found, "3", 1).good_or_better) == (1, 1)
    assert (standard(found, "3", 2).rated, standard(found, "3", 2).good_or_better) == (2, 0)
    only_revised = figures(services, framework_id=revised)
    assert {(f.framework_version, f.code) for f in only_revised.standards} == {(2, "3")}


def test_team_kind_and_supervision_narrow_the_figures(
    services: Services, staff: Staff, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    other_team = services.people.add_team("Family Help South")
    elsewhere = services.people.add_person(
        PersonDetails("Ifeoma Okafor", Role.SOCIAL_WORKER, other_team)
    )
    record.observation(date(2025, 7, 2), {"1": "good"}, framework_id=fw)
    record.observation(date(2025, 7, 3), {"1": RI}, framework_id=fw, person=elsewhere)
    supervisors = framework_id(services, "kss-practice-supervisors")
    record.observation(
        date(2025, 7, 4),
        {"1": "inadequate"},
        person=staff.manager,
        kind=Kind.SUPERVISION_INDIVIDUAL,
        framework_id=supervisors,
    )

    assert standard(figures(services, team_id=staff.team), "1").rated == 1
    assert standard(figures(services, kind=Kind.HOME_VISIT), "1").rated == 2
    supervision = figures(services, supervision=True)
    assert [(f.framework_key, f.rated) for f in supervision.standards] == [
        ("kss-practice-supervisors", 1)
    ]
    assert supervision.child_voice is None  # supervision is not direct work


def test_coverage_follows_the_team_overviews_rules(
    services: Services, staff: Staff, record: Recorder
) -> None:
    for person in (staff.manager, staff.worker, staff.asye, staff.senior):
        added_on(services.db, person, date(2025, 1, 1))
    record.observation(date(2025, 7, 5), status=Status.DRAFT)  # a draft: observed all the same
    record.observation(date(2025, 7, 6), person=staff.senior)
    record.observation(date(2025, 3, 1), person=staff.asye)  # before the quarter; due 01/06

    (team,) = figures(services).coverage

    assert (team.team_name, team.workers, team.observed) == ("Children in Care", 4, 2)
    assert team.share == 0.5
    # The manager was added on 1 January and never observed: due by 1 April.
    assert [(w.name, w.due_by) for w in team.overdue] == [
        ("Morag Campbell", date(2025, 4, 1)),
        ("Łukasz Nowak", date(2025, 6, 1)),
    ]


def test_development_areas_name_the_observations_behind_them(
    services: Services, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    poor = [
        record.observation(date(2025, 7, day), {"4": RI, "5": "good"}, framework_id=fw)
        for day in (1, 2, 3)
    ]
    record.observation(date(2025, 7, 4), {"4": "good", "5": "inadequate"}, framework_id=fw)

    areas = figures(services).development_areas

    assert [(a.standard.code, a.below_good, a.rated) for a in areas] == [("4", 3, 4), ("5", 1, 4)]
    assert [e.observation_id for e in areas[0].evidence] == poor[::-1]  # the latest first
    assert areas[0].evidence[0].level_label == "Requires improvement to be good"
    assert areas[0].sentence() == "Below Good in 3 of 4 observations that rated it."


def test_actions_by_theme_from_the_plan_given(services: Services, record: Recorder) -> None:
    fw = framework_id(services, DW)
    observation = record.observation(date(2025, 7, 1), {"1": "good"}, framework_id=fw)
    late = record.action(observation, "Use a chronology in every case", date(2025, 8, 1))
    soon = record.action(observation, "Read the child's plan with the family", date(2025, 9, 1))
    done = record.action(observation, "Shadow a senior practitioner", date(2025, 7, 15))
    alone = record.action(observation, "Book the safeguarding course", date(2025, 9, 1))
    services.actions.complete_action(done, "Aled Hughes")
    link_standards(services, late, fw, "1", "2")  # both Practice: counted once there
    link_standards(services, soon, fw, "3")
    link_standards(services, done, fw, "3")
    plan = {StandardKey(DW, 1, "3"): ("People", "Partnerships")}
    del alone  # linked to no standard

    found = services.service_view.figures(ServiceFilter(Q3), TODAY, plan).actions

    counts = {c.name: (c.open, c.overdue, c.done) for c in found.themes}
    assert counts == {
        "Practice": (1, 1, 0),
        "Performance": (0, 0, 0),
        "People": (1, 0, 1),
        "Partnerships": (1, 0, 1),
        NO_STANDARD: (1, 0, 0),
    }
    assert [c.name for c in found.themes][-1] == NO_STANDARD
    without_plan = services.service_view.figures(ServiceFilter(Q3), TODAY).actions
    assert {c.name: c.open for c in without_plan.themes}["Practice"] == 2


def test_the_childs_voice_counts_direct_work_that_says_something(
    services: Services, record: Recorder
) -> None:
    def direct(kind: Kind, voice: str, feedback: str = "") -> uuid.UUID:
        observation = record.observation(date(2025, 7, 8), kind=kind)
        write_sections(services, observation, child_voice=voice, family_feedback=feedback)
        return observation

    direct(
        Kind.DIRECT_WORK, "Amira drew her family and said she feels safe with Nan.", "Nan: helpful"
    )
    direct(Kind.HOME_VISIT, "Tyler showed his room.")
    direct(Kind.PARENTS_MEETING, " \n\t ")  # blanks say nothing
    direct(Kind.CHILD_PROTECTION_MEETING, "Heard through the advocate.")  # not counted

    voice = figures(services).child_voice

    assert voice is not None
    assert (voice.direct_work, voice.with_voice, voice.with_feedback) == (3, 2, 1)
    assert voice.voice_share == pytest.approx(2 / 3)
    assert voice.feedback_share == pytest.approx(1 / 2)
