"""What a signer is shown is what they sign: one read gives the record and the hash of
exactly that content, and a signature is refused when the record has moved on since."""

from __future__ import annotations

import uuid

import pytest

from observer.errors import RecordLocked, StaleRecord
from observer.records.merge import Change
from observer.services import Services
from observer.vocabulary import SignatureRole, Status
from tests.support.core import NewDraft, Staff, audit_trail
from tests.support.races import started_during_flush
from tests.support.signing import filled


@pytest.fixture
def record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A home visit with everything sign-off needs, and one agreed action."""
    return filled(services, new_draft, staff)


def test_each_signer_signs_the_hash_of_the_record_they_were_shown(
    services: Services, record: uuid.UUID
) -> None:
    signoff = services.signoff
    for role, name in [
        (SignatureRole.OBSERVER, "Aled Hughes"),
        (SignatureRole.PRACTITIONER, "Siobhán Walker"),
        (SignatureRole.MANAGER, "Morag Campbell"),
    ]:
        read = signoff.signed_record(record)
        assert read.next_role is role
        assert read.view == services.recording.get(record)

        signature = signoff.sign(record, role, name, expected_hash=read.content_hash)

        assert signature.content_hash == read.content_hash
    assert signoff.signed_record(record).next_role is None


def test_a_record_another_window_changed_after_the_signer_read_it_is_not_signed(
    services: Services, other_laptop_window: Services, record: uuid.UUID
) -> None:
    read = services.signoff.signed_record(record)
    other_laptop_window.recording.save(record, [Change("strengths", "", "Added elsewhere.")])

    with pytest.raises(StaleRecord) as refused:
        services.signoff.sign(
            record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=read.content_hash
        )

    assert str(refused.value) == (
        "The record changed after you began reading it, so nothing was signed; "
        "read it again, then sign."
    )
    assert services.signoff.signatures(record) == []
    assert services.recording.get(record).status is Status.DRAFT
    assert not [a for a in audit_trail(services.db, record) if a.startswith("sign:")]
    again = services.signoff.signed_record(record)
    assert again.view.strengths == "Added elsewhere."
    services.signoff.sign(
        record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=again.content_hash
    )


def test_a_signer_whose_record_lost_what_sign_off_needs_is_told_it_changed(
    services: Services, other_laptop_window: Services, record: uuid.UUID
) -> None:
    """The signer must first see the new version; what it lacks is for the next attempt."""
    read = services.signoff.signed_record(record)
    other_laptop_window.recording.save(record, [Change("overall_rationale", "Warm, clear.", "")])

    with pytest.raises(StaleRecord):
        services.signoff.sign(
            record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=read.content_hash
        )

    assert services.signoff.signatures(record) == []


def test_a_save_arriving_between_the_signers_check_and_the_signature_waits_and_is_refused(
    services: Services, other_laptop_window: Services, record: uuid.UUID
) -> None:
    """Another app process saves after the hash was checked but before the signature is
    written. Signing holds the write lock from its first read (before, the save could land
    in between and the signature was of content nobody was shown), so the save waits, the
    record is signed as it was shown, and the save is then refused as locked."""
    read = services.signoff.signed_record(record)

    def theirs() -> None:
        other_laptop_window.recording.save(
            record, [Change("reflection", "", "Saved at that very moment.")]
        )

    with started_during_flush(theirs, "the signature") as outcome:
        signature = services.signoff.sign(
            record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=read.content_hash
        )

    assert signature.content_hash == read.content_hash
    assert len(outcome) == 1
    assert isinstance(outcome[0], RecordLocked)
    assert services.signoff.current_hash(record) == read.content_hash
    assert [a for a in audit_trail(services.db, record) if a.startswith("sign:")]
    assert services.recording.get(record).reflection != "Saved at that very moment."
