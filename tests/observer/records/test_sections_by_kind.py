"""The parts of the form each kind of observation uses: supervision has no consent, child's
voice or family feedback, and sign-off never asks for them; an overall judgement is always a
judgement; the consent box follows a changed kind unless the user answered it."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from observer.errors import InvalidInput
from observer.records.merge import Change
from observer.records.readiness import OVERALL_NOT_A_JUDGEMENT, missing_for_sign_off
from observer.records.recording import Recording
from observer.records.sections import (
    CHILD_VOICE,
    CONSENT,
    FAMILY_FEEDBACK,
    applies,
    family_present_after_kind_change,
    observed_label,
    others_present_label,
    shown,
)
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.core import NewDraft, Staff


def complete_but_consent(recording: Recording, draft: uuid.UUID) -> None:
    recording.update(draft, {"overall_level": "good", "overall_rationale": "Reflective."})
    for rating in recording.get(draft).ratings:
        recording.set_rating(draft, rating.standard_code, level_code="good", evidence="Seen.")


@pytest.mark.parametrize("kind", [Kind.SUPERVISION_INDIVIDUAL, Kind.SUPERVISION_GROUP])
def test_supervision_leaves_out_consent_the_childs_voice_and_family_feedback(kind: Kind) -> None:
    assert not any(applies(kind, s) for s in (CONSENT, CHILD_VOICE, FAMILY_FEEDBACK))
    assert observed_label(kind) == "Supervisor observed"


def test_every_other_kind_keeps_them_and_observes_a_practitioner() -> None:
    for kind in Kind:
        if not kind.is_supervision:
            assert all(applies(kind, s) for s in (CONSENT, CHILD_VOICE, FAMILY_FEEDBACK))
            assert observed_label(kind) == "Practitioner observed"
            assert others_present_label(kind) == "Who else was present"
    assert others_present_label(Kind.SUPERVISION_INDIVIDUAL) == "Supervisee"
    assert others_present_label(Kind.SUPERVISION_GROUP) == "Supervisees"


def test_a_section_that_does_not_apply_is_still_shown_while_it_has_words(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    draft = new_draft(Kind.SUPERVISION_INDIVIDUAL, person=staff.manager)
    view = services.recording.get(draft)
    assert not any(shown(view, s) for s in (CONSENT, CHILD_VOICE, FAMILY_FEEDBACK))

    services.recording.update(draft, {"child_voice": "  ", "consent_how": "Asked first"})
    view = services.recording.get(draft)
    assert not shown(view, CHILD_VOICE)  # blank is nothing to keep
    assert shown(view, CONSENT)


def test_a_finished_supervision_record_is_ready_without_any_consent(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    draft = new_draft(Kind.SUPERVISION_GROUP, person=staff.manager)
    complete_but_consent(services.recording, draft)
    # Even a box ticked while it was another kind asks nothing once it is supervision.
    services.recording.update(draft, {"family_present": True})

    assert services.recording.readiness(draft) == []
    services.recording.mark_ready(draft)


def test_a_home_visit_still_asks_for_consent(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft(Kind.HOME_VISIT, family_present=True)
    complete_but_consent(services.recording, draft)

    targets = [m.target for m in services.recording.readiness(draft)]
    assert targets == ["consent_given_by", "consent_how"]


def test_not_observed_is_refused_as_the_overall_judgement(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    refusal = "The overall judgement cannot be “Not observed”: choose a judgement of the practice"

    with pytest.raises(InvalidInput, match=refusal):
        services.recording.update(draft, {"overall_level": "not_observed"})
    with pytest.raises(InvalidInput, match=refusal):
        services.recording.save(draft, [Change("overall_level", None, "not_observed")])
    assert services.recording.get(draft).overall_level_code is None
    services.recording.set_rating(draft, "1", level_code="not_observed")  # a standard may be


def test_a_record_judged_not_observed_before_is_not_ready(
    services: Services, new_draft: NewDraft
) -> None:
    view = services.recording.get(new_draft())
    judged = replace(view, overall_level_code="not_observed")

    missing = [m for m in missing_for_sign_off(judged) if m.target == "overall_level"]
    assert [m.message for m in missing] == [OVERALL_NOT_A_JUDGEMENT]


@pytest.mark.parametrize(
    ("before", "after", "ticked", "typed", "expected"),
    [
        (Kind.CHILD_PROTECTION_MEETING, Kind.HOME_VISIT, False, False, True),  # as implied
        (Kind.HOME_VISIT, Kind.SUPERVISION_INDIVIDUAL, True, False, False),  # as implied
        (Kind.CHILD_PROTECTION_MEETING, Kind.SUPERVISION_GROUP, True, False, True),  # answered
        (Kind.HOME_VISIT, Kind.DIRECT_WORK, False, False, False),  # answered: unticked
        (Kind.HOME_VISIT, Kind.SUPERVISION_INDIVIDUAL, True, True, True),  # consent written
    ],
)
def test_the_consent_box_follows_the_kind_unless_it_was_answered(
    before: Kind, after: Kind, ticked: bool, typed: bool, expected: bool
) -> None:
    assert family_present_after_kind_change(before, after, ticked, typed) is expected
