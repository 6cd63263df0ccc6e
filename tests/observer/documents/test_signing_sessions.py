"""The passphrase checked once before a batch, and the identity held open for the session."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from observer.documents.summaries import export_summary, verify_summary
from observer.services import Services
from observer.signing import (
    PassphraseNeeded,
    WrongPassphrase,
    import_identity,
)
from observer.vocabulary import Role
from tests.support.signing import PASSPHRASE, organisation_p12


def test_prepare_signing_makes_the_identity_once_and_then_checks_the_passphrase(
    services: Services,
) -> None:
    from observer.documents.summaries import has_signing_identity, prepare_signing

    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    assert not has_signing_identity(services)
    with pytest.raises(PassphraseNeeded):
        prepare_signing(services, "short")
    with pytest.raises(PassphraseNeeded):
        prepare_signing(services, "")
    assert not has_signing_identity(services)

    made = prepare_signing(services, PASSPHRASE)

    assert made.created
    assert made.name == "Aled Hughes"
    assert has_signing_identity(services)
    assert services.known_certificates.is_known(made.fingerprint_sha256)
    again = prepare_signing(services, PASSPHRASE)
    assert (again.created, again.fingerprint_sha256) == (False, made.fingerprint_sha256)
    with pytest.raises(WrongPassphrase):
        prepare_signing(services, "not the passphrase at all")


def test_prepare_signing_without_a_user_says_there_is_no_one_to_sign_as(
    services: Services,
) -> None:
    from observer.documents.summaries import NobodyToSignAs, prepare_signing

    with pytest.raises(NobodyToSignAs):
        prepare_signing(services, PASSPHRASE)


def test_a_batch_of_exports_opens_the_signing_identity_once(
    services: Services, signed_record: uuid.UUID, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []
    load = pkcs12.load_pkcs12
    monkeypatch.setattr(pkcs12, "load_pkcs12", lambda *a: opened.append(1) or load(*a))
    export_summary(services, signed_record, out / "first.pdf")
    first = len(opened)

    for n in range(3):
        export_summary(services, signed_record, out / f"again-{n}.pdf")

    assert first == 1  # made when the record was signed, opened once here
    assert len(opened) == first
    for n in range(3):
        assert verify_summary(services, out / f"again-{n}.pdf").ok is True


def test_an_identity_protected_anew_no_longer_opens_with_the_old_passphrase(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    from observer.signing.identity import change_identity_passphrase

    export_summary(services, signed_record, out / "first.pdf")
    assert change_identity_passphrase(services.data_dir, PASSPHRASE, "a brand new secret") == 1

    with pytest.raises(WrongPassphrase):
        export_summary(services, signed_record, out / "old.pdf")
    exported = export_summary(
        services, signed_record, out / "new.pdf", passphrase="a brand new secret"
    )

    assert exported.signed
    assert sorted(p.name for p in out.iterdir()) == ["first.pdf", "new.pdf"]


def test_an_identity_imported_mid_session_signs_the_next_export(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    own = export_summary(services, signed_record, out / "own.pdf")
    issued = organisation_p12()
    import_identity(services.data_dir, issued.p12, "org-issued secret", PASSPHRASE)

    theirs = export_summary(services, signed_record, out / "theirs.pdf")

    assert own.identity is not None
    assert theirs.identity is not None
    leaf = hashlib.sha256(issued.leaf.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert own.identity.fingerprint_sha256 != leaf
    assert theirs.identity.fingerprint_sha256 == leaf
    checked = verify_summary(services, out / "theirs.pdf")  # an RSA key with its CA's chain
    assert (checked.intact, checked.hash_matches, checked.ok) == (True, True, True)
