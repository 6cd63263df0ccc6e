"""An agreed action is due after the observation it was agreed at; a kind of observation that
involves a child or family asks who consented, from the start."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from observer.errors import InvalidInput
from observer.records.merge import Change
from observer.records.readiness import NotReady
from observer.records.recording import Recording
from observer.services import Services
from observer.vocabulary import Kind, Status
from tests.support.core import NewDraft

CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the direct-work framework these kinds use
OBSERVED = datetime(2025, 3, 12, 10, 30, tzinfo=UTC)  # the new_draft fixture's date
REFUSED = (
    "An action cannot be due before the observation it was agreed at: "
    "the due date is 3 January 2000 and the observation was on 12 March 2025."
)


def complete(recording: Recording, draft: uuid.UUID) -> None:
    """Everything sign-off needs apart from consent."""
    recording.update(draft, {"overall_level": "good", "overall_rationale": "Warm and purposeful."})
    for code in CODES:
        recording.set_rating(draft, code, level_code="good", evidence=f"Seen in part {code}.")


# Due dates


def test_an_action_due_before_the_observation_is_refused_in_one_sentence(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()

    with pytest.raises(InvalidInput) as refused:
        services.recording.add_action(draft, "Visit again", due_date=date(2000, 1, 3))

    assert str(refused.value) == REFUSED
    assert services.recording.get(draft).actions == ()


def test_moving_an_action_due_date_before_the_observation_is_refused(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    action = services.recording.add_action(draft, "Visit again", due_date=date(2025, 4, 9))

    with pytest.raises(InvalidInput, match="cannot be due before the observation"):
        services.recording.update_action(action, due_date=date(2000, 1, 3))
    with pytest.raises(InvalidInput, match="cannot be due before the observation"):
        services.recording.save(
            draft, [Change(f"action:{action}:due", date(2025, 4, 9), date(2000, 1, 3))]
        )

    assert services.recording.get(draft).actions[0].due_date == date(2025, 4, 9)


def test_an_action_may_be_due_on_the_day_of_the_observation(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    action = services.recording.add_action(draft, "Ring the school", due_date=date(2025, 3, 12))
    services.recording.save(
        draft, [Change(f"action:{action}:due", date(2025, 3, 12), date(2025, 3, 13))]
    )

    assert services.recording.get(draft).actions[0].due_date == date(2025, 3, 13)


def test_a_draft_whose_observation_moved_past_a_due_date_is_caught_by_the_checklist(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    complete(services.recording, draft)
    services.recording.add_action(draft, "Ring the school", due_date=date(2025, 3, 20))
    action = services.recording.add_action(draft, "Visit again", due_date=date(2025, 4, 9))

    # The observation really happened a month later: the date change is kept, not refused.
    later = datetime(2025, 4, 16, 10, 30, tzinfo=UTC)
    services.recording.save(draft, [Change("observed_at", OBSERVED, later)])
    assert services.recording.get(draft).observed_at == later

    missing = services.recording.readiness(draft)
    assert [(m.target, m.message) for m in missing] == [
        (
            f"action:{services.recording.get(draft).actions[0].id}:due",
            "Action 1 is due on 20 March 2025, before the observation on 16 April 2025; "
            "give it a later due date.",
        ),
        (
            f"action:{action}:due",
            "Action 2 is due on 9 April 2025, before the observation on 16 April 2025; "
            "give it a later due date.",
        ),
    ]
    with pytest.raises(NotReady):
        services.recording.mark_ready(draft)
    assert services.recording.get(draft).status is Status.DRAFT


# Consent for kinds that involve a child or family


@pytest.mark.parametrize(
    ("kind", "ticked"),
    [
        (Kind.DIRECT_WORK, True),
        (Kind.HOME_VISIT, True),
        (Kind.PARENTS_MEETING, True),
        (Kind.CHILD_PROTECTION_MEETING, False),
        (Kind.SUPERVISION_INDIVIDUAL, False),
        (Kind.SUPERVISION_GROUP, False),
        (Kind.OTHER, False),
    ],
)
def test_a_new_observation_starts_with_the_family_present_as_its_kind_implies(
    services: Services, new_draft: NewDraft, kind: Kind, ticked: bool
) -> None:
    draft = new_draft(kind, consent_given_by="", consent_how="")

    view = services.recording.get(draft)

    assert view.family_present is ticked
    consent = [m.target for m in services.recording.readiness(draft) if "consent" in m.target]
    assert consent == (["consent_given_by", "consent_how"] if ticked else [])


def test_direct_work_with_a_child_cannot_be_signed_off_without_consent(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft(Kind.DIRECT_WORK, family_present=False)
    complete(services.recording, draft)

    missing = services.recording.readiness(draft)

    assert [(m.target, m.message) for m in missing] == [
        (
            "family_present",
            "“Direct work with a child” involves a child or family: tick “A child or family "
            "member was present” and say who gave consent and how.",
        )
    ]
    with pytest.raises(NotReady):
        services.recording.mark_ready(draft)

    services.recording.update(
        draft,
        {
            "family_present": True,
            "consent_given_by": "The child, with her foster carer",
            "consent_how": "Verbally, before the session",
        },
    )
    assert services.recording.readiness(draft) == []
    services.recording.mark_ready(draft)
    assert services.recording.get(draft).status is Status.READY


def test_a_child_protection_meeting_without_the_family_needs_no_consent(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft(Kind.CHILD_PROTECTION_MEETING)
    complete(services.recording, draft)

    assert services.recording.readiness(draft) == []
