"""A data folder from an earlier version: at unlock, this laptop's own identities become
known in its store, and the plain fingerprint files it kept are gone and count for nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from observer.services import Services, open_services
from observer.signing import ensure_identity, identity_path, import_identity
from observer.signing.known import OWN_IDENTITY, REPLACED_IDENTITY, TRUST_ACTION
from observer.store.models import AuditEvent
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import organisation_p12


def trusted(services: Services) -> list[tuple[str, str]]:
    with services.db.session() as s:
        rows = s.execute(
            select(AuditEvent.content_hash, AuditEvent.detail)
            .where(AuditEvent.action == TRUST_ACTION)
            .order_by(AuditEvent.sequence)
        )
        return [(r.content_hash, r.detail) for r in rows]


def test_own_identities_become_known_and_planted_fingerprints_do_not(
    services: Services, data_dir: Path, tmp_path: Path
) -> None:
    services.close()
    # As an earlier version left it: an identity, one imported over it, fingerprint files.
    replaced = ensure_identity(data_dir, STORE_PASSPHRASE, "Aled Hughes", "Northshire Council")
    current = import_identity(
        data_dir, organisation_p12().p12, "org-issued secret", STORE_PASSPHRASE
    )
    forger = ensure_identity(tmp_path / "forger", "forger's secret", "Aled Hughes", "Northshire")
    folder = identity_path(data_dir).parent
    (folder / "certificate.sha256").write_text(current.fingerprint_sha256 + "\n")
    (folder / "certificate-replaced-20240101T000000Z.sha256").write_text(
        f"{replaced.fingerprint_sha256}\n{forger.fingerprint_sha256}\n"
    )
    (folder / "certificate-replaced-20230101T000000Z.pem").write_bytes(b"-----BEGIN junk")

    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        known = reopened.known_certificates
        assert known.fingerprints() == {current.fingerprint_sha256, replaced.fingerprint_sha256}
        assert known.certificate(current.fingerprint_sha256) == current.certificate_der
        assert known.certificate(replaced.fingerprint_sha256) == replaced.certificate_der
        assert not known.is_known(forger.fingerprint_sha256)
        assert sorted(trusted(reopened)) == sorted(
            [
                (current.fingerprint_sha256, OWN_IDENTITY),
                (replaced.fingerprint_sha256, REPLACED_IDENTITY),
            ]
        )
        assert sorted(p.name for p in folder.iterdir())[-1] == "identity.p12"
        assert not list(folder.glob("certificate*"))
        assert reopened.audit.verify().ok
    finally:
        reopened.close()

    again = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert len(trusted(again)) == 2  # taken once; later unlocks find them known
    finally:
        again.close()


def test_an_identity_under_another_passphrase_becomes_known_once_adopted(
    services: Services, data_dir: Path
) -> None:
    earlier = "the passphrase I chose for signing"
    services.close()
    made = ensure_identity(data_dir, earlier, "Aled Hughes", "Northshire Council")

    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert not reopened.known_certificates.is_known(made.fingerprint_sha256)

        reopened.summaries.adopt_identity(earlier)

        assert reopened.known_certificates.is_known(made.fingerprint_sha256)
    finally:
        reopened.close()


def test_an_imported_identity_is_known_at_once(services: Services) -> None:
    issued = organisation_p12()

    info = services.summaries.import_identity(issued.p12, "org-issued secret")

    assert services.known_certificates.is_known(info.fingerprint_sha256)
    assert trusted(services) == [(info.fingerprint_sha256, OWN_IDENTITY)]


def test_an_identity_put_in_place_between_unlocks_is_taken_at_the_next(
    services: Services, data_dir: Path
) -> None:
    """Identity files already looked at are not opened again at each unlock (a key
    derivation each); one that changed or arrived is."""
    services.close()
    first = ensure_identity(data_dir, STORE_PASSPHRASE, "Aled Hughes", "Northshire Council")
    open_services(data_dir, STORE_PASSPHRASE).close()
    second = import_identity(
        data_dir, organisation_p12().p12, "org-issued secret", STORE_PASSPHRASE
    )

    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert reopened.known_certificates.fingerprints() == {
            first.fingerprint_sha256,
            second.fingerprint_sha256,
        }
    finally:
        reopened.close()
