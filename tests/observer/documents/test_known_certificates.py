"""Who signed a summary: only certificates this data folder signed with count as known."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from observer.documents.summaries import export_summary, verify_summary
from observer.services import Services
from observer.signing import (
    ensure_identity,
    identity_path,
    load_signer,
    sign_pdf,
)
from observer.store.models import Setting
from observer.vocabulary import Role
from tests.support.core import trusting
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import PASSPHRASE, summary_like_pdf

NOT_KNOWN = "Signed with a certificate this laptop does not know (fingerprint "


def test_a_forged_summary_with_the_users_name_and_the_real_hash_fails(
    services: Services, signed_record: uuid.UUID, out: Path, tmp_path: Path
) -> None:
    """Someone makes a key with the laptop user's name and organisation and signs a
    summary of a real record, with other text, claiming that record's real hash."""
    export_summary(services, signed_record, out / "real.pdf", passphrase=PASSPHRASE)
    real_hash = services.signoff.current_hash(signed_record)
    forger = tmp_path / "forger"
    fake = ensure_identity(forger, "forger's own secret", "Aled Hughes", "Northshire Council")
    forged = out / "forged.pdf"
    forged.write_bytes(
        sign_pdf(
            summary_like_pdf(signed_record, real_hash),
            load_signer(forger, "forger's own secret"),
            reason="r",
            location="Northshire Council",
            signer_name="Aled Hughes",
        )
    )

    result = verify_summary(services, forged)

    assert (result.signed, result.intact, result.signer) == (True, True, "Aled Hughes")
    assert (result.record_id, result.content_hash) == (signed_record, real_hash)
    assert (result.record_in_store, result.signer_known, result.hash_matches) == (
        True,
        False,
        None,
    )
    assert result.ok is False
    assert result.signer_fingerprint == fake.fingerprint
    lines = result.summary_lines()
    assert lines[-1] == (
        f"{NOT_KNOWN}{fake.fingerprint}): it cannot confirm that this summary shows the "
        "record it names."
    )
    assert not any("hash matches" in line for line in lines)
    assert verify_summary(services, out / "real.pdf").ok is True


def test_a_summary_exported_on_another_data_folder_is_not_known_here(
    services: Services, signed_record: uuid.UUID, out: Path, tmp_path: Path
) -> None:
    from observer.bundle import export_bundle, import_bundle
    from observer.services import open_services

    other = open_services(tmp_path / "other laptop", STORE_PASSPHRASE)
    try:
        trusting(other, services)
        import_bundle(other.db, export_bundle(services.db), "test", "bundle.json")
        other.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
        assert other.signoff.current_hash(signed_record) == (
            services.signoff.current_hash(signed_record)
        )
        exported = export_summary(other, signed_record, out / "there.pdf", passphrase=PASSPHRASE)
        there = verify_summary(other, out / "there.pdf")
    finally:
        other.close()
    assert (there.signer_known, there.hash_matches, there.ok) == (True, True, True)
    export_summary(services, signed_record, out / "here.pdf", passphrase=PASSPHRASE)

    result = verify_summary(services, out / "there.pdf")

    assert exported.identity is not None
    assert (result.intact, result.signer_known, result.ok) == (True, False, False)
    assert result.summary_lines()[-1].startswith(NOT_KNOWN + exported.identity.fingerprint)
    assert "does not know" in result.summary_lines()[-1]


def test_every_certificate_a_summary_was_exported_with_is_remembered(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    from observer.documents.summaries import known_certificates
    from observer.signing.known import KNOWN_CERTIFICATES_SETTING

    exported = export_summary(services, signed_record, out / "s.pdf", passphrase=PASSPHRASE)
    export_summary(services, signed_record, out / "again.pdf", passphrase=PASSPHRASE)

    assert exported.identity is not None
    fingerprint = exported.identity.fingerprint_sha256
    with services.db.session() as s:
        setting = s.get(Setting, KNOWN_CERTIFICATES_SETTING)
        assert setting is not None
        remembered = setting.value
    assert list(remembered) == [fingerprint]
    assert remembered[fingerprint]["name"] == "Aled Hughes"
    # Known from the first sign-off made here, which carries the identity's signature.
    since = datetime.fromisoformat(remembered[fingerprint]["since"])
    assert abs(datetime.now(UTC) - since) < timedelta(minutes=5)
    # Without the identity (replaced since, and gone) its certificate is known.
    identity_path(services.data_dir).unlink()
    assert known_certificates(services) == {fingerprint}
    result = verify_summary(services, out / "s.pdf")
    assert (result.signer_known, result.hash_matches, result.ok) == (True, True, True)
