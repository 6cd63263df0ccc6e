"""What a signed record shows cannot change without its hashes showing it: the wording is
kept at signing, each signature and addendum has its own hash chained to the record's, a
summary refuses a record that no longer fits, and the audit trail's check compares each
signed record with the hashes its sign-off events recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from observer.documents.summaries import RecordAltered, export_summary
from observer.records.canonical import ONE_OBSERVATION_LOAD_OPTIONS
from observer.records.sign_off import record_hash
from observer.services import Services
from observer.store.models import (
    Addendum,
    Observation,
    RatingLevel,
    Signature,
    SigningWording,
    Standard,
)
from observer.vocabulary import SignatureRole
from tests.support.passphrase import STORE_PASSPHRASE

REFUSED = "This record's content no longer matches what was signed"


def _with_addendum(services: Services, record: uuid.UUID) -> uuid.UUID:
    return services.signoff.add_addendum(record, "The visit was on Tuesday.", "Aled Hughes").id


def _change(services: Services, statement: Any) -> None:
    """An edit made with the passphrase behind the app's back, as any SQLCipher tool can."""
    with services.db.session() as s, s.begin():
        s.execute(statement)


def test_renamed_levels_and_standards_change_nothing_a_signed_record_shows(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    before = services.signoff.signed_record(signed_record).view
    _change(services, update(RatingLevel).where(RatingLevel.code == "good").values(label="Superb"))
    _change(services, update(Standard).values(title="A title written afterwards"))

    after = services.signoff.signed_record(signed_record)

    assert [lv.label for lv in after.view.levels] == [lv.label for lv in before.levels]
    assert "Superb" not in {lv.label for lv in after.view.levels}
    assert [r.title for r in after.view.ratings] == [r.title for r in before.ratings]
    assert after.problem is None
    export_summary(services, signed_record, out / "summary.pdf")  # still exports as signed


def _signature(s: Any, record: uuid.UUID, role: SignatureRole) -> Signature:
    found: Signature = s.scalars(
        select(Signature).where(Signature.observation_id == record, Signature.role == role.value)
    ).one()
    return found


TAMPERING = {
    "signer's name": lambda record: (
        update(Signature)
        .where(Signature.observation_id == record, Signature.role == "practitioner")
        .values(name="Someone Else")
    ),
    "signing time": lambda record: (
        update(Signature)
        .where(Signature.observation_id == record, Signature.role == "observer")
        .values(signed_at=datetime(2025, 3, 13, 9, 0, tzinfo=UTC))
    ),
    "signature's comment": lambda record: (
        update(Signature)
        .where(Signature.observation_id == record, Signature.role == "practitioner")
        .values(comment="I do not agree with any of this.")
    ),
    "addendum's text": lambda record: (
        update(Addendum)
        .where(Addendum.observation_id == record)
        .values(text="The visit never happened.")
    ),
    "kept wording": lambda record: (
        update(SigningWording)
        .where(
            SigningWording.digest
            == select(Observation.wording_digest).where(Observation.id == record).scalar_subquery()
        )
        .values(wording={"levels": {"good": "Superb"}})
    ),
    "kept names": lambda record: (
        update(Observation)
        .where(Observation.id == record)
        .values(wording_names={"observer": "Someone else"})
    ),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_a_summary_refuses_a_record_whose_sign_off_was_changed_in_the_store(
    services: Services, signed_record: uuid.UUID, out: Path, what: str
) -> None:
    _with_addendum(services, signed_record)
    _change(services, TAMPERING[what](signed_record))

    with pytest.raises(RecordAltered) as refused:
        export_summary(services, signed_record, out / "summary.pdf")

    sentence = str(refused.value)
    assert sentence.startswith(REFUSED)
    assert sentence.count(". ") == 0
    assert sentence.endswith(".")
    assert list(out.iterdir()) == []


def _forge_everything(services: Services, record: uuid.UUID) -> None:
    """Changes the narrative, then recomputes every hash in the store to fit and signs each
    own hash again with the laptop's key (the passphrase opens it): all the store holds is
    consistent; only the audit trail remembers what was signed."""
    try:
        from observer.records.seals import own_hash
        from observer.signing.endorsement import endorse
        from observer.signing.identity import open_endorser
    except ImportError:  # a version without own hashes: the content hashes are all there is
        own_hash = None
    endorser = open_endorser(services.data_dir, STORE_PASSPHRASE) if own_hash else None
    with services.db.session() as s, s.begin():
        s.execute(
            update(Observation)
            .where(Observation.id == record)
            .values(strengths="Rewritten after signing.")
        )
        observation = s.scalars(
            select(Observation)
            .where(Observation.id == record)
            .options(*ONE_OBSERVATION_LOAD_OPTIONS)
            .execution_options(populate_existing=True)
        ).one()
        digest = record_hash(observation)
        for entry in [*observation.signatures, *observation.addenda]:
            entry.content_hash = digest
            if own_hash is not None and endorser is not None:
                entry.own_hash = own_hash(entry, observation.wording_at_signing)
                entry.digital_signature = endorse(endorser, entry.own_hash)


def test_a_rewritten_record_with_every_hash_recomputed_fails_the_audit_check(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    assert services.audit.verify().ok
    _forge_everything(services, signed_record)

    report = services.audit.verify()

    assert not report.ok
    assert report.problems[0].startswith(
        f"Observation {signed_record} is not what was signed: its content hash differs from "
        "the one event "
    )
    assert services.signoff.signed_record(signed_record).problem is not None
    with pytest.raises(RecordAltered):
        export_summary(services, signed_record, out / "summary.pdf")


def test_a_signature_rewritten_with_its_hash_recomputed_fails_the_audit_check(
    services: Services, signed_record: uuid.UUID
) -> None:
    from observer.records.seals import own_hash

    with services.db.session() as s, s.begin():
        signature = _signature(s, signed_record, SignatureRole.PRACTITIONER)
        wording = s.get(Observation, signed_record).wording_at_signing  # type: ignore[union-attr]
        signature.comment = "Added afterwards."
        signature.own_hash = own_hash(signature, wording)
        signature.digital_signature = None  # as made on a laptop with no identity

    report = services.audit.verify()

    assert not report.ok
    assert any(
        p.startswith(f"A signature on observation {signed_record} is not the one event ")
        for p in report.problems
    )


def test_the_audit_check_of_an_untouched_signed_store_is_intact(
    services: Services, signed_record: uuid.UUID
) -> None:
    _with_addendum(services, signed_record)
    services.signoff.sign(signed_record, SignatureRole.MANAGER, "Morag Campbell")

    report = services.audit.verify()

    assert report.ok, report.problems
    assert services.signoff.signed_record(signed_record).problem is None


def test_the_command_line_says_so_in_one_line_and_exits_as_a_check_or_bad_input(
    services: Services,
    signed_record: uuid.UUID,
    out: Path,
    run_cli: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _forge_everything(services, signed_record)
    data_dir = str(services.data_dir)

    checked = run_cli(["--data-dir", data_dir, "audit", "verify"])
    said = capsys.readouterr()
    exported = run_cli(
        ["--data-dir", data_dir, "pdf", str(signed_record), "-o", str(out / "summary.pdf")]
    )
    refused = capsys.readouterr()

    assert checked == 1
    assert f"Observation {signed_record} is not what was signed" in said.out
    assert exported == 2
    assert refused.err.startswith(f"observer: {REFUSED}")
    assert len(refused.err.splitlines()) == 1
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("what", ["signer's name", "addendum's text"])
def test_a_history_refuses_a_record_whose_sign_off_was_changed_in_the_store(
    services: Services, signed_record: uuid.UUID, out: Path, what: str
) -> None:
    """A history is signed by this laptop like a summary, so it must not vouch for a record
    that a summary would refuse; it names the record by date and id, not by a name."""
    from observer.documents.histories import export_history
    from observer.review.worker_history import HistoryFilter

    _with_addendum(services, signed_record)
    worker = services.signoff.signed_record(signed_record).view.observed_person_id
    every_date = HistoryFilter(datetime(1990, 1, 1).date(), datetime(2190, 1, 1).date())
    export_history(services, worker, out / "before.pdf", every_date)
    _change(services, TAMPERING[what](signed_record))

    with pytest.raises(RecordAltered) as refused:
        export_history(services, worker, out / "history.pdf", every_date)

    sentence = str(refused.value)
    assert sentence.startswith("The observation of ")
    assert f"({signed_record}) no longer matches what was signed" in sentence
    assert "Siobhán" not in sentence
    assert "Walker" not in sentence
    assert [p.name for p in out.iterdir()] == ["before.pdf"]


def _stranger() -> Any:
    """A signing key and self-signed certificate this store has never been told of."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from observer.signing.endorsement import Endorser

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Morag Campbell")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now.replace(year=now.year + 1))
        .sign(key, hashes.SHA256())
    )
    return Endorser(key, certificate.public_bytes(Encoding.DER))


def _typed_in(
    services: Services, record: uuid.UUID, what: str, signed_by: str, *, with_event: bool = False
) -> None:
    """A manager's countersignature or an addendum typed into the store with the passphrase:
    its own hash computed as the app would, digitally signed by a key this store does not
    know or not at all, and (`with_event`) even an audit event appended for it."""
    from observer.governance.audit import record_event
    from observer.governance.signed_records import sign_off_detail
    from observer.records.seals import own_hash
    from observer.signing.endorsement import endorse

    with services.db.session() as s, s.begin():
        observation = s.scalars(
            select(Observation)
            .where(Observation.id == record)
            .options(*ONE_OBSERVATION_LOAD_OPTIONS)
        ).one()
        when = datetime.now(UTC)
        entry: Signature | Addendum
        if what == "manager signature":
            entry = Signature(
                id=uuid.uuid4(),
                role=SignatureRole.MANAGER.value,
                name="Morag Campbell",
                signed_at=when,
                comment="",
                content_hash=record_hash(observation),
            )
            observation.signatures.append(entry)
        else:
            entry = Addendum(
                id=uuid.uuid4(),
                text="The practitioner agreed to everything.",
                author_name="Aled Hughes",
                signed_at=when,
                content_hash=record_hash(observation),
            )
            observation.addenda.append(entry)
        entry.own_hash = own_hash(entry, observation.wording_at_signing)
        if signed_by == "a key not known here":
            stranger = _stranger()
            entry.certificate = stranger.certificate
            entry.digital_signature = endorse(stranger, entry.own_hash)
        if with_event:
            kind = "signature" if isinstance(entry, Signature) else "addendum"
            record_event(
                s,
                actor="Aled Hughes",
                action="sign:manager" if kind == "signature" else "addendum",
                record_type="observation",
                record_id=record,
                content_hash=entry.content_hash,
                detail=sign_off_detail(kind, entry.own_hash),
            )


TYPED_IN = [
    (what, signed_by, with_event)
    for what in ("manager signature", "addendum")
    for signed_by in ("no key", "a key not known here")
    for with_event in (False, True)
]


@pytest.mark.parametrize(("what", "signed_by", "with_event"), TYPED_IN)
def test_a_sign_off_typed_into_the_store_is_refused_by_the_summary_history_and_audit_check(
    services: Services,
    signed_record: uuid.UUID,
    out: Path,
    run_cli: Any,
    capsys: pytest.CaptureFixture[str],
    what: str,
    signed_by: str,
    with_event: bool,
) -> None:
    from observer.documents.histories import export_history
    from observer.review.worker_history import HistoryFilter

    assert services.audit.verify().ok
    _typed_in(services, signed_record, what, signed_by, with_event=with_event)

    with pytest.raises(RecordAltered) as refused:
        export_summary(services, signed_record, out / "summary.pdf")
    sentence = str(refused.value)
    assert sentence.startswith(REFUSED)
    assert sentence.count(". ") == 0
    assert sentence.endswith(".")

    worker = services.signoff.signed_record(signed_record).view.observed_person_id
    every_date = HistoryFilter(datetime(1990, 1, 1).date(), datetime(2190, 1, 1).date())
    with pytest.raises(RecordAltered) as history_refused:
        export_history(services, worker, out / "history.pdf", every_date)
    assert f"({signed_record}) no longer matches what was signed" in str(history_refused.value)
    assert list(out.iterdir()) == []

    capsys.readouterr()
    checked = run_cli(["--data-dir", str(services.data_dir), "audit", "verify"])
    said = capsys.readouterr().out
    assert checked == 1
    assert f"Observation {signed_record} has 1 signature(s) or addenda " in said


def test_a_real_countersignature_and_addendum_pass_every_check(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    services.signoff.sign(signed_record, SignatureRole.MANAGER, "Morag Campbell")
    _with_addendum(services, signed_record)

    assert services.signoff.signed_record(signed_record).problem is None
    assert services.audit.verify().ok
    export_summary(services, signed_record, out / "summary.pdf")


def test_a_laptop_whose_identity_cannot_be_opened_signs_nothing_once_it_has_had_one(
    services: Services, signed_record: uuid.UUID
) -> None:
    """What is signed here after the laptop has had an identity carries its digital
    signature; made without one, it would be refused as typed in, so it is not made."""
    from observer.errors import ObserverError
    from observer.records.sign_off import SignOff

    no_identity = SignOff(services.db, actor=lambda: "Aled Hughes")

    with pytest.raises(ObserverError, match="signing identity could not be opened"):
        no_identity.add_addendum(signed_record, "The visit was on Tuesday.", "Aled Hughes")
    assert services.signoff.addenda(signed_record) == []
    assert services.audit.verify().ok
