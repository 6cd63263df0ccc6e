"""A worker's history as a manager reads it before supervision: what they would see."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from observer.errors import InvalidInput
from observer.governance.audit import describe_action
from observer.people.directory import PersonDetails
from observer.records.recording import ObservationFilter
from observer.review.asye import AsyeState, add_months, whole_months_between
from observer.review.settings import (
    review_settings,
    set_asye_observations_required,
)
from observer.review.trends import LevelInfo, good_score
from observer.review.worker_history import HistoryFilter, WorkerHistory, worker_history
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import ActionStatus, Kind, Role, Status
from tests.support.core import Staff
from tests.support.review import (
    Recorder,
    counted_statements,
    framework_id,
    noon,
    second_version,
    start_asye,
)

TODAY = date(2025, 6, 1)
RI = "requires_improvement"


def history(services: Services, person: uuid.UUID, **filters: Any) -> WorkerHistory:
    return worker_history(services.db, person, HistoryFilter(**filters), TODAY)


# Actions


def test_overdue_actions_come_first_then_open_then_done_with_who_and_when(
    services: Services, staff: Staff, record: Recorder
) -> None:
    visit = record.observation(date(2025, 1, 10))
    later = record.action(visit, "Use the three houses tool", date(2025, 7, 1))
    undated = record.action(visit, "Read the chronology")
    overdue = record.action(visit, "Share the plan with the family", date(2025, 5, 1))
    done = record.action(visit, "Book the genogram training", date(2025, 2, 1))
    services.actions.complete_action(done, "Morag Campbell")
    someone_else = record.observation(date(2025, 1, 11), person=staff.senior)
    record.action(someone_else, "Not this worker's", date(2025, 2, 1))

    seen = history(services, staff.worker)

    assert [a.id for a in seen.actions] == [overdue, later, undated, done]
    assert [a.id for a in seen.overdue_actions] == [overdue]
    assert [a.id for a in seen.open_actions] == [overdue, later, undated]
    (completed,) = seen.done_actions
    assert (completed.done_by, completed.status) == ("Morag Campbell", ActionStatus.DONE)
    assert completed.done_at is not None
    assert not completed.overdue  # done, though its due date has passed
    assert {a.observation_id for a in seen.actions} == {visit}
    assert seen.actions[0].observation_observed_on == date(2025, 1, 10)
    totals = seen.totals
    assert (totals.open_actions, totals.overdue_actions, totals.done_actions) == (3, 1, 1)


def test_open_actions_show_whatever_the_filter_but_done_ones_follow_it(
    services: Services, staff: Staff, record: Recorder
) -> None:
    old = record.observation(date(2024, 11, 5))
    still_open = record.action(old, "Still to do", date(2025, 1, 5))
    finished = record.action(old, "Done long ago", date(2024, 12, 5))
    services.actions.complete_action(finished, "Morag Campbell")
    recent = record.observation(date(2025, 4, 2))
    recent_done = record.action(recent, "Done lately", date(2025, 5, 2))
    services.actions.complete_action(recent_done, "Morag Campbell")

    seen = history(services, staff.worker, date_from=date(2025, 1, 1))

    assert [t.observation_id for t in seen.timeline] == [recent]
    assert [a.id for a in seen.actions] == [still_open, recent_done]
    assert seen.overdue_actions[0].observation_id == old


# Recurring development areas


def test_two_ratings_below_good_in_the_latest_make_a_recurring_area_with_their_evidence(
    services: Services, staff: Staff, record: Recorder
) -> None:
    first = record.observation(
        date(2025, 1, 14),
        {"1": (RI, "Did not ask why the family had been referred."), "2": "good"},
    )
    second = record.observation(
        date(2025, 2, 18),
        {"1": ("inadequate", "Accepted the threshold without question."), "2": (RI, "Once.")},
    )
    record.observation(date(2025, 3, 20), {"1": "good", "2": "not_observed"})

    (area,) = history(services, staff.worker).recurring_areas

    assert (area.framework_key, area.framework_version) == ("direct-work-practice", 1)
    assert (area.standard_code, area.standard_title) == ("1", "Thresholds and the response to need")
    assert area.looked_at == 3
    assert area.sentence() == "Below Good in 2 of the latest 3 observations that rated it."
    below = [(r.observation_id, r.observed_on, r.level_label, r.evidence) for r in area.below_good]
    assert below == [
        (second, date(2025, 2, 18), "Inadequate", "Accepted the threshold without question."),
        (first, date(2025, 1, 14), "Requires improvement to be good",
         "Did not ask why the family had been referred."),
    ]  # fmt: skip


def test_one_rating_below_good_is_not_a_recurring_area(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 14), {"1": (RI, "Once only.")})
    record.observation(date(2025, 2, 18), {"1": "good"})

    assert history(services, staff.worker).recurring_areas == ()


def test_a_standard_since_rated_good_twice_is_no_longer_recurring(
    services: Services, staff: Staff, record: Recorder
) -> None:
    for day in (date(2024, 10, 1), date(2024, 11, 1)):
        record.observation(day, {"3": RI})
    assert len(history(services, staff.worker).recurring_areas) == 1

    for day in (date(2025, 1, 6), date(2025, 2, 3)):
        record.observation(day, {"3": "outstanding"})

    assert history(services, staff.worker).recurring_areas == ()
    # The record before the improvement is still there, and the filter brings it back.
    assert len(history(services, staff.worker, date_to=date(2024, 12, 31)).recurring_areas) == 1


def test_not_observed_is_not_a_rating_and_drafts_are_not_yet_judgements(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 6), {"4": RI, "5": RI})
    record.observation(date(2025, 2, 3), {"4": "not_observed", "5": "not_observed"})
    record.observation(date(2025, 3, 3), {"4": RI}, status=Status.SIGNED)
    record.observation(date(2025, 4, 7), {"5": RI}, status=Status.DRAFT)

    areas = history(services, staff.worker).recurring_areas

    assert [a.standard_code for a in areas] == ["4"]
    assert areas[0].looked_at == 2


def test_standards_of_different_framework_versions_are_never_merged(
    services: Services, staff: Staff, record: Recorder
) -> None:
    first = framework_id(services, "direct-work-practice")
    revised = second_version(services)
    record.observation(date(2025, 1, 6), {"1": RI, "2": "good"}, framework_id=first)
    record.observation(date(2025, 3, 3), {"1": RI, "2": RI}, framework_id=revised)

    seen = history(services, staff.worker)

    assert seen.recurring_areas == ()
    assert [(t.key, t.version) for t in seen.trends] == [
        ("direct-work-practice", 2),
        ("direct-work-practice", 1),
    ]
    for trend in seen.trends:
        assert [len(s.points) for s in trend.standards] == [1, 1]


# Trends


def test_each_standard_has_its_ratings_in_date_order_on_its_framework_scale(
    services: Services, staff: Staff, record: Recorder
) -> None:
    late = record.observation(date(2025, 3, 3), {"1": "good", "2": "not_observed"})
    early = record.observation(date(2025, 1, 6), {"1": "inadequate", "2": "outstanding"})
    record.observation(date(2025, 2, 3), {"1": "outstanding"}, status=Status.DRAFT)

    (trend,) = history(services, staff.worker).trends

    assert trend.title == "Direct work, version 1"
    assert [(lv.label, lv.score, lv.below_good) for lv in trend.scale] == [
        ("Outstanding", 4, False),
        ("Good", 3, False),
        ("Requires improvement to be good", 2, True),
        ("Inadequate", 1, True),
    ]
    assert trend.good_score == 3
    first, second = trend.standards
    assert (first.code, second.code) == ("1", "2")
    assert [(p.observation_id, p.observed_on, p.level_label, p.score, p.below_good)
            for p in first.points] == [
        (early, date(2025, 1, 6), "Inadequate", 1, True),
        (late, date(2025, 3, 3), "Good", 3, False),
    ]  # fmt: skip
    assert [p.observation_id for p in second.points] == [early]


def test_the_good_level_of_a_scale_without_one_is_the_lowest_of_its_better_half() -> None:
    def scale(*codes: str) -> list[LevelInfo]:
        return [
            LevelInfo(uuid.uuid4(), code, code.capitalize(), len(codes) - i, i)
            for i, code in enumerate(codes)
        ] + [LevelInfo(uuid.uuid4(), "not_seen", "Not seen", None, len(codes))]

    assert good_score(scale("met", "partly", "not_met")) == 3
    assert good_score(scale("excellent", "strong", "adequate", "weak")) == 3
    assert good_score(scale("a", "b", "c", "d", "e", "f")) == 4
    assert good_score(scale("outstanding", "good", "ri", "inadequate", "x", "y")) == 5


# Timeline, counts, filters


def test_the_timeline_is_newest_first_with_what_a_manager_scans_for(
    services: Services, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 6), kind=Kind.HOME_VISIT, overall="good")
    record.observation(date(2025, 2, 3), kind=Kind.DIRECT_WORK, status=Status.SIGNED)
    newest = record.observation(
        date(2025, 3, 3), kind=Kind.HOME_VISIT, overall=RI, status=Status.DRAFT
    )

    seen = history(services, staff.worker)

    assert [(t.observed_on, t.kind, t.status, t.overall) for t in seen.timeline] == [
        (date(2025, 3, 3), Kind.HOME_VISIT, Status.DRAFT, "Requires improvement to be good"),
        (date(2025, 2, 3), Kind.DIRECT_WORK, Status.SIGNED, ""),
        (date(2025, 1, 6), Kind.HOME_VISIT, Status.READY, "Good"),
    ]
    assert seen.timeline[0].observation_id == newest
    assert {t.observer_name for t in seen.timeline} == {"Aled Hughes"}
    assert {t.framework_name for t in seen.timeline} == {"Direct work"}
    assert seen.count_by_kind_label() == {"Home visit": 2, "Direct work with a child": 1}
    assert [c.kind for c in seen.counts_by_kind] == [Kind.DIRECT_WORK, Kind.HOME_VISIT]
    t = seen.totals
    assert (t.observations, t.signed, t.ready, t.drafts) == (3, 1, 1, 1)
    assert seen.profile.name == "Siobhán Walker"
    assert seen.profile.team_name == "Children in Care"


def test_filters_narrow_the_timeline_counts_trends_and_recurring_areas(
    services: Services, staff: Staff, record: Recorder
) -> None:
    supervisors = framework_id(services, "kss-practice-supervisors")
    january = record.observation(date(2025, 1, 31), {"1": RI}, kind=Kind.HOME_VISIT)
    february = record.observation(
        date(2025, 2, 1), {"1": RI}, kind=Kind.DIRECT_WORK, observer=staff.manager
    )
    march = record.observation(
        date(2025, 3, 3), {"1": RI}, kind=Kind.SUPERVISION_INDIVIDUAL, framework_id=supervisors
    )

    def ids(**filters: Any) -> list[uuid.UUID]:
        return [t.observation_id for t in history(services, staff.worker, **filters).timeline]

    assert ids() == [march, february, january]
    assert ids(date_from=date(2025, 2, 1), date_to=date(2025, 3, 3)) == [march, february]
    assert ids(date_to=date(2025, 1, 31)) == [january]
    assert ids(kinds=(Kind.HOME_VISIT, Kind.DIRECT_WORK)) == [february, january]
    assert ids(observer_id=staff.manager) == [february]
    assert ids(framework_id=supervisors) == [march]

    narrowed = history(services, staff.worker, observer_id=staff.lead)
    assert narrowed.count_by_kind_label() == {"Home visit": 1, "One-to-one supervision": 1}
    assert narrowed.recurring_areas == ()  # one below Good in each framework now
    everything = history(services, staff.worker)
    assert [a.framework_key for a in everything.recurring_areas] == ["direct-work-practice"]


def test_the_observations_list_takes_the_same_filters(
    services: Services, staff: Staff, record: Recorder
) -> None:
    supervisors = framework_id(services, "kss-practice-supervisors")
    visit = record.observation(date(2025, 1, 31), kind=Kind.HOME_VISIT)
    by_manager = record.observation(date(2025, 2, 1), kind=Kind.DIRECT_WORK, observer=staff.manager)
    supervision = record.observation(
        date(2025, 3, 3), kind=Kind.SUPERVISION_INDIVIDUAL, framework_id=supervisors
    )
    record.observation(date(2025, 3, 4), person=staff.senior)
    narrowed = HistoryFilter(kinds=(Kind.HOME_VISIT, Kind.SUPERVISION_INDIVIDUAL))

    def listed(query: ObservationFilter) -> list[uuid.UUID]:
        assert services.recording.count(query) == len(services.recording.list(query))
        return [o.id for o in services.recording.list(query)]

    assert listed(ObservationFilter(observer_id=staff.manager)) == [by_manager]
    assert listed(ObservationFilter(framework_id=supervisors)) == [supervision]
    assert listed(narrowed.for_worker(staff.worker)) == [supervision, visit]
    assert listed(HistoryFilter(date_to=date(2025, 2, 1)).for_worker(staff.worker)) == [
        by_manager,
        visit,
    ]


def test_a_date_range_that_ends_before_it_starts_is_refused(
    services: Services, staff: Staff
) -> None:
    with pytest.raises(InvalidInput, match=r"The start of the date range is after its end\."):
        history(services, staff.worker, date_from=date(2025, 2, 1), date_to=date(2025, 1, 1))


def test_reading_a_history_takes_the_same_few_queries_however_long_it_is(
    services: Services, staff: Staff, record: Recorder
) -> None:
    def statements() -> int:
        with counted_statements(services.db) as run:
            history(services, staff.worker)
        return len(run)

    record.observation(date(2025, 1, 6), {"1": RI})
    record.observation(date(2025, 1, 7), {"1": RI})
    few = statements()
    for month in range(2, 8):
        visit = record.observation(date(2024, month, 6), {"1": RI, "2": RI})
        record.action(visit, "Something to do", date(2024, month, 20))

    assert statements() == few <= 12


# The ASYE tracker


def test_the_asye_tracker_counts_direct_observations_finished_in_the_year(
    services: Services, staff: Staff, record: Recorder
) -> None:
    start_asye(services, staff.asye, date(2024, 9, 2))
    counted = [
        record.observation(date(2024, 10, 7), person=staff.asye, kind=Kind.HOME_VISIT),
        record.observation(
            date(2025, 1, 13), person=staff.asye, kind=Kind.CHILD_PROTECTION_MEETING
        ),
    ]
    record.observation(date(2024, 8, 30), person=staff.asye)  # before the year began
    record.observation(date(2024, 11, 4), person=staff.asye, kind=Kind.SUPERVISION_INDIVIDUAL)
    record.observation(date(2024, 12, 2), person=staff.asye, kind=Kind.OTHER)
    drafted = record.observation(date(2025, 5, 19), person=staff.asye, status=Status.DRAFT)

    asye = history(services, staff.asye).asye

    assert asye is not None
    assert (asye.started_on, asye.ends_on) == (date(2024, 9, 2), date(2025, 9, 1))
    assert [o.observation_id for o in asye.done] == counted
    assert [o.observation_id for o in asye.being_written_up] == [drafted]
    assert (asye.done_count, asye.required, asye.remaining) == (2, 3, 1)
    assert asye.state is AsyeState.ON_TRACK
    assert asye.on_track
    assert asye.summary() == (
        "2 of 3 direct observations done (1 more being written up); 3 months left."
    )


def test_the_number_the_asye_year_needs_is_a_setting_of_at_least_three(
    services: Services, staff: Staff, record: Recorder
) -> None:
    start_asye(services, staff.asye, date(2024, 9, 2))
    record.observation(date(2024, 10, 7), person=staff.asye)

    set_asye_observations_required(services.db, 5, "Morag Campbell")
    asye = history(services, staff.asye).asye

    assert asye is not None
    assert (asye.required, asye.expected_by_now, asye.state) == (5, 3, AsyeState.BEHIND)
    assert asye.summary() == (
        "1 of 5 direct observations done; 3 months left. Behind: 3 should be done by now."
    )
    with pytest.raises(InvalidInput) as refused:
        set_asye_observations_required(services.db, 2, "Morag Campbell")
    assert str(refused.value) == (
        "The ASYE year needs a whole number of direct observations from 3 to 12, not 2."
    )
    assert review_settings(services.db).asye_required == 5
    with services.db.session() as s:
        changes = s.query(AuditEvent).filter_by(record_type="settings").all()
    assert [(e.actor, e.action) for e in changes] == [("Morag Campbell", "asye_requirement")]
    assert describe_action("asye_requirement", "settings").startswith("Changed")


@pytest.mark.parametrize(
    ("started", "done", "state", "summary"),
    [
        (None, 1, AsyeState.NO_START_DATE,
         "The ASYE start date is not recorded, so the year cannot be tracked; "
         "1 direct observation done so far."),
        (date(2025, 7, 1), 0, AsyeState.NOT_STARTED,
         "The ASYE year starts on 1 July 2025; it needs 3 direct observations."),
        (date(2024, 3, 4), 1, AsyeState.ENDED_SHORT,
         "1 of 3 direct observations done; the ASYE year ended on 3 March 2025."),
        (date(2024, 12, 2), 3, AsyeState.COMPLETE,
         "3 of 3 direct observations done: the ASYE year's observations are complete."),
    ],
)  # fmt: skip
def test_the_asye_tracker_says_where_the_year_stands(
    services: Services, staff: Staff, record: Recorder,
    started: date | None, done: int, state: AsyeState, summary: str,
) -> None:  # fmt: skip
    start_asye(services, staff.asye, started)
    for day in (date(2024, 12, 9), date(2025, 1, 13), date(2025, 2, 10))[:done]:
        record.observation(day, person=staff.asye, kind=Kind.DIRECT_WORK)

    asye = history(services, staff.asye).asye

    assert asye is not None
    assert (asye.state, asye.summary()) == (state, summary)


def test_only_a_newly_qualified_worker_has_an_asye_tracker(
    services: Services, staff: Staff
) -> None:
    start_asye(services, staff.asye, date(2024, 9, 2))
    assert services.people.get_person(staff.asye).asye_started_on == date(2024, 9, 2)
    assert history(services, staff.worker).asye is None

    qualified = services.people.get_person(staff.asye)
    services.people.update_person(
        staff.asye,
        PersonDetails(qualified.name, Role.SOCIAL_WORKER, qualified.team_id,
                      asye_started_on=date(2024, 9, 2)),
    )  # fmt: skip

    assert services.people.get_person(staff.asye).asye_started_on is None
    assert history(services, staff.asye).asye is None


def test_months_are_calendar_months() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 12), 12) == date(2026, 3, 12)
    assert whole_months_between(date(2025, 6, 1), date(2025, 9, 2)) == 3
    assert whole_months_between(date(2025, 6, 2), date(2025, 9, 1)) == 2
    assert whole_months_between(date(2025, 6, 2), date(2025, 6, 30)) == 0


def test_noon_helper_is_the_same_day_everywhere() -> None:
    assert noon(date(2025, 1, 1)).astimezone().date() == date(2025, 1, 1)
