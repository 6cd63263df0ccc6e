"""A summary of an observation of supervision: it names the supervisor and the supervisee
and prints no empty consent, child's voice or family feedback; words typed in one are kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from observer.documents.pdf.summary import build_summary
from observer.documents.summary_content import summary_content
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.pdf import flat, pdf_text


def supervision(services: Services, **text: str) -> uuid.UUID:
    lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire")
    manager = services.people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER))
    record = services.recording.create_draft(
        DraftDetails(
            observed_person_id=manager,
            observer_id=lead.person_id,
            kind=Kind.SUPERVISION_INDIVIDUAL,
            observed_at=datetime(2025, 3, 12, 10, 30, tzinfo=UTC),
            others_present="Social worker (ASYE)",
        )
    )
    services.recording.update(
        record, {"strengths": "Reflective questions throughout.", "reflection": "Ran long.", **text}
    )
    return record


def summary_text(services: Services, record: uuid.UUID, folder: Path) -> str:
    return flat(pdf_text(build_summary(summary_content(services, record)), folder))


def test_a_supervision_summary_says_who_is_who_and_leaves_out_the_family_sections(
    services: Services, tmp_path: Path
) -> None:
    text = summary_text(services, supervision(services), tmp_path)

    assert "Supervisor observed" in text  # the DRAFT watermark moves it in the text's order
    assert "About the observation Morag Campbell" in text
    assert "Supervisee Social worker (ASYE)" in text
    assert "Reflective questions throughout." in text
    assert "The supervisor's reflection Ran long." in text
    for absent in (
        "Consent",
        "No child or family member was present",
        "The child's voice",
        "Feedback from the child or family",
        "Practitioner observed",
        "The practitioner's reflection",
    ):
        assert absent not in text


def test_words_typed_in_a_family_section_of_a_supervision_record_are_printed(
    services: Services, tmp_path: Path
) -> None:
    record = supervision(services, child_voice="The supervisor asked what K would say.")

    text = summary_text(services, record, tmp_path)

    assert "The child's voice and lived experience" in text
    assert "The supervisor asked what K would say." in text
    assert "Feedback from the child or family" not in text
