"""Readiness for sign-off: what is missing, in editor order, and moving to and from ready."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from observer.errors import RecordLocked, StaleRecord
from observer.records.merge import Change
from observer.records.readiness import Missing, NotReady
from observer.records.recording import Recording
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import Status
from tests.support.core import NewDraft, force_status

CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the direct-work framework a home visit uses


def complete(recording: Recording, draft: uuid.UUID) -> None:
    """Fills in everything sign-off needs, including consent."""
    recording.update(
        draft,
        {
            "consent_given_by": "Mum",
            "consent_how": "Verbally, at the door",
            "overall_level": "good",
            "overall_rationale": "Warm and purposeful.",
        },
    )
    for code in CODES:
        recording.set_rating(draft, code, level_code="good", evidence=f"Seen in part {code}.")


def audit_actions(services: Services, record_id: uuid.UUID) -> list[str]:
    with services.db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.record_id == record_id)
                .order_by(AuditEvent.occurred_at)
            )
        )


def test_a_new_draft_with_the_family_present_lists_everything_in_editor_order(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft(family_present=True)

    missing = services.recording.readiness(draft)

    assert [m.target for m in missing] == [
        "consent_given_by",
        "consent_how",
        *[f"standard:{code}" for code in CODES],
        "overall_level",
        "overall_rationale",
    ]
    assert missing[4] == Missing(
        "standard:3",
        "Rate “Quality of direct work with children and parents” or mark it Not observed.",
    )
    assert all(m.message.endswith(".") for m in missing)


def test_consent_is_asked_for_only_when_the_family_was_present(
    services: Services, new_draft: NewDraft
) -> None:
    without_family = new_draft(family_present=False)
    with_family = new_draft(family_present=True, consent_given_by="Dad", consent_how="   ")

    assert not any(
        m.target.startswith("consent") for m in services.recording.readiness(without_family)
    )
    assert [m.target for m in services.recording.readiness(with_family)][:1] == ["consent_how"]


def test_a_rating_needs_evidence_unless_the_standard_was_not_observed(
    services: Services, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    complete(recording, draft)
    recording.set_rating(draft, "2", evidence=" \n ")
    recording.set_rating(draft, "5", level_code="not_observed", evidence="")
    recording.set_rating(draft, "6", level_code=None)
    recording.update(draft, {"overall_rationale": "\n"})

    assert recording.readiness(draft) == [
        Missing(
            "evidence:2",
            "Give the evidence behind the rating of “Recognising and understanding risk”.",
        ),
        Missing("standard:6", "Rate “Management oversight” or mark it Not observed."),
        Missing("overall_rationale", "Give the rationale for the overall judgement."),
    ]


def test_a_complete_record_misses_nothing_and_can_be_marked_ready(
    services: Services, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft(family_present=True)
    complete(recording, draft)
    assert recording.readiness(draft) == []
    before = recording.get(draft).revision

    revision = recording.mark_ready(draft, expected_revision=before)

    view = recording.get(draft)
    assert view.status is Status.READY
    assert view.revision == revision == before + 1
    assert recording.mark_ready(draft) == revision  # already ready: nothing changes
    assert audit_actions(services, draft) == ["create", "edit", "ready"]


def test_marking_an_incomplete_record_ready_says_what_is_missing_and_changes_nothing(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    before = services.recording.get(draft)

    with pytest.raises(NotReady) as raised:
        services.recording.mark_ready(draft)

    assert raised.value.missing == services.recording.readiness(draft)
    assert str(raised.value) == "This observation is not ready for sign-off: 9 things are missing."
    assert services.recording.get(draft) == before


def test_one_missing_thing_is_said_in_the_singular(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft()
    complete(services.recording, draft)
    services.recording.update(draft, {"overall_level": None})

    with pytest.raises(NotReady, match=r"^This observation is not ready for sign-off: 1 thing is"):
        services.recording.mark_ready(draft)


def test_a_ready_record_can_return_to_draft(services: Services, new_draft: NewDraft) -> None:
    recording = services.recording
    draft = new_draft()
    complete(recording, draft)
    ready = recording.mark_ready(draft)

    revision = recording.return_to_draft(draft)

    view = recording.get(draft)
    assert view.status is Status.DRAFT
    assert view.revision == revision == ready + 1
    assert audit_actions(services, draft)[-2:] == ["ready", "return_to_draft"]


def test_a_ready_record_that_loses_what_sign_off_needs_goes_back_to_draft(
    services: Services, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft(family_present=True)
    complete(recording, draft)
    recording.mark_ready(draft)

    still_ready = recording.save(draft, [Change("strengths", "", "Calm and clear.")])
    emptied = recording.save(draft, [Change("overall_rationale", "Warm and purposeful.", "  ")])

    assert still_ready.status is Status.READY
    assert emptied.status is Status.DRAFT
    view = recording.get(draft)
    assert (view.status, view.revision) == (Status.DRAFT, emptied.revision)
    assert audit_actions(services, draft)[-3:] == ["ready", "edit", "return_to_draft"]


def test_marking_ready_against_an_old_revision_is_refused(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    complete(services.recording, draft)

    with pytest.raises(StaleRecord):
        services.recording.mark_ready(draft, expected_revision=1)
    assert services.recording.get(draft).status is Status.DRAFT


@pytest.mark.parametrize("move", ["mark_ready", "return_to_draft"])
def test_a_signed_record_cannot_change_status(
    services: Services, new_draft: NewDraft, move: str
) -> None:
    draft = new_draft()
    complete(services.recording, draft)
    force_status(services.db, draft, Status.SIGNED)
    before = services.recording.get(draft)

    with pytest.raises(RecordLocked):
        getattr(services.recording, move)(draft)

    assert services.recording.get(draft) == before
