"""Recording observations: drafts, ratings, narrative, actions, locking and lists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from observer.errors import InvalidInput, NotFound, RecordLocked, StaleRecord
from observer.records.frameworks import shipped_frameworks
from observer.records.recording import DraftDetails, ObservationFilter
from observer.services import Services
from observer.vocabulary import ActionStatus, Kind, Role, Status
from tests.support.core import WHEN, NewDraft, Staff, force_status

STANDARD_CODES = {d.key: [s.code for s in d.standards] for d in shipped_frameworks()}


# Drafts and their frameworks


@pytest.mark.parametrize(
    ("kind", "who", "framework"),
    [
        (Kind.SUPERVISION_INDIVIDUAL, "senior", "kss-practice-supervisors"),
        (Kind.SUPERVISION_GROUP, "manager", "kss-practice-supervisors"),
        (Kind.SUPERVISION_INDIVIDUAL, "asye", "kss-practice-supervisors"),
        (Kind.HOME_VISIT, "asye", "professional-capabilities-framework"),
        (Kind.DIRECT_WORK, "asye", "professional-capabilities-framework"),
        (Kind.HOME_VISIT, "worker", "direct-work-practice"),
        (Kind.DIRECT_WORK, "worker", "direct-work-practice"),
        (Kind.PARENTS_MEETING, "senior", "direct-work-practice"),
        (Kind.CHILD_PROTECTION_MEETING, "worker", "direct-work-practice"),
        (Kind.OTHER, "worker", "direct-work-practice"),
    ],
)
def test_a_new_draft_uses_the_default_framework_with_a_row_for_every_standard(
    services: Services, staff: Staff, new_draft: NewDraft, kind: Kind, who: str, framework: str
) -> None:
    view = services.recording.get(new_draft(kind, person=getattr(staff, who)))

    assert view.framework.key == framework
    assert [r.standard_code for r in view.ratings] == STANDARD_CODES[framework]
    assert all(r.level_code is None and r.evidence == "" for r in view.ratings)
    assert all(r.title and r.prompts for r in view.ratings)
    assert view.status is Status.DRAFT
    assert view.kind is kind


def test_a_new_draft_shows_what_was_entered(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    draft = new_draft(
        Kind.PARENTS_MEETING,
        duration_minutes=75,
        case_reference="CIN-20417",
        others_present="Mum and her advocate",
        family_present=True,
        consent_given_by="Mum",
        consent_how="Verbally at the start of the meeting",
        focus="Planning contact over the holidays",
    )
    view = services.recording.get(draft)
    assert (view.observed_person_name, view.observer_name) == ("Siobhán Walker", "Aled Hughes")
    assert view.observed_at == WHEN
    assert view.duration_minutes == 75
    assert view.case_reference == "CIN-20417"
    assert view.others_present == "Mum and her advocate"
    assert view.family_present is True
    assert (view.consent_given_by, view.consent_how) == (
        "Mum",
        "Verbally at the start of the meeting",
    )
    assert view.focus == "Planning contact over the holidays"
    assert view.revision == 1
    assert services.recording.count() == 1


# Changes show and raise the revision


def test_a_rating_and_its_evidence_are_kept(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft()
    revision = services.recording.set_rating(draft, "3", level_code="good", evidence="Used play.")
    view = services.recording.get(draft)
    rating = next(r for r in view.ratings if r.standard_code == "3")
    assert (rating.level_code, rating.evidence) == ("good", "Used play.")
    assert view.revision == revision > 1

    services.recording.set_rating(draft, "3", level_code="not_observed")
    rating = next(r for r in services.recording.get(draft).ratings if r.standard_code == "3")
    assert (rating.level_code, rating.evidence) == ("not_observed", "Used play.")

    services.recording.set_rating(draft, "3", level_code=None)
    rating = next(r for r in services.recording.get(draft).ratings if r.standard_code == "3")
    assert rating.level_code is None


def test_narrative_and_overall_judgement_are_kept(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft()
    changes = {
        "strengths": "Warm, unhurried; knelt to the child's level.",
        "development_areas": "Summarise the plan before leaving.",
        "child_voice": 'He said "I like it when you come".',
        "family_feedback": "Nan felt listened to.",
        "reflection": "I rushed the ending.",
        "overall_level": "requires_improvement",
        "overall_rationale": "Mostly good; the ending let it down.",
        "kind": Kind.DIRECT_WORK,
        "duration_minutes": 50,
        "family_present": True,
    }
    revision = services.recording.update(draft, changes, expected_revision=1)

    view = services.recording.get(draft)
    assert view.revision == revision > 1
    assert view.overall_level_code == "requires_improvement"
    assert view.kind is Kind.DIRECT_WORK
    assert (view.duration_minutes, view.family_present) == (50, True)
    for name in ("strengths", "development_areas", "child_voice", "family_feedback"):
        assert getattr(view, name) == changes[name]
    assert (view.reflection, view.overall_rationale) == (
        changes["reflection"],
        changes["overall_rationale"],
    )


def test_agreed_actions_can_be_added_changed_and_removed(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    first = recording.add_action(draft, "Read the chronology", staff.worker, date(2025, 4, 1))
    second = recording.add_action(draft, "Shadow a CP conference")
    view = recording.get(draft)
    assert [(a.description, a.owner_name, a.due_date, a.status) for a in view.actions] == [
        ("Read the chronology", "Siobhán Walker", date(2025, 4, 1), ActionStatus.OPEN),
        ("Shadow a CP conference", "", None, ActionStatus.OPEN),
    ]

    recording.update_action(second, description="Chair a core group", owner_id=staff.senior)
    recording.update_action(first, due_date=None)
    view = recording.get(draft)
    assert [(a.description, a.owner_name, a.due_date) for a in view.actions] == [
        ("Read the chronology", "Siobhán Walker", None),
        ("Chair a core group", "Zoë Green", None),
    ]

    revision = recording.remove_action(first)
    view = recording.get(draft)
    assert [a.id for a in view.actions] == [second]
    assert view.revision == revision


def test_every_change_raises_the_revision(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    steps: list[Callable[[], Any]] = [
        lambda: recording.update(draft, {"focus": "Life story work"}),
        lambda: recording.set_rating(draft, "1", level_code="outstanding"),
        lambda: recording.set_rating(draft, "1", evidence="Clear and kind."),
        lambda: recording.update(draft, {"overall_level": "good", "strengths": "Warm."}),
        lambda: recording.add_action(draft, "Book the training"),
        lambda: recording.update_action(recording.get(draft).actions[0].id, owner_id=staff.worker),
        lambda: recording.remove_action(recording.get(draft).actions[0].id),
    ]
    revisions = [recording.get(draft).revision]
    for step in steps:
        step()
        revisions.append(recording.get(draft).revision)
    # One change, one new revision: revisions are what merging stores will compare.
    assert revisions == list(range(1, len(steps) + 2))


# Refusals change nothing


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r, d: r.update(d, {"focus": "Mine"}, expected_revision=1), id="update"),
        pytest.param(
            lambda r, d: r.set_rating(d, "2", level_code="good", expected_revision=1),
            id="set_rating",
        ),
        pytest.param(lambda r, d: r.add_action(d, "Mine", expected_revision=1), id="add_action"),
    ],
)
def test_a_change_made_against_an_old_revision_is_refused_and_overwrites_nothing(
    services: Services, new_draft: NewDraft, change: Callable[[Any, uuid.UUID], Any]
) -> None:
    draft = new_draft()
    services.recording.update(draft, {"focus": "Theirs"}, expected_revision=1)
    before = services.recording.get(draft)

    with pytest.raises(StaleRecord):
        change(services.recording, draft)

    assert services.recording.get(draft) == before
    assert before.focus == "Theirs"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r, d: r.update(d, {"status": "signed"}), id="unknown-field"),
        pytest.param(lambda r, d: r.update(d, {"overall_level": "excellent"}), id="bad-overall"),
        pytest.param(lambda r, d: r.set_rating(d, "1", level_code="excellent"), id="bad-level"),
        pytest.param(lambda r, d: r.set_rating(d, "99", level_code="good"), id="bad-standard"),
        pytest.param(lambda r, d: r.update(d, {"kind": "coffee_morning"}), id="bad-kind"),
        pytest.param(
            lambda r, d: r.update(d, {"observed_at": datetime(2025, 3, 1, 10)}), id="naive-time"
        ),
        pytest.param(lambda r, d: r.update(d, {"duration_minutes": 0}), id="no-duration"),
        pytest.param(lambda r, d: r.update(d, {"duration_minutes": 24 * 60 + 1}), id="too-long"),
        pytest.param(lambda r, d: r.update(d, {"strengths": 42}), id="number-as-text"),
        pytest.param(
            lambda r, d: r.update(d, {"focus": "Changed", "kind": "coffee_morning"}),
            id="good-then-bad",
        ),
        pytest.param(lambda r, d: r.add_action(d, "Go", owner_id=uuid.uuid4()), id="bad-owner"),
    ],
)
def test_invalid_input_is_refused_and_changes_nothing(
    services: Services, new_draft: NewDraft, change: Callable[[Any, uuid.UUID], Any]
) -> None:
    draft = new_draft(focus="As it was")
    before = services.recording.get(draft)

    with pytest.raises(InvalidInput):
        change(services.recording, draft)

    assert services.recording.get(draft) == before


@pytest.mark.parametrize("framework_given", [True, False], ids=["framework-given", "default"])
@pytest.mark.parametrize(
    ("kind", "when"),
    [
        pytest.param("coffee_morning", WHEN, id="bad-kind"),
        pytest.param(Kind.HOME_VISIT, datetime(2025, 3, 12, 10, 30), id="naive-time"),
    ],
)
def test_a_draft_with_a_bad_kind_or_a_naive_time_is_refused(
    services: Services, staff: Staff, kind: Any, when: datetime, framework_given: bool
) -> None:
    framework = services.recording.frameworks()[0].id if framework_given else None
    details = DraftDetails(
        observed_person_id=staff.worker,
        observer_id=staff.lead,
        kind=kind,
        observed_at=when,
        framework_id=framework,
    )
    with pytest.raises(InvalidInput):
        services.recording.create_draft(details)
    assert services.recording.count() == 0


def test_a_draft_of_someone_not_in_the_store_is_refused(services: Services, staff: Staff) -> None:
    details = DraftDetails(uuid.uuid4(), staff.lead, Kind.HOME_VISIT, WHEN)
    with pytest.raises(InvalidInput):
        services.recording.create_draft(details)
    assert services.recording.count() == 0


# Signed records are locked


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r, d, a: r.update(d, {"strengths": "Rewritten"}), id="update"),
        pytest.param(lambda r, d, a: r.set_rating(d, "1", level_code="inadequate"), id="rating"),
        pytest.param(lambda r, d, a: r.add_action(d, "Another"), id="add_action"),
        pytest.param(lambda r, d, a: r.update_action(a, description="Else"), id="update_action"),
        pytest.param(lambda r, d, a: r.remove_action(a), id="remove_action"),
        pytest.param(lambda r, d, a: r.delete_draft(d), id="delete"),
    ],
)
def test_a_signed_observation_refuses_every_change(
    services: Services,
    new_draft: NewDraft,
    change: Callable[[Any, uuid.UUID, uuid.UUID], Any],
) -> None:
    recording = services.recording
    draft = new_draft()
    recording.update(draft, {"strengths": "As signed"})
    recording.set_rating(draft, "1", level_code="good")
    action = recording.add_action(draft, "As agreed")
    force_status(services.db, draft, Status.SIGNED)
    before = recording.get(draft)

    with pytest.raises(RecordLocked):
        change(recording, draft, action)

    assert recording.get(draft) == before
    assert before.status is Status.SIGNED


def test_a_ready_observation_can_still_be_edited(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft()
    force_status(services.db, draft, Status.READY)
    services.recording.update(draft, {"strengths": "Added late"})
    assert services.recording.get(draft).strengths == "Added late"


# Deleting and listing


def test_deleting_a_draft_removes_it_and_its_actions(
    services: Services, new_draft: NewDraft
) -> None:
    keep, gone = new_draft(), new_draft()
    services.recording.add_action(gone, "Never mind")

    services.recording.delete_draft(gone)

    with pytest.raises(NotFound):
        services.recording.get(gone)
    assert [o.id for o in services.recording.list()] == [keep]
    assert services.actions.actions() == []


def test_the_list_filters_by_person_kind_status_and_dates(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    day = timedelta(days=1)
    early = new_draft(Kind.HOME_VISIT, staff.worker, datetime(2025, 1, 6, 9, tzinfo=UTC))
    late_evening = new_draft(Kind.DIRECT_WORK, staff.worker, datetime(2025, 1, 31, 23, tzinfo=UTC))
    asye = new_draft(Kind.HOME_VISIT, staff.asye, datetime(2025, 2, 3, 14, tzinfo=UTC))
    supervision = new_draft(
        Kind.SUPERVISION_INDIVIDUAL, staff.senior, datetime(2025, 2, 10, 10, tzinfo=UTC)
    )
    force_status(services.db, asye, Status.SIGNED)
    force_status(services.db, supervision, Status.READY)

    def ids(**query: Any) -> list[uuid.UUID]:
        return [o.id for o in services.recording.list(ObservationFilter(**query))]

    assert ids() == [supervision, asye, late_evening, early]  # newest first
    assert ids(person_ids=(staff.worker,)) == [late_evening, early]
    assert ids(person_ids=(staff.asye, staff.senior)) == [supervision, asye]
    assert ids(person_ids=()) == []
    assert ids(kind=Kind.HOME_VISIT) == [asye, early]
    assert ids(status=Status.SIGNED) == [asye]
    assert ids(status=Status.READY) == [supervision]
    assert ids(status=Status.DRAFT) == [late_evening, early]
    assert ids(date_from=date(2025, 1, 31), date_to=date(2025, 2, 3)) == [asye, late_evening]
    assert ids(date_to=date(2025, 1, 31) - day) == [early]
    assert ids(date_from=date(2025, 2, 4)) == [supervision]
    assert ids(person_ids=(staff.worker,), kind=Kind.DIRECT_WORK) == [late_evening]

    rows = {o.id: o for o in services.recording.list()}
    assert (rows[asye].worker, rows[asye].observer) == ("Łukasz Nowak", "Aled Hughes")
    assert "ASYE" in rows[asye].framework
    assert rows[asye].status is Status.SIGNED


@pytest.mark.parametrize(
    ("kind", "role", "reason"),
    [
        (
            Kind.SUPERVISION_INDIVIDUAL,
            Role.TEAM_MANAGER,
            "Chosen for supervision: Knowledge and skills statement for practice supervisors.",
        ),
        (
            Kind.HOME_VISIT,
            Role.ASYE,
            "Chosen for a newly qualified worker: Professional Capabilities Framework (ASYE).",
        ),
        (
            Kind.HOME_VISIT,
            Role.SOCIAL_WORKER,
            "Chosen for this kind of observation: Practice observation of direct work.",
        ),
    ],
)
def test_the_default_framework_comes_with_the_reason_it_was_chosen(
    services: Services, kind: Kind, role: Role, reason: str
) -> None:
    choice = services.recording.default_framework_choice(kind, role, date(2026, 11, 26))

    assert choice.reason == reason
    assert choice.framework == services.recording.default_framework(kind, role, date(2026, 11, 26))
