"""Starting a new observation as a copy of an earlier one: judgements carry over, consent not."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from observer.errors import InvalidInput, NotFound
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import Kind, Status
from tests.support.core import NewDraft, Staff, force_status

NEXT_VISIT = datetime(2025, 4, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def earlier(services: Services, staff: Staff, new_draft: NewDraft) -> uuid.UUID:
    """A filled-in home visit with consent, ratings and an agreed action."""
    recording = services.recording
    draft = new_draft(
        Kind.PARENTS_MEETING,
        duration_minutes=60,
        case_reference="CIN-20417",
        others_present="Mum, her advocate",
        family_present=True,
        consent_given_by="Mum",
        consent_how="Verbally",
        focus="Contact over the holidays",
    )
    recording.update(
        draft,
        {
            "strengths": "Warm.",
            "development_areas": "Summarise the plan.",
            "child_voice": "Wants to see Nan.",
            "family_feedback": "Felt heard.",
            "reflection": "I rushed the ending.",
            "overall_level": "good",
            "overall_rationale": "Mostly good.",
        },
    )
    recording.set_rating(draft, "1", level_code="good", evidence="Clear thresholds.")
    recording.set_rating(draft, "4", level_code="not_observed")
    recording.add_action(draft, "Read the chronology", staff.worker, date(2025, 4, 1))
    return draft


def test_a_copy_keeps_the_set_up_but_no_judgements_consent_or_actions(
    services: Services, staff: Staff, earlier: uuid.UUID
) -> None:
    recording = services.recording
    source = recording.get(earlier)

    copy_id = recording.duplicate(earlier, staff.senior, NEXT_VISIT)

    copy = recording.get(copy_id)
    assert copy_id != earlier
    assert (copy.status, copy.revision) == (Status.DRAFT, 1)
    assert (copy.observer_id, copy.observed_at) == (staff.senior, NEXT_VISIT)
    assert (copy.consent_given_by, copy.consent_how) == ("", "")
    assert copy.actions == ()
    assert [r.standard_code for r in copy.ratings] == [r.standard_code for r in source.ratings]
    assert {(r.level_code, r.evidence) for r in copy.ratings} == {(None, "")}
    for name in (
        "observed_person_id",
        "kind",
        "framework",
        "duration_minutes",
        "case_reference",
        "others_present",
        "family_present",
        "focus",
    ):
        assert getattr(copy, name) == getattr(source, name), name
    for name in ("strengths", "development_areas", "child_voice", "family_feedback"):
        assert getattr(copy, name) == "", name
    assert (copy.reflection, copy.overall_level_code, copy.overall_rationale) == ("", None, "")
    assert recording.get(earlier) == source  # copying is reading
    assert [m.target for m in recording.readiness(copy_id)][:2] == [
        "consent_given_by",
        "consent_how",
    ]


def test_a_signed_record_can_be_copied_into_an_editable_draft(
    services: Services, staff: Staff, earlier: uuid.UUID
) -> None:
    recording = services.recording
    force_status(services.db, earlier, Status.SIGNED)

    copy_id = recording.duplicate(earlier, staff.lead, NEXT_VISIT)
    recording.update(copy_id, {"strengths": "Even warmer."})

    assert recording.get(copy_id).strengths == "Even warmer."
    assert recording.get(earlier).strengths == "Warm."
    with services.db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.record_id == copy_id))
        assert list(actions) == ["create", "edit"]


@pytest.mark.parametrize(
    ("source", "observer", "when", "error"),
    [
        pytest.param("missing", "lead", NEXT_VISIT, NotFound, id="unknown-source"),
        pytest.param("earlier", "missing", NEXT_VISIT, InvalidInput, id="unknown-observer"),
        pytest.param("earlier", "lead", datetime(2025, 4, 9, 14), InvalidInput, id="naive-time"),
    ],
)
def test_a_copy_that_cannot_be_made_adds_nothing(
    services: Services,
    staff: Staff,
    earlier: uuid.UUID,
    source: str,
    observer: str,
    when: datetime,
    error: type[Exception],
) -> None:
    ids = {"earlier": earlier, "lead": staff.lead, "missing": uuid.uuid4()}

    with pytest.raises(error):
        services.recording.duplicate(ids[source], ids[observer], when)

    assert services.recording.count() == 1
