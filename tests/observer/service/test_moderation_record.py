"""A moderation: made blind, signed, kept as its own immutable record, never changing the
observation; one that disagrees is raised with the observer, who may add an addendum."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from observer.errors import InvalidInput
from observer.people.directory import PersonDetails
from observer.records.canonical import (
    ONE_OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.service.moderation import NotAModerator
from observer.service.moderation_record import moderation_content, sha256_of
from observer.services import Services
from observer.store.models import Observation, RatingLevel
from observer.store.moderation_tables import (
    Moderation,
    ModerationNote,
    ModerationRating,
)
from observer.vocabulary import Role
from tests.support.core import NewDraft, RunCli, Staff, audit_trail
from tests.support.moderation import ORGANISATION, QA_LEAD, signed_record
from tests.support.signing import CODES

AGREEING = dict.fromkeys(CODES, "good")
# Standard 1 two levels below the observer's Good; the overall judgement differs too.
DISAGREEING = {**AGREEING, "1": "inadequate", "7": "not_observed"}


@pytest.fixture
def signed(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    return signed_record(services, new_draft, staff)


def observation_state(services: Services, observation_id: uuid.UUID) -> tuple[Any, ...]:
    with services.db.session() as s:
        record = s.get_one(Observation, observation_id)
        signatures = [(g.role, g.name, g.content_hash, g.own_hash) for g in record.signatures]
    document = services.signoff.signed_record(observation_id)
    return (
        content_hash(_document(services, observation_id)),
        document.content_hash,
        record.revision,
        signatures,
        document.problem,
    )


def _document(services: Services, observation_id: uuid.UUID) -> dict[str, Any]:
    with services.db.session() as s:
        record = s.scalars(
            select(Observation)
            .where(Observation.id == observation_id)
            .options(*ONE_OBSERVATION_LOAD_OPTIONS)
        ).one()
        return observation_document(record)


def test_the_moderator_reads_the_evidence_and_narrative_without_any_rating(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID
) -> None:
    blind = services.moderation.blind_record(signed)
    assert [s.evidence for s in blind.standards] == [f"Seen in part {c}." for c in CODES]
    assert dict(blind.narrative)["focus"] == services.recording.get(signed).focus
    # The record is rated Good throughout, with "Warm, clear." as the judgement's rationale:
    # apart from the scale to rate on, nothing the moderator reads names a level.
    with services.db.session() as s:
        levels = list(s.scalars(select(RatingLevel)))
        level_ids = {str(level.id) for level in levels}
    read = json.dumps(
        {k: v for k, v in dataclasses.asdict(blind).items() if k != "scale"}, default=str
    )
    assert "Warm, clear." not in read
    for level in levels:
        assert level.code not in read
        assert level.label not in read
    assert not level_ids & set(read.split('"'))
    assert {f.name for f in dataclasses.fields(blind)} == {
        "observation_id",
        "kind",
        "observed_on",
        "duration_minutes",
        "framework",
        "framework_version",
        "narrative",
        "standards",
        "scale",
    }
    assert {f.name for f in dataclasses.fields(blind.standards[0])} == {
        "code",
        "title",
        "evidence",
    }


def test_a_moderation_is_signed_kept_and_audited_and_never_changes_the_observation(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID
) -> None:
    before = observation_state(services, signed)
    made = services.moderation.moderate(
        signed, DISAGREEING, "requires_improvement", "Evidence thin on risk.", QA_LEAD
    )
    assert observation_state(services, signed) == before
    assert before[-1] is None  # the record still holds together as signed
    assert made.moderator_name == QA_LEAD
    assert made.observation_hash == before[1]
    assert dict(made.ratings)["1"] == "inadequate"
    assert dict(made.ratings)["7"] is None  # Not observed is no level
    assert made.digitally_signed
    expected = moderation_content(
        observation_id=signed,
        observation_hash=before[1],
        framework=("direct-work-practice", 1),
        sample_id=None,
        moderator_id=qa_lead,
        moderator_name=QA_LEAD,
        signed_at=made.signed_at,
        ratings=dict(made.ratings),
        overall="requires_improvement",
        comment="Evidence thin on risk.",
    )
    assert made.content_hash == sha256_of(expected)
    assert services.moderation.moderations_of(signed) == [made]
    assert audit_trail(services.db, made.id) == ["moderate"]


def test_a_moderation_cannot_be_changed_or_deleted_in_the_store(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID
) -> None:
    made = services.moderation.moderate(signed, DISAGREEING, "good", "", QA_LEAD)
    services.moderation.raise_with_observer(made.id, "Standard 1: please look again.")
    for statement in (
        update(Moderation).values(comment="Changed."),
        delete(Moderation),
        update(ModerationRating).values(level_id=None),
        delete(ModerationRating),
        update(ModerationNote).values(text="Changed."),
        delete(ModerationNote),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            services.db.session() as s,
            s.begin(),
        ):
            s.execute(statement)
    assert services.moderation.moderations_of(signed)[0].content_hash == made.content_hash


def test_a_moderator_cannot_moderate_their_own_observation(
    services: Services, signed: uuid.UUID, staff: Staff
) -> None:
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, ORGANISATION)
    with pytest.raises(NotAModerator, match="you made or were observed in"):
        services.moderation.blind_record(signed)
    with pytest.raises(NotAModerator, match="you made or were observed in"):
        services.moderation.moderate(signed, AGREEING, "good", "", "Aled Hughes")
    assert services.moderation.moderations_of(signed) == []


def test_only_a_practice_lead_or_the_qa_lead_moderates_and_signs_in_their_own_name(
    services: Services, signed: uuid.UUID, staff: Staff
) -> None:
    services.profiles.use_person(staff.manager, ORGANISATION)
    with pytest.raises(NotAModerator, match="Only a practice lead or the QA lead"):
        services.moderation.moderate(signed, AGREEING, "good", "", "Morag Campbell")
    services.people.add_person(PersonDetails(QA_LEAD, Role.QA_LEAD))
    services.profiles.set_up(QA_LEAD, Role.QA_LEAD, ORGANISATION)
    with pytest.raises(InvalidInput, match=f"Only {QA_LEAD}, this laptop's user"):
        services.moderation.moderate(signed, AGREEING, "good", "", "Someone Else")
    with pytest.raises(InvalidInput, match="Rate every standard"):
        services.moderation.moderate(signed, {"1": "good"}, "good", "", QA_LEAD)
    with pytest.raises(InvalidInput, match="overall judgement"):
        services.moderation.moderate(signed, AGREEING, "not_observed", "", QA_LEAD)
    services.moderation.moderate(signed, AGREEING, "good", "", QA_LEAD)
    with pytest.raises(InvalidInput, match="moderated this observation already"):
        services.moderation.moderate(signed, AGREEING, "good", "", QA_LEAD)


def test_an_agreeing_moderation_has_nothing_to_raise(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID
) -> None:
    near = {**AGREEING, "2": "outstanding", "3": "requires_improvement"}  # one level apart
    made = services.moderation.moderate(signed, near, "good", "", QA_LEAD)
    assert services.moderation.disagreements(made.id) == []
    with pytest.raises(InvalidInput, match="nothing to raise"):
        services.moderation.raise_with_observer(made.id, "Please look again.")


def test_a_disagreement_is_raised_with_the_observer_who_adds_an_addendum(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID
) -> None:
    made = services.moderation.moderate(
        signed, DISAGREEING, "requires_improvement", "Risk not evidenced.", QA_LEAD
    )
    assert services.moderation.disagreements(made.id) == [
        "standard 1: 2 levels apart",
        "a different overall judgement",
    ]
    note = services.moderation.raise_with_observer(made.id, "Please review standard 1.")
    assert note.author_name == QA_LEAD
    assert services.moderation.moderations_of(signed)[0].notes == (note,)
    assert audit_trail(services.db, made.id) == ["moderate", "moderation_raised"]
    before = observation_state(services, signed)
    # The observer answers through the existing addendum of a signed record.
    addendum = services.signoff.add_addendum(
        signed, "On reflection the risk evidence was thin; see the case notes.", "Aled Hughes"
    )
    assert [a.id for a in services.signoff.addenda(signed)] == [addendum.id]
    after = observation_state(services, signed)
    assert after[:2] == before[:2]  # an addendum leaves the signed content as it was
    assert services.signoff.signed_record(signed).problem is None
    # The moderation is as it was signed.
    assert services.moderation.moderations_of(signed)[0].content_hash == made.content_hash


def test_a_draft_is_not_moderated(
    services: Services, new_draft: NewDraft, qa_lead: uuid.UUID
) -> None:
    draft = new_draft()
    with pytest.raises(InvalidInput, match="Only signed observations"):
        services.moderation.blind_record(draft)


def test_moderations_go_with_a_record_the_retention_policy_removes(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID, staff: Staff
) -> None:
    from observer.governance.retention import remove_observations

    made = services.moderation.moderate(signed, DISAGREEING, "good", "", QA_LEAD)
    services.moderation.raise_with_observer(made.id, "Please look again.")
    with services.db.session() as s, s.begin():
        assert remove_observations(s, [staff.worker]) == 1
    assert services.moderation.moderations_of(signed) == []
    with services.db.session() as s:
        assert s.scalars(select(ModerationNote)).all() == []
        assert s.scalars(select(ModerationRating)).all() == []


def test_a_moderation_changed_around_the_store_is_found(
    services: Services, signed: uuid.UUID, qa_lead: uuid.UUID, run_cli: RunCli,
    data_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    made = services.moderation.moderate(signed, DISAGREEING, "good", "Thin on risk.", QA_LEAD)
    services.moderation.raise_with_observer(made.id, "Please look again.")
    services.moderation.draw_sample(date(2025, 3, 1), date(2025, 3, 31), 50, seed=3)
    assert services.moderation.verify() == []
    assert run_cli(["--data-dir", str(data_dir), "moderation", "verify"]) == 0
    assert capsys.readouterr().out == "Every moderation and moderation sample is as it was made.\n"
    # Someone with the file and the key drops the guard and edits the comment.
    with services.db.session() as s, s.begin():
        s.execute(text("DROP TRIGGER moderations_no_update"))
        s.execute(update(Moderation).values(comment="Fine on risk."))
    assert services.moderation.verify() == [
        f"Moderation {made.id} is not what its moderator signed."
    ]
    assert run_cli(["--data-dir", str(data_dir), "moderation", "verify"]) == 1
    assert capsys.readouterr().out == f"Moderation {made.id} is not what its moderator signed.\n"
